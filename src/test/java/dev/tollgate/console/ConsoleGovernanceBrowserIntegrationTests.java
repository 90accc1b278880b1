package dev.tollgate.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.tollgate.support.Api;
import dev.tollgate.support.DecisionFixtures;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The governance pages in a real browser ({@link ConsoleBrowser}): a governed exception requested
 * through the console's form by one policy admin, approved by another, applied by a real decision
 * (shown on the decision's page and in the weak-links report), then revoked; and a staged policy
 * version replayed over recorded decisions, with the decision it would change linked. Hostile text
 * in an exception's reason is shown as text and runs nothing; the pages run under the console's CSP
 * with no error in the browser's console.
 */
class ConsoleGovernanceBrowserIntegrationTests extends IntegrationTest {

    private static final String HOSTILE = "<script>window.__owned=1</script>\"><img src=x onerror=window.__owned=2>";
    private static final ConsoleBrowser chromium = new ConsoleBrowser();

    private ChromeDriver browser;
    private WebDriverWait wait;

    @BeforeEach
    void browser() throws IOException {
        browser = chromium.driver();
        browser.manage().deleteAllCookies();
        wait = new WebDriverWait(browser, Duration.ofSeconds(15));
    }

    @AfterEach
    void noErrorsInTheBrowserConsole() {
        if (chromium.started()) {
            assertThat(chromium.errors()).as("errors in the browser's console (a CSP violation would be one)").isEmpty();
        }
    }

    @AfterAll
    static void quit() throws IOException {
        chromium.quit();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private void signIn(String token) {
        browser.manage().deleteAllCookies();
        browser.get(url("/ui/login"));
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.cssSelector("#login button[type=submit]")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("sign-out")));
    }

    private void signOut() {
        browser.findElement(By.id("sign-out")).click();
        wait.until(ExpectedConditions.urlContains("/ui/login?signedOut"));
    }

    private Object script(String js) {
        return ((JavascriptExecutor) browser).executeScript(js);
    }

    private static String unique(String prefix) {
        return prefix + "-" + Long.toHexString(System.nanoTime());
    }

    private static String digest(String seed) {
        return "sha256:" + DecisionFixtures.sha256((seed + System.nanoTime()).getBytes());
    }

    private JsonNode decide(String digest, String name, String policy, String suite) {
        Api.Response r = api.postJson("/v1/decisions", tokenWith("decider"), Api.map("artifact", Api.map("digest", digest, "name", name),
                "context", Map.of("suite", suite), "policies", List.of(policy), "evidence", List.of(), "storedEvidence", false));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private String secondPolicyAdmin() {
        Api.Response r = api.postJson("/v1/tokens", BOOTSTRAP_TOKEN,
                Api.map("name", unique("ui-approver"), "roles", List.of("policy-admin")));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("token").asString();
    }

    @Test
    void anExceptionIsRequestedApprovedByAnotherAppliedShownAsAWeakLinkAndRevoked() {
        String policy = unique("ui-exc");
        String suite = "console-exceptions-" + policy;
        assertThat(api.sendText("PUT", "/v1/policies/" + policy, BOOTSTRAP_TOKEN, "policy \"" + policy + "\" {\n"
                + "  applies when context.suite == \"" + suite + "\"\n"
                + "  rule from-trusted {\n    require artifact.name startsWith \"ghcr.io/trusted/\"\n    message \"only trusted images\"\n  }\n"
                + "}\n").status()).isEqualTo(201);
        String artifact = digest("ui-exception");
        assertThat(decide(artifact, "ghcr.io/acme/gov", policy, suite).get("allowed").asBoolean()).isFalse();
        String requester = tokenWith("policy-admin");
        String approver = secondPolicyAdmin();

        signIn(requester);
        browser.findElement(By.linkText("Exceptions")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("new-exception")));
        // a refused request (a digest and a name) shows the service's reason, keeps what was typed, records nothing
        browser.findElement(By.id("x-digest")).sendKeys(artifact);
        browser.findElement(By.id("x-name")).sendKeys("ghcr.io/acme/*");
        new Select(browser.findElement(By.id("x-policy"))).selectByValue(policy);
        browser.findElement(By.id("x-rules")).sendKeys("from-trusted");
        browser.findElement(By.id("x-reason")).sendKeys("CVE fix ships next week " + HOSTILE);
        browser.findElement(By.id("x-ticket")).sendKeys("SEC-7");
        browser.findElement(By.cssSelector("#new-exception button[type=submit]")).click();
        WebElement refused = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("form-error")));
        assertThat(refused.getText()).contains("exactly one of digest");
        assertThat(browser.findElement(By.id("x-reason")).getAttribute("value")).contains(HOSTILE);
        assertThat(api.get("/v1/exceptions?policy=" + policy, requester).json().get("items")).isEmpty();

        browser.findElement(By.id("x-name")).clear();
        browser.findElement(By.cssSelector("#new-exception button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBe(By.id("status"), "pending"));
        String id = browser.findElement(By.id("exception-id")).getText();
        assertThat(browser.getCurrentUrl()).endsWith("/ui/exceptions/" + id);
        // the reason is text, and ran nothing
        assertThat(browser.findElement(By.id("reason")).getText()).contains("<script>window.__owned=1</script>");
        assertThat(script("return window.__owned === undefined")).isEqualTo(true);
        assertThat(browser.findElements(By.tagName("img"))).isEmpty();
        // the requester cannot approve its own request: no button, a note instead
        assertThat(browser.findElements(By.id("approve"))).isEmpty();
        assertThat(browser.findElements(By.id("own-request"))).isNotEmpty();
        JsonNode stored = api.get("/v1/exceptions/" + id, requester).json();
        assertThat(stored.get("status").asString()).isEqualTo("pending");
        assertThat(stored.get("scope").get("digest").asString()).isEqualTo(artifact);
        assertThat(stored.get("scope").get("rules").get(0).asString()).isEqualTo("from-trusted");
        assertThat(stored.get("reason").asString()).isEqualTo("CVE fix ships next week " + HOSTILE);
        chromium.shot("exception-requested");
        signOut();

        // the second person approves it, from the list
        signIn(approver);
        browser.get(url("/ui/exceptions?status=pending&policy=" + policy));
        WebElement row = browser.findElement(By.cssSelector("#exceptions tbody tr[data-id='" + id + "']"));
        assertThat(row.getText()).contains("SEC-7").contains("not approved");
        row.findElement(By.cssSelector("a.exception-link")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("approve"))).click();
        wait.until(ExpectedConditions.textToBe(By.id("status"), "active"));
        String approvedBy = api.get("/v1/exceptions/" + id, requester).json().get("approvedBy").asString();
        assertThat(browser.findElement(By.id("approved")).getText()).contains(approvedBy);
        assertThat(approvedBy).isNotEqualTo(stored.get("requestedBy").asString());
        signOut();

        // it applies: the refused artifact is now let through with a warning, the decision says by which exception
        JsonNode waived = decide(artifact, "ghcr.io/acme/gov", policy, suite);
        assertThat(waived.get("allowed").asBoolean()).isTrue();
        assertThat(waived.get("policies").get(0).get("exceptions").get(0).get("id").asString()).isEqualTo(id);
        String decisionId = waived.get("decisionId").asString();

        signIn(tokenWith("auditor"));
        browser.get(url("/ui/decisions/" + decisionId));
        WebElement applied = browser.findElement(By.cssSelector(".exception-applied[data-exception='" + id + "']"));
        assertThat(applied.getText()).contains("from-trusted").contains(approvedBy).contains("SEC-7");
        assertThat(browser.findElement(By.cssSelector("span.waived a")).getText()).isEqualTo(id);
        chromium.shot("decision-exception");
        // and in the weak-links report, under exceptions, with links to the artifact and the decision
        browser.findElement(By.linkText("Weak links")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("c-exception")));
        WebElement weak = browser.findElement(By.id("c-exception")).findElements(By.cssSelector("table.weak-links tbody tr")).stream()
                .filter(r -> r.getText().contains(artifact)).findFirst().orElseThrow(() -> new AssertionError("no weak-link row for "
                        + artifact + ": " + browser.findElement(By.id("c-exception")).getText()));
        assertThat(weak.findElement(By.cssSelector("a.artifact-link")).getAttribute("href")).endsWith("/ui/artifacts/" + artifact);
        chromium.shot("weak-links");
        weak.findElement(By.cssSelector("a.decision-link")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("outcome")));
        assertThat(browser.getCurrentUrl()).endsWith("/ui/decisions/" + decisionId);
        // an auditor reads exceptions but changes none: no forms, and a forged revocation is refused
        browser.get(url("/ui/exceptions/" + id));
        assertThat(browser.findElements(By.id("revoke"))).isEmpty();
        script("var f = document.createElement('form'); f.method = 'post'; f.action = '/ui/exceptions/" + id + "/revoke';"
                + "var i = document.createElement('input'); i.type = 'hidden'; i.name = document.querySelector('meta[name=csrf-parameter]').content;"
                + "i.value = document.querySelector('meta[name=csrf-token]').content; f.appendChild(i); document.body.appendChild(f); f.submit();");
        wait.until(ExpectedConditions.urlContains("/revoke"));
        assertThat(browser.getPageSource()).contains("\"status\":403");
        assertThat(api.get("/v1/exceptions/" + id, requester).json().get("status").asString()).isEqualTo("active");
        browser.get(url("/ui/"));
        signOut();

        // revoked, it applies no more
        signIn(requester);
        browser.get(url("/ui/exceptions/" + id));
        browser.findElement(By.id("revoke-reason")).sendKeys("fixed image shipped");
        browser.findElement(By.id("revoke")).click();
        wait.until(ExpectedConditions.textToBe(By.id("status"), "revoked"));
        assertThat(browser.findElement(By.id("revoked")).getText()).contains("fixed image shipped");
        assertThat(browser.findElements(By.cssSelector("#history tbody tr"))).hasSize(3);
        browser.get(url("/ui/exceptions?status=revoked&policy=" + policy));
        assertThat(browser.findElements(By.cssSelector("#exceptions tbody tr[data-id='" + id + "']"))).hasSize(1);
        browser.get(url("/ui/exceptions?status=active&policy=" + policy));
        assertThat(browser.findElements(By.cssSelector("#exceptions tbody tr[data-id='" + id + "']"))).isEmpty();
        chromium.shot("exceptions");
        assertThat(decide(artifact, "ghcr.io/acme/gov", policy, suite).get("allowed").asBoolean()).isFalse();
    }

    @Test
    void aStagedVersionIsReplayedAndTheDecisionItWouldChangeIsLinked() {
        String policy = unique("ui-replay");
        String suite = "console-replay-" + policy;
        String head = "policy \"" + policy + "\" {\n  applies when context.suite == \"" + suite + "\"\n";
        assertThat(api.sendText("PUT", "/v1/policies/" + policy, BOOTSTRAP_TOKEN,
                head + "  rule pinned { require artifact.digest startsWith \"sha256:\" }\n}\n").status()).isEqualTo(201);
        JsonNode kept = decide(digest("ui-replay-ok"), "ghcr.io/ok/app", policy, suite);
        JsonNode refused = decide(digest("ui-replay-other"), "ghcr.io/other/app", policy, suite);
        assertThat(kept.get("allowed").asBoolean()).isTrue();
        assertThat(refused.get("allowed").asBoolean()).isTrue();
        // version 2, staged: only ghcr.io/ok/ images
        assertThat(api.sendText("PUT", "/v1/policies/" + policy + "?activate=false", BOOTSTRAP_TOKEN,
                head + "  rule pinned { require artifact.digest startsWith \"sha256:\" }\n"
                        + "  rule ours { require artifact.name startsWith \"ghcr.io/ok/\"\n    message \"ours only\" }\n}\n").status())
                .isEqualTo(201);

        // an auditor sees no replay, and its request is refused
        signIn(tokenWith("auditor"));
        browser.get(url("/ui/policies/" + policy));
        assertThat(browser.findElements(By.id("replay-link"))).isEmpty();
        browser.get(url("/ui/policies/" + policy + "/replay?version=2"));
        assertThat(browser.getPageSource()).contains("\"status\":403");
        browser.get(url("/ui/"));
        signOut();

        signIn(tokenWith("admin"));
        browser.get(url("/ui/policies/" + policy));
        browser.findElement(By.id("replay-link")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("replay-form")));
        new Select(browser.findElement(By.id("r-version"))).selectByValue("2");
        browser.findElement(By.id("run-replay")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("summary")));
        assertThat(browser.getCurrentUrl()).contains("/ui/policies/" + policy + "/replay?version=2");
        assertThat(browser.findElement(By.id("s-decisions")).getText()).isEqualTo("2");
        assertThat(browser.findElement(By.id("s-allow-to-deny")).getText()).isEqualTo("1");
        assertThat(browser.findElement(By.id("s-unchanged")).getText()).isEqualTo("1");
        List<WebElement> rows = browser.findElements(By.cssSelector("#changed tbody tr"));
        assertThat(rows).hasSize(1);
        WebElement row = rows.get(0);
        assertThat(row.getAttribute("data-decision")).isEqualTo(refused.get("decisionId").asString());
        assertThat(row.getText()).contains("allow").contains("deny").contains("ours").contains("ours only");
        // the other keeps its outcome; only its rules differ (the new rule passes)
        List<WebElement> same = browser.findElements(By.cssSelector("#rules-only tbody tr"));
        assertThat(same).hasSize(1);
        assertThat(same.get(0).getAttribute("data-decision")).isEqualTo(kept.get("decisionId").asString());
        assertThat(same.get(0).getText()).contains("ours").contains("absent → pass");
        // the same counts as the API's replay
        Api.Response fromApi = api.postJson("/v1/policies/" + policy + ":replay", tokenWith("policy-admin"), Api.map("version", 2));
        assertThat(fromApi.status()).isEqualTo(200);
        String last = fromApi.body().strip().substring(fromApi.body().strip().lastIndexOf('\n') + 1);
        assertThat(last).contains("\"allowToDeny\":1").contains("\"unchanged\":1");
        chromium.shot("replay");
        row.findElement(By.cssSelector("a.decision-link")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("outcome")));
        assertThat(browser.getCurrentUrl()).endsWith("/ui/decisions/" + refused.get("decisionId").asString());
        assertThat(browser.findElement(By.id("outcome")).getText()).isEqualTo("allow");
        // nothing was written: still one active version, still two decisions for the policy
        assertThat(api.get("/v1/policies/" + policy, BOOTSTRAP_TOKEN).json().get("version").asInt()).isEqualTo(1);
    }
}
