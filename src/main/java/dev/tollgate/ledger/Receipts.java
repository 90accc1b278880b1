package dev.tollgate.ledger;

import dev.tollgate.audit.DecisionRecord;
import dev.tollgate.audit.RecordText;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A decision's receipt: {@code {sequence, leafHash, origin}}, from the record as it was committed
 * (the leaf hash is computed from the record's canonical text, exactly as the ledger will compute
 * it from the stored row). With it, and the proof from {@code GET /v1/decisions/{id}/proof}, anyone
 * holding a published checkpoint can check that the decision is in the log.
 */
@Component
public class Receipts {

    private final CheckpointProperties properties;

    Receipts(CheckpointProperties properties) {
        this.properties = properties;
    }

    public ObjectNode receipt(DecisionRecord record, DecisionRecord.Written written) {
        ObjectNode receipt = JsonNodeFactory.instance.objectNode();
        receipt.put("sequence", written.sequence());
        receipt.put("leafIndex", written.sequence() - 1);
        receipt.put("leafHash", Ledger.hex(Merkle.leafHash(RecordText.of(record, written.sequence(), written.previousHash()))));
        receipt.put("origin", properties.origin());
        return receipt;
    }
}
