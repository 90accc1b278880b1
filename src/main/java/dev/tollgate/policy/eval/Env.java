package dev.tollgate.policy.eval;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/** The state of one evaluation: root and variable slots, memoised lets, evidence that satisfied a rule. */
public final class Env {

    private static final Object NOT_YET = new Object();

    final Object[] slots;
    private final Object[] lets;
    private final Node[] letNodes;
    private final BitSet satisfied = new BitSet();

    Env(Input input, int slotCount, Node[] letNodes) {
        this.slots = new Object[Math.max(slotCount, Input.ROOTS.size())];
        for (int i = 0; i < Input.ROOTS.size(); i++) {
            slots[i] = input.root(i);
        }
        this.letNodes = letNodes;
        this.lets = new Object[letNodes.length];
        java.util.Arrays.fill(lets, NOT_YET);
    }

    /** A let's value, evaluated at most once per evaluation. */
    Object let(int index) {
        Object value = lets[index];
        if (value == NOT_YET) {
            value = letNodes[index].eval(this);
            lets[index] = value;
        }
        return value;
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
