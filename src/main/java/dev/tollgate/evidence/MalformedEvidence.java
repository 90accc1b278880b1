package dev.tollgate.evidence;

import java.util.Map;

import dev.tollgate.web.DomainException;
import dev.tollgate.web.ProblemType;

/** An evidence item that is not a readable Sigstore bundle: the whole request is refused (400). */
public final class MalformedEvidence extends DomainException {

    private final int index;
    private final String code;

    MalformedEvidence(int index, String code, String detail) {
        super("evidence[" + index + "]: " + detail, null);
        this.index = index;
        this.code = code;
    }

    public int index() {
        return index;
    }

    public String code() {
        return code;
    }

    @Override
    public ProblemType problemType() {
        return ProblemType.BAD_REQUEST;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("code", code, "index", index);
    }
}
