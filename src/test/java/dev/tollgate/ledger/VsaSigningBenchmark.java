package dev.tollgate.ledger;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cost of a decision's VSA signature (bench/vsa-sign.sh): signs a statement of the size a
 * decision's VSA has (about 1.2 KB) with a fresh P-256 attestation key through
 * {@link Attestations#sign}, on one thread, and prints µs per signature, next to the JDK provider's
 * {@code SHA256withECDSA} over the same bytes with the same key (what the signer used before it
 * moved to BouncyCastle). Not a test; asserts nothing.
 */
public final class VsaSigningBenchmark {

    private VsaSigningBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createTempDirectory("vsa-sign-bench");
        Path key = Files.writeString(dir.resolve("attestation.pem"), SigningKeys.newP256());
        Attestations attestations = new Attestations(new SigningKeys(new SigningProperties(dir, true, null, java.util.List.of(),
                key, java.util.List.of()), new CheckpointProperties("bench.invalid/decisions", java.time.Duration.ofSeconds(1), 1000, null, null, java.time.Duration.ofSeconds(3))));
        byte[] statement = ("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"registry.example.com/team/app\","
                + "\"digest\":{\"sha256\":\"" + "ab".repeat(32) + "\"}}],\"predicateType\":\"https://slsa.dev/verification_summary/v1\","
                + "\"predicate\":{\"verifier\":{\"id\":\"https://tollgate.example.com/decisions\"},\"timeVerified\":\"2026-12-02T06:00:00.123Z\","
                + "\"resourceUri\":\"registry.example.com/team/app\",\"policy\":{\"uri\":\"tollgate:policies/prod-images@12,slsa@3\","
                + "\"digest\":{\"sha256\":\"" + "cd".repeat(32) + "\"}},\"inputAttestations\":[{\"name\":\"evidence/0\",\"digest\":{\"sha256\":\""
                + "ef".repeat(32) + "\"}},{\"name\":\"evidence/1\",\"digest\":{\"sha256\":\"" + "01".repeat(32) + "\"}}],"
                + "\"verificationResult\":\"PASSED\",\"verifiedLevels\":[\"SLSA_BUILD_LEVEL_3\"],\"slsaVersion\":\"1.1\","
                + "\"decision\":{\"id\":\"01936d3a-0000-7000-8000-000000000000\",\"outcome\":\"allow\",\"logIndex\":123456,"
                + "\"leafHash\":\"" + "23".repeat(32) + "\",\"origin\":\"tollgate.example.com/decisions\"}}}").getBytes(StandardCharsets.UTF_8);
        System.out.printf("statement %d bytes, %d signatures per run, %d cores%n", statement.length, n,
                Runtime.getRuntime().availableProcessors());
        for (int i = 0; i < 2_000; i++) {
            attestations.sign(statement); // warm-up
        }
        for (int run = 0; run < runs; run++) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                attestations.sign(statement);
            }
            double micros = (System.nanoTime() - start) / 1e3 / n;
            System.out.printf("run %d: %.1f µs per signature (%.0f signatures/s on one thread)%n", run + 1, micros, 1e6 / micros);
        }
        java.security.PrivateKey jdkKey;
        try (var parser = new org.bouncycastle.openssl.PEMParser(Files.newBufferedReader(key))) {
            Object pem = parser.readObject();
            var info = pem instanceof org.bouncycastle.openssl.PEMKeyPair pair ? pair.getPrivateKeyInfo()
                    : (org.bouncycastle.asn1.pkcs.PrivateKeyInfo) pem;
            jdkKey = java.security.KeyFactory.getInstance("EC").generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(info.getEncoded()));
        }
        byte[] pae = Attestations.pae(Attestations.IN_TOTO, statement);
        for (int i = 0; i < 2_000; i++) {
            jdk(jdkKey, pae);
        }
        for (int run = 0; run < runs; run++) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                jdk(jdkKey, pae);
            }
            double micros = (System.nanoTime() - start) / 1e3 / n;
            System.out.printf("JDK %s SHA256withECDSA, run %d: %.1f µs per signature%n", System.getProperty("java.version"), run + 1, micros);
        }
    }

    private static byte[] jdk(java.security.PrivateKey key, byte[] pae) throws java.security.GeneralSecurityException {
        java.security.Signature ecdsa = java.security.Signature.getInstance("SHA256withECDSA");
        ecdsa.initSign(key);
        ecdsa.update(pae);
        return ecdsa.sign();
    }
}
