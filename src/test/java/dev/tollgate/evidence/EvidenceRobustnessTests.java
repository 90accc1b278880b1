package dev.tollgate.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tollgate.trust.TrustStore;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Whatever bytes arrive, the verifier answers with a result or a {@link MalformedEvidence} (the
 * caller's 400) — never another exception; and many threads get the same answers as one.
 */
class EvidenceRobustnessTests {

    private static final String DIGEST = EvidenceTestSupport.digestOf(EvidenceTestSupport.resource("sigstore/conformance/bundle-verify/a.txt"));
    private static final String[] SEEDS = {
        "sigstore/conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json",
        "sigstore/conformance/bundle-verify/happy-path-intoto-in-dsse-v3/bundle.sigstore.json",
        "sigstore/conformance/bundle-verify/rekor2-happy-path/bundle.sigstore.json",
        "sigstore/conformance/bundle-verify/happy-path-v0.1/bundle.sigstore.json",
        "sigstore/conformance/bundle-verify/managed-key-happy-path/bundle.sigstore.json",
        "sigstore/sigstore-java/github-private-no-tlog/attestation.sigstore.json",
    };
    private static final TrustStore.Snapshot TRUST = EvidenceTestSupport.trust(
            EvidenceTestSupport.root("public-good", EvidenceTestSupport.publicGood()),
            EvidenceTestSupport.key("managed", EvidenceTestSupport.resource(
                    "sigstore/conformance/bundle-verify/managed-key-happy-path/key.pub")),
            EvidenceTestSupport.material("github", dev.tollgate.trust.TrustKind.ROOT, TrustSettingsTests.githubRoot(),
                    new dev.tollgate.trust.TrustSettings(false, null, null)));

    private final EvidenceVerifier verifier = EvidenceTestSupport.verifier();

    /** Runs one item; returns "malformed", or the result's code ("ok" when verified). */
    private String attempt(JsonNode item) {
        try {
            EvidenceResult result = verifier.verify(verifier.read(0, item), DIGEST, TRUST);
            return result.ok() ? "ok" : result.failure().code();
        } catch (MalformedEvidence e) {
            assertThat(e.getMessage()).isNotBlank();
            return "malformed";
        }
    }

    private static JsonNode seed(int i) {
        return EvidenceTestSupport.item(EvidenceTestSupport.resource(SEEDS[i]));
    }

    @Test
    void hostileShapesAreMalformedNotExceptions() {
        String[] items = {
            "null", "1", "\"text\"", "[]", "{}", "{\"bundle\": null}", "{\"bundle\": []}", "{\"bundle\": \"x\"}",
            "{\"bundle\": {}}", "{\"bundle\": {\"mediaType\": 5}}",
            "{\"bundle\": {\"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\"}}",
            "{\"bundle\": {\"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\", \"verificationMaterial\": []}}",
            "{\"bundle\": {\"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\", \"verificationMaterial\": {\"certificate\": {\"rawBytes\": \"!!!\"}}}}",
            "{\"bundle\": {\"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\", \"verificationMaterial\": {\"certificate\": {\"rawBytes\": \"AAAA\"}}, \"messageSignature\": {\"signature\": \"AAAA\"}}}",
            "{\"bundle\": {\"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\", \"verificationMaterial\": {\"publicKey\": {}}, \"messageSignature\": {\"signature\": 7}}}",
            "{\"bundle\": {}, \"payload\": \"%%%\"}", "{\"bundle\": {}, \"extra\": 1}",
        };
        for (String item : items) {
            JsonNode node = EvidenceTestSupport.JSON.readTree(item);
            assertThat(attempt(node)).as(item).isEqualTo("malformed");
        }
    }

    @Test
    void enormousArraysAndGarbageCertificatesAreRefused() {
        ObjectNode bundle = (ObjectNode) seed(0).get("bundle").deepCopy();
        ArrayNode entries = ((ObjectNode) bundle.get("verificationMaterial")).putArray("tlogEntries");
        for (int i = 0; i < 10_000; i++) {
            entries.add(EvidenceTestSupport.JSON.createObjectNode());
        }
        assertThat(attempt(wrap(bundle))).isEqualTo("malformed");

        ObjectNode garbage = (ObjectNode) seed(0).get("bundle").deepCopy();
        byte[] random = new byte[2048];
        new Random(1).nextBytes(random);
        ((ObjectNode) garbage.get("verificationMaterial").get("certificate")).put("rawBytes", Base64.getEncoder().encodeToString(random));
        assertThat(attempt(wrap(garbage))).isEqualTo("malformed");

        ObjectNode truncatedCert = (ObjectNode) seed(0).get("bundle").deepCopy();
        String raw = truncatedCert.get("verificationMaterial").get("certificate").get("rawBytes").asString();
        ((ObjectNode) truncatedCert.get("verificationMaterial").get("certificate")).put("rawBytes", raw.substring(0, raw.length() / 2 / 4 * 4));
        assertThat(attempt(wrap(truncatedCert))).isEqualTo("malformed");
    }

    @Test
    void truncatedJsonDoesNotParseAsABundle() {
        String text = new String(EvidenceTestSupport.resource(SEEDS[1]), StandardCharsets.UTF_8);
        for (int cut = 0; cut < text.length(); cut += 97) {
            String truncated = "{\"bundle\": " + text.substring(0, cut);
            try {
                JsonNode node = EvidenceTestSupport.JSON.readTree(truncated);
                assertThat(attempt(node)).isNotEqualTo("ok");
            } catch (RuntimeException notJson) {
                // the HTTP layer answers 400 before the verifier sees it
            }
        }
    }

    private static JsonNode wrap(JsonNode bundle) {
        ObjectNode item = EvidenceTestSupport.JSON.createObjectNode();
        item.set("bundle", bundle);
        return item;
    }

    /** A JSON mutation: a changed scalar, a removed or duplicated field, a flipped base64 character. */
    static JsonNode mutate(JsonNode node, Random random) {
        JsonNode copy = node.deepCopy();
        List<JsonNode> containers = new ArrayList<>();
        collect(copy, containers);
        JsonNode target = containers.get(random.nextInt(containers.size()));
        if (target instanceof ObjectNode object && !object.isEmpty()) {
            List<String> names = new ArrayList<>(object.propertyNames());
            String name = names.get(random.nextInt(names.size()));
            JsonNode value = object.get(name);
            switch (random.nextInt(6)) {
                case 0 -> object.remove(name);
                case 1 -> object.put(name, random.nextLong());
                case 2 -> object.putNull(name);
                case 3 -> object.set(name, EvidenceTestSupport.JSON.createArrayNode());
                case 4 -> {
                    if (value.isString() && !value.asString().isEmpty()) {
                        char[] chars = value.asString().toCharArray();
                        int at = random.nextInt(chars.length);
                        chars[at] = "ABCDEFabcdef0123456789+/=-_!".charAt(random.nextInt(28));
                        object.put(name, new String(chars));
                    }
                }
                default -> object.put(name, value.isString() ? value.asString() + "A" : "x");
            }
        } else if (target instanceof ArrayNode array && !array.isEmpty()) {
            if (random.nextBoolean()) {
                array.remove(random.nextInt(array.size()));
            } else {
                array.add(array.get(random.nextInt(array.size())).deepCopy());
            }
        }
        return copy;
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        if (node.isContainer()) {
            out.add(node);
            for (JsonNode child : node) {
                collect(child, out);
            }
        }
    }

    @Test
    void tenThousandSeededMutationsOfRealBundlesNeverThrow() {
        Random random = new Random(4242);
        int verified = 0;
        int refused = 0;
        for (int i = 0; i < 10_000; i++) {
            JsonNode mutant = seed(random.nextInt(SEEDS.length));
            for (int m = 1 + random.nextInt(3); m > 0; m--) {
                mutant = mutate(mutant, random);
            }
            String outcome;
            try {
                outcome = attempt(mutant);
            } catch (RuntimeException | Error e) {
                throw new AssertionError("mutant " + i + " threw " + e + ": " + mutant, e);
            }
            if (outcome.equals("ok")) {
                verified++;
            } else {
                refused++;
            }
        }
        assertThat(verified + refused).isEqualTo(10_000);
        assertThat(refused).isGreaterThan(5_000);
    }

    @Test
    void concurrentVerificationGivesTheSameAnswersAndVerifiesEachBundleOnce() throws Exception {
        List<JsonNode> items = new ArrayList<>();
        for (int i = 0; i < SEEDS.length; i++) {
            items.add(seed(i));
        }
        Random random = new Random(7);
        for (int i = 0; i < 5; i++) {
            items.add(mutate(seed(random.nextInt(SEEDS.length)), random));
        }
        List<String> expected = new ArrayList<>();
        for (JsonNode item : items) {
            expected.add(attempt(item));
        }

        EvidenceVerifier fresh = EvidenceTestSupport.verifier();
        AtomicInteger wrong = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int offset = t;
                futures.add(pool.submit((Callable<Void>) () -> {
                    for (int n = 0; n < 200; n++) {
                        int i = (n + offset) % items.size();
                        String got;
                        try {
                            EvidenceResult r = fresh.verify(fresh.read(0, items.get(i)), DIGEST, TRUST);
                            got = r.ok() ? "ok" : r.failure().code();
                        } catch (MalformedEvidence e) {
                            got = "malformed";
                        }
                        if (!got.equals(expected.get(i))) {
                            wrong.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(wrong.get()).isZero();
        assertThat(expected).contains("ok");
        // every distinct (bundle, digest, trust) was verified once despite 3200 requests
        assertThat(fresh.verifications()).isLessThanOrEqualTo(items.size());
    }
}
