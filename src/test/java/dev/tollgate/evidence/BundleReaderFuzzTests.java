package dev.tollgate.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.util.unit.DataSize;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/**
 * Fuzzes the reading of a request's evidence (seeded with every Sigstore bundle of the test
 * resources, a bare DSSE envelope and gpg-signed checksum files): {@link EvidenceVerifier#read(JsonNode)} answers submissions or
 * {@link MalformedEvidence}, never anything else. Bytes that are not JSON are left out (the HTTP
 * layer answers them 400 before evidence is read). Findings land in
 * src/test/resources/dev/tollgate/evidence/BundleReaderFuzzTestsInputs/readEvidence.
 */
class BundleReaderFuzzTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final EvidenceVerifier VERIFIER = new EvidenceVerifier(JSON, null,
            new EvidenceProperties(16, DataSize.ofMegabytes(1), 64, 1), java.time.Clock.systemUTC());

    static Stream<byte[]> seeds() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/test/resources"))) {
            List<Path> bundles = files.filter(p -> p.toString().endsWith(".sigstore.json") || p.toString().endsWith("bundle.json"))
                    .sorted().toList();
            List<byte[]> seeds = new java.util.ArrayList<>(bundles.stream().map(p -> {
                try {
                    return Files.readAllBytes(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList());
            // the other item kinds, as lists of items: bare DSSE envelopes and gpg-signed checksum files
            String envelope = Files.readString(Path.of("src/test/resources/attestations/slsa-verifier/binary-linux-amd64-expired-cert.intoto.jsonl")).strip();
            seeds.add(("[{\"dsse\": " + envelope + "}]").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String dir = "src/test/resources/openpgp/";
            ArrayNode openpgp = JSON.createArrayNode();
            openpgp.addObject().putObject("openpgp").put("signedFile", Files.readString(Path.of(dir + "SHA256SUMS")))
                    .put("signature", Files.readString(Path.of(dir + "SHA256SUMS.asc")));
            openpgp.addObject().putObject("openpgp").put("clearsigned", Files.readString(Path.of(dir + "SHA256SUMS.clearsigned")));
            seeds.add(JSON.writeValueAsBytes(openpgp));
            return seeds.stream();
        }
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "20s")
    void readEvidence(byte[] data) {
        JsonNode node;
        try {
            node = JSON.readTree(data);
        } catch (JacksonException e) {
            return;
        }
        if (node == null) {
            return;
        }
        ArrayNode items = node.isArray() ? (ArrayNode) node : JSON.createArrayNode().add(JSON.createObjectNode().set("bundle", node));
        try {
            List<EvidenceSubmission> read = VERIFIER.read(items);
            assertThat(read).hasSize(items.size());
        } catch (MalformedEvidence e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
