package dev.tollgate.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.tollgate.support.Api;
import dev.tollgate.support.ConsoleSession;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console over real HTTP: sign-in and its cookie, CSRF on every form, roles exactly as in the API
 * (hidden and refused), the Content-Security-Policy, sign-out and revocation ending a session, the
 * filters of the history and the export of exactly the filtered set.
 */
class ConsoleIntegrationTests extends IntegrationTest {

    private static final String POLICY = "console-http-policy";
    private static final String DIGEST = "sha256:" + "c0".repeat(32);

    private static String policy(String description) {
        return "policy \"" + POLICY + "\" {\n  description \"" + description + "\"\n"
                + "  rule digest-pinned { require artifact.digest startsWith \"sha256:\" }\n}\n";
    }

    @BeforeEach
    void twoVersions() {
        if (api.get("/v1/policies/" + POLICY + "/versions/2", BOOTSTRAP_TOKEN).status() != 200) {
            assertThat(api.sendText("PUT", "/v1/policies/" + POLICY, BOOTSTRAP_TOKEN, policy("first <script>alert(1)</script>"))
                    .status()).isEqualTo(201);
            assertThat(api.sendText("PUT", "/v1/policies/" + POLICY, BOOTSTRAP_TOKEN,
                    policy("second \\\"><img src=x onerror=alert(2)>")).status()).isEqualTo(201);
        }
    }

    @Test
    void theRootLeadsToTheConsoleAndAnAnonymousBrowserToTheSignInPage() {
        ConsoleSession browser = ConsoleSession.anonymous(port);
        assertThat(browser.get("/").location()).isEqualTo("/ui/");
        ConsoleSession.Response overview = browser.get("/ui/decisions?outcome=deny");
        assertThat(overview.status()).isEqualTo(302);
        assertThat(overview.location()).endsWith("/ui/login");
        // not a browser: a problem document, as the API answers
        Api.Response machine = api.get("/ui/decisions", null);
        assertThat(machine.status()).isEqualTo(401);
        assertThat(machine.isProblem()).isTrue();
        // a bearer token opens no console page: the console is sessions only
        assertThat(api.get("/ui/decisions", BOOTSTRAP_TOKEN).status()).isEqualTo(401);
    }

    @Test
    void signingInOpensAStrictSessionAndAWrongTokenDoesNot() {
        ConsoleSession browser = ConsoleSession.anonymous(port);
        String before = browser.cookie();
        ConsoleSession.Response wrong = browser.post("/ui/login", Map.of("token", "tg_not-a-token"));
        assertThat(wrong.status()).isEqualTo(302);
        assertThat(wrong.location()).isEqualTo("/ui/login?error");
        ConsoleSession.Response right = browser.post("/ui/login", Map.of("token", tokenWith("auditor")));
        assertThat(right.status()).isEqualTo(302);
        String setCookie = right.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(ConsoleSession.COOKIE))
                .findFirst().orElseThrow();
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/ui");
        assertThat(browser.cookie()).isNotEqualTo(before); // a new session id on sign-in (no fixation)
        ConsoleSession.Response overview = browser.get("/ui/");
        assertThat(overview.status()).isEqualTo(200);
        assertThat(overview.body()).contains("Signed in as");
    }

    @Test
    void everyPageHasAStrictContentSecurityPolicyAndNoInlineScriptOrStyle() {
        ConsoleSession admin = ConsoleSession.signIn(port, tokenWith("admin"));
        for (String page : List.of("/ui/login", "/ui/", "/ui/?window=hour", "/ui/?window=30d", "/ui/decisions", "/ui/policies",
                "/ui/policies/" + POLICY, "/ui/policies/" + POLICY + "?from=1&to=2", "/ui/policies/" + POLICY + "/editor",
                "/ui/trust", "/ui/audit/admin-events", "/ui/tokens", "/ui/audit/verify", "/ui/artifacts/" + DIGEST,
                "/ui/components", "/ui/components?name=openssl", "/ui/reports/weak-links", "/ui/exceptions")) {
            ConsoleSession.Response response = admin.get(page);
            assertThat(response.status()).as(page).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Security-Policy").orElse("")).as(page)
                    .contains("default-src 'none'").contains("script-src 'self'").doesNotContain("unsafe-inline");
            assertThat(response.headers().firstValue("X-Frame-Options").orElse("")).isEqualTo("DENY");
            assertThat(response.body()).as(page).doesNotContainPattern("<script(?![^>]*\\ssrc=)")
                    .doesNotContain(" style=").doesNotContain(" onclick=").doesNotContain("<img");
        }
    }

    @Test
    void theVerifyPageRunsTheLogsVerificationIncrementalOrFullAndTheOverviewShowsTheLastRun() {
        ConsoleSession auditor = ConsoleSession.signIn(port, tokenWith("auditor"));
        api.postJson("/v1/decisions", tokenWith("decider"), "{\"artifact\":{\"digest\":\"" + DIGEST + "\"},\"policies\":[\""
                + POLICY + "\"]}");
        ConsoleSession.Response full = auditor.get("/ui/audit/verify?full=true");
        assertThat(full.status()).isEqualTo(200);
        assertThat(full.body()).contains("The log holds").contains("full: the whole chain and tree, from record 1");
        ConsoleSession.Response incremental = auditor.get("/ui/audit/verify");
        assertThat(incremental.body()).contains("The log holds").contains("incremental: from the signed checkpoint");
        // the console's runs are recorded as the API's are: the API's next run is the newest row the overview shows
        assertThat(api.get("/v1/audit/verify?full=true", tokenWith("auditor")).json().get("valid").asBoolean()).isTrue();
        assertThat(auditor.get("/ui/").body()).containsPattern("<strong>valid</strong>\\s*\\(<span>full</span>, records\\s*<span>1</span>");
        assertThat(auditor.get("/ui/audit/verify?full=maybe").status()).isEqualTo(400);
        assertThat(auditor.get("/ui/audit/verify?other=1").status()).isEqualTo(400);
        assertThat(auditor.get("/ui/audit/verify?full=true&full=false").status()).isEqualTo(400);
        // a role without the API's verify may not run it here either
        assertThat(ConsoleSession.signIn(port, tokenWith("policy-admin")).get("/ui/audit/verify").status()).isEqualTo(403);
    }

    @Test
    void aFormWithoutTheCsrfTokenIsRefusedAndChangesNothing() {
        ConsoleSession admin = ConsoleSession.signIn(port, tokenWith("admin"));
        int active = activeVersion();
        ConsoleSession.Response forged = admin.post("/ui/policies/" + POLICY + "/activate",
                Map.of("version", String.valueOf(3 - active)), false);
        assertThat(forged.status()).isEqualTo(403);
        assertThat(activeVersion()).isEqualTo(active);
        assertThat(admin.post("/ui/logout", Map.of(), false).status()).isEqualTo(403);
        assertThat(admin.get("/ui/").status()).isEqualTo(200); // still signed in
    }

    @Test
    void anAuditorSeesNoActivateButtonAndAForgedActivationIsRefused() {
        ConsoleSession auditor = ConsoleSession.signIn(port, tokenWith("auditor"));
        ConsoleSession.Response page = auditor.get("/ui/policies/" + POLICY);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).doesNotContain("/activate").doesNotContain("Tokens</a>");
        int active = activeVersion();
        ConsoleSession.Response forged = auditor.post("/ui/policies/" + POLICY + "/activate",
                Map.of("version", String.valueOf(3 - active)));
        assertThat(forged.status()).isEqualTo(403);
        assertThat(activeVersion()).isEqualTo(active);

        ConsoleSession policyAdmin = ConsoleSession.signIn(port, tokenWith("policy-admin"));
        assertThat(policyAdmin.get("/ui/policies/" + POLICY).body()).contains("/ui/policies/" + POLICY + "/activate");
        assertThat(policyAdmin.get("/ui/decisions").status()).isEqualTo(403); // as GET /v1/decisions
        ConsoleSession.Response activated = policyAdmin.post("/ui/policies/" + POLICY + "/activate",
                Map.of("version", String.valueOf(3 - active)));
        assertThat(activated.status()).isEqualTo(302);
        assertThat(activeVersion()).isEqualTo(3 - active);
        assertThat(policyAdmin.get("/ui/policies/" + POLICY).body()).contains("is now active");
    }

    @Test
    void signingOutOrRevokingTheTokenEndsTheSession() {
        ConsoleSession auditor = ConsoleSession.signIn(port, tokenWith("auditor"));
        ConsoleSession.Response out = auditor.post("/ui/logout", Map.of());
        assertThat(out.status()).isEqualTo(302);
        assertThat(out.location()).isEqualTo("/ui/login?signedOut");
        assertThat(auditor.get("/ui/").status()).isEqualTo(302);

        Api.Response issued = api.postJson("/v1/tokens", BOOTSTRAP_TOKEN,
                Api.map("name", "console-revoked-" + Long.toHexString(System.nanoTime()), "roles", List.of("auditor")));
        ConsoleSession soon = ConsoleSession.signIn(port, issued.json().get("token").asString());
        assertThat(soon.get("/ui/decisions").status()).isEqualTo(200);
        assertThat(api.delete("/v1/tokens/" + issued.json().get("name").asString(), BOOTSTRAP_TOKEN).status()).isEqualTo(204);
        ConsoleSession.Response after = soon.get("/ui/decisions");
        assertThat(after.status()).isEqualTo(302);
        assertThat(after.location()).endsWith("/ui/login");
    }

    @Test
    void theFiltersAreTheApisAndTheExportIsExactlyTheFilteredSet() {
        for (String outcome : List.of("allow", "deny")) {
            Map<String, Object> body = Api.map("artifact", Api.map("digest", DIGEST, "name", "ghcr.io/acme/console"),
                    "policies", List.of(outcome.equals("allow") ? POLICY : "console-no-such-policy"));
            assertThat(api.postJson("/v1/decisions", BOOTSTRAP_TOKEN, body).status()).isEqualTo(200);
        }
        ConsoleSession auditor = ConsoleSession.signIn(port, tokenWith("auditor"));
        ConsoleSession.Response denied = auditor.get("/ui/decisions?digest=" + DIGEST + "&outcome=deny");
        assertThat(denied.status()).isEqualTo(200);
        assertThat(denied.body()).contains("badge o-deny").doesNotContain("badge o-allow");
        ConsoleSession.Response csv = auditor.get("/ui/decisions/export?digest=" + DIGEST + "&outcome=deny&format=csv");
        Api.Response fromApi = api.get("/v1/decisions/export?digest=" + DIGEST + "&outcome=deny&format=csv", tokenWith("auditor"));
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.body()).isEqualTo(fromApi.body());
        assertThat(csv.body().lines().count()).isGreaterThan(1);
        ConsoleSession.Response bad = auditor.get("/ui/decisions?outcome=maybe");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("outcome is allow, deny, warn, exempt or break-glass");
    }

    private int activeVersion() {
        return api.get("/v1/policies/" + POLICY, BOOTSTRAP_TOKEN).json().get("version").asInt();
    }

    @Test
    void theWindowsInsideATrustedRootAreShownAndOneClosingWithin30DaysIsOnTheOverview() throws Exception {
        // a real root whose one CT log's window now closes in ten days
        tools.jackson.databind.node.ObjectNode root = (tools.jackson.databind.node.ObjectNode) json.readTree(
                java.nio.file.Files.readAllBytes(java.nio.file.Path.of("src/test/resources/trust-dir/conformance-rekor2.json")));
        String closing = java.time.Instant.now().plus(java.time.Duration.ofDays(10)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString();
        for (tools.jackson.databind.JsonNode log : root.get("ctlogs")) {
            if (log.path("baseUrl").asString().equals("https://ctfe.sigstage.dev/2022-2")) {
                ((tools.jackson.databind.node.ObjectNode) log.get("publicKey").get("validFor")).put("end", closing);
            }
        }
        String name = "console-root-windows";
        Api.Response put = api.send("PUT", "/v1/trust/roots/" + name, BOOTSTRAP_TOKEN, "application/json",
                json.writeValueAsBytes(root));
        assertThat(put.status()).as(put.body()).isIn(200, 201);
        try {
            ConsoleSession auditor = ConsoleSession.signIn(port, tokenWith("auditor"));
            String trust = auditor.get("/ui/trust").body();
            assertThat(trust).contains("id=\"root-windows\"").contains("<code>https://fulcio.sigstage.dev</code>")
                    .contains("<td>timestamp authority</td>").contains(closing);
            String overview = auditor.get("/ui/").body();
            int list = overview.indexOf("id=\"expiring-root-parts\"");
            assertThat(list).as("the root's closing window on the overview").isPositive();
            String expiring = overview.substring(list, overview.indexOf("</ul>", list));
            assertThat(expiring).contains(name).contains("https://ctfe.sigstage.dev/2022-2").contains(closing)
                    // windows already closed, or without an end, are not "expiring"
                    .doesNotContain("https://ctfe.sigstage.dev/test<").doesNotContain("https://fulcio.sigstage.dev<");
        } finally {
            assertThat(api.delete("/v1/trust/roots/" + name, BOOTSTRAP_TOKEN).status()).isEqualTo(204);
        }
    }

    @Test
    void theTrustPageShowsWhoCanSatisfyEachActivePolicyFromItsCompiledRules() {
        String name = "console-who-can";
        String issuer = "https://token.actions.githubusercontent.com";
        String subject = "https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v.*";
        String source = "policy \"" + name + "\" {\n"
                + "  let githubIssuer = \"" + issuer + "\"\n"
                + "  rule released-by-workflow {\n"
                + "    require any s in signatures: s.issuer == githubIssuer and s.subject matches \"" + subject + "\"\n"
                + "  }\n"
                + "  rule no-old-key { deny if any s in signatures: s.key == \"retired-key\" }\n"
                + "}\n";
        assertThat(api.sendText("PUT", "/v1/policies/" + name, BOOTSTRAP_TOKEN, source).status()).isIn(200, 201);
        ConsoleSession auditor = ConsoleSession.signIn(port, tokenWith("auditor"));
        ConsoleSession.Response trust = auditor.get("/ui/trust");
        assertThat(trust.status()).isEqualTo(200);
        String body = trust.body();
        int start = body.indexOf("id=\"who-" + name + "\"");
        assertThat(start).as("a section for the active policy").isPositive();
        String section = body.substring(start, body.indexOf("</section>", start));
        assertThat(section).contains("data-rule=\"released-by-workflow\" data-attribute=\"issuer\"")
                .contains("<code class=\"value\">" + issuer + "</code>")
                .contains("data-rule=\"released-by-workflow\" data-attribute=\"subject\"")
                .contains("<code>matches</code>")
                .contains("<code class=\"value\">" + subject + "</code>")
                // a deny-if rule names what it refuses
                .contains("data-rule=\"no-old-key\" data-attribute=\"key\"")
                .contains(">refuses</span>")
                .contains("<code class=\"value\">retired-key</code>");
    }

    @Test
    void singleSignOnStartsWithPkceAndACallbackThatDoesNotMatchItsBrowserOpensNoSession() {
        ConsoleSession browser = ConsoleSession.anonymous(port);
        ConsoleSession.Response login = browser.get("/ui/login");
        assertThat(login.body()).contains("id=\"sso\"").contains("href=\"/ui/login/oidc/oidc\"");
        ConsoleSession.Response start = browser.get("/ui/login/oidc/oidc");
        assertThat(start.status()).isEqualTo(302);
        String authorize = start.headers().firstValue("Location").orElseThrow();
        assertThat(authorize).startsWith(dev.tollgate.support.OidcProvider.get().issuer() + "/oauth2/authorize?")
                .contains("response_type=code").contains("code_challenge=").contains("code_challenge_method=S256")
                .contains("nonce=").contains("redirect_uri=http://127.0.0.1:" + port + "/ui/login/oauth2/code/oidc");
        String binding = start.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("TOLLGATE_SSO="))
                .findFirst().orElseThrow();
        assertThat(binding).contains("HttpOnly").contains("SameSite=Lax").contains("Path=/ui/login/oauth2/code")
                .doesNotContain("TOLLGATE_SSO=;");
        String state = java.net.URLDecoder.decode(authorize.replaceAll(".*[?&]state=([^&]+).*", "$1"),
                java.nio.charset.StandardCharsets.UTF_8);
        // the right state from another browser (no binding cookie): refused, no session
        ConsoleSession other = ConsoleSession.anonymous(port);
        ConsoleSession.Response forged = other.get("/ui/login/oauth2/code/oidc?code=forged&state="
                + java.net.URLEncoder.encode(state, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(forged.status()).isEqualTo(302);
        assertThat(forged.location()).isEqualTo("/ui/login?ssoFailed");
        assertThat(other.get("/ui/").location()).isEqualTo("/ui/login");
        // an unknown state: the same
        ConsoleSession.Response unknown = browser.get("/ui/login/oauth2/code/oidc?code=x&state=no-such-state");
        assertThat(unknown.location()).isEqualTo("/ui/login?ssoFailed");
        assertThat(browser.get("/ui/").location()).isEqualTo("/ui/login");
    }

    @Test
    void aDecisionsPageShowsItsPlaceInTheLogAndOffersTheApisInclusionProof() {
        Api.Response decided = api.postJson("/v1/decisions", BOOTSTRAP_TOKEN, Api.map("artifact",
                Api.map("digest", "sha256:" + "c1".repeat(32)), "policies", List.of(POLICY)));
        assertThat(decided.status()).isEqualTo(200);
        String id = decided.json().get("decisionId").asString();
        String auditor = tokenWith("auditor");
        Api.Response fromApi = api.get("/v1/decisions/" + id + "/proof?wait=true", auditor);
        assertThat(fromApi.status()).isEqualTo(200);
        ConsoleSession session = ConsoleSession.signIn(port, auditor);
        ConsoleSession.Response page = session.get("/ui/decisions/" + id);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("data-status=\"included\"")
                .contains("id=\"leaf-hash\">" + fromApi.json().get("leafHash").asString() + "<")
                .contains("href=\"/ui/decisions/" + id + "/proof\"");
        ConsoleSession.Response proof = session.get("/ui/decisions/" + id + "/proof");
        assertThat(proof.status()).isEqualTo(200);
        assertThat(proof.headers().firstValue("Content-Disposition").orElseThrow()).contains("attachment");
        // the same document as the API's (a later checkpoint may cover it by then: compare the leaf)
        tools.jackson.databind.JsonNode document = json.readTree(proof.body());
        assertThat(document.get("leafHash")).isEqualTo(fromApi.json().get("leafHash"));
        assertThat(document.get("sequence")).isEqualTo(fromApi.json().get("sequence"));
        assertThat(document.get("auditPath").isArray()).isTrue();
        assertThat(session.get("/ui/decisions/" + java.util.UUID.randomUUID() + "/proof").status()).isEqualTo(404);
    }

    @Test
    void theOverviewCountsTheWindowsDenialsByRuleAndArtifactAndListsAWarnModePolicy() {
        String denying = "console-overview-deny";
        String warning = "console-overview-warn";
        assertThat(api.sendText("PUT", "/v1/policies/" + denying, BOOTSTRAP_TOKEN, "policy \"" + denying + "\" {\n"
                + "  applies when context.environment == \"console-overview\"\n" // no other test's decision selects it
                + "  rule needs-sha512 { require artifact.digest startsWith \"sha512:\" }\n}\n").status()).isIn(200, 201);
        assertThat(api.sendText("PUT", "/v1/policies/" + warning, BOOTSTRAP_TOKEN, "policy \"" + warning + "\" { mode warn\n"
                + "  applies when false\n"
                + "  rule r { require context.environment == \"prod\" }\n}\n").status()).isIn(200, 201);
        String digest = "sha256:" + "c4".repeat(32);
        // more denials of one rule on one artifact than any other test makes in an hour: first in both lists
        for (int i = 0; i < 40; i++) {
            Api.Response denied = api.postJson("/v1/decisions", BOOTSTRAP_TOKEN, Api.map("artifact", Api.map("digest", digest),
                    "context", Api.map("environment", "console-overview"), "policies", List.of(denying)));
            assertThat(denied.json().get("outcome").asString()).isEqualTo("deny");
        }
        ConsoleSession auditor = ConsoleSession.signIn(port, tokenWith("auditor"));
        String page = auditor.get("/ui/?window=hour").body();
        String rules = section(page, "id=\"rules\"");
        assertThat(rules).containsPattern("<span>" + denying + "/needs-sha512[^<]*</span> <b>([4-9][0-9]|[1-9][0-9]{2,})</b>");
        assertThat(section(page, "id=\"refused\"")).containsPattern("href=\"/ui/artifacts/" + digest + "\"[^>]*>" + digest
                + "</a>\\s*<b>([4-9][0-9]|[1-9][0-9]{2,})</b>");
        assertThat(section(page, "id=\"weak\"")).contains("href=\"/ui/policies/" + warning + "\"").contains("<strong>warn</strong>");
        // the chart has a deny bar in this hour, and the window links carry the state
        assertThat(section(page, "id=\"over-time\"")).contains("class=\"o-deny\"").contains("aria-current=\"page\"")
                .contains("href=\"/ui/?window=30d\"");
        assertThat(auditor.get("/ui/?window=year").status()).isEqualTo(400);
    }

    /** The overview's section from the heading with this attribute to the next section. */
    private static String section(String page, String heading) {
        int start = page.indexOf(heading);
        assertThat(start).as(heading).isPositive();
        int end = page.indexOf("</section>", start);
        return page.substring(start, end);
    }

    @Test
    void anAdminCreatesATokenWhoseSecretIsShownOnceAndRevokesIt() {
        ConsoleSession admin = ConsoleSession.signIn(port, tokenWith("admin"));
        String name = "console-made-" + Long.toHexString(System.nanoTime());
        ConsoleSession.Response created = admin.post("/ui/tokens", Map.of("name", name, "roles", "auditor"));
        assertThat(created.status()).isEqualTo(302);
        String page = admin.get("/ui/tokens").body();
        java.util.regex.Matcher secret = java.util.regex.Pattern.compile("id=\"secret\">([^<]+)<").matcher(page);
        assertThat(secret.find()).as("the new token's secret, once").isTrue();
        // it is a working auditor token, and it is shown only this once
        assertThat(api.get("/v1/decisions?limit=1", secret.group(1)).status()).isEqualTo(200);
        assertThat(api.get("/v1/tokens", secret.group(1)).status()).isEqualTo(403);
        admin.refreshCsrf();
        String again = admin.get("/ui/tokens").body();
        assertThat(again).doesNotContain("id=\"secret\"").doesNotContain(secret.group(1)).contains(name);
        assertThat(admin.post("/ui/tokens/" + name + "/revoke", Map.of()).status()).isEqualTo(302);
        assertThat(api.get("/v1/decisions?limit=1", secret.group(1)).status()).isEqualTo(401);
    }

    @Test
    void theOverviewShowsTheLatestSignedCheckpointAndTheLastRecordedVerification() {
        Api.Response decided = api.postJson("/v1/decisions", BOOTSTRAP_TOKEN, Api.map("artifact",
                Api.map("digest", "sha256:" + "c3".repeat(32)), "policies", List.of(POLICY)));
        assertThat(decided.status()).isEqualTo(200);
        String auditor = tokenWith("auditor");
        long sequence = decided.json().get("receipt").get("sequence").asLong();
        // a checkpoint covering it, and a verification run through the API
        assertThat(api.get("/v1/decisions/" + decided.json().get("decisionId").asString() + "/proof?wait=true", auditor)
                .status()).isEqualTo(200);
        Api.Response verified = api.get("/v1/audit/verify", auditor);
        assertThat(verified.status()).isEqualTo(200);
        ConsoleSession session = ConsoleSession.signIn(port, auditor);
        String page = session.get("/ui/").body();
        java.util.regex.Matcher size = java.util.regex.Pattern.compile("id=\"checkpoint-size\">(\\d+)<").matcher(page);
        assertThat(size.find()).as("the checkpoint's tree size on the overview").isTrue();
        assertThat(Long.parseLong(size.group(1))).isGreaterThanOrEqualTo(sequence);
        // the signed note exactly as the API serves the checkpoint of that size
        Api.Response note = api.get("/v1/audit/checkpoints/latest?size=" + size.group(1), auditor);
        assertThat(note.status()).isEqualTo(200);
        assertThat(page).contains("id=\"checkpoint-note\">" + note.body() + "</pre>");
        java.util.regex.Matcher to = java.util.regex.Pattern.compile("id=\"last-verification-to\">(\\d+)<").matcher(page);
        assertThat(to.find()).as("the last recorded verification on the overview").isTrue();
        assertThat(Long.parseLong(to.group(1))).isGreaterThanOrEqualTo(sequence);
        assertThat(page).contains(verified.json().get("valid").asBoolean() ? "<strong>valid</strong>" : "BROKEN at #");
    }

    @Test
    void aDecisionsPageShowsItsReceiptAndOffersTheApisVerificationSummary() {
        Api.Response decided = api.postJson("/v1/decisions", BOOTSTRAP_TOKEN, Api.map("artifact",
                Api.map("digest", "sha256:" + "c2".repeat(32)), "policies", List.of(POLICY)));
        assertThat(decided.status()).isEqualTo(200);
        String id = decided.json().get("decisionId").asString();
        String auditor = tokenWith("auditor");
        Api.Response fromApi = api.get("/v1/decisions/" + id + "/vsa", auditor);
        assertThat(fromApi.status()).isEqualTo(200);
        ConsoleSession session = ConsoleSession.signIn(port, auditor);
        ConsoleSession.Response page = session.get("/ui/decisions/" + id);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body())
                .contains("id=\"receipt-leaf-hash\">" + decided.json().get("receipt").get("leafHash").asString() + "<")
                .contains("id=\"receipt-leaf-index\">" + decided.json().get("receipt").get("leafIndex").asLong() + "<")
                .contains("href=\"/ui/decisions/" + id + "/vsa\"");
        ConsoleSession.Response vsa = session.get("/ui/decisions/" + id + "/vsa");
        assertThat(vsa.status()).isEqualTo(200);
        assertThat(vsa.headers().firstValue("Content-Disposition").orElseThrow()).contains("attachment");
        // the statement the API's VSA signs, byte for byte, and the one the decision's answer carried
        tools.jackson.databind.JsonNode bundle = json.readTree(vsa.body());
        assertThat(bundle.get("dsseEnvelope").get("payload")).isEqualTo(fromApi.json().get("dsseEnvelope").get("payload"));
        assertThat(bundle.get("dsseEnvelope").get("payload")).isEqualTo(decided.json().get("vsa").get("dsseEnvelope").get("payload"));
        assertThat(session.get("/ui/decisions/" + java.util.UUID.randomUUID() + "/vsa").status()).isEqualTo(404);
    }
}
