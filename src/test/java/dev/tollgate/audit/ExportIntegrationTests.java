package dev.tollgate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * Exports apply exactly the history filters, and run on their own bounded pool: stalled
 * readers cannot starve the server, an export beyond the pool is 503 with Retry-After, and a
 * stalled export is ended after the write time-out.
 */
class ExportIntegrationTests extends IntegrationTest {

    String decider;
    String auditor;

    @BeforeEach
    void setUp() {
        decider = tokenWith("decider");
        auditor = tokenWith("auditor");
        String policy = "policy \"exports\" { rule r { require context.verdict == \"yes\" } }";
        assertThat(api.sendText("PUT", "/v1/policies/exports", tokenWith("policy-admin"), policy).status()).isIn(200, 201);
    }

    private String decide(String digest, String name, String verdict) {
        String body = "{\"artifact\": {\"digest\": \"" + digest + "\", \"name\": \"" + name + "\"}, \"context\": {\"verdict\": \""
                + verdict + "\"}, \"policies\": [\"exports\"]}";
        Api.Response r = api.postJson("/v1/decisions", decider, body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("decisionId").asString();
    }

    private static String randomDigest() {
        return "sha256:" + (Long.toHexString(System.nanoTime()) + "0".repeat(64)).substring(0, 64);
    }

    private Set<String> listed(String query) {
        Set<String> ids = new LinkedHashSet<>();
        Api.Response page = api.get("/v1/decisions?limit=500&" + query, auditor);
        assertThat(page.status()).as(query).isEqualTo(200);
        page.json().get("items").forEach(i -> ids.add(i.get("decisionId").asString()));
        return ids;
    }

    private Set<String> exported(String query, String format) {
        Api.Response export = api.get("/v1/decisions/export?format=" + format + "&" + query, auditor);
        assertThat(export.status()).as(query).isEqualTo(200);
        Set<String> ids = new LinkedHashSet<>();
        String[] lines = export.body().split(format.equals("csv") ? "\r\n" : "\n");
        for (int i = format.equals("csv") ? 1 : 0; i < lines.length; i++) {
            if (!lines[i].isEmpty()) {
                ids.add(format.equals("csv") ? lines[i].substring(0, lines[i].indexOf(',')) : json.readTree(lines[i]).get("decisionId").asString());
            }
        }
        return ids;
    }

    @Test
    void everyHistoryFilterAppliesToExportsAsToTheListing() {
        String digest = randomDigest();
        String name = "example.com/export-" + Long.toHexString(System.nanoTime());
        String allowed = decide(digest, name, "yes");
        String denied = decide(digest, name, "no");
        String other = decide(randomDigest(), name + "-other", "no");
        JsonNode record = api.get("/v1/decisions/" + allowed, auditor).json();
        String since = record.get("decidedAt").asString().replace(":", "%3A").replace("+", "%2B");

        String[] queries = {
            "digest=" + digest, "name=" + name, "outcome=deny&name=" + name, "outcome=allow&digest=" + digest,
            "policy=exports&digest=" + digest, "since=" + since + "&digest=" + digest, "until=2000-01-01T00%3A00%3A00Z",
            "signerSubject=nobody", "signerIssuer=nobody&digest=" + digest, "key=none", "builderId=none", "sourceRepository=none",
        };
        for (String query : queries) {
            Set<String> listed = listed(query);
            assertThat(exported(query, "ndjson")).as("ndjson " + query).containsExactlyInAnyOrderElementsOf(listed);
            assertThat(exported(query, "csv")).as("csv " + query).containsExactlyInAnyOrderElementsOf(listed);
        }
        assertThat(exported("outcome=deny&name=" + name, "csv")).containsExactly(denied);
        assertThat(exported("digest=" + digest, "ndjson")).containsExactly(allowed, denied); // ascending sequence
        assertThat(exported("name=" + name + "-other", "ndjson")).containsExactly(other);

        // the CSV carries who asked, from where, and the chain hash
        Api.Response csv = api.get("/v1/decisions/export?format=csv&digest=" + digest, auditor);
        String[] rows = csv.body().split("\r\n");
        assertThat(rows[0]).isEqualTo(
                "decisionId,sequence,decidedAt,allowed,outcome,artifactDigest,artifactName,artifactTag,policies,requester,source,hash");
        String[] first = rows[1].split(",");
        assertThat(first[0]).isEqualTo(allowed);
        assertThat(rows[1]).contains(",api," + record.get("hash").asString());
        assertThat(rows[1]).contains("," + record.get("requester").asString() + ",");

        for (String bad : new String[] {"color=red", "outcome=maybe", "since=yesterday", "digest=sha256:AB", "limit=5", "format=xml",
            "digest=" + digest + "&digest=" + digest}) {
            Api.Response refused = api.get("/v1/decisions/export?" + bad, auditor);
            assertThat(refused.status()).as(bad).isEqualTo(400);
            assertThat(refused.isProblem()).isTrue();
        }
        Api.Response from = api.get("/v1/audit/verify?from=12", auditor);
        assertThat(from.status()).isEqualTo(400);
        assertThat(from.isProblem()).isTrue();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void stalledExportsCannotStarveTheServerAndAreEndedAfterTheWriteTimeout() throws Exception {
        // enough data that an export cannot fit into the sockets' buffers (up to 4 MB on Linux): 150 records of ~64 KB
        String bigDigest = randomDigest();
        String big = "v".repeat(1000);
        StringBuilder context = new StringBuilder("{\"verdict\": \"yes\"");
        for (int i = 0; i < 63; i++) {
            context.append(", \"k").append(i).append("\": \"").append(big).append('"');
        }
        String body = "{\"artifact\": {\"digest\": \"" + bigDigest + "\"}, \"context\": " + context.append('}')
                + ", \"policies\": [\"exports\"]}";
        for (int i = 0; i < 150; i++) {
            assertThat(api.postJson("/v1/decisions", decider, body).status()).isEqualTo(200);
        }

        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < EXPORT_THREADS; i++) {
                stalled.add(stalledExport(bigDigest));
            }
            // the pool is taken: one more export is refused at once, with a hint when to come back
            Api.Response busy = awaitBusy();
            assertThat(busy.isProblem()).isTrue();
            assertThat(busy.headers().firstValue("Retry-After")).hasValue(DecisionExports.RETRY_AFTER_SECONDS);

            // everything else keeps answering meanwhile
            for (int i = 0; i < 5; i++) {
                assertThat(api.get("/v1/policies", tokenWith("policy-admin")).status()).isEqualTo(200);
                assertThat(api.get("/v1/decisions?limit=5", auditor).status()).isEqualTo(200);
                decide(randomDigest(), "example.com/meanwhile", "yes");
                assertThat(api.get("/actuator/health/readiness", null).status()).isEqualTo(200);
            }

            // the stalled exports are ended after the write time-out (2 s in the tests): exports run again
            Instant deadline = Instant.now().plusSeconds(30);
            Api.Response again;
            do {
                Thread.sleep(250);
                again = api.get("/v1/decisions/export?format=csv&outcome=allow", auditor);
            } while (again.status() == 503 && Instant.now().isBefore(deadline));
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.body()).startsWith("decisionId,");

            // and a stalled client that reads again sees its connection closed in the middle of the
            // stream (no final chunk): a truncated export never looks complete
            for (Socket socket : stalled) {
                String tail = readToTheEnd(socket);
                assertThat(tail).as("the stalled export's connection is closed").isNotNull();
                assertThat(tail).as("the chunked stream is not terminated").doesNotEndWith("\r\n0\r\n\r\n");
            }
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    /** An export whose client sends the request and then reads nothing. */
    private Socket stalledExport(String digest) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /v1/decisions/export?format=ndjson&digest=" + digest + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + auditor
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        // the export has started once its status line is there; then this client reads nothing more
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        byte[] status = new byte[12];
        int read = 0;
        while (read < status.length) {
            int n = in.read(status, read, status.length - read);
            if (n < 0) {
                break;
            }
            read += n;
        }
        assertThat(new String(status, 0, read, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
        return socket;
    }

    private Api.Response awaitBusy() throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        Api.Response last;
        do {
            last = api.get("/v1/decisions/export?format=csv&outcome=deny", auditor);
            if (last.status() == 503) {
                return last;
            }
            Thread.sleep(50);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError("the export pool never filled; last answer " + last.status());
    }

    /** The last bytes read before the server closed the connection, or null if it stayed open. */
    private static String readToTheEnd(Socket socket) throws IOException {
        socket.setSoTimeout(20_000);
        byte[] buffer = new byte[65536];
        byte[] tail = new byte[0];
        try (InputStream in = socket.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                byte[] last = new byte[Math.min(16, tail.length + n)];
                byte[] joined = new byte[tail.length + n];
                System.arraycopy(tail, 0, joined, 0, tail.length);
                System.arraycopy(buffer, 0, joined, tail.length, n);
                System.arraycopy(joined, joined.length - last.length, last, 0, last.length);
                tail = last;
            }
            return new String(tail, StandardCharsets.ISO_8859_1);
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException reset) {
            return new String(tail, StandardCharsets.ISO_8859_1); // closed by a reset: ended as well
        }
    }
}
