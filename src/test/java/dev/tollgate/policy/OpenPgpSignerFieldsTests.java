package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.policy.compile.CompileResult;
import org.junit.jupiter.api.Test;

/**
 * The checker knows an OpenPGP signer's fields ({@code s.fingerprint} a string, {@code s.userIds}
 * a list of strings): policies on them compile and evaluate, a misspelt one or a wrong type is an
 * upload error; the playground takes them.
 */
class OpenPgpSignerFieldsTests {

    static final String POLICY = """
            policy "checksums" {
              rule release-key {
                require any s in signatures: s.kind == "openpgp" and s.fingerprint == "0A58BF27C5E0F23741D88218B74F2383D9A5C826"
                  and (any u in s.userIds: u matches ".*<release@tollgate[.]test>")
              }
            }
            """;

    @Test
    void openPgpSignerFieldsAreTypedAndEvaluated() {
        var program = PolicyTestSupport.compile(POLICY);
        String digest = "sha512:" + "ab".repeat(64);
        var input = PolicyTestSupport.input(PolicyTestSupport.JSON.readTree("{\"artifact\": {\"digest\": \"" + digest + "\"},"
                + " \"signatures\": [{\"kind\": \"openpgp\", \"key\": \"release-gpg\", \"trustRoot\": \"release-gpg\","
                + " \"fingerprint\": \"0A58BF27C5E0F23741D88218B74F2383D9A5C826\","
                + " \"userIds\": [\"Tollgate Test Release <release@tollgate.test>\"], \"transparencyLog\": false}]}"));
        assertThat(program.evaluate(input).outcome().id()).isEqualTo("allow");
        var other = PolicyTestSupport.input(PolicyTestSupport.JSON.readTree("{\"artifact\": {\"digest\": \"" + digest + "\"},"
                + " \"signatures\": [{\"kind\": \"openpgp\", \"fingerprint\": \"0A58BF27C5E0F23741D88218B74F2383D9A5C826\","
                + " \"userIds\": [\"Mallory <m@example.org>\"]}]}"));
        assertThat(program.evaluate(other).outcome().id()).isEqualTo("deny");
        assertThatThrownBy(() -> PolicyTestSupport.input(PolicyTestSupport.JSON.readTree(
                "{\"artifact\": {\"digest\": \"" + digest + "\"}, \"signatures\": [{\"userIds\": \"not a list\"}]}")))
                .isInstanceOf(PolicyInputs.InvalidInput.class);
    }

    @Test
    void misspeltOrMistypedFieldsAreUploadErrors() {
        for (String wrong : new String[] {"s.fingerprnt == \"x\"", "s.fingerprint > 3", "s.userIds > 3",
                "any u in s.userIdz: u == \"x\""}) {
            CompileResult result = PolicyTestSupport.COMPILER.compile(
                    "policy \"p\" {\n  rule r {\n    require any s in signatures: " + wrong + "\n  }\n}\n");
            assertThat(result.ok()).as(wrong).isFalse();
        }
    }
}
