package dev.tollgate.evidence.sigstore;

/**
 * Why a bundle did not verify: a stable code (see {@link Codes}) and a readable detail. Thrown
 * inside this package only and turned into a value by {@link SigstoreVerifier}'s callers.
 */
public final class Failure extends Exception {

    private final String code;

    Failure(String code, String detail) {
        super(detail, null, false, false);
        this.code = code;
    }

    Failure(String code, String detail, Throwable cause) {
        super(detail, cause, false, false);
        this.code = code;
    }

    /** A failure found outside this package (statement, payload), with the same codes. */
    public static Failure of(String code, String detail) {
        return new Failure(code, detail);
    }

    public String code() {
        return code;
    }

    public String detail() {
        return getMessage();
    }

    /** The stable failure codes. */
    public static final class Codes {
        public static final String MALFORMED = "evidence_malformed";
        public static final String UNSUPPORTED = "evidence_unsupported";
        public static final String SIGNATURE_INVALID = "evidence_signature_invalid";
        public static final String UNTRUSTED_CERTIFICATE = "evidence_untrusted_certificate";
        public static final String UNTRUSTED_KEY = "evidence_untrusted_key";
        public static final String TLOG_INVALID = "evidence_tlog_invalid";
        public static final String TIMESTAMP_INVALID = "evidence_timestamp_invalid";
        public static final String SUBJECT_MISMATCH = "evidence_subject_mismatch";
        public static final String DIGEST_MISMATCH = "evidence_digest_mismatch";
        public static final String NO_TRUST_MATERIAL = "evidence_no_trust_material";
        public static final String DUPLICATE_TIMESTAMP = "evidence_duplicate_timestamp";
        public static final String DUPLICATE_TLOG_ENTRY = "evidence_duplicate_tlog_entry";
        /** A bare DSSE envelope signed with a certificate: without its log entry nothing says when it was signed. */
        public static final String NO_LOG_PROOF = "evidence_no_log_proof";

        private Codes() {
        }
    }
}
