package dev.tollgate.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code tollgate decide}: the pipeline's client. Sends the digest, the bundle files, the policies
 * and context to {@code POST /v1/decisions} with the token from {@code TOLLGATE_TOKEN}, and prints
 * the verdict, each failing rule with its reason and each evidence item that did not verify.
 * Exit 0 allowed, 1 denied, 2 no decision (unreachable, refused, 503: fail closed).
 */
@Command(name = "decide", mixinStandardHelpOptions = true,
        description = "Ask a Tollgate server for a decision (token in TOLLGATE_TOKEN). Exit 0 allowed, 1 denied, 2 no decision.")
class DecideCommand implements Callable<Integer> {

    @Option(names = "--server", required = true, paramLabel = "URL", description = "the server, e.g. https://tollgate.example")
    URI server;

    @Option(names = "--digest", required = true, description = "the artifact's digest, sha256:<64 hex>")
    String digest;

    @Option(names = "--name", description = "the artifact's name")
    String name;

    @Option(names = "--tag", description = "the artifact's tag")
    String tag;

    @Option(names = "--evidence", paramLabel = "BUNDLE", description = "a Sigstore bundle file, or JSON Lines of bundles (repeatable)")
    List<Path> evidence = new ArrayList<>();

    @Option(names = "--policy", paramLabel = "NAME", description = "a policy to decide by (repeatable; default: every applicable policy)")
    List<String> policies = new ArrayList<>();

    @Option(names = "--context", paramLabel = "KEY=VALUE", description = "a context entry (repeatable)")
    List<String> context = new ArrayList<>();

    @Option(names = "--timeout", defaultValue = "30s", description = "how long to wait for the answer (default 30s)")
    String timeout;

    @Option(names = "--json", description = "print the server's answer as JSON")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Function<String, String> environment;

    DecideCommand() {
        this(System::getenv);
    }

    DecideCommand(Function<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        CommandLine line = spec.commandLine();
        PrintWriter out = line.getOut();
        PrintWriter err = line.getErr();
        Duration wait = duration(line, timeout);
        String token = environment.apply("TOLLGATE_TOKEN");
        if (token == null || token.isBlank()) {
            err.println("tollgate decide: no decision: TOLLGATE_TOKEN is not set");
            err.flush();
            return TollgateCommand.ExitCodes.ERROR;
        }
        Options.artifact(line, digest, name, tag);
        ObjectNode body = Workbench.JSON.createObjectNode();
        ObjectNode artifact = body.putObject("artifact").put("digest", digest);
        if (name != null) {
            artifact.put("name", name);
        }
        if (tag != null) {
            artifact.put("tag", tag);
        }
        ObjectNode ctx = body.putObject("context");
        Options.context(line, context).forEach(ctx::put);
        if (!policies.isEmpty()) {
            ArrayNode named = body.putArray("policies");
            policies.forEach(named::add);
        }
        ArrayNode items = body.putArray("evidence");
        for (Path file : evidence) {
            String text = Workbench.read(file).strip();
            List<String> documents = file.getFileName().toString().endsWith(".jsonl")
                    ? text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList() : List.of(text);
            for (String document : documents) {
                try {
                    items.addObject().set("bundle", Workbench.JSON.readTree(document));
                } catch (RuntimeException e) {
                    throw new Workbench.Problem(file + " is not JSON: " + e.getMessage());
                }
            }
        }
        URI endpoint = server.resolve(server.getPath().endsWith("/") ? "v1/decisions" : server.getPath() + "/v1/decisions");
        HttpClient http = HttpClient.newBuilder().connectTimeout(wait).build();
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(wait)
                .header("Authorization", "Bearer " + token.strip())
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Workbench.JSON.writeValueAsString(body))).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            err.println("tollgate decide: no decision: " + endpoint + " could not be reached (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
            err.flush();
            return TollgateCommand.ExitCodes.ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return TollgateCommand.ExitCodes.ERROR;
        }
        JsonNode answer;
        try {
            answer = Workbench.JSON.readTree(response.body());
        } catch (RuntimeException e) {
            answer = null;
        }
        if (response.statusCode() != 200 || answer == null || !answer.has("allowed")) {
            String detail = answer != null && answer.has("detail") ? answer.get("detail").asString()
                    : answer != null && answer.has("title") ? answer.get("title").asString() : "no readable answer";
            err.println("tollgate decide: no decision: HTTP " + response.statusCode() + ": " + detail);
            err.flush();
            return TollgateCommand.ExitCodes.ERROR;
        }
        if (json) {
            out.println(Workbench.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
        } else {
            Reports.decision(out, answer, false);
            if (answer.has("decisionId")) {
                out.println("  decision " + answer.get("decisionId").asString());
            }
        }
        out.flush();
        return answer.get("allowed").isBoolean() && answer.get("allowed").booleanValue() ? TollgateCommand.ExitCodes.OK : TollgateCommand.ExitCodes.FAILED;
    }

    private static Duration duration(CommandLine line, String text) {
        try {
            return Duration.parse("PT" + text.toUpperCase(java.util.Locale.ROOT));
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(line, "--timeout takes a duration such as 30s or 2m, not '" + text + "'");
        }
    }
}
