package dev.tollgate.decision;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tollgate.evidence.Signer;

/**
 * Who signed an evidence item, as an answer shows it: {@code keyless} (issuer, subject),
 * {@code key}, or {@code openpgp} (key, the primary key's fingerprint and its user IDs).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Identity(String kind, String issuer, String subject, String key, String fingerprint, java.util.List<String> userIds) {

    static Identity of(Signer s) {
        return new Identity(s.kind(), s.issuer(), s.subject(), s.key(), s.fingerprint(), s.userIds());
    }
}
