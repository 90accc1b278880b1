package dev.tollgate.policy.eval;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The state of one evaluation: root and variable slots, memoised lets, evidence that satisfied a
 * rule, and the steps taken against the evaluation's {@link Budget}.
 */
public final class Env {

    private static final Object NOT_YET = new Object();

    final Object[] slots;
    private final Object[] lets;
    private final Node[] letNodes;
    private final BitSet satisfied = new BitSet();

    private final long maxSteps;
    private final long timeoutNanos;
    private final long startNanos;
    private long steps;
    private long checkAt;

    Env(Input input, int slotCount, Node[] letNodes, Budget.Limits limits) {
        this.slots = new Object[Math.max(slotCount, Input.ROOTS.size())];
        for (int i = 0; i < Input.ROOTS.size(); i++) {
            slots[i] = input.root(i);
        }
        this.letNodes = letNodes;
        this.lets = new Object[letNodes.length];
        java.util.Arrays.fill(lets, NOT_YET);
        this.maxSteps = limits.maxSteps();
        this.timeoutNanos = limits.timeout() == null ? 0 : limits.timeout().toNanos();
        this.startNanos = timeoutNanos == 0 ? 0 : System.nanoTime();
        this.checkAt = Math.min(maxSteps, Budget.CLOCK_INTERVAL);
    }

    /** A let's value, evaluated at most once per evaluation. */
    Object let(int index) {
        Object value = lets[index];
        if (value == NOT_YET) {
            Node node = letNodes[index];
            charge(node.weight());
            value = node.eval(this);
            lets[index] = value;
        }
        return value;
    }

    /** Takes {@code n} steps; throws {@link Budget.Exceeded} past the budget or the time limit. */
    void charge(long n) {
        steps += n;
        if (steps > checkAt) {
            checkpoint();
        }
    }

    private void checkpoint() {
        if (steps > maxSteps) {
            throw new Budget.Exceeded("evaluation budget exceeded: more than " + maxSteps + " steps");
        }
        if (timeoutNanos != 0 && System.nanoTime() - startNanos > timeoutNanos) {
            throw new Budget.Exceeded("evaluation time limit exceeded: more than " + timeoutNanos / 1_000_000 + " ms");
        }
        checkAt = Math.min(maxSteps, steps + Budget.CLOCK_INTERVAL);
    }

    /** Steps taken so far. */
    long steps() {
        return steps;
    }

    void satisfiedBy(int evidenceIndex) {
        satisfied.set(evidenceIndex);
    }

    List<Integer> takeSatisfied() {
        List<Integer> indices = new ArrayList<>(satisfied.cardinality());
        satisfied.stream().forEach(indices::add);
        satisfied.clear();
        return indices;
    }
}
