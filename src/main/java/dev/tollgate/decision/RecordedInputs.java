package dev.tollgate.decision;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import dev.tollgate.policy.PolicyInputs;
import dev.tollgate.policy.eval.EvidenceItem;
import dev.tollgate.policy.eval.Input;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A decision's policy input as the audit log keeps it (table {@code decision_input}): the roots as
 * {@link OfflineDecisions#inputJson} writes them, plus {@code evidenceIndexes} — the index of each
 * signature and attestation in the decision's evidence list — so that the input read back is the
 * one the rules saw, down to the indices an {@code any} names.
 */
final class RecordedInputs {

    static final String INDEXES = "evidenceIndexes";

    private RecordedInputs() {
    }

    static ObjectNode json(Input input) {
        ObjectNode n = OfflineDecisions.inputJson(input);
        ObjectNode indexes = n.putObject(INDEXES);
        ArrayNode signatures = indexes.putArray("signatures");
        input.signatures().forEach(s -> signatures.add(((EvidenceItem) s).index()));
        ArrayNode attestations = indexes.putArray("attestations");
        input.attestations().forEach(a -> attestations.add(((EvidenceItem) a).index()));
        return n;
    }

    /**
     * The kept input, read by the shapes of §4 (as the playground's is); {@code asOf}, when given,
     * replaces its {@code now}.
     *
     * @throws RuntimeException ({@code PolicyInputs.InvalidInput}) if it does not have those shapes
     */
    static Input read(JsonNode kept, Instant asOf) {
        if (kept == null || !kept.isObject()) {
            throw new IllegalArgumentException("the kept input is not an object");
        }
        ObjectNode roots = tools.jackson.databind.node.JsonNodeFactory.instance.objectNode(); // shallow: the roots but the indexes
        for (var member : kept.properties()) {
            if (!member.getKey().equals(INDEXES)) {
                roots.set(member.getKey(), member.getValue());
            }
        }
        JsonNode indexes = kept.get(INDEXES);
        Input read = PolicyInputs.playground(roots, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
        List<Object> signatures = reindexed(read.signatures(), indexes == null ? null : indexes.get("signatures"));
        List<Object> attestations = reindexed(read.attestations(), indexes == null ? null : indexes.get("attestations"));
        return new Input(read.artifact(), read.context(), signatures, attestations, asOf != null ? asOf : read.now());
    }

    private static List<Object> reindexed(List<Object> items, JsonNode indexes) {
        if (indexes == null || !indexes.isArray() || indexes.size() != items.size()) {
            return items;
        }
        List<Object> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            out.add(new EvidenceItem((EvidenceItem) items.get(i), indexes.get(i).asInt()));
        }
        return out;
    }
}
