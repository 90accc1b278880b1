package dev.tollgate.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.WebhookCertificates;
import dev.tollgate.web.WebhookListener;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The webhook listener: an AdmissionReview without a token over TLS is decided and recorded with
 * the API server as caller; plain HTTP there, and the same review on the main port, are refused;
 * no other endpoint is served there; a rotated certificate is used from the next handshake on.
 */
class WebhookListenerIntegrationTests extends IntegrationTest {

    @Autowired
    WebhookListener listener;

    @Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    static final String REVIEW = """
            {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
             "request": {"uid": "%s", "kind": {"group": "", "version": "v1", "kind": "Pod"},
               "resource": {"group": "", "version": "v1", "resource": "pods"}, "namespace": "webhook-tests", "operation": "CREATE",
               "userInfo": {"username": "alice"},
               "object": {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "image": "registry.example/webhook/app@sha256:%s"}]}}}}
            """;

    record Answer(int status, String head, String body, X509Certificate server) {
    }

    /** One request over TLS (trusting whatever the server presents: the test reads its certificate). */
    Answer tls(String method, String path, String body) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new TrustAll()}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", listener.port())) {
            socket.setSoTimeout(20_000);
            socket.startHandshake();
            X509Certificate server = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            return exchange(socket, method, path, body, server);
        }
    }

    /** One request over TLS presenting this client certificate (and its key). */
    Answer tlsAs(java.security.KeyPair keys, X509Certificate certificate, String body) throws Exception {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", keys.getPrivate(), "x".toCharArray(), new java.security.cert.Certificate[] {certificate});
        javax.net.ssl.KeyManagerFactory factory = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, "x".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), new TrustManager[] {new TrustAll()}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", listener.port())) {
            socket.setSoTimeout(20_000);
            socket.startHandshake();
            return exchange(socket, "POST", "/v1/admission", body, (X509Certificate) socket.getSession().getPeerCertificates()[0]);
        }
    }

    Answer plain(int port, String method, String path, String body) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            return exchange(socket, method, path, body, null);
        }
    }

    private static Answer exchange(Socket socket, String method, String path, String body, X509Certificate server) throws IOException {
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: tollgate\r\nConnection: close\r\n"
                + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + content.length + "\r\n") + "\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(content);
        out.flush();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try {
            InputStream in = socket.getInputStream();
            in.transferTo(received);
        } catch (IOException e) {
            // a refused connection: whatever arrived before
        }
        String text = received.toString(StandardCharsets.UTF_8);
        if (!text.startsWith("HTTP/1.1 ")) {
            return new Answer(0, text, "", server);
        }
        int split = text.indexOf("\r\n\r\n");
        return new Answer(Integer.parseInt(text.substring(9, 12)), text.substring(0, split), text.substring(split + 4), server);
    }

    static String review(String uid) {
        return REVIEW.formatted(uid, Long.toHexString(System.nanoTime()).repeat(8).substring(0, 64));
    }

    @Test
    void anUnauthenticatedReviewOverTlsIsDecidedAndRecordedWithTheClusterAsCaller() throws Exception {
        String uid = "webhook-" + System.nanoTime();
        String digest = Long.toHexString(System.nanoTime()).repeat(8).substring(0, 64);
        Answer answer = tls("POST", "/v1/admission", REVIEW.formatted(uid, digest));
        assertThat(answer.status()).as(answer.head() + answer.body()).isEqualTo(200);
        JsonNode response = json.readTree(answer.body()).get("response");
        assertThat(response.get("uid").asString()).isEqualTo(uid);
        assertThat(response.get("allowed").asBoolean()).as(response.toString()).isFalse(); // no evidence: denied, fail closed
        assertThat(jdbc.queryForList("SELECT requester FROM decision WHERE source = 'admission' AND artifact_digest = ?",
                String.class, "sha256:" + digest)).containsExactly("kubernetes:test-cluster");
    }

    @Test
    void plainHttpOnTheWebhookPortAndNoTokenOnTheMainPortAreRefused() throws Exception {
        Answer plain = plain(listener.port(), "POST", "/v1/admission", review("plain"));
        assertThat(plain.status()).as(plain.head()).isNotEqualTo(200);
        assertThat(plain.body()).doesNotContain("AdmissionReview");
        Answer main = plain(port, "POST", "/v1/admission", review("main"));
        assertThat(main.status()).isEqualTo(401);
        assertThat(main.body()).doesNotContain("AdmissionReview");
    }

    @Test
    void theWebhookPortServesNothingElse() throws Exception {
        for (String[] request : new String[][] {{"POST", "/v1/decisions"}, {"GET", "/v1/decisions"}, {"GET", "/v1/admission"},
            {"GET", "/actuator/health"}, {"GET", "/actuator/prometheus"}, {"POST", "/v1/admission/"}, {"POST", "/v1/tokens"},
            {"GET", "/v1/policies"}}) {
            Answer answer = tls(request[0], request[1], request[0].equals("POST") ? "{}" : null);
            assertThat(answer.status()).as(request[0] + " " + request[1] + ": " + answer.body()).isIn(400, 404);
            assertThat(answer.head()).containsIgnoringCase("content-type: application/problem+json");
        }
    }

    /**
     * Optional client-certificate verification ({@code tollgate.webhook.client-auth=want}, the bundle's trust store):
     * a review from the API server's trusted client certificate is recorded with that certificate's subject as the
     * caller; a certificate the trust store does not hold ends the handshake, and nothing is decided.
     */
    @Test
    void aTrustedClientCertificateIsRecordedAsTheCallerAndAnUntrustedOneIsRefused() throws Exception {
        String digest = Long.toHexString(System.nanoTime()).repeat(8).substring(0, 64);
        Answer answer = tlsAs(WebhookCertificates.CLIENT_KEYS, WebhookCertificates.CLIENT, REVIEW.formatted("client-cert", digest));
        assertThat(answer.status()).as(answer.head() + answer.body()).isEqualTo(200);
        assertThat(jdbc.queryForList("SELECT requester FROM decision WHERE source = 'admission' AND artifact_digest = ?",
                String.class, "sha256:" + digest)).containsExactly("certificate:" + WebhookCertificates.CLIENT_SUBJECT);

        String strangerDigest = Long.toHexString(System.nanoTime() + 1).repeat(8).substring(0, 64);
        java.security.KeyPair stranger = WebhookCertificates.keys();
        Answer refused;
        try {
            refused = tlsAs(stranger, WebhookCertificates.selfSigned(WebhookCertificates.CLIENT_SUBJECT, stranger),
                    REVIEW.formatted("stranger-cert", strangerDigest));
        } catch (IOException handshakeRefused) {
            refused = null;
        }
        assertThat(refused == null || refused.status() == 0).as("no HTTP answer to an untrusted client certificate").isTrue();
        assertThat(jdbc.queryForList("SELECT requester FROM decision WHERE artifact_digest = ?", String.class,
                "sha256:" + strangerDigest)).isEmpty();
    }

    /**
     * The per-source rate limit (the test server allows 20 reviews a second from one address, bursts of 40): a
     * flood of reviews from this address over TLS is answered 429 with Retry-After once the burst is spent, and
     * the listener takes reviews again once the bucket has refilled. 400 reviews are sent from 8 threads, so that
     * none being refused would need them to take over 18 s.
     */
    @Test
    void aFloodFromOneAddressIsRefusedWith429AndRetryAfter() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        java.util.List<java.util.concurrent.Future<Answer>> sent = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 400; i++) {
                sent.add(pool.submit(() -> tls("POST", "/v1/admission",
                        "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\"}")));
            }
            java.util.List<Answer> refused = new java.util.ArrayList<>();
            int admitted = 0;
            for (java.util.concurrent.Future<Answer> future : sent) {
                Answer answer = future.get();
                if (answer.status() == 429) {
                    refused.add(answer);
                } else {
                    assertThat(answer.status()).as(answer.head() + answer.body()).isEqualTo(200);
                    admitted++;
                }
            }
            assertThat(admitted).as("the burst").isGreaterThanOrEqualTo(40);
            assertThat(refused).isNotEmpty();
            Answer first = refused.get(0);
            assertThat(first.head()).containsIgnoringCase("retry-after: 1").containsIgnoringCase("content-type: application/problem+json");
            assertThat(json.readTree(first.body()).get("type").asString()).endsWith("/too-many-requests");
        } finally {
            pool.shutdownNow();
        }
        // the bucket refills (20 a second): reviews are taken again; other tests of this JVM use the listener too
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(20);
        Answer again = tls("POST", "/v1/admission", review("after-flood"));
        while (again.status() == 429 && java.time.Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
            again = tls("POST", "/v1/admission", review("after-flood"));
        }
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        Thread.sleep(2_100); // a full bucket for whatever test comes next
    }

    @Test
    void aRotatedCertificateIsPresentedFromTheNextHandshakeOn() throws Exception {
        X509Certificate before = tls("POST", "/v1/admission", review("rotate-1")).server();
        X509Certificate rotated = WebhookCertificates.rotate("CN=tollgate-webhook-" + System.nanoTime());
        Instant until = Instant.now().plus(Duration.ofSeconds(30));
        X509Certificate seen = before;
        while (!seen.equals(rotated) && Instant.now().isBefore(until)) {
            Thread.sleep(200);
            seen = tls("POST", "/v1/admission", review("rotate-2")).server();
        }
        assertThat(seen.getSubjectX500Principal()).isEqualTo(rotated.getSubjectX500Principal());
        assertThat(seen).isEqualTo(rotated).isNotEqualTo(before);
        assertThat(tls("POST", "/v1/admission", review("rotate-3")).status()).isEqualTo(200);
    }

    /** Trusts any server: the tests look at the certificate the server presented. */
    static final class TrustAll extends X509ExtendedTrustManager {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
        @Override public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
