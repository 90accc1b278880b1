package dev.tollgate.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.tollgate.decision.OfflineDecisions;
import dev.tollgate.evidence.EvidenceSubmission;
import dev.tollgate.evidence.EvidenceVerifier;
import dev.tollgate.evidence.MalformedEvidence;
import dev.tollgate.policy.ActivePolicy;
import dev.tollgate.policy.compile.CompileResult;
import dev.tollgate.policy.compile.PolicyCompiler;
import dev.tollgate.trust.TrustKind;
import dev.tollgate.trust.TrustMaterial;
import dev.tollgate.trust.TrustMaterialCheck;
import dev.tollgate.trust.TrustStore;
import dev.tollgate.web.StrictJsonConfiguration;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import dev.tollgate.digest.Digest;

/**
 * The server's parts as plain objects, for the command line: the strict JSON mapper, the policy
 * compiler with the server's limits, trust material from files (checked as the trust store checks
 * it), evidence from bundle files, and offline decisions. Nothing here starts Spring.
 */
final class Workbench {

    static final JsonMapper JSON = StrictJsonConfiguration.standalone();
    static final PolicyCompiler COMPILER = new PolicyCompiler(PolicyCompiler.Limits.DEFAULT.withoutTimeouts());
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Something the command cannot work with (a missing file, invalid trust material, a policy that does not compile). */
    static final class Problem extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Problem(String message) {
            super(message);
        }
    }

    private Workbench() {
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Problem("cannot read " + file + ": " + e.getMessage());
        }
    }

    /**
     * Governed exceptions from a file, as {@code GET /v1/exceptions} answers them ({@code {"items": […]}}),
     * as an array of them, or one ({@code GET /v1/exceptions/{id}}); only approved, unrevoked ones can apply.
     */
    static List<dev.tollgate.exceptions.PolicyException> exceptions(Path file) {
        tools.jackson.databind.JsonNode read;
        try {
            read = JSON.readTree(read(file));
        } catch (RuntimeException e) {
            throw new Problem(file + " is not JSON: " + e.getMessage());
        }
        tools.jackson.databind.JsonNode items = read.isArray() ? read : read.has("items") ? read.get("items") : null;
        List<dev.tollgate.exceptions.PolicyException> out = new java.util.ArrayList<>();
        for (tools.jackson.databind.JsonNode item : items != null ? items : List.of(read)) {
            if (item.isObject() && item.has("history")) { // GET /v1/exceptions/{id} adds the exception's history
                item = ((ObjectNode) item).deepCopy();
                ((ObjectNode) item).remove("history");
            }
            try {
                dev.tollgate.exceptions.PolicyException e = JSON.treeToValue(item, dev.tollgate.exceptions.PolicyException.class);
                if (e.id() == null || e.scope() == null || e.scope().policy() == null || e.expiresAt() == null) {
                    throw new IllegalArgumentException("an exception has id, scope.policy and expiresAt");
                }
                out.add(e);
            } catch (RuntimeException e) {
                throw new Problem(file + ": not an exception as GET /v1/exceptions answers it: " + e.getMessage());
            }
        }
        return out;
    }

    /** A policy file compiled, as if it were the active version; a policy that does not compile is a problem. */
    static ActivePolicy policy(Path file) {
        String source = read(file);
        CompileResult result = COMPILER.compile(source);
        if (!result.ok()) {
            StringBuilder text = new StringBuilder(file + " does not compile:");
            result.diagnostics().forEach(d -> text.append("\n  ").append(file).append(':').append(d.line()).append(':')
                    .append(d.column()).append(": error ").append(d.code()).append(' ').append(d.message()));
            throw new Problem(text.toString());
        }
        return new ActivePolicy(result.program().name(), 0, Digest.sha256(source).hex(),
                result.program());
    }

    /**
     * The trust material: the shipped public-good root (unless left out) and every {@code *.json}
     * (trusted root) and {@code *.pem} (public key) file of {@code dir}, named by the file's name
     * without its extension — the convention of the server's {@code tollgate.trust.dir}.
     */
    static TrustStore.Snapshot trust(Path dir, boolean publicGood) {
        List<TrustMaterial> materials = new ArrayList<>();
        TrustMaterialCheck check = EvidenceVerifier.trustCheck(JSON, Clock.systemUTC());
        if (publicGood) {
            try (InputStream in = Workbench.class.getResourceAsStream("/trust/public-good.json")) {
                if (in == null) {
                    throw new Problem("the shipped public-good root is missing from the jar");
                }
                materials.add(material("public-good", TrustKind.ROOT, in.readAllBytes()));
            } catch (IOException e) {
                throw new Problem("cannot read the shipped public-good root: " + e.getMessage());
            }
        }
        if (dir != null) {
            if (!Files.isDirectory(dir)) {
                throw new Problem("trust directory " + dir + " is not a directory");
            }
            List<Path> files;
            try (Stream<Path> list = Files.list(dir)) {
                files = list.filter(Files::isRegularFile).sorted().toList();
            } catch (IOException e) {
                throw new Problem("cannot list " + dir + ": " + e.getMessage());
            }
            for (Path file : files) {
                String fileName = file.getFileName().toString();
                TrustKind kind = fileName.endsWith(".json") ? TrustKind.ROOT : fileName.endsWith(".pem") ? TrustKind.KEY : null;
                if (kind == null) {
                    continue;
                }
                String name = fileName.substring(0, fileName.lastIndexOf('.'));
                byte[] content;
                try {
                    content = Files.readAllBytes(file);
                } catch (IOException e) {
                    throw new Problem("cannot read " + file + ": " + e.getMessage());
                }
                try {
                    check.check(kind, content);
                } catch (TrustMaterialCheck.InvalidTrustMaterial e) {
                    throw new Problem("invalid " + (kind == TrustKind.ROOT ? "trusted root " : "public key ") + file + ": "
                            + e.getMessage());
                }
                materials.removeIf(m -> m.name().equals(name));
                materials.add(material(name, kind, content));
            }
        }
        return TrustStore.Snapshot.of(materials);
    }

    private static TrustMaterial material(String name, TrustKind kind, byte[] content) {
        return new TrustMaterial(name, kind, content, Digest.sha256(content).hex(), Instant.EPOCH, Instant.EPOCH, "cli");
    }

    /**
     * Evidence from a bundle file: a Sigstore bundle (JSON), or JSON Lines with one bundle per
     * line; {@code payload} (optional) the file a message-signature bundle signed.
     */
    static List<EvidenceSubmission> evidence(EvidenceVerifier verifier, Path bundleFile, Path payload, int firstIndex) {
        String text = read(bundleFile).strip();
        List<String> documents = bundleFile.getFileName().toString().endsWith(".jsonl")
                ? text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList() : List.of(text);
        List<EvidenceSubmission> submissions = new ArrayList<>();
        for (String document : documents) {
            ObjectNode item = NODES.objectNode();
            try {
                item.set("bundle", JSON.readTree(document));
            } catch (RuntimeException e) {
                throw new Problem(bundleFile + " is not JSON: " + e.getMessage());
            }
            if (payload != null) {
                try {
                    item.put("payload", java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(payload)));
                } catch (IOException e) {
                    throw new Problem("cannot read " + payload + ": " + e.getMessage());
                }
            }
            try {
                submissions.add(verifier.read(firstIndex + submissions.size(), item));
            } catch (MalformedEvidence e) {
                throw new Problem(bundleFile + " is not a readable bundle (" + e.code() + "): " + e.getMessage());
            }
        }
        return submissions;
    }

    static OfflineDecisions decisions(TrustStore.Snapshot trust, Instant now) {
        return new OfflineDecisions(EvidenceVerifier.standalone(JSON, Clock.fixed(now, ZoneOffset.UTC)), trust);
    }

    static EvidenceVerifier verifier(Instant now) {
        return EvidenceVerifier.standalone(JSON, Clock.fixed(now, ZoneOffset.UTC));
    }
}
