package dev.tollgate.evidence;

/** An evidence item that is not a readable Sigstore bundle: the whole request is refused (400). */
public final class MalformedEvidence extends RuntimeException {

    private final int index;
    private final String code;

    MalformedEvidence(int index, String code, String detail) {
        super("evidence[" + index + "]: " + detail, null, false, false);
        this.index = index;
        this.code = code;
    }

    public int index() {
        return index;
    }

    public String code() {
        return code;
    }
}
