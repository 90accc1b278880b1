package dev.tollgate.cli;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.tollgate.decision.ArtifactRef;
import picocli.CommandLine;
import dev.tollgate.digest.Digest;

/** Option values shared by the commands: the artifact, context pairs, times. */
final class Options {

    private Options() {
    }

    static ArtifactRef artifact(CommandLine line, String digest, String name, String tag) {
        if (!Digest.isWritten(digest)) {
            throw new CommandLine.ParameterException(line, "--digest must be sha256: followed by 64 lowercase hex digits");
        }
        try {
            return new ArtifactRef(digest, name, tag);
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(line, e.getMessage());
        }
    }

    static Map<String, String> context(CommandLine line, List<String> pairs) {
        Map<String, String> context = new LinkedHashMap<>();
        if (pairs == null) {
            return context;
        }
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq < 1) {
                throw new CommandLine.ParameterException(line, "--context takes key=value, not '" + pair + "'");
            }
            context.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return context;
    }

    /** An RFC 3339 time with an offset ({@code 2027-01-01T00:00:00Z}), or now. */
    static Instant time(CommandLine line, String option, String value) {
        if (value == null) {
            return Instant.now();
        }
        try {
            return java.time.OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new CommandLine.ParameterException(line, option + " must be an RFC 3339 time with an offset, such as"
                    + " 2027-01-01T00:00:00Z, not '" + value + "'");
        }
    }
}
