package dev.tollgate.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import dev.tollgate.support.Api;
import dev.tollgate.support.ConsoleSession;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * SBOM attestations signed here with a fresh key, posted with decisions through real HTTP, kept by
 * the audit log in PostgreSQL, indexed after the fact, and found by the incident query — across
 * Maven, npm, PyPI, Debian and Alpine (a real syft SPDX document), CycloneDX and SPDX.
 */
class SbomIndexIntegrationTests extends IntegrationTest {

    private static final String KEY = "sbom-signer";
    private static final String POLICY = """
            policy "sbom-any" {
              rule anything { require artifact.digest startsWith "sha256:" }
            }
            """;
    private static KeyPair keys;
    private static boolean registered;

    @Autowired
    SbomIndexer indexer;
    @Autowired
    JdbcTemplate jdbc;

    String decider;
    String auditor;

    @BeforeEach
    void setUp() throws Exception {
        if (keys == null) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            keys = generator.generateKeyPair();
        }
        if (!registered) {
            try {
                tokenWith("policy-admin");
            } catch (IllegalStateException e) {
                // the JVM's first request body can take longer than the suite's 3 s body time-out on a loaded machine
                tokenWith("policy-admin");
            }
            String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n";
            Api.Response put = api.send("PUT", "/v1/trust/keys/" + KEY, tokenWith("policy-admin"), "application/x-pem-file",
                    pem.getBytes(StandardCharsets.UTF_8));
            assertThat(put.status()).as(put.body()).isIn(200, 201);
            assertThat(api.sendText("PUT", "/v1/policies/sbom-any", tokenWith("policy-admin"), POLICY).status()).isIn(200, 201);
            registered = true;
        }
        decider = tokenWith("decider");
        auditor = tokenWith("auditor");
    }

    static String digestOf(String seed) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8)));
    }

    /** A DSSE bundle, signed with the registered key, over an in-toto v1 statement about the digest. */
    static String attestation(String digest, String predicateType, String predicateJson) throws Exception {
        String statement = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"app\",\"digest\":{\"sha256\":\""
                + digest.substring(7) + "\"}}],\"predicateType\":\"" + predicateType + "\",\"predicate\":" + predicateJson + "}";
        byte[] payload = statement.getBytes(StandardCharsets.UTF_8);
        String type = "application/vnd.in-toto+json";
        byte[] pae = ("DSSEv1 " + type.length() + " " + type + " " + payload.length + " ").getBytes(StandardCharsets.UTF_8);
        byte[] signed = new byte[pae.length + payload.length];
        System.arraycopy(pae, 0, signed, 0, pae.length);
        System.arraycopy(payload, 0, signed, pae.length, payload.length);
        Signature signature = Signature.getInstance("SHA256withECDSA");
        signature.initSign(keys.getPrivate());
        signature.update(signed);
        return """
                {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
                 "verificationMaterial": {"publicKey": {"hint": "sbom-signer"}},
                 "dsseEnvelope": {"payload": "%s", "payloadType": "application/vnd.in-toto+json",
                                  "signatures": [{"sig": "%s", "keyid": ""}]}}
                """.formatted(Base64.getEncoder().encodeToString(payload), Base64.getEncoder().encodeToString(signature.sign()));
    }

    static String cyclonedx(String spec, String... components) {
        return "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"" + spec + "\",\"version\":1,\"components\":[" + String.join(",", components)
                + "]}";
    }

    static String cdx(String purl, String name, String version, String license) {
        return "{\"type\":\"library\",\"name\":\"" + name + "\",\"version\":\"" + version + "\",\"purl\":\"" + purl + "\""
                + (license == null ? "" : ",\"licenses\":[{\"license\":{\"id\":\"" + license + "\"}}]")
                + ",\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"" + "ab".repeat(32) + "\"}]}";
    }

    static String spdxPackage(String id, String name, String version, String purl, String license) {
        return "{\"SPDXID\":\"SPDXRef-" + id + "\",\"name\":\"" + name + "\",\"versionInfo\":\"" + version + "\",\"downloadLocation\":\"NOASSERTION\","
                + "\"licenseConcluded\":\"" + license + "\",\"checksums\":[{\"algorithm\":\"SHA1\",\"checksumValue\":\"" + "CD".repeat(20) + "\"}],"
                + "\"externalRefs\":[{\"referenceCategory\":\"PACKAGE-MANAGER\",\"referenceType\":\"purl\",\"referenceLocator\":\"" + purl + "\"}]}";
    }

    static String spdx(String... packages) {
        return "{\"spdxVersion\":\"SPDX-2.3\",\"dataLicense\":\"CC0-1.0\",\"SPDXID\":\"SPDXRef-DOCUMENT\",\"name\":\"generated\","
                + "\"documentNamespace\":\"https://example.com/spdx/generated\",\"creationInfo\":{\"created\":\"2026-01-01T00:00:00Z\","
                + "\"creators\":[\"Tool: test\"]},\"packages\":[" + String.join(",", packages) + "]}";
    }

    JsonNode decide(String digest, String name, String environment, String... bundles) {
        List<String> items = new ArrayList<>();
        for (String b : bundles) {
            items.add("{\"bundle\": " + b + "}");
        }
        String body = "{\"artifact\": {\"digest\": \"" + digest + "\", \"name\": \"" + name + "\"}, \"context\": {\"environment\": \""
                + environment + "\"}, \"policies\": [\"sbom-any\"], \"evidence\": [" + String.join(",", items) + "]}";
        Api.Response r = api.postJson("/v1/decisions", decider, body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode d = r.json();
        assertThat(d.get("evidence").get(0).get("verified").asBoolean()).as(d.toString()).isTrue();
        return d;
    }

    JsonNode query(String query) {
        Api.Response r = api.get("/v1/components?" + query, auditor);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static List<String> digests(JsonNode answer) {
        List<String> out = new ArrayList<>();
        answer.get("items").forEach(i -> out.add(i.get("digest").asString()));
        return out;
    }

    @Test
    void theIncidentQueryFindsExactlyTheArtifactsWithTheComponentInRangeAcrossEcosystemsAndFormats() throws Exception {
        String vulnerable = digestOf("incident-vulnerable");
        String fixed = digestOf("incident-fixed");
        String alpine = digestOf("incident-alpine");
        String python = digestOf("incident-python");

        String vulnerableBom = cyclonedx("1.5",
                cdx("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "log4j-core", "2.14.1", "Apache-2.0"),
                cdx("pkg:npm/lodash@4.17.20", "lodash", "4.17.20", "MIT"),
                cdx("pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u3?arch=amd64", "openssl", "1.1.1n-0+deb11u3", "OpenSSL"));
        decide(vulnerable, "ghcr.io/acme/billing", "prod", attestation(vulnerable, "https://cyclonedx.org/bom", vulnerableBom));
        // the same statement once more, in a second decision elsewhere: indexed once
        decide(vulnerable, "ghcr.io/acme/billing", "staging", attestation(vulnerable, "https://cyclonedx.org/bom", vulnerableBom));

        decide(fixed, "ghcr.io/acme/orders", "prod", attestation(fixed, "https://spdx.dev/Document", spdx(
                spdxPackage("a", "log4j-core", "2.17.1", "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1", "Apache-2.0"),
                spdxPackage("b", "log4j-api", "2.17.0-rc1", "pkg:maven/org.apache.logging.log4j/log4j-api@2.17.0-rc1", "Apache-2.0"))));

        String syft = Files.readString(Path.of("src/test/resources/sbom/syft-alpine-oci.spdx.json"));
        decide(alpine, "ghcr.io/acme/base", "test", attestation(alpine, "https://spdx.dev/Document", syft));

        decide(python, "ghcr.io/acme/ml", "prod", attestation(python, "https://cyclonedx.org/bom/v1.6", cyclonedx("1.6",
                cdx("pkg:pypi/requests@2.32.0a1", "requests", "2.32.0a1", "Apache-2.0"),
                cdx("pkg:golang/golang.org/x/net@v0.17.0", "golang.org/x/net", "v0.17.0", "BSD-3-Clause"))));

        indexer.indexPending();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sbom_document WHERE artifact_digest = ?", Long.class, vulnerable)).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sbom_component WHERE artifact_digest = ?", Long.class, alpine)).isEqualTo(15);
        assertThat(indexer.indexPending()).isZero(); // nothing is looked at twice

        String log4j = "purl=" + q("pkg:maven/org.apache.logging.log4j/log4j-core");
        assertThat(digests(query(log4j + "&range=" + q("vers:maven/<2.17.1")))).containsExactly(vulnerable);
        assertThat(digests(query(log4j + "&range=" + q("vers:maven/>=2.0|<2.17.1")))).containsExactly(vulnerable);
        assertThat(digests(query(log4j))).containsExactlyInAnyOrder(vulnerable, fixed);
        assertThat(digests(query(log4j + "@2.17.1"))).containsExactly(fixed);
        // 2.17.0-rc1 comes before 2.17.0 (Maven's ordering)
        assertThat(digests(query("purl=" + q("pkg:maven/org.apache.logging.log4j/log4j-api") + "&range=" + q("vers:maven/<2.17.0"))))
                .containsExactly(fixed);
        assertThat(digests(query("purl=" + q("pkg:npm/lodash") + "&range=" + q("vers:npm/<4.17.21")))).containsExactly(vulnerable);
        assertThat(digests(query("purl=" + q("pkg:deb/debian/openssl") + "&range=" + q("vers:deb/<1.1.1n-0+deb11u4"))))
                .containsExactly(vulnerable);
        assertThat(digests(query("purl=" + q("pkg:deb/debian/openssl") + "&range=" + q("vers:deb/<1.1.1n-0+deb11u3")))).isEmpty();
        // a PEP 440 pre-release is before its release
        assertThat(digests(query("purl=" + q("pkg:pypi/requests") + "&range=" + q("vers:pypi/<2.32.0")))).containsExactly(python);
        assertThat(digests(query("purl=" + q("pkg:golang/golang.org/x/net") + "&range=" + q("vers:golang/<v0.17.0")))).isEmpty();
        // the real syft document: by name, by license (also inside an expression), by purl
        assertThat(digests(query("name=BusyBox"))).containsExactly(alpine);
        assertThat(digests(query("license=mpl-2.0"))).contains(alpine).doesNotContain(vulnerable, fixed, python);
        assertThat(digests(query("purl=" + q("pkg:alpine/zlib")))).containsExactly(alpine);

        JsonNode hit = query(log4j + "&range=" + q("vers:maven/<2.17.1")).get("items").get(0);
        assertThat(hit.get("names").get(0).asString()).isEqualTo("ghcr.io/acme/billing");
        JsonNode component = hit.get("components").get(0);
        assertThat(component.get("version").asString()).isEqualTo("2.14.1");
        assertThat(component.get("ecosystem").asString()).isEqualTo("maven");
        assertThat(component.get("licenses").get(0).asString()).isEqualTo("Apache-2.0");
        assertThat(component.get("hashes").get("SHA-256").asString()).isEqualTo("ab".repeat(32));
        assertThat(component.get("sbom").get("format").asString()).isEqualTo("cyclonedx");
        List<String> environments = new ArrayList<>();
        hit.get("decisions").forEach(w -> {
            environments.add(w.get("environment").asString());
            assertThat(w.get("allowed").asLong()).isEqualTo(1);
            assertThat(w.get("lastAllowed").asString()).isNotBlank();
        });
        assertThat(environments).containsExactlyInAnyOrder("prod", "staging");
        assertThat(hit.get("lastAllowed").asString()).isNotBlank();

        Api.Response ndjson = api.get("/v1/components/export?" + log4j, auditor);
        assertThat(ndjson.status()).isEqualTo(200);
        assertThat(ndjson.body().strip().split("\n")).hasSize(2);
        Api.Response csv = api.get("/v1/components/export?format=csv&" + log4j + "&range=" + q("vers:maven/<2.17.1"), auditor);
        assertThat(csv.status()).isEqualTo(200);
        String[] lines = csv.body().split("\r\n");
        assertThat(lines[0]).startsWith("digest,purl,name,version");
        assertThat(lines).hasSize(2);
        assertThat(lines[1]).startsWith(vulnerable + ",pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1,log4j-core,2.14.1,maven");
    }

    @Test
    void theConsolesArtifactPageListsItsIndexedComponentsAsText() throws Exception {
        String indexed = digestOf("console-artifact-components");
        String none = digestOf("console-artifact-no-sbom");
        decide(indexed, "ghcr.io/acme/console", "prod", attestation(indexed, "https://cyclonedx.org/bom", cyclonedx("1.5",
                cdx("pkg:npm/left-pad@1.3.0", "left-pad", "1.3.0", "WTFPL"),
                cdx("pkg:npm/evil@1.0.0", "<img src=x onerror=alert(1)>", "1.0.0", "MIT"))));
        indexer.indexPending();
        ConsoleSession session = ConsoleSession.signIn(port, auditor);
        ConsoleSession.Response page = session.get("/ui/artifacts/" + indexed);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"components\"").contains("<code>pkg:npm/left-pad@1.3.0</code>")
                .contains("<td>left-pad</td><td>1.3.0</td>").contains("<td>WTFPL</td>")
                // a component's name is text, never markup
                .contains("&lt;img src=x onerror=alert(1)&gt;").doesNotContain("<img src=x");
        assertThat(session.get("/ui/artifacts/" + none).body()).contains("id=\"no-components\"").doesNotContain("id=\"components\"");
        // the incident query as a page: the same artifacts as GET /v1/components, linked to their pages
        String leftPad = "purl=" + q("pkg:npm/left-pad") + "&range=" + q("vers:npm/<2.0.0");
        List<String> fromApi = digests(query(leftPad));
        assertThat(fromApi).contains(indexed);
        ConsoleSession.Response incident = session.get("/ui/components?" + leftPad + "&name=&license=");
        assertThat(incident.status()).isEqualTo(200);
        for (String digest : fromApi) {
            assertThat(incident.body()).contains("href=\"/ui/artifacts/" + digest + "\"");
        }
        assertThat(incident.body()).doesNotContain("href=\"/ui/artifacts/" + none + "\"");
        assertThat(session.get("/ui/components").body()).contains("id=\"no-query\"");
        assertThat(session.get("/ui/components?purl=" + q("pkg:npm/left-pad") + "&range=" + q("vers:npm/>=9.0.0")).body())
                .contains("id=\"no-match\"");
        assertThat(session.get("/ui/components?purl=not-a-purl").status()).isEqualTo(400);
    }

    @Test
    void pagesFollowTheCursor() throws Exception {
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String d = digestOf("paged-" + i);
            made.add(d);
            decide(d, "ghcr.io/acme/paged", "prod", attestation(d, "https://cyclonedx.org/bom",
                    cyclonedx("1.4", cdx("pkg:npm/left-pad-paged@1.0." + i, "left-pad-paged", "1.0." + i, "WTFPL"))));
        }
        indexer.indexPending();
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = query("purl=" + q("pkg:npm/left-pad-paged") + "&limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            seen.addAll(digests(page));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
        } while (cursor != null);
        assertThat(seen).containsExactlyElementsOf(made.stream().sorted().toList());
    }

    @Test
    void aLicenseQueryPagesAlongTheArtifactsOfThatLicense() throws Exception {
        // 0BSD in four artifacts (twice in one), once with a second license; only by license, and with a name
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String d = digestOf("license-paged-" + i);
            made.add(d);
            decide(d, "ghcr.io/acme/license-paged", "prod", attestation(d, "https://cyclonedx.org/bom", cyclonedx("1.5",
                    cdx("pkg:npm/license-paged-a@1.0." + i, "license-paged-a", "1.0." + i, i == 1 ? "0BSD OR ISC" : "0BSD"),
                    cdx("pkg:npm/license-paged-b@2.0." + i, "license-paged-b", "2.0." + i, i == 2 ? "0BSD" : "MIT"))));
        }
        indexer.indexPending();
        for (String d : made) {
            assertThat(jdbc.queryForList("SELECT license_key FROM sbom_license WHERE artifact_digest = ? ORDER BY 1", String.class, d))
                    .as("one row per license and artifact").isIn(List.of("0bsd", "mit"), List.of("0bsd", "isc", "mit"), List.of("0bsd"));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = query("license=0bsd&limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
            seen.addAll(digests(page));
            for (JsonNode item : page.get("items")) {
                if (made.contains(item.get("digest").asString())) {
                    // only the components under that license are named
                    item.get("components").forEach(c -> assertThat(c.get("licenses").toString()).contains("0BSD"));
                }
            }
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
            pages++;
        } while (cursor != null);
        assertThat(pages).isGreaterThan(1);
        assertThat(seen).doesNotHaveDuplicates().isSorted().containsAll(made);
        assertThat(digests(query("license=isc&name=license-paged-a"))).containsExactly(made.get(1));
        assertThat(digests(query("license=0bsd&name=license-paged-b"))).containsExactly(made.get(2));
    }

    @Test
    void notAnSbomAndUnreadableSbomsAreNotIndexed() throws Exception {
        String d = digestOf("not-sbom");
        decide(d, "ghcr.io/acme/other", "prod", attestation(d, "https://example.com/review/v1", "{\"ok\":true}"),
                attestation(d, "https://cyclonedx.org/bom", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"9.9\"}"),
                attestation(d, "https://cyclonedx.org/bom", Files.readString(Path.of("src/test/resources/sbom/cosign-bom-go-mod.cyclonedx.json"))));
        indexer.indexPending();
        assertThat(jdbc.queryForList("SELECT outcome FROM sbom_scan WHERE artifact_digest = ? ORDER BY outcome", String.class, d))
                .containsExactly("indexed", "not-sbom", "unreadable");
        assertThat(jdbc.queryForObject("SELECT components FROM sbom_document WHERE artifact_digest = ?", Integer.class, d)).isZero();
    }

    @Test
    void badQueriesAre400AndOnlyAuditorsMayAsk() {
        for (String bad : List.of("", "purl=" + q("not a purl"), "purl=" + q("pkg:maven/a/b") + "&range=" + q("vers:maven/<<1"),
                "purl=" + q("pkg:maven/a/b") + "&range=" + q("vers:nosuch/<1"), "purl=" + q("pkg:maven/a/b") + "&range=" + q("<1.0"),
                "name=a&name=b", "colour=red", "purl=" + q("pkg:maven/a/b@1") + "&range=" + q("vers:maven/<2"),
                "name=a&limit=0", "name=a&cursor=zzz", "name=" + q("a\u0000b"))) {
            Api.Response r = api.get("/v1/components?" + bad, auditor);
            assertThat(r.status()).as(bad + ": " + r.body()).isEqualTo(400);
            assertThat(r.isProblem()).as(bad).isTrue();
        }
        assertThat(api.get("/v1/components/export?name=a&format=xml", auditor).status()).isEqualTo(400);
        assertThat(api.get("/v1/components?name=a", decider).status()).isEqualTo(403);
        assertThat(api.get("/v1/components?name=a", tokenWith("admin")).status()).isEqualTo(200);
    }
}
