package dev.tollgate.decision;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

import dev.tollgate.audit.DecisionExports;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1/policies/{name}:replay}: the request is checked (400 before anything streams),
 * then the replay streams as NDJSON on the export pool — one line per decision, then the summary
 * — and stops when the client goes away (the next write fails).
 */
@RestController
class ReplayController {

    private final Replays replays;
    private final DecisionExports streams;
    private final ObjectMapper json;

    ReplayController(Replays replays, DecisionExports streams, ObjectMapper json) {
        this.replays = replays;
        this.streams = streams;
        this.json = json;
    }

    @PostMapping("/v1/policies/{name}:replay")
    void replay(@PathVariable String name, @RequestBody JsonNode body, HttpServletRequest request, HttpServletResponse response) {
        Replays.Plan plan = replays.plan(name, body);
        streams.start(request, response, "application/x-ndjson", null, out -> {
            long[] flushed = {System.nanoTime()};
            ObjectNode summary = replays.run(plan, line -> {
                write(out, line);
                if (System.nanoTime() - flushed[0] > FLUSH_NANOS) {
                    flush(out);
                    flushed[0] = System.nanoTime();
                }
            }, () -> false);
            write(out, summary);
        });
    }

    /** Lines are sent at least this often (each flush is also where a client that went away is noticed). */
    private static final long FLUSH_NANOS = 50_000_000L;

    private static void flush(OutputStream out) {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(OutputStream out, ObjectNode line) {
        try {
            byte[] text = json.writeValueAsBytes(line);
            byte[] withNewline = java.util.Arrays.copyOf(text, text.length + 1);
            withNewline[text.length] = '\n';
            out.write(withNewline);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
