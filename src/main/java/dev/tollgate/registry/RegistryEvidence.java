package dev.tollgate.registry;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import dev.tollgate.digest.Digest;

/**
 * Fetches Sigstore evidence for {@code name@sha256:…} from an allow-listed registry: the OCI 1.1
 * referrers API (Sigstore bundle artifacts), then the {@code sha256-<hex>} referrers tag, then
 * cosign's legacy {@code .sig} and {@code .att} tags, whose layers and annotations become
 * bundle v0.1 items. What is fetched is only material: it is verified like any other evidence.
 * A registry not on the allow-list is never contacted; every fetch ends by its deadline.
 */
@Service
public class RegistryEvidence {

    private static final Logger log = LoggerFactory.getLogger(RegistryEvidence.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    private static final String BUNDLE_TYPE = "application/vnd.dev.sigstore.bundle";

    private final RegistryProperties properties;
    private final RegistryClient client;
    private final ObjectMapper json;
    private final io.micrometer.core.instrument.MeterRegistry meters;

    RegistryEvidence(RegistryProperties properties, ObjectMapper json, io.micrometer.core.instrument.MeterRegistry meters) {
        this.properties = properties;
        this.meters = meters;
        this.client = new RegistryClient(properties, json);
        this.json = json;
    }

    /** Whether the registry of this repository name may be contacted at all. */
    public boolean allowed(String name) {
        return name != null && properties.allowed().contains(ImageName.parse(name).host());
    }

    public boolean resolvesTags() {
        return properties.resolveTags();
    }

    /** Evidence items ({@code {"bundle": …}} or with {@code "payload"}) found for the digest; empty when none or on failure. */
    public List<JsonNode> fetch(String name, String digest) {
        return fetch(name, digest, null);
    }

    /** As {@link #fetch(String, String)}, ending by {@code until} (the caller's deadline) if that comes first. */
    public List<JsonNode> fetch(String name, String digest, Instant until) {
        if (!allowed(name)) {
            return List.of();
        }
        ImageName image = ImageName.parse(name);
        Instant deadline = deadline(until);
        List<JsonNode> items = new ArrayList<>();
        String result = "failed";
        try {
            referrers(image, digest, deadline, items);
            legacy(image, digest, deadline, items);
            result = items.isEmpty() ? "none" : "found";
        } catch (RegistryClient.RegistryFailure e) {
            log.warn("fetching evidence for {}@{} stopped: {}", name, digest, e.getMessage());
        } catch (RuntimeException e) {
            log.warn("fetching evidence for {}@{} failed: {}", name, digest, e.toString());
        } finally {
            fetched(image, "evidence", result);
        }
        return items;
    }

    /** {@code name:tag} → the digest the registry serves for it now, if the registry is allowed and answers. */
    public Optional<String> resolve(String name, String tag) {
        return resolve(name, tag, null);
    }

    /** As {@link #resolve(String, String)}, ending by {@code until} (the caller's deadline) if that comes first. */
    public Optional<String> resolve(String name, String tag, Instant until) {
        if (!allowed(name)) {
            return Optional.empty();
        }
        ImageName image = ImageName.parse(name);
        String result = "failed";
        try {
            RegistryClient.Fetched head = client.head(image, "/v2/" + image.repository() + "/manifests/" + tag,
                    deadline(until), INDEX, MANIFEST, DOCKER_LIST, DOCKER_MANIFEST);
            if (head.status() == 200 && isSha256(head.digestHeader())) {
                result = "found";
                return Optional.of(head.digestHeader());
            }
            result = "none";
        } catch (RegistryClient.RegistryFailure e) {
            log.warn("resolving {}:{} failed: {}", name, tag, e.getMessage());
        } finally {
            fetched(image, "tag", result);
        }
        return Optional.empty();
    }

    /**
     * A policy bundle stored as an OCI artifact: the manifest digest it was read at (a tag resolved to it), the
     * tarball (its first {@code tar+gzip} layer, digest checked), the Sigstore bundles that may sign the tarball —
     * layers of the same manifest with a Sigstore bundle media type ({@code layerBundles}), then referrers of the
     * manifest (OCI 1.1 referrers API, else the {@code sha256-<hex>} referrers tag) whose artifact type is a Sigstore
     * bundle ({@code referrerBundles}) — and the signatures {@code cosign sign} stores over the manifest itself
     * ({@code manifestSignatures}: each layer of the {@code sha256-<hex>.sig} tag's manifest as an evidence item, a
     * bundle v0.1 from its annotations with the simple-signing payload). Nothing here is verified beyond the
     * digests: the caller verifies a signature before anything in the tarball is read.
     */
    public record OciArtifact(String reference, String digest, byte[] tarball, List<byte[]> layerBundles,
            List<byte[]> referrerBundles, List<JsonNode> manifestSignatures) {

        /** The Sigstore bundles that may sign the tarball: its layers', then its referrers'. */
        public List<byte[]> signatures() {
            List<byte[]> all = new ArrayList<>(layerBundles);
            all.addAll(referrerBundles);
            return List.copyOf(all);
        }
    }

    /** Why an OCI artifact could not be fetched (not allow-listed, not found, the registry failed or timed out). */
    public static final class ArtifactUnavailable extends Exception {
        ArtifactUnavailable(String message) {
            super(message, null, false, false);
        }
    }

    /** A reference split: the repository name, and the digest it pins or the tag it names. */
    private record ArtifactReference(String name, String pinned, String tag) {
    }

    private ArtifactReference split(String reference) throws ArtifactUnavailable {
        if (reference == null || reference.isBlank()) {
            throw new ArtifactUnavailable("no OCI reference");
        }
        int at = reference.indexOf('@');
        int slash = reference.lastIndexOf('/');
        int colon = reference.lastIndexOf(':');
        ArtifactReference split;
        if (at > 0) {
            split = new ArtifactReference(reference.substring(0, at), reference.substring(at + 1), null);
            if (!isSha256(split.pinned())) {
                throw new ArtifactUnavailable("'" + reference + "' is not pinned by a sha256 digest");
            }
        } else if (colon > slash && slash > 0) {
            split = new ArtifactReference(reference.substring(0, colon), null, reference.substring(colon + 1));
        } else {
            throw new ArtifactUnavailable("'" + reference + "' names neither a digest (@sha256:…) nor a tag");
        }
        if (!allowed(split.name())) {
            throw new ArtifactUnavailable("the registry of '" + split.name() + "' is not in tollgate.registry.allowed");
        }
        return split;
    }

    /**
     * The manifest digest {@code reference} names now: the pinned digest (no request), or the tag resolved by one
     * HEAD request — what a caller that already holds the artifact at that digest needs to know, and nothing more.
     */
    public String resolveArtifact(String reference) throws ArtifactUnavailable {
        ArtifactReference split = split(reference);
        if (split.pinned() != null) {
            return split.pinned();
        }
        ImageName image = ImageName.parse(split.name());
        String result = "failed";
        try {
            RegistryClient.Fetched head = client.head(image, "/v2/" + image.repository() + "/manifests/" + split.tag(), deadline(null),
                    MANIFEST);
            if (head.status() != 200 || !isSha256(head.digestHeader())) {
                result = "none";
                throw new ArtifactUnavailable("the tag '" + split.tag() + "' of " + split.name() + " cannot be resolved (HTTP "
                        + head.status() + ")");
            }
            result = "found";
            return head.digestHeader();
        } catch (RegistryClient.RegistryFailure e) {
            throw new ArtifactUnavailable("resolving " + reference + " stopped: " + e.getMessage());
        } finally {
            fetched(image, "policy-bundle-tag", result);
        }
    }

    /**
     * Fetches {@code reference} ({@code host/repository@sha256:…}, or {@code host/repository:tag}, resolved to the
     * digest the registry serves now) from an allow-listed registry only.
     */
    public OciArtifact fetchArtifact(String reference) throws ArtifactUnavailable {
        return fetchArtifact(reference, resolveArtifact(reference));
    }

    /** Fetches the artifact of {@code reference} at {@code digest} (as {@link #resolveArtifact} answered it). */
    public OciArtifact fetchArtifact(String reference, String digest) throws ArtifactUnavailable {
        ArtifactReference split = split(reference);
        if (!isSha256(digest)) {
            throw new ArtifactUnavailable("'" + digest + "' is not a sha256 digest");
        }
        String name = split.name();
        ImageName image = ImageName.parse(name);
        Instant deadline = deadline(null);
        String repo = "/v2/" + image.repository();
        String result = "failed";
        try {
            RegistryClient.Fetched manifest = client.get(image, repo + "/manifests/" + digest, deadline, MANIFEST);
            if (manifest.status() != 200) {
                result = "none";
                throw new ArtifactUnavailable(name + "@" + digest + " not found (HTTP " + manifest.status() + ")");
            }
            if (!Digest.sha256(manifest.body()).toString().equals(digest)) {
                throw new ArtifactUnavailable("the manifest served for " + name + "@" + digest + " has another digest");
            }
            JsonNode m = manifest.json(json);
            byte[] tarball = null;
            List<byte[]> inLayers = new ArrayList<>();
            for (JsonNode layer : m.path("layers")) {
                String type = layer.path("mediaType").asString("");
                if (tarball == null && type.endsWith("tar+gzip")) {
                    tarball = blob(image, layer.path("digest").asString(""), deadline);
                    if (tarball == null) {
                        throw new ArtifactUnavailable("the tarball layer of " + name + "@" + digest + " cannot be read");
                    }
                } else if (type.startsWith(BUNDLE_TYPE)) {
                    byte[] bundle = blob(image, layer.path("digest").asString(""), deadline);
                    if (bundle != null) {
                        inLayers.add(bundle);
                    }
                }
            }
            if (tarball == null) {
                throw new ArtifactUnavailable(name + "@" + digest + " has no tar+gzip layer");
            }
            OciArtifact artifact = attached(image, new OciArtifact(reference, digest, tarball, List.copyOf(inLayers), List.of(), List.of()),
                    deadline);
            result = "found";
            return artifact;
        } catch (RegistryClient.RegistryFailure e) {
            throw new ArtifactUnavailable("fetching " + reference + " stopped: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new ArtifactUnavailable("fetching " + reference + " failed: " + e.getMessage());
        } finally {
            fetched(image, "policy-bundle", result);
        }
    }

    /**
     * The artifact already held, with what may have been attached to its manifest since it was read: its referrers
     * and its cosign {@code .sig} tag read again; the manifest and the tarball (content-addressed: they cannot have
     * changed) are not fetched again.
     */
    public OciArtifact refreshAttached(OciArtifact known) throws ArtifactUnavailable {
        ArtifactReference split = split(known.reference());
        ImageName image = ImageName.parse(split.name());
        String result = "failed";
        try {
            OciArtifact artifact = attached(image, known, deadline(null));
            result = "found";
            return artifact;
        } catch (RegistryClient.RegistryFailure e) {
            throw new ArtifactUnavailable("fetching the signatures of " + known.reference() + " stopped: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new ArtifactUnavailable("fetching the signatures of " + known.reference() + " failed: " + e.getMessage());
        } finally {
            fetched(image, "policy-bundle-signatures", result);
        }
    }

    /** The artifact with its referrers' Sigstore bundles and its cosign {@code .sig} signatures as the registry serves them now. */
    private OciArtifact attached(ImageName image, OciArtifact artifact, Instant deadline) throws RegistryClient.RegistryFailure {
        List<JsonNode> referred = new ArrayList<>();
        referrers(image, artifact.digest(), deadline, referred);
        List<byte[]> bundles = new ArrayList<>();
        for (JsonNode item : referred) {
            bundles.add(json.writeValueAsBytes(item.get("bundle")));
        }
        List<JsonNode> cosign = new ArrayList<>();
        RegistryClient.Fetched signatures = client.get(image, "/v2/" + image.repository() + "/manifests/"
                + artifact.digest().replace(':', '-') + ".sig", deadline, MANIFEST, DOCKER_MANIFEST);
        if (signatures.status() == 200) {
            int considered = 0;
            for (JsonNode layer : signatures.json(json).path("layers")) {
                if (considered++ >= properties.maxReferrers()) {
                    break;
                }
                if (layer.path("annotations").path("dev.cosignproject.cosign/signature").asString("").isEmpty()) {
                    continue;
                }
                byte[] payload = blob(image, layer.path("digest").asString(""), deadline);
                try {
                    JsonNode item = payload == null ? null : signatureItem(layer, payload);
                    if (item != null) {
                        cosign.add(item);
                    }
                } catch (RuntimeException e) {
                    // annotations that cannot be read (a Rekor bundle that is not JSON): this layer signs nothing
                    log.warn("a cosign signature of {}@{} cannot be read: {}", image.repository(), artifact.digest(), e.toString());
                }
            }
        }
        return new OciArtifact(artifact.reference(), artifact.digest(), artifact.tarball(), artifact.layerBundles(),
                List.copyOf(bundles), List.copyOf(cosign));
    }

    /** The registry's own time-out from now, or the caller's deadline if that is sooner. */
    private Instant deadline(Instant until) {
        Instant own = Instant.now().plus(properties.timeout());
        return until != null && until.isBefore(own) ? until : own;
    }

    private void referrers(ImageName image, String digest, Instant deadline, List<JsonNode> items) throws RegistryClient.RegistryFailure {
        String repo = "/v2/" + image.repository();
        RegistryClient.Fetched index = client.get(image, repo + "/referrers/" + digest, deadline, INDEX);
        if (index.status() != 200 || !index.contentType().startsWith(INDEX)) {
            index = client.get(image, repo + "/manifests/" + digest.replace(':', '-'), deadline, INDEX);
            if (index.status() != 200) {
                return;
            }
        }
        JsonNode manifests = index.json(json).path("manifests");
        int considered = 0;
        for (JsonNode descriptor : manifests) {
            if (!descriptor.path("artifactType").asString("").startsWith(BUNDLE_TYPE) || considered++ >= properties.maxReferrers()) {
                continue;
            }
            String manifestDigest = descriptor.path("digest").asString("");
            RegistryClient.Fetched manifest = client.get(image, repo + "/manifests/" + manifestDigest, deadline, MANIFEST);
            if (manifest.status() != 200 || !Digest.sha256(manifest.body()).toString().equals(manifestDigest)) {
                continue;
            }
            JsonNode m = manifest.json(json);
            if (!digest.equals(m.path("subject").path("digest").asString(""))) {
                continue;
            }
            JsonNode layer = m.path("layers").path(0);
            if (!layer.path("mediaType").asString("").startsWith(BUNDLE_TYPE)) {
                continue;
            }
            byte[] bundle = blob(image, layer.path("digest").asString(""), deadline);
            if (bundle != null) {
                ObjectNode item = NODES.objectNode();
                item.set("bundle", json.readTree(bundle));
                items.add(item);
            }
        }
    }

    /** cosign's tag scheme: {@code sha256-<hex>.sig} (simple signing) and {@code .att} (DSSE), with Rekor SETs in annotations. */
    private void legacy(ImageName image, String digest, Instant deadline, List<JsonNode> items) throws RegistryClient.RegistryFailure {
        String repo = "/v2/" + image.repository();
        for (String suffix : new String[] {".sig", ".att"}) {
            RegistryClient.Fetched manifest = client.get(image, repo + "/manifests/" + digest.replace(':', '-') + suffix, deadline,
                    MANIFEST, DOCKER_MANIFEST);
            if (manifest.status() != 200) {
                continue;
            }
            int considered = 0;
            for (JsonNode layer : manifest.json(json).path("layers")) {
                if (considered++ >= properties.maxReferrers()) {
                    break;
                }
                byte[] content = blob(image, layer.path("digest").asString(""), deadline);
                if (content == null) {
                    continue;
                }
                JsonNode item = suffix.equals(".sig") ? signatureItem(layer, content) : attestationItem(layer, content);
                if (item != null) {
                    items.add(item);
                }
            }
        }
    }

    private JsonNode signatureItem(JsonNode layer, byte[] payload) {
        JsonNode annotations = layer.path("annotations");
        String signature = annotations.path("dev.cosignproject.cosign/signature").asString("");
        if (signature.isEmpty()) {
            return null;
        }
        ObjectNode bundle = legacyBundle(annotations);
        ObjectNode message = bundle.putObject("messageSignature");
        message.putObject("messageDigest").put("algorithm", "SHA2_256")
                .put("digest", Base64.getEncoder().encodeToString(Digest.sha256(payload).bytes()));
        message.put("signature", signature);
        ObjectNode item = NODES.objectNode();
        item.set("bundle", bundle);
        item.put("payload", Base64.getEncoder().encodeToString(payload));
        return item;
    }

    private JsonNode attestationItem(JsonNode layer, byte[] envelopeBytes) {
        JsonNode envelope = json.readTree(envelopeBytes);
        if (envelope == null || !envelope.isObject() || !envelope.has("payload")) {
            return null;
        }
        ObjectNode bundle = legacyBundle(layer.path("annotations"));
        ObjectNode dsse = bundle.putObject("dsseEnvelope");
        dsse.put("payload", envelope.path("payload").asString(""));
        dsse.put("payloadType", envelope.path("payloadType").asString(""));
        ArrayNode signatures = dsse.putArray("signatures");
        for (JsonNode s : envelope.path("signatures")) {
            signatures.addObject().put("sig", s.path("sig").asString("")).put("keyid", s.path("keyid").asString(""));
        }
        ObjectNode item = NODES.objectNode();
        item.set("bundle", bundle);
        return item;
    }

    /** A bundle v0.1 from cosign's annotations: certificate and chain (or a key), and the Rekor entry with its SET. */
    private ObjectNode legacyBundle(JsonNode annotations) {
        ObjectNode bundle = NODES.objectNode();
        bundle.put("mediaType", "application/vnd.dev.sigstore.bundle+json;version=0.1");
        ObjectNode material = bundle.putObject("verificationMaterial");
        String certificate = annotations.path("dev.sigstore.cosign/certificate").asString("");
        if (certificate.isEmpty()) {
            material.putObject("publicKey").put("hint", "");
        } else {
            ArrayNode chain = material.putObject("x509CertificateChain").putArray("certificates");
            for (byte[] der : certificates(certificate + "\n" + annotations.path("dev.sigstore.cosign/chain").asString(""))) {
                chain.addObject().put("rawBytes", Base64.getEncoder().encodeToString(der));
            }
        }
        ArrayNode entries = material.putArray("tlogEntries");
        String set = annotations.path("dev.sigstore.cosign/bundle").asString("");
        if (!set.isEmpty()) {
            JsonNode rekor = json.readTree(set);
            JsonNode payload = rekor.path("Payload");
            String body = payload.path("body").asString("");
            JsonNode decoded = json.readTree(Base64.getDecoder().decode(body));
            ObjectNode entry = entries.addObject();
            entry.put("logIndex", String.valueOf(payload.path("logIndex").asLong()));
            entry.putObject("logId").put("keyId", Base64.getEncoder().encodeToString(HexFormat.of().parseHex(payload.path("logID").asString(""))));
            entry.putObject("kindVersion").put("kind", decoded.path("kind").asString("")).put("version", decoded.path("apiVersion").asString(""));
            entry.put("integratedTime", String.valueOf(payload.path("integratedTime").asLong()));
            entry.putObject("inclusionPromise").put("signedEntryTimestamp", rekor.path("SignedEntryTimestamp").asString(""));
            entry.put("canonicalizedBody", body);
        }
        return bundle;
    }

    /** The DER encodings of the PEM certificates in the text; none if it does not parse (then nothing verifies). */
    private static List<byte[]> certificates(String pem) {
        try {
            List<byte[]> der = new ArrayList<>();
            for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.strip().getBytes(StandardCharsets.US_ASCII)))) {
                der.add(c.getEncoded());
            }
            return der;
        } catch (CertificateException e) {
            return List.of();
        }
    }

    /** Tags resolve, and blobs are fetched, by SHA-256 digests only. */
    private static boolean isSha256(String text) {
        Digest digest = Digest.parse(text);
        return digest != null && digest.algorithm() == Digest.Algorithm.SHA256;
    }

    private byte[] blob(ImageName image, String digest, Instant deadline) throws RegistryClient.RegistryFailure {
        if (!isSha256(digest)) {
            return null;
        }
        RegistryClient.Fetched blob = client.get(image, "/v2/" + image.repository() + "/blobs/" + digest, deadline);
        if (blob.status() != 200 || !Digest.sha256(blob.body()).toString().equals(digest)) {
            return null;
        }
        return blob.body();
    }

    /** {@code tollgate_registry_fetches_total{registry,kind,result}}: only allow-listed registries are counted (a bounded label). */
    private void fetched(ImageName image, String kind, String result) {
        io.micrometer.core.instrument.Counter.builder("tollgate.registry.fetches")
                .description("evidence and tag fetches from allow-listed registries")
                .tag("registry", image.host()).tag("kind", kind).tag("result", result).register(meters).increment();
    }
}
