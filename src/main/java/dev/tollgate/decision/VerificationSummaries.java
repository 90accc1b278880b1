package dev.tollgate.decision;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.tollgate.ledger.Attestations;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/**
 * A decision's signed SLSA Verification Summary Attestation (v1.1), made after the commit because
 * it names the record's log index: an in-toto statement about the artifact digest, signed by the
 * ledger's attestation key into a Sigstore bundle (docs/audit.md, "Verification summaries").
 * Decisions without an artifact digest (an exempt image given by tag) and exempt decisions (no
 * policy verified anything) get none.
 */
@Component
class VerificationSummaries {

    static final String PREDICATE_TYPE = "https://slsa.dev/verification_summary/v1";
    static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";

    private final Attestations attestations;
    private final ObjectMapper json;
    private final String mode;
    private final String verifierId;
    private final String origin;

    VerificationSummaries(Attestations attestations, ObjectMapper json, VsaProperties properties,
            @Value("${tollgate.audit.origin:tollgate.invalid/decisions}") String origin) {
        this.attestations = attestations;
        this.json = json;
        this.origin = origin;
        this.mode = properties.mode();
        this.verifierId = properties.verifierId() != null && !properties.verifierId().isBlank() ? properties.verifierId()
                : "https://" + origin;
    }

    /** The decision ledger's origin (tollgate.audit.origin), named in receipts. */
    String origin() {
        return origin;
    }

    /**
     * Whether the policies passed the artifact: allowed, and not by break-glass (its policies refused
     * it; admitted anyway, it is no verification and its summary says FAILED).
     */
    static boolean passed(DecisionAnswer answer) {
        return answer.allowed() && !"break-glass".equals(answer.outcome());
    }

    /** The answer with its VSA, if this decision gets one. */
    DecisionAnswer sign(DecisionAnswer answer) {
        return gets(answer) ? answer.withVsa(attestations.sign(json.writeValueAsBytes(statement(answer)))) : answer;
    }

    /** Whether this decision gets a VSA under the mode: not exempt, with an artifact digest and a receipt. */
    boolean gets(DecisionAnswer answer) {
        return !(mode.equals("none") || (mode.equals("allowed") && !passed(answer)) || answer.outcome().equals("exempt")
                || answer.artifact() == null || answer.artifact().digest() == null || answer.receipt() == null);
    }

    /** The in-toto statement: member order as written here (the signature covers these exact bytes). */
    Map<String, Object> statement(DecisionAnswer answer) {
        String digest = answer.artifact().digest();
        int colon = digest.indexOf(':');
        Map<String, Object> subject = new LinkedHashMap<>();
        String resource = answer.artifact().name() != null ? answer.artifact().name() : "tollgate:decision/" + answer.decisionId();
        subject.put("name", resource);
        subject.put("digest", Map.of(digest.substring(0, colon), digest.substring(colon + 1)));

        Map<String, Object> predicate = new LinkedHashMap<>();
        predicate.put("verifier", Map.of("id", verifierId));
        predicate.put("timeVerified", answer.decidedAt().toString());
        predicate.put("resourceUri", resource);
        predicate.put("policy", policy(answer.policies()));
        List<Object> inputs = new ArrayList<>();
        for (EvidenceEntry e : answer.evidence()) {
            if (e.verified() && e.bundleSha256() != null) {
                inputs.add(ordered("name", "evidence/" + e.index(), "digest", Map.of("sha256", e.bundleSha256())));
            }
        }
        predicate.put("inputAttestations", inputs);
        predicate.put("verificationResult", passed(answer) ? "PASSED" : "FAILED");
        predicate.put("verifiedLevels", passed(answer) ? levels(answer.policies()) : List.of("FAILED"));
        predicate.put("slsaVersion", "1.1");
        Map<String, Object> decision = new LinkedHashMap<>();
        decision.put("id", answer.decisionId().toString());
        decision.put("outcome", answer.outcome());
        decision.put("logIndex", answer.receipt().leafIndex());
        decision.put("leafHash", answer.receipt().leafHash());
        decision.put("origin", answer.receipt().origin());
        predicate.put("decision", decision);

        Map<String, Object> statement = new LinkedHashMap<>();
        statement.put("_type", STATEMENT_TYPE);
        statement.put("subject", List.of(subject));
        statement.put("predicateType", PREDICATE_TYPE);
        statement.put("predicate", predicate);
        return statement;
    }

    /**
     * The policies considered: {@code uri} names each as {@code name@version} (in the answer's
     * order), {@code digest.sha256} is the SHA-256 of the lines {@code <sha256 of source> name@version\n}.
     */
    private static Map<String, Object> policy(List<PolicyOutcome> policies) {
        StringBuilder uri = new StringBuilder("tollgate:policies/");
        StringBuilder manifest = new StringBuilder();
        for (int i = 0; i < policies.size(); i++) {
            PolicyOutcome p = policies.get(i);
            uri.append(i == 0 ? "" : ",").append(p.name()).append('@').append(p.version());
            manifest.append(p.sha256()).append(' ').append(p.name()).append('@').append(p.version()).append('\n');
        }
        return ordered("uri", uri.toString(), "digest", Map.of("sha256", sha256(manifest.toString())));
    }

    /**
     * The levels declared by the enforce-mode policies that allowed on their own: a policy that
     * allowed only because a governed exception waived failures of its rules vouches for no level.
     */
    private static List<String> levels(List<PolicyOutcome> policies) {
        Set<String> levels = new LinkedHashSet<>();
        for (PolicyOutcome p : policies) {
            if (p.mode().equals("enforce") && p.outcome().equals("allow") && p.exceptions().isEmpty()) {
                levels.addAll(p.levels());
            }
        }
        return List.copyOf(levels);
    }

    private static Map<String, Object> ordered(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
