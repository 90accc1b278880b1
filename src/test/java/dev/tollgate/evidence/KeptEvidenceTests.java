package dev.tollgate.evidence;

import static dev.tollgate.support.DecisionFixtures.A_TXT;
import static dev.tollgate.support.DecisionFixtures.CONFORMANCE;
import static dev.tollgate.support.DecisionFixtures.DSSE_BUNDLE;
import static dev.tollgate.support.DecisionFixtures.MESSAGE_BUNDLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;

import dev.tollgate.support.DecisionFixtures;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kept evidence read again ({@link EvidenceVerifier#readKept}) from the text and bytes that were
 * stored: the same submission as the first reading — the same text, hence the same bundle hash, the
 * same payload bytes — without serialising the bundle again or passing the payload through base64.
 */
class KeptEvidenceTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final EvidenceVerifier verifier = EvidenceTestSupport.verifier(0);

    @Test
    void aMessageSignatureBundleWithItsPayloadReadsAgainAsItWasFirstRead() {
        byte[] payload = DecisionFixtures.read(CONFORMANCE + "a.txt");
        ObjectNode item = JSON.createObjectNode();
        item.set("bundle", JSON.readTree(MESSAGE_BUNDLE));
        item.put("payload", Base64.getEncoder().encodeToString(payload));
        sameAsFirstReading(item, A_TXT);
    }

    @Test
    void aDsseBundleAndABareEnvelopeReadAgainAsTheyWereFirstRead() {
        ObjectNode bundle = JSON.createObjectNode();
        bundle.set("bundle", JSON.readTree(DSSE_BUNDLE));
        sameAsFirstReading(bundle, A_TXT);
        ObjectNode envelope = JSON.createObjectNode();
        envelope.set("dsse", JSON.readTree(DSSE_BUNDLE).get("dsseEnvelope"));
        sameAsFirstReading(envelope, A_TXT);
    }

    @Test
    void keptTextThatIsNoLongerEvidenceIsMalformedNotAnError() {
        assertThatThrownBy(() -> verifier.readKept(3, "{not json", null)).isInstanceOf(MalformedEvidence.class);
        assertThatThrownBy(() -> verifier.readKept(3, "[]", null)).isInstanceOf(MalformedEvidence.class);
        // a payload kept beside a DSSE bundle is refused, as in a request
        assertThatThrownBy(() -> verifier.readKept(3, DSSE_BUNDLE, new byte[] {1})).isInstanceOf(MalformedEvidence.class);
    }

    private void sameAsFirstReading(JsonNode item, String digest) {
        EvidenceSubmission first = verifier.read(0, item);
        EvidenceSubmission again = verifier.readKept(0, first.bundleJson(), first.payload());
        assertThat(again.bundleJson()).isSameAs(first.bundleJson()).isEqualTo(first.bundleJson());
        assertThat(again.bundleSha256()).isEqualTo(first.bundleSha256());
        assertThat(again.payload()).isEqualTo(first.payload());
        EvidenceResult before = verifier.verify(first, digest, EvidenceTestSupport.trust());
        EvidenceResult after = verifier.verify(again, digest, EvidenceTestSupport.trust());
        assertThat(after.failure() == null ? null : after.failure().code())
                .isEqualTo(before.failure() == null ? null : before.failure().code());
    }
}
