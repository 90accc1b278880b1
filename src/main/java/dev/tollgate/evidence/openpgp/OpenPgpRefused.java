package dev.tollgate.evidence.openpgp;

/** Why an OpenPGP key or signed file is refused: one of the evidence failure codes, and a readable reason. */
public final class OpenPgpRefused extends Exception {

    private final String code;

    OpenPgpRefused(String code, String detail) {
        super(detail, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }

    public String detail() {
        return getMessage();
    }

    static final String MALFORMED = "evidence_malformed";
    static final String UNSUPPORTED = "evidence_unsupported";
    static final String SIGNATURE_INVALID = "evidence_signature_invalid";
    static final String UNTRUSTED_KEY = "evidence_untrusted_key";
    static final String NO_TRUST_MATERIAL = "evidence_no_trust_material";
}
