package dev.tollgate.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code tollgate test --record ID --server URL}: asks the server for a recorded decision as a
 * test case ({@code GET /v1/decisions/{id}/test-case}) and writes it out — the test file as YAML
 * ({@code <id>_test.yaml}) beside the policy versions, evidence bundles and governed exceptions it names.
 */
final class RecordedTestCase {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private RecordedTestCase() {
    }

    /** @return the test file written */
    static Path fetch(URI server, String decisionId, Path dir, String token, PrintWriter err) {
        if (server == null) {
            throw new Workbench.Problem("--record needs --server URL");
        }
        if (token == null || token.isBlank()) {
            throw new Workbench.Problem("--record needs a token in TOLLGATE_TOKEN (policy-admin or auditor)");
        }
        if (!decisionId.matches("[0-9a-f-]{36}")) {
            throw new Workbench.Problem("--record takes a decision id (a UUID in lower case)");
        }
        String base = server.toString().endsWith("/") ? server.toString() : server + "/";
        URI endpoint = URI.create(base + "v1/decisions/" + decisionId + "/test-case");
        HttpResponse<String> response;
        try {
            response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(
                    HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token.strip())
                            .header("Accept", "application/json").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Workbench.Problem(endpoint + " could not be reached: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Workbench.Problem("interrupted");
        }
        JsonNode answer;
        try {
            answer = Workbench.JSON.readTree(response.body());
        } catch (RuntimeException e) {
            answer = null;
        }
        if (response.statusCode() != 200 || answer == null || !answer.has("testFile")) {
            String detail = answer != null && answer.has("detail") ? answer.get("detail").asString() : "no readable answer";
            throw new Workbench.Problem("the test case of " + decisionId + " could not be read: HTTP " + response.statusCode()
                    + ": " + detail);
        }
        try {
            Path root = dir.toAbsolutePath().normalize();
            Files.createDirectories(root);
            for (var file : answer.get("files").properties()) {
                Path target = root.resolve(file.getKey()).normalize();
                if (!target.startsWith(root)) {
                    throw new Workbench.Problem("the server named a file outside the test directory: " + file.getKey());
                }
                Files.createDirectories(target.getParent());
                Files.write(target, Base64.getDecoder().decode(file.getValue().get("base64").asString()));
            }
            Path test = root.resolve(decisionId + "_test.yaml");
            Files.writeString(test, "# recorded decision " + decisionId + " (" + base + "), written by tollgate test --record\n"
                    + YAML.writeValueAsString(answer.get("testFile")).replaceFirst("^---\\n", ""));
            for (JsonNode e : answer.path("exceptions")) {
                err.println("tollgate test --record: the decision was waived by exception " + e.path("id").asString() + " ("
                        + e.path("status").asString() + " now), carried in " + e.path("file").asString());
            }
            if (answer.has("note")) {
                err.println("tollgate test --record: " + answer.get("note").asString());
                err.flush();
            }
            return test;
        } catch (IOException e) {
            throw new Workbench.Problem("cannot write the test under " + dir + ": " + e.getMessage());
        }
    }
}
