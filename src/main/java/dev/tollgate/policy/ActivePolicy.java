package dev.tollgate.policy;

import dev.tollgate.policy.eval.Mode;
import dev.tollgate.policy.eval.Program;

/** An active policy version with its compiled program, as decisions use it. */
public record ActivePolicy(String name, int version, String sha256, Program program) {

    public Mode mode() {
        return program.mode();
    }
}
