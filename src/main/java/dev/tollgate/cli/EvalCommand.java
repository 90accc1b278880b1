package dev.tollgate.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.tollgate.decision.OfflineDecisions;
import dev.tollgate.evidence.EvidenceSubmission;
import dev.tollgate.evidence.EvidenceVerifier;
import dev.tollgate.policy.ActivePolicy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code tollgate eval}: one decision offline — the bundles verified against local trust, the
 * policies evaluated — printed with its full trace and the policy input; nothing is recorded.
 * Exit 0 allowed, 1 denied.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Make one decision offline, with the full trace (nothing is recorded).")
class EvalCommand implements Callable<Integer> {

    @Option(names = "--policy", required = true, paramLabel = "FILE", description = "policy source file (repeatable: all are named)")
    List<Path> policies;

    @Option(names = "--digest", required = true, description = "the artifact's digest, sha256:<64 hex>")
    String digest;

    @Option(names = "--name", description = "the artifact's name (artifact.name)")
    String name;

    @Option(names = "--tag", description = "the artifact's tag (artifact.tag)")
    String tag;

    @Option(names = "--evidence", paramLabel = "BUNDLE", description = "a Sigstore bundle file, or JSON Lines of bundles (repeatable)")
    List<Path> evidence = new ArrayList<>();

    @Option(names = "--context", paramLabel = "KEY=VALUE", description = "a context entry (repeatable)")
    List<String> context = new ArrayList<>();

    @Option(names = "--trust", paramLabel = "DIR", description = "trust material: *.json trusted roots and *.pem public keys, named by file")
    Path trust;

    @Option(names = "--no-public-good", description = "leave out the shipped Sigstore public-good root")
    boolean noPublicGood;

    @Option(names = "--as-of", paramLabel = "TIME", description = "the decision time (RFC 3339), default now")
    String asOf;

    @Option(names = "--exceptions", paramLabel = "FILE", description = "governed exceptions as GET /v1/exceptions answers them"
            + " (JSON: {\"items\": […]}, an array, or one); those in force at the decision time waive what they cover")
    Path exceptions;

    @Option(names = "--format", defaultValue = "text", description = "text (default) or json (the answer and the input)")
    Format format;

    enum Format { text, json }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine line = spec.commandLine();
        Instant now = Options.time(line, "--as-of", asOf);
        var artifact = Options.artifact(line, digest, name, tag);
        var ctx = Options.context(line, context);
        List<ActivePolicy> compiled = policies.stream().map(Workbench::policy).toList();
        EvidenceVerifier verifier = Workbench.verifier(now);
        List<EvidenceSubmission> submissions = new ArrayList<>();
        for (Path bundle : evidence) {
            submissions.addAll(Workbench.evidence(verifier, bundle, null, submissions.size()));
        }
        OfflineDecisions.Offline result = new OfflineDecisions(verifier, Workbench.trust(trust, !noPublicGood))
                .decide(artifact, ctx, submissions, compiled.stream().map(ActivePolicy::name).toList(), compiled, true, now,
                        exceptions == null ? List.of() : Workbench.exceptions(exceptions));
        PrintWriter out = line.getOut();
        if (format == Format.json) {
            ObjectNode both = Workbench.JSON.createObjectNode();
            both.set("answer", result.json(Workbench.JSON));
            both.set("input", OfflineDecisions.inputJson(result.input()));
            out.println(Workbench.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(both));
        } else {
            Reports.decision(out, result.json(Workbench.JSON), true);
            out.println("input:");
            out.println(Workbench.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(OfflineDecisions.inputJson(result.input())));
        }
        out.flush();
        return result.verdict().allowed() ? TollgateCommand.ExitCodes.OK : TollgateCommand.ExitCodes.FAILED;
    }
}
