package dev.tollgate.evidence;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import dev.tollgate.evidence.sigstore.SigstoreTrust;
import dev.tollgate.trust.TrustKind;
import dev.tollgate.trust.TrustMaterial;
import dev.tollgate.trust.TrustSettings;
import dev.tollgate.trust.TrustStore;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The server's {@link EvidenceVerifier}, built without Spring, and the test fixtures. */
public final class EvidenceTestSupport {

    public static final JsonMapper JSON = JsonMapper.builder().build();
    public static final Clock CLOCK = Clock.systemUTC();

    private EvidenceTestSupport() {
    }

    public static EvidenceVerifier verifier() {
        return verifier(1000);
    }

    /** With {@code cacheSize} 0 every call verifies afresh. */
    public static EvidenceVerifier verifier(int cacheSize) {
        return verifier(cacheSize, 1, CLOCK);
    }

    /** With its own minimum of signed times and clock (the decision time of key bundles without a signed time). */
    public static EvidenceVerifier verifier(int cacheSize, int minSignedTimes, Clock clock) {
        return new EvidenceVerifier(JSON, new SigstoreTrust(JSON, clock),
                new EvidenceProperties(cacheSize, DataSize.ofMegabytes(1), 64, minSignedTimes), clock);
    }

    public static byte[] resource(String path) {
        try (InputStream in = EvidenceTestSupport.class.getResourceAsStream("/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static boolean exists(String path) {
        return EvidenceTestSupport.class.getResource("/" + path) != null;
    }

    public static byte[] publicGood() {
        return resource("trust/public-good.json");
    }

    public static TrustMaterial root(String name, byte[] json) {
        return material(name, TrustKind.ROOT, json);
    }

    public static TrustMaterial key(String name, byte[] pem) {
        return material(name, TrustKind.KEY, pem);
    }

    static TrustMaterial material(String name, TrustKind kind, byte[] content) {
        return material(name, kind, content, TrustSettings.DEFAULT);
    }

    public static TrustMaterial material(String name, TrustKind kind, byte[] content, TrustSettings settings) {
        Instant now = Instant.EPOCH;
        return new TrustMaterial(name, kind, content, sha256(content), now, now, "test", settings);
    }

    public static TrustStore.Snapshot trust(TrustMaterial... materials) {
        return TrustStore.Snapshot.of(new ArrayList<>(List.of(materials)));
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String digestOf(byte[] artifact) {
        return "sha256:" + sha256(artifact);
    }

    /** An evidence item {@code {"bundle": <json>}} from a bundle file. */
    public static JsonNode item(byte[] bundleJson) {
        String text = new String(bundleJson, StandardCharsets.UTF_8);
        return JSON.readTree("{\"bundle\": " + text + "}");
    }
}
