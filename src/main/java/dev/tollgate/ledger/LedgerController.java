package dev.tollgate.ledger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import dev.tollgate.audit.DecisionExports;
import dev.tollgate.audit.DecisionIds;
import dev.tollgate.security.Requester;
import dev.tollgate.security.Role;
import dev.tollgate.web.ApiException;
import dev.tollgate.web.QueryParameters;
import dev.tollgate.web.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.ObjectMapper;

/** The ledger's endpoints: public keys (open), checkpoints, inclusion and consistency proofs, verification of the log. */
@RestController
class LedgerController {

    private static final MediaType NOTE = new MediaType("text", "plain", java.nio.charset.StandardCharsets.UTF_8);

    private final Ledger ledger;
    private final SigningKeys keys;
    private final AuditVerification verification;
    private final DecisionExports streams;
    private final ObjectMapper json;

    LedgerController(Ledger ledger, SigningKeys keys, AuditVerification verification, DecisionExports streams, ObjectMapper json) {
        this.ledger = ledger;
        this.keys = keys;
        this.verification = verification;
        this.streams = streams;
        this.json = json;
    }

    /**
     * The chain recomputed and the tree rebuilt against the signed checkpoints: from where the last
     * valid run ended (incremental, the default) or, with {@code full=true}, from sequence 1.
     */
    @GetMapping("/v1/audit/verify")
    Map<String, Object> verify(@RequestParam MultiValueMap<String, String> query, Requester requester, HttpServletRequest request,
            HttpServletResponse response) {
        boolean streaming = negotiate(request);
        if (!streaming) {
            Map<String, String> q = only(query, Set.of("full"));
            return verification.verify(full(q), requester.name()).answer();
        }
        // the same run with its progress streamed: a line {"progress":{"records":n,"sequence":s}} every
        // progressEvery records re-hashed (default 100,000), then the answer as the last line; on the
        // export pool, with its bounds
        Map<String, String> q = only(query, Set.of("full", "progressEvery"));
        boolean full = full(q);
        long every = q.containsKey("progressEvery") ? number(q.get("progressEvery"), "progressEvery") : 100_000;
        if (every < 1 || every > MAX_PROGRESS_EVERY) {
            throw ApiException.badRequest("progressEvery is between 1 and " + MAX_PROGRESS_EVERY + " records");
        }
        String name = requester.name();
        streams.start(request, response, NDJSON, null, out -> {
            AuditVerification.Result result = verification.verify(full, name, new AuditVerification.Progress() {
                private long last = System.nanoTime();

                @Override
                public long every() {
                    return every;
                }

                @Override
                public void reached(long records, long sequence) {
                    // a line at least every few seconds as well: each write is where a client that went
                    // away, or a stream past the export's longest duration, ends the run
                    if (records % every == 0 || System.nanoTime() - last > KEEP_ALIVE_NANOS) {
                        line(out, Map.of("progress", Map.of("records", records, "sequence", sequence)), true);
                        last = System.nanoTime();
                    }
                }
            });
            line(out, result.answer(), false);
        });
        return null;
    }

    private static final long MAX_PROGRESS_EVERY = 10_000_000L;
    private static final long KEEP_ALIVE_NANOS = 5_000_000_000L;

    /**
     * Whether the client asked for NDJSON (progress lines, then the answer) rather than one JSON
     * answer; decided before any work, so that an Accept header this endpoint cannot satisfy (or one
     * that does not parse) is a 406 problem, not a verification run for nothing.
     */
    private static boolean negotiate(HttpServletRequest request) {
        List<MediaType> accepted = new ArrayList<>();
        try {
            for (var accepts = request.getHeaders("Accept"); accepts.hasMoreElements();) {
                accepted.addAll(MediaType.parseMediaTypes(accepts.nextElement()));
            }
        } catch (org.springframework.http.InvalidMediaTypeException e) {
            throw new ApiException(ProblemType.NOT_ACCEPTABLE, "the Accept header is not a list of media types");
        }
        if (accepted.isEmpty()) {
            return false;
        }
        boolean ndjson = false;
        boolean json = false;
        for (MediaType type : accepted) {
            if (type.getQualityValue() <= 0) {
                continue;
            }
            ndjson |= type.getType().equalsIgnoreCase("application") && type.getSubtype().equalsIgnoreCase("x-ndjson");
            json |= type.includes(MediaType.APPLICATION_JSON);
        }
        if (!ndjson && !json) {
            throw new ApiException(ProblemType.NOT_ACCEPTABLE, "/v1/audit/verify answers application/json, or "
                    + NDJSON + " for its progress");
        }
        return ndjson;
    }

    private static final String NDJSON = "application/x-ndjson";

    private void line(java.io.OutputStream out, Object value, boolean flush) {
        try {
            out.write(json.writeValueAsBytes(value));
            out.write('\n');
            if (flush) {
                out.flush();
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean full(Map<String, String> q) {
        if (!q.containsKey("full")) {
            return false;
        }
        String f = q.get("full");
        if (!f.equals("true") && !f.equals("false")) {
            throw ApiException.badRequest("full is true or false");
        }
        return f.equals("true");
    }

    /** Every public key, with its id, purpose and whether it signs now; readable without a token. */
    @GetMapping("/v1/audit/keys")
    Map<String, Object> keys(@RequestParam MultiValueMap<String, String> query) {
        only(query, Set.of());
        return Keys.document(keys);
    }

    /** The newest signed checkpoint, or ({@code ?size=N}) the one made at tree size N, as a C2SP signed note. */
    @GetMapping("/v1/audit/checkpoints/latest")
    ResponseEntity<String> checkpoint(@RequestParam MultiValueMap<String, String> query) {
        Map<String, String> q = only(query, Set.of("size"));
        Optional<Checkpoint> checkpoint;
        if (q.containsKey("size")) {
            long size = number(q.get("size"), "size");
            checkpoint = ledger.checkpointAt(size);
            if (checkpoint.isEmpty()) {
                throw ApiException.notFound("no checkpoint was made at tree size " + size);
            }
        } else {
            checkpoint = ledger.latestCheckpoint();
            if (checkpoint.isEmpty()) {
                throw ApiException.notFound("no checkpoint has been made yet");
            }
        }
        return ResponseEntity.ok().contentType(NOTE).body(checkpoint.get().note());
    }

    /**
     * The inclusion proof of a decision's record in the newest checkpoint: for an auditor, or for the
     * token that asked for the decision (anyone else: 404, as for an unknown decision).
     */
    @GetMapping("/v1/decisions/{decisionId}/proof")
    Map<String, Object> proof(@PathVariable String decisionId, @RequestParam MultiValueMap<String, String> query,
            Requester requester) throws InterruptedException {
        Map<String, String> q = only(query, Set.of("wait"));
        boolean wait = false;
        if (q.containsKey("wait")) {
            String w = q.get("wait");
            if (!w.equals("true") && !w.equals("false")) {
                throw ApiException.badRequest("wait is true or false");
            }
            wait = w.equals("true");
        }
        UUID id = DecisionIds.parse(decisionId);
        Ledger.Entry entry = ledger.entry(id).filter(e -> mayRead(requester, e))
                .orElseThrow(() -> ApiException.notFound("no decision " + decisionId));
        long index = entry.sequence() - 1;
        Optional<Checkpoint> checkpoint = wait
                ? ledger.awaitCovering(index + 1, ledger.properties().proofWait().toNanos())
                : ledger.latestCovering(index + 1);
        if (checkpoint.isEmpty()) {
            ApiException pending = new ApiException(ProblemType.CONFLICT,
                    "the decision is recorded but no checkpoint covers it yet; retry, or ask with ?wait=true");
            pending.getHeaders().set("Retry-After", "1");
            throw pending;
        }
        return ledger.inclusion(decisionId, entry, checkpoint.get());
    }

    private static boolean mayRead(Requester requester, Ledger.Entry entry) {
        return requester.roles().contains(Role.AUDITOR) || requester.roles().contains(Role.ADMIN)
                || requester.name().equals(entry.requester());
    }

    /** The RFC 9162 consistency proof from tree size {@code from} to the checkpoint at {@code to} (default: the newest). */
    @GetMapping("/v1/audit/consistency")
    Map<String, Object> consistency(@RequestParam MultiValueMap<String, String> query) {
        Map<String, String> q = only(query, Set.of("from", "to"));
        if (!q.containsKey("from")) {
            throw ApiException.badRequest("from (the tree size of the older checkpoint) is required");
        }
        long from = number(q.get("from"), "from");
        Checkpoint to;
        if (q.containsKey("to")) {
            long size = number(q.get("to"), "to");
            to = ledger.checkpointAt(size).orElseThrow(() -> ApiException.notFound("no checkpoint was made at tree size " + size));
        } else {
            to = ledger.latestCheckpoint().orElseThrow(() -> ApiException.notFound("no checkpoint has been made yet"));
        }
        if (from < 1 || from > to.size()) {
            throw ApiException.badRequest("from must be between 1 and the tree size of the newer checkpoint (" + to.size() + ")");
        }
        List<byte[]> proof = ledger.hashes(Merkle.consistency(from, to.size()));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("from", from);
        answer.put("to", to.size());
        answer.put("proof", proof.stream().map(Ledger::hex).toList());
        answer.put("checkpoint", to.note());
        return answer;
    }

    private static Map<String, String> only(MultiValueMap<String, String> query, Set<String> allowed) {
        return QueryParameters.single(query, allowed);
    }

    private static long number(String text, String what) {
        if (!Checkpoint.decimal(text) || text.length() > 18) {
            throw ApiException.badRequest(what + " is a tree size: a whole number");
        }
        return Long.parseLong(text);
    }
}
