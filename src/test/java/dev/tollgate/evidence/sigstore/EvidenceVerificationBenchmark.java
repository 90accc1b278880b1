package dev.tollgate.evidence.sigstore;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import dev.sigstore.KeylessVerifier;
import dev.sigstore.TrustedRootProvider;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.strings.StringMatcher;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import dev.tollgate.evidence.EvidenceResult;
import dev.tollgate.evidence.EvidenceTestSupport;
import dev.tollgate.evidence.EvidenceVerifier;
import dev.tollgate.trust.TrustStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.JsonNode;

/**
 * Verification time per keyless bundle: Tollgate's verifier without its cache ("cold"), with its
 * cache ("cached"), and sigstore-java's KeylessVerifier alone on the same bundle in the same run.
 * Run with bench/evidence-verify.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EvidenceVerificationBenchmark {

    private static final String BASE = "sigstore/conformance/bundle-verify/";
    private static final String IDENTITY =
            "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";

    @Param({"happy-path-v0.3", "happy-path-intoto-in-dsse-v3", "rekor2-happy-path"})
    public String bundleCase;

    private EvidenceVerifier cold;
    private EvidenceVerifier cached;
    private JsonNode item;
    private String digest;
    private byte[] digestBytes;
    private TrustStore.Snapshot trust;
    private KeylessVerifier raw;
    private String bundleJson;
    private VerificationOptions options;

    @Setup
    public void setUp() throws Exception {
        byte[] bundle = EvidenceTestSupport.resource(BASE + bundleCase + "/bundle.sigstore.json");
        bundleJson = new String(bundle, StandardCharsets.UTF_8);
        item = EvidenceTestSupport.item(bundle);
        digest = EvidenceTestSupport.digestOf(EvidenceTestSupport.resource(BASE + "a.txt"));
        digestBytes = HexFormat.of().parseHex(digest.substring(7));
        String rootPath = BASE + bundleCase + "/trusted_root.json";
        byte[] root = EvidenceTestSupport.exists(rootPath) ? EvidenceTestSupport.resource(rootPath) : EvidenceTestSupport.publicGood();
        trust = EvidenceTestSupport.trust(EvidenceTestSupport.root("bench-root", root));
        cold = EvidenceTestSupport.verifier(0);
        cached = EvidenceTestSupport.verifier(1000);
        SigstoreTrustedRoot trustedRoot = SigstoreTrustedRoot.from(new java.io.ByteArrayInputStream(root));
        raw = KeylessVerifier.builder().trustedRootProvider((TrustedRootProvider) () -> trustedRoot).build();
        options = VerificationOptions.builder().addCertificateMatchers(VerificationOptions.CertificateMatcher.fulcio()
                .subjectAlternativeName(StringMatcher.string(IDENTITY))
                .issuer(StringMatcher.string("https://token.actions.githubusercontent.com")).build()).build();
        if (!ours(cold).ok()) {
            throw new IllegalStateException("the benchmark bundle must verify: " + ours(cold).failure());
        }
        sigstoreJava();
    }

    private EvidenceResult ours(EvidenceVerifier verifier) {
        return verifier.verify(verifier.read(0, item), digest, trust);
    }

    @Benchmark
    public EvidenceResult tollgateCold() {
        return ours(cold);
    }

    @Benchmark
    public EvidenceResult tollgateCached() {
        return ours(cached);
    }

    @Benchmark
    public Bundle sigstoreJava() throws Exception {
        Bundle bundle = Bundle.from(new StringReader(bundleJson));
        raw.verify(digestBytes, bundle, options);
        return bundle;
    }
}
