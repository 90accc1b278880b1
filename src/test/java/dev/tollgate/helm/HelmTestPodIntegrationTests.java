package dev.tollgate.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.marcnuri.helm.Helm;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The script of the chart's {@code helm test} pod, as rendered, run by {@code sh} with curl against
 * the real server: it passes when the server is ready and a dry-run admission decision is recorded,
 * and fails with a wrong token. (In the cluster it reaches the Service over HTTPS; here plain HTTP.)
 */
class HelmTestPodIntegrationTests extends IntegrationTest {

    record Run(int exit, String output) {
    }

    private Run runTestPod(String token) throws IOException, InterruptedException {
        Assumptions.assumeTrue(onPath("curl") && onPath("sh"), "the helm test script needs sh and curl");
        Map<String, Object> pod = HelmChartTests.kind(HelmChartTests.render(new Helm(HelmChartTests.CHART_WITH_TESTS).template()
                .set("bootstrapToken.value", BOOTSTRAP_TOKEN)), "Pod");
        Map<String, Object> container = HelmChartTests.at(pod, "spec", "containers", 0);
        List<String> command = HelmChartTests.at(container, "command");
        String script = HelmChartTests.at(container, "args", 0);
        Path dir = Files.createTempDirectory("tollgate-helm-test");
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, token, StandardCharsets.UTF_8);
        Path log = dir.resolve("out.log");
        ProcessBuilder builder = new ProcessBuilder("sh", command.get(1), script).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("TOLLGATE_URL", "http://127.0.0.1:" + port);
        builder.environment().put("CA_FILE", dir.resolve("no-ca.crt").toString());
        builder.environment().put("TOKEN_FILE", tokenFile.toString());
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("the helm test script did not end: " + Files.readString(log));
        }
        Run run = new Run(process.exitValue(), Files.readString(log));
        Files.delete(log);
        Files.delete(tokenFile);
        Files.delete(dir);
        return run;
    }

    @Test
    void theHelmTestPodPassesAgainstAReadyServerAndItsDecisionIsRecordedAsADryRun() throws Exception {
        Run run = runTestPod(BOOTSTRAP_TOKEN);
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("readiness: {\"status\":\"UP\"}", "decision: ");
        Matcher ids = Pattern.compile("\"decisions\":\"([0-9a-f-]+)\"").matcher(run.output());
        assertThat(ids.find()).as(run.output()).isTrue();
        Api.Response record = api.get("/v1/decisions/" + ids.group(1), tokenWith("auditor"));
        assertThat(record.status()).as(record.body()).isEqualTo(200);
        assertThat(record.json().path("dryRun").asBoolean()).isTrue();
        assertThat(record.json().path("source").asString()).isEqualTo("admission");
    }

    @Test
    void theHelmTestPodFailsWhenItsTokenIsRefused() throws Exception {
        Run run = runTestPod("not-the-bootstrap-token-0123456789");
        assertThat(run.exit()).as(run.output()).isNotZero();
        assertThat(run.output()).doesNotContain("decision: {");
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv("PATH").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
