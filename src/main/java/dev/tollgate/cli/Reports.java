package dev.tollgate.cli;

import java.io.PrintWriter;

import tools.jackson.databind.JsonNode;

/** A decision answer (the server's JSON shape) as text: the verdict, each policy and rule, each evidence item. */
final class Reports {

    private Reports() {
    }

    /**
     * @param all every rule and the verification trace, or (false) only what refused: the failing
     *            rules of enforcing policies and the evidence that did not verify
     */
    static void decision(PrintWriter out, JsonNode answer, boolean all) {
        boolean allowed = answer.path("allowed").asBoolean(false);
        out.println((allowed ? "allowed" : "denied") + " (" + answer.path("outcome").asString("deny") + ")"
                + (answer.hasNonNull("reason") ? ": " + answer.get("reason").asString() : ""));
        for (JsonNode policy : answer.path("policies")) {
            out.println("  policy " + policy.path("name").asString() + " (" + policy.path("mode").asString() + "): "
                    + policy.path("outcome").asString()
                    + (policy.hasNonNull("reason") ? " — " + policy.get("reason").asString() : ""));
            for (JsonNode e : policy.path("exceptions")) {
                out.println("    excepted by exception " + e.path("id").asString()
                        + (e.hasNonNull("ticket") ? " (" + e.get("ticket").asString() + ")" : "")
                        + ": rules " + String.join(", ", e.path("rules").valueStream().map(JsonNode::asString).toList())
                        + (e.hasNonNull("expiresAt") ? ", until " + e.get("expiresAt").asString() : "")
                        + (e.hasNonNull("requestedBy") ? ", requested by " + e.get("requestedBy").asString() : "")
                        + (e.hasNonNull("approvedBy") ? ", approved by " + e.get("approvedBy").asString() : ""));
            }
            for (JsonNode rule : policy.path("rules")) {
                boolean passed = "pass".equals(rule.path("outcome").asString());
                if (passed && !all) {
                    continue;
                }
                StringBuilder text = new StringBuilder("    rule " + rule.path("name").asString() + ": "
                        + rule.path("outcome").asString());
                if (!passed) {
                    String why = rule.hasNonNull("message") ? rule.get("message").asString()
                            : rule.path("reason").asString("");
                    if (rule.hasNonNull("message") && rule.hasNonNull("reason") && all) {
                        why = why + " (" + rule.get("reason").asString() + ")";
                    }
                    text.append(" — ").append(why);
                }
                if (rule.has("evidence")) {
                    text.append(" [evidence ").append(rule.get("evidence").toString()).append(']');
                }
                out.println(text);
            }
        }
        for (JsonNode warning : answer.path("warnings")) {
            out.println("  warning: " + warning.asString());
        }
        JsonNode evidence = answer.path("evidence");
        if (!evidence.isEmpty()) {
            out.println("  evidence:");
        }
        for (JsonNode item : evidence) {
            boolean verified = item.path("verified").asBoolean(false);
            if (verified && !all) {
                continue;
            }
            StringBuilder text = new StringBuilder("    [" + item.path("index").asInt() + "] ");
            if (verified) {
                text.append("verified ").append(item.path("kind").asString(""));
            } else {
                text.append("NOT verified: ").append(item.path("code").asString("")).append(' ')
                        .append(item.path("reason").asString(""));
            }
            if (item.has("predicateType")) {
                text.append(' ').append(item.get("predicateType").asString());
            }
            JsonNode identity = item.path("identity");
            if (identity.has("subject")) {
                text.append(", signed by ").append(identity.get("subject").asString()).append(" (issuer ")
                        .append(identity.path("issuer").asString()).append(')');
            } else if (identity.has("key")) {
                text.append(", signed with key ").append(identity.get("key").asString());
            }
            out.println(text);
            if (all) {
                for (JsonNode step : item.path("trace")) {
                    out.println("        " + step.path("material").asString() + ": " + step.path("outcome").asString()
                            + (step.hasNonNull("code") ? " " + step.get("code").asString() : "")
                            + (step.hasNonNull("reason") ? " — " + step.get("reason").asString() : ""));
                }
            }
        }
    }
}
