package dev.tollgate.sources;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import dev.tollgate.evidence.EvidenceResult;
import dev.tollgate.evidence.EvidenceSubmission;
import dev.tollgate.evidence.EvidenceVerifier;
import dev.tollgate.evidence.MalformedEvidence;
import dev.tollgate.evidence.Signer;
import dev.tollgate.trust.TrustKind;
import dev.tollgate.trust.TrustMaterial;
import dev.tollgate.trust.TrustMaterialCheck;
import dev.tollgate.trust.TrustStore;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Verifies a policy bundle's Sigstore bundle over the tarball's SHA-256 with the evidence
 * verifier, as {@code cosign verify-blob --bundle} would: by the configured public key only (not
 * by any key registered for evidence), or by a certificate for the configured identity under the
 * trusted roots held. Nothing in a tarball is read before this passes.
 */
@Component
class BundleSignatures {

    private final EvidenceVerifier verifier;
    private final TrustStore trust;
    private final ObjectMapper json;
    private final TrustMaterialCheck keys;

    BundleSignatures(EvidenceVerifier verifier, TrustStore trust, ObjectMapper json, Clock clock) {
        this.verifier = verifier;
        this.trust = trust;
        this.json = json;
        this.keys = EvidenceVerifier.trustCheck(json, clock);
    }

    /** Who signed the tarball ({@code key:<name>} or {@code <issuer> <subject>}); refused ({@code unverified}) otherwise. */
    String verify(PolicySourcesProperties.Bundle config, byte[] tarball, byte[] sigstoreBundle, byte[] publicKey)
            throws SyncRefused {
        List<TrustMaterial> held = held(config, publicKey);
        EvidenceSubmission submission = read(sigstoreBundle);
        if (!submission.isMessageSignature() || submission.payload() != null) {
            throw new SyncRefused("unverified", "a policy bundle is signed with a message signature over the tarball"
                    + " (cosign sign-blob --bundle), not an attestation");
        }
        EvidenceResult result = verifier.verify(submission, "sha256:" + SourceFiles.sha256Hex(tarball), TrustStore.Snapshot.of(held));
        if (!result.ok()) {
            throw new SyncRefused("unverified", "the tarball's signature does not verify: " + result.failure().code() + ": "
                    + result.failure().detail());
        }
        return signer(config, result, publicKey != null, "the tarball");
    }

    /** The predicate type of cosign 3's image signature ({@code cosign sign} with the new bundle format, the default). */
    static final String COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";

    /**
     * A Sigstore bundle attached to an OCI bundle (a layer or a referrer): a message signature over the tarball
     * ({@code cosign sign-blob --bundle}), verified as {@link #verify}; or a DSSE bundle over an in-toto statement
     * whose subject is the manifest digest and whose predicate type is cosign's image signature
     * ({@code https://sigstore.dev/cosign/sign/v1}, which {@code cosign sign} of cosign 3 attaches as a referrer by
     * default) — the manifest names the tarball by its digest, so this signs it too. Any other attestation (a
     * provenance of the artifact, say) signs nothing here.
     */
    String verifyAttached(PolicySourcesProperties.Bundle config, byte[] tarball, String manifestDigest, byte[] sigstoreBundle,
            byte[] publicKey) throws SyncRefused {
        EvidenceSubmission submission = read(sigstoreBundle);
        if (submission.isMessageSignature()) {
            return verify(config, tarball, sigstoreBundle, publicKey);
        }
        EvidenceResult result = verifier.verify(submission, manifestDigest, TrustStore.Snapshot.of(held(config, publicKey)));
        if (!result.ok()) {
            throw new SyncRefused("unverified", "the cosign signature bundle over the manifest does not verify: "
                    + result.failure().code() + ": " + result.failure().detail());
        }
        if (!COSIGN_SIGN_PREDICATE.equals(result.verified().predicateType())) {
            throw new SyncRefused("unverified", "an attestation of type " + result.verified().predicateType()
                    + " is not a signature of the policy bundle (cosign sign's is " + COSIGN_SIGN_PREDICATE + ")");
        }
        return signer(config, result, publicKey != null, "the manifest");
    }

    private EvidenceSubmission read(byte[] sigstoreBundle) throws SyncRefused {
        try {
            JsonNode node = json.readTree(sigstoreBundle);
            ObjectNode item = json.createObjectNode();
            item.set("bundle", node);
            return verifier.read(0, item);
        } catch (JacksonException e) {
            throw new SyncRefused("unverified", "the Sigstore bundle is not JSON");
        } catch (MalformedEvidence e) {
            throw new SyncRefused("unverified", "the Sigstore bundle cannot be read: " + e.getMessage().replace("evidence[0]: ", ""));
        }
    }

    /**
     * Who signed the OCI artifact's manifest with {@code cosign sign} — a layer of its {@code sha256-<hex>.sig} tag,
     * as an evidence item (a bundle v0.1 made from the layer's annotations, and the simple-signing payload) — or
     * refused ({@code unverified}). As {@code cosign verify} does: the signature verifies over the payload by the
     * configured key, or by a certificate for the configured identity under a held root with its log entry; and the
     * payload's {@code critical.image.docker-manifest-digest} is the manifest digest read (a signature copied from
     * another artifact names another digest). The manifest names the tarball by its digest, so this signs the tarball.
     */
    String verifyManifest(PolicySourcesProperties.Bundle config, String manifestDigest, JsonNode cosignItem, byte[] publicKey)
            throws SyncRefused {
        List<TrustMaterial> held = held(config, publicKey);
        EvidenceSubmission submission;
        try {
            submission = verifier.read(0, cosignItem);
        } catch (MalformedEvidence e) {
            throw new SyncRefused("unverified", "the cosign signature cannot be read: " + e.getMessage().replace("evidence[0]: ", ""));
        }
        if (!submission.isMessageSignature() || submission.payload() == null) {
            throw new SyncRefused("unverified", "the cosign signature carries no simple-signing payload");
        }
        EvidenceResult result = verifier.verify(submission, manifestDigest, TrustStore.Snapshot.of(held));
        if (!result.ok()) {
            throw new SyncRefused("unverified", "the cosign signature over the manifest does not verify: " + result.failure().code()
                    + ": " + result.failure().detail());
        }
        return signer(config, result, publicKey != null, "the manifest");
    }

    /** The roots held, and the configured key (only for this source: the keys registered for evidence do not count). */
    private List<TrustMaterial> held(PolicySourcesProperties.Bundle config, byte[] publicKey) throws SyncRefused {
        List<TrustMaterial> held = new ArrayList<>(trust.current().roots());
        if (publicKey != null) {
            try {
                keys.checkKey(publicKey);
            } catch (TrustMaterialCheck.InvalidTrustMaterial e) {
                throw new SyncRefused("unverified", "the configured public key cannot be used: " + e.getMessage());
            }
            held.add(new TrustMaterial(keyName(config), TrustKind.KEY, publicKey, SourceFiles.sha256Hex(publicKey), null, null, "tollgate"));
        }
        return held;
    }

    private static String keyName(PolicySourcesProperties.Bundle config) {
        return "policy-source-" + config.name();
    }

    /** The configured key or identity that signed, as the status shows it; refused when the signer is another. */
    private static String signer(PolicySourcesProperties.Bundle config, EvidenceResult result, boolean keyed, String what)
            throws SyncRefused {
        Signer signer = result.verified().signer();
        if ("key".equals(signer.kind()) && keyed && keyName(config).equals(signer.key())) {
            return "key:" + config.publicKey().getFileName();
        }
        if ("keyless".equals(signer.kind()) && config.issuer() != null && config.issuer().equals(signer.issuer())
                && config.subject() != null && config.subject().equals(signer.subject())) {
            return signer.issuer() + " " + signer.subject();
        }
        throw new SyncRefused("unverified", what + " is signed by " + ("keyless".equals(signer.kind())
                ? "'" + signer.subject() + "' (issuer '" + signer.issuer() + "')" : "another key")
                + ", not by the identity configured for this source");
    }
}
