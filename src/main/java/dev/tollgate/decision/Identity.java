package dev.tollgate.decision;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tollgate.evidence.Signer;

/** Who signed an evidence item, as an answer shows it: {@code keyless} (issuer, subject) or {@code key}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Identity(String kind, String issuer, String subject, String key) {

    static Identity of(Signer s) {
        return new Identity(s.kind(), s.issuer(), s.subject(), s.key());
    }
}
