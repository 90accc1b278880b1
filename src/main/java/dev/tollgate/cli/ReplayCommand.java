package dev.tollgate.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Function;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code tollgate replay --server URL --policy NAME --source FILE}: a candidate replayed over the
 * recorded decisions ({@code POST /v1/policies/{name}:replay}; docs/policy-authoring.md), each
 * decision whose outcome would change printed as it streams, then the summary. Exit 0 when no
 * allowed decision would be denied, 1 when some would (a CI gate before activation), 2 when there
 * is no replay (unreachable server, refusal).
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Replay a candidate policy over the recorded decisions (token in TOLLGATE_TOKEN)."
                + " Exit 0 none allowed would be denied, 1 some would, 2 no replay.")
class ReplayCommand implements Callable<Integer> {

    @Option(names = "--server", required = true, paramLabel = "URL", description = "the server, e.g. https://tollgate.example")
    URI server;

    @Option(names = "--policy", required = true, paramLabel = "NAME", description = "the policy replayed")
    String policy;

    @Option(names = "--source", paramLabel = "FILE", description = "the candidate's source file")
    Path source;

    @Option(names = "--stored-version", paramLabel = "N", description = "a stored version as the candidate (instead of --source)")
    Integer version;

    @Option(names = "--since", paramLabel = "TIME", description = "the window's start (RFC 3339; default: 30 days before --until)")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "the window's end (RFC 3339; default: now)")
    String until;

    @Option(names = "--limit", paramLabel = "N", description = "the most decisions replayed")
    Integer limit;

    @Option(names = "--as-of", paramLabel = "TIME", description = "evaluate every decision as of this time")
    String asOf;

    @Option(names = "--json", description = "print the server's NDJSON lines as they come")
    boolean json;

    @Option(names = "--trust-now", description = "verify the kept bundles again against the trust held now (without --source or"
            + " --stored-version: the active version)")
    boolean trustNow;

    @Option(names = "--trust-without", paramLabel = "NAME", description = "as --trust-now, without this trusted root or key"
            + " (repeatable): what removing it would do")
    java.util.List<String> trustWithout = new java.util.ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Function<String, String> environment;

    ReplayCommand() {
        this(System::getenv);
    }

    ReplayCommand(Function<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        CommandLine line = spec.commandLine();
        PrintWriter out = line.getOut();
        PrintWriter err = line.getErr();
        String token = environment.apply("TOLLGATE_TOKEN");
        if (token == null || token.isBlank()) {
            err.println("tollgate replay: TOLLGATE_TOKEN is not set");
            err.flush();
            return TollgateCommand.ExitCodes.ERROR;
        }
        boolean trustChange = trustNow || !trustWithout.isEmpty();
        if (source != null && version != null || source == null && version == null && !trustChange) {
            throw new Workbench.Problem("give the candidate as --source FILE or --stored-version N (or neither, with --trust-now"
                    + " or --trust-without, for the active version)");
        }
        ObjectNode body = Workbench.JSON.createObjectNode();
        if (source != null) {
            body.put("source", Workbench.read(source));
        } else if (version != null) {
            body.put("version", version);
        }
        if (trustChange) {
            tools.jackson.databind.node.ArrayNode without = body.putObject("trust").putArray("without");
            trustWithout.forEach(without::add);
        }
        if (since != null) {
            body.put("since", since);
        }
        if (until != null) {
            body.put("until", until);
        }
        if (limit != null) {
            body.put("limit", limit);
        }
        if (asOf != null) {
            body.put("asOf", asOf);
        }
        body.put("changedOnly", !json);
        String base = server.toString().endsWith("/") ? server.toString() : server + "/";
        URI endpoint = URI.create(base + "v1/policies/" + policy + ":replay");
        HttpResponse<InputStream> response;
        try {
            response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(
                    HttpRequest.newBuilder(endpoint).header("Authorization", "Bearer " + token.strip())
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(Workbench.JSON.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            err.println("tollgate replay: " + endpoint + " could not be reached (" + e.getMessage() + ")");
            err.flush();
            return TollgateCommand.ExitCodes.ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return TollgateCommand.ExitCodes.ERROR;
        }
        JsonNode summary = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                String text = reader.lines().reduce("", String::concat);
                String detail;
                try {
                    detail = Workbench.JSON.readTree(text).path("detail").asString("no readable answer");
                } catch (RuntimeException e) {
                    detail = "no readable answer";
                }
                err.println("tollgate replay: HTTP " + response.statusCode() + ": " + detail);
                err.flush();
                return TollgateCommand.ExitCodes.ERROR;
            }
            for (String text = reader.readLine(); text != null; text = reader.readLine()) {
                if (text.isBlank()) {
                    continue;
                }
                if (json) {
                    out.println(text);
                }
                JsonNode l = Workbench.JSON.readTree(text);
                if (l.has("summary")) {
                    summary = l.get("summary");
                } else if (!json) {
                    out.println(describe(l));
                }
            }
        } catch (IOException | RuntimeException e) {
            err.println("tollgate replay: the stream broke off: " + e.getMessage());
            err.flush();
            return TollgateCommand.ExitCodes.ERROR;
        }
        if (summary == null) {
            err.println("tollgate replay: the stream ended without its summary (the replay was cut short)");
            err.flush();
            return TollgateCommand.ExitCodes.ERROR;
        }
        if (!json) {
            out.printf("%d decisions: %d replayed, %d allow→deny, %d deny→allow, %d other changes, %d unchanged, %d not replayable%s%n",
                    summary.path("decisions").asLong(), summary.path("replayed").asLong(), summary.path("allowToDeny").asLong(),
                    summary.path("denyToAllow").asLong(), summary.path("otherChanges").asLong(), summary.path("unchanged").asLong(),
                    summary.path("notReplayable").path("count").asLong(),
                    summary.path("complete").asBoolean() ? "" : " (stopped by " + summary.path("stoppedBy").asString() + ")");
            JsonNode newly = summary.path("newlyApplies");
            out.printf("  newly applies to %d (the old version did not apply): %d allow→deny, %d deny→allow, %d unchanged;"
                    + " %d read where it applies neither%n", newly.path("count").asLong(), newly.path("allowToDeny").asLong(),
                    newly.path("denyToAllow").asLong(), newly.path("unchanged").asLong(), summary.path("stillNotApplicable").asLong());
            if (summary.path("exceptionsApplied").asLong() > 0) {
                out.printf("  %d excepted by a governed exception%n", summary.path("exceptionsApplied").asLong());
            }
            if (summary.has("trust")) {
                JsonNode t = summary.get("trust");
                out.printf("  trust: the trust held now%s; %d evidence items no longer verify, %d now verify%n",
                        t.path("without").isEmpty() ? "" : " without " + String.join(", ",
                                t.path("without").valueStream().map(JsonNode::asString).toList()),
                        t.path("evidenceNoLongerVerifying").asLong(), t.path("evidenceNowVerifying").asLong());
            }
            summary.path("notReplayable").path("reasons").properties()
                    .forEach(e -> out.printf("  not replayable: %d %s%n", e.getValue().asLong(), e.getKey()));
        }
        out.flush();
        return summary.path("allowToDeny").asLong() > 0 ? TollgateCommand.ExitCodes.FAILED : TollgateCommand.ExitCodes.OK;
    }

    private static String describe(JsonNode l) {
        StringBuilder b = new StringBuilder();
        b.append(l.path("decisionId").asString()).append(' ').append(l.path("artifact").path("name").asString(
                l.path("artifact").path("digest").asString()));
        if (!l.path("replayable").asBoolean(true)) {
            return b.append(": not replayable: ").append(l.path("reason").asString()).toString();
        }
        b.append(": ").append(l.path("before").path("outcome").asString()).append(" → ").append(l.path("after").path("outcome")
                .asString());
        if (l.path("newlyApplies").asBoolean(false)) {
            b.append(" (newly applies)");
        }
        for (JsonNode e : l.path("after").path("exceptions")) {
            b.append("\n  excepted by exception ").append(e.path("id").asString());
            if (e.hasNonNull("ticket")) {
                b.append(" (").append(e.get("ticket").asString()).append(')');
            }
        }
        for (JsonNode item : l.path("evidence")) {
            b.append("\n  evidence [").append(item.path("index").asInt()).append("]: ")
                    .append(item.path("before").asBoolean() ? "verified" : "not verified").append(" → ")
                    .append(item.path("after").asBoolean() ? "verified" : "NOT verified");
            if (item.hasNonNull("code")) {
                b.append(" — ").append(item.get("code").asString()).append(' ').append(item.path("reason").asString(""));
            }
        }
        for (JsonNode rule : l.path("changedRules")) {
            b.append("\n  rule ").append(rule.path("rule").asString()).append(": ").append(rule.path("before").asString("-"))
                    .append(" → ").append(rule.path("after").asString("-"));
            if (rule.hasNonNull("reason")) {
                b.append(" — ").append(rule.path("reason").asString());
            }
        }
        return b.toString();
    }
}
