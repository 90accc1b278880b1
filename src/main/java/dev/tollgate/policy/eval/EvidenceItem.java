package dev.tollgate.policy.eval;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;

/**
 * A verified signature or attestation as the policy sees it (a map of its facts), remembering
 * its index in the decision's evidence list so that a rule can say which items satisfied it.
 */
public final class EvidenceItem extends AbstractMap<String, Object> {

    private final Map<String, Object> facts;
    private final int index;

    public EvidenceItem(Map<String, Object> facts, int index) {
        this.facts = Map.copyOf(facts);
        this.index = index;
    }

    public int index() {
        return index;
    }

    @Override
    public Object get(Object key) {
        return facts.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return facts.containsKey(key);
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return facts.entrySet();
    }
}
