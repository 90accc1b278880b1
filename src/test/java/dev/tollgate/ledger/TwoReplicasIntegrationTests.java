package dev.tollgate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import dev.tollgate.TollgateApplication;
import dev.tollgate.db.ChangeNotifications;
import dev.tollgate.support.Api;
import dev.tollgate.support.EndpointExamples;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.TestDatabase;
import dev.tollgate.trust.TrustStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Two Tollgate servers (two application contexts, two ports) against one PostgreSQL, under
 * concurrent decisions on both: every answered decision is recorded exactly once, the sequence has
 * no gap, both verify the chain, checkpoints from either are consistent with each other (checked
 * with {@link IndependentTlog}), and a configuration change made through one replica takes effect
 * on the other through PostgreSQL's NOTIFY — the caches' own expiry is set to ten minutes here, so
 * nothing else can explain it.
 */
class TwoReplicasIntegrationTests {

    private static final String ORIGIN = IntegrationTest.ORIGIN;
    private static final String ADMIN = IntegrationTest.BOOTSTRAP_TOKEN;
    private static final int THREADS = 4;
    private static final int PER_THREAD = 40;
    /** Longer than the test: only a notification makes a change visible on the other replica. */
    private static final String POLL = "10m";

    private static ConfigurableApplicationContext a;
    private static ConfigurableApplicationContext b;
    private static Api apiA;
    private static Api apiB;
    private static String decider;
    private static String auditor;

    @BeforeAll
    static void twoServers() {
        Map<String, Object> properties = new HashMap<>();
        IntegrationTest.database((name, value) -> properties.put(name, ((Supplier<?>) value).get()));
        properties.put("server.port", "0");
        properties.put("tollgate.policy.active-cache", POLL);
        properties.put("tollgate.trust.refresh-interval", POLL);
        properties.put("tollgate.security.token-cache", POLL);
        properties.remove("tollgate.audit.publish-dir");
        a = start(properties);
        b = start(properties); // one after the other: the first start generates the shared signing key
        ObjectMapper json = a.getBean(ObjectMapper.class);
        apiA = new Api(port(a), json);
        apiB = new Api(port(b), json);
        decider = token(apiA, "decider");
        auditor = token(apiA, "auditor");
    }

    private static ConfigurableApplicationContext start(Map<String, Object> properties) {
        // as arguments: they must win over application.properties, as a test's dynamic properties do
        String[] arguments = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        return new SpringApplicationBuilder(TollgateApplication.class).run(arguments);
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    private static String token(Api api, String role) {
        Api.Response response = api.postJson("/v1/tokens", ADMIN,
                Api.map("name", "replicas-" + role + "-" + Long.toHexString(System.nanoTime()), "roles", List.of(role)));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("token").asString();
    }

    private static String policy(String name, String condition) {
        return "policy \"" + name + "\" {\n  rule r {\n    require " + condition + "\n  }\n}\n";
    }

    private static void put(Api api, String name, String condition) {
        Api.Response put = api.sendText("PUT", "/v1/policies/" + name, ADMIN, policy(name, condition));
        assertThat(put.status()).as(put.body()).isIn(200, 201);
    }

    private static JsonNode decide(Api api, String token, String policy, int n) {
        String digest = "sha256:" + String.format("%064x", n);
        Api.Response response = api.postJson("/v1/decisions", token,
                "{\"artifact\": {\"digest\": \"" + digest + "\", \"name\": \"ghcr.io/acme/app\"}, \"policies\": [\"" + policy + "\"]}");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private static IndependentTlog.Note open(String note) {
        JsonNode keys = apiA.get("/v1/audit/keys", null).json().get("keys");
        for (JsonNode key : keys) {
            if (key.get("purpose").asString().equals("checkpoint") && key.get("active").asBoolean()) {
                return IndependentTlog.open(note, ORIGIN, key.get("publicKey").asString());
            }
        }
        throw new AssertionError("no checkpoint key");
    }

    /** The checkpoint that covers this decision, as the given replica serves its proof. */
    private static JsonNode proof(Api api, String decisionId) throws InterruptedException {
        for (int attempt = 0; attempt < 20; attempt++) {
            Api.Response proof = api.get("/v1/decisions/" + decisionId + "/proof?wait=true", auditor);
            if (proof.status() == 200) {
                return proof.json();
            }
            assertThat(proof.status()).as(proof.body()).isEqualTo(409);
        }
        throw new AssertionError("no checkpoint covered " + decisionId);
    }

    @Test
    void concurrentDecisionsOnBothReplicasFormOneGaplessChainAndOneConsistentLedger() throws Exception {
        String name = "replicas-" + Long.toHexString(System.nanoTime());
        put(apiA, name, "true");
        JsonNode first = decide(apiA, decider, name, 0);
        IndependentTlog.Note before = open(proof(apiB, first.get("decisionId").asString()).get("checkpoint").asString());

        Set<String> answered = ConcurrentHashMap.newKeySet();
        AtomicInteger answers = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2 * THREADS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 2 * THREADS; t++) {
                Api api = t % 2 == 0 ? apiA : apiB;
                int thread = t;
                running.add(pool.submit(() -> {
                    for (int i = 0; i < PER_THREAD; i++) {
                        JsonNode answer = decide(api, decider, name, 1 + thread * PER_THREAD + i);
                        answered.add(answer.get("decisionId").asString());
                        answers.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(answers.get()).isEqualTo(2 * THREADS * PER_THREAD);
        assertThat(answered).as("a decision id answered twice").hasSize(answers.get());

        try (Connection c = DriverManager.getConnection(TestDatabase.get().directJdbcUrl())) {
            try (PreparedStatement q = c.prepareStatement("SELECT count(*), count(DISTINCT decision_id) FROM decision"
                    + " WHERE decision_id = ANY (?)")) {
                q.setArray(1, c.createArrayOf("uuid", answered.stream().map(java.util.UUID::fromString).toArray()));
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("every answered decision recorded exactly once").isEqualTo(answered.size());
                    assertThat(rs.getLong(2)).isEqualTo(answered.size());
                }
            }
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*), min(sequence), max(sequence), count(DISTINCT decision_id) FROM decision")) {
                rs.next();
                assertThat(rs.getLong(2)).isEqualTo(1);
                assertThat(rs.getLong(3)).as("no gap in the sequence").isEqualTo(rs.getLong(1));
                assertThat(rs.getLong(4)).isEqualTo(rs.getLong(1));
            }
        }
        for (Api api : List.of(apiA, apiB)) {
            JsonNode verified = api.get("/v1/audit/verify", auditor).json();
            assertThat(verified.get("valid").asBoolean()).as(verified.toString()).isTrue();
        }

        // the newest decision's proof from one replica, the other's checkpoint, and consistency proofs from both
        String last = answered.iterator().next();
        long newest = 0;
        for (String id : answered) {
            long sequence = apiA.get("/v1/decisions/" + id, auditor).json().get("sequence").asLong();
            if (sequence > newest) {
                newest = sequence;
                last = id;
            }
        }
        JsonNode proofA = proof(apiA, last);
        IndependentTlog.Note after = open(proofA.get("checkpoint").asString());
        assertThat(IndependentTlog.verifyInclusion(proofA.get("leafIndex").asLong(), after.size(),
                java.util.HexFormat.of().parseHex(proofA.get("leafHash").asString()), IndependentTlog.hexes(proofA.get("auditPath")),
                after.root())).isTrue();
        for (Api api : List.of(apiA, apiB)) {
            Api.Response latest = api.get("/v1/audit/checkpoints/latest", auditor);
            assertThat(latest.status()).isEqualTo(200);
            IndependentTlog.Note served = open(latest.body());
            assertThat(served.size()).isGreaterThanOrEqualTo(after.size());
            for (IndependentTlog.Note older : List.of(before, after)) {
                if (older.size() == served.size()) {
                    assertThat(older.root()).isEqualTo(served.root());
                    continue;
                }
                Api.Response consistency = api.get("/v1/audit/consistency?from=" + older.size() + "&to=" + served.size(), auditor);
                assertThat(consistency.status()).as(consistency.body()).isEqualTo(200);
                assertThat(IndependentTlog.verifyConsistency(older.size(), served.size(), older.root(), served.root(),
                        IndependentTlog.hexes(consistency.json().get("proof")))).isTrue();
            }
        }
        // one signer at a time: checkpoints grow in the order they were made
        try (Connection c = DriverManager.getConnection(TestDatabase.get().directJdbcUrl()); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT size FROM ledger_checkpoint ORDER BY made_at, size")) {
            long previous = 0;
            while (rs.next()) {
                assertThat(rs.getLong(1)).as("a checkpoint made after a larger one").isGreaterThan(previous);
                previous = rs.getLong(1);
            }
        }
        assertThat(a.getBean(Ledger.class).halted()).isNull();
        assertThat(b.getBean(Ledger.class).halted()).isNull();
    }

    @Test
    void aPolicyActivatedOnOneReplicaTakesEffectOnTheOtherThroughItsNotification() throws Exception {
        String name = "notified-" + Long.toHexString(System.nanoTime());
        put(apiA, name, "true");
        assertThat(decide(apiB, decider, name, 1).get("outcome").asString()).isEqualTo("allow"); // B now holds v1
        put(apiA, name, "false");
        assertThat(eventually(() -> decide(apiB, decider, name, 2).get("outcome").asString().equals("deny")))
                .as("replica B still decides with the version it remembered").isTrue();
        assertThat(decide(apiA, decider, name, 3).get("outcome").asString()).isEqualTo("deny");
    }

    @Test
    void aRevokedTokenIsRefusedOnTheOtherReplicaAndTrustMaterialArrivesThere() throws Exception {
        String name = "notified-" + Long.toHexString(System.nanoTime());
        Api.Response created = apiA.postJson("/v1/tokens", ADMIN, Api.map("name", name, "roles", List.of("auditor")));
        String secret = created.json().get("token").asString();
        assertThat(apiB.get("/v1/audit/verify", secret).status()).isEqualTo(200); // B remembers the secret now
        assertThat(apiA.delete("/v1/tokens/" + name, ADMIN).status()).isIn(200, 204);
        assertThat(eventually(() -> apiB.get("/v1/audit/verify", secret).status() == 401)).isTrue();

        String key = "notified-" + Long.toHexString(System.nanoTime());
        TrustStore trustOnB = b.getBean(TrustStore.class);
        assertThat(trustOnB.current().find(key)).isEmpty();
        Api.Response put = apiA.send("PUT", "/v1/trust/keys/" + key, ADMIN, "application/x-pem-file", EndpointExamples.freshPublicKey());
        assertThat(put.status()).as(put.body()).isIn(200, 201);
        assertThat(eventually(() -> trustOnB.current().find(key).isPresent())).isTrue();
    }

    @Test
    void aLostListeningConnectionIsOpenedAgainAndWhatChangedMeanwhileIsForgotten() throws Exception {
        String name = "relisten-" + Long.toHexString(System.nanoTime());
        put(apiA, name, "true");
        assertThat(decide(apiB, decider, name, 1).get("outcome").asString()).isEqualTo("allow");
        ChangeNotifications onB = b.getBean(ChangeNotifications.class);
        assertThat(eventually(onB::listening)).isTrue();
        // every listening session, both replicas': the change below is made while nobody listens
        try (Connection c = DriverManager.getConnection(TestDatabase.get().directJdbcUrl()); Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'tollgate'"
                    + " AND application_name = '" + ChangeNotifications.APPLICATION_NAME + "'");
        }
        put(apiA, name, "false");
        assertThat(eventually(() -> decide(apiB, decider, name, 2).get("outcome").asString().equals("deny"))).isTrue();
        assertThat(eventually(onB::listening)).isTrue();
    }

    /** Polls (up to 30 s, far below the caches' 10 minutes) until the condition holds. */
    private static boolean eventually(java.util.concurrent.Callable<Boolean> condition) throws Exception {
        for (int i = 0; i < 300; i++) {
            if (condition.call()) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }
}
