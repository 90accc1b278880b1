package dev.tollgate.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.OidcProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The console in a real browser ({@link ConsoleBrowser}: Debian's chromium and chromium-driver, headless,
 * driven by Selenium). Sign-in, filters in the URL and
 * a decision's detail, the export compared with the API's, the editor's diagnostics at their line,
 * activation by a policy admin and none for an auditor (a forged POST refused), a form without its
 * CSRF token refused, hostile text shown as text, keyboard and narrow-width basics, the CSP, sign-out.
 * Each test saves a screenshot under target/console-screenshots (and, with
 * {@code -Dtollgate.console.screenshots=docs/console}, where docs/console.md shows them).
 *
 * <p>Without chromium installed the tests are skipped locally; {@code .ci/run} installs it and sets
 * {@code TOLLGATE_TEST_REQUIRE_BROWSER=1}, so there they fail instead.
 */
class ConsoleBrowserIntegrationTests extends IntegrationTest {

    private static final String POLICY = "browser-policy";
    private static final String HOSTILE = "<script>window.__owned=1</script>\\\"><img src=x onerror=window.__owned=2>";
    private static final String DIGEST = "sha256:" + "be".repeat(32);

    private static final ConsoleBrowser chromium = new ConsoleBrowser();
    private static ChromeDriver browser;

    private WebDriverWait wait;

    @BeforeEach
    void browser() throws IOException {
        browser = chromium.driver();
        browser.manage().window().setSize(new Dimension(1200, 900));
        browser.manage().deleteAllCookies();
        wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        if (api.get("/v1/policies/" + POLICY + "/versions/2", BOOTSTRAP_TOKEN).status() != 200) {
            assertThat(api.sendText("PUT", "/v1/policies/" + POLICY, BOOTSTRAP_TOKEN, policy("first: " + HOSTILE)).status())
                    .isEqualTo(201);
            assertThat(api.sendText("PUT", "/v1/policies/" + POLICY, BOOTSTRAP_TOKEN, policy("second")).status()).isEqualTo(201);
        }
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
        browser = null;
    }

    private static String policy(String description) {
        return "policy \"" + POLICY + "\" {\n  description \"" + description + "\"\n"
                + "  rule digest-pinned { require artifact.digest startsWith \"sha256:\" }\n}\n";
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private void signIn(String token) {
        browser.get(url("/ui/login"));
        shot("login");
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.cssSelector("#login button[type=submit]")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("sign-out")));
    }

    private void shot(String name) {
        chromium.shot(name);
    }

    private Object script(String js, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(js, args);
    }

    @Test
    void anAuditorSignsInFiltersFollowsADecisionExportsTheFilteredSetAndSignsOut() throws Exception {
        for (String named : List.of(POLICY, "browser-no-such-policy")) {
            Map<String, Object> body = Api.map("artifact", Api.map("digest", DIGEST, "name", "ghcr.io/acme/browser"),
                    "context", Api.map("ticket", HOSTILE), "policies", List.of(named));
            assertThat(api.postJson("/v1/decisions", BOOTSTRAP_TOKEN, body).status()).isEqualTo(200);
        }
        String auditor = tokenWith("auditor");
        browser.get(url("/ui/decisions?digest=" + DIGEST));
        assertThat(browser.getCurrentUrl()).endsWith("/ui/login"); // not signed in: to the sign-in page
        browser.findElement(By.id("token")).sendKeys(auditor + Keys.ENTER);
        // back where the link pointed, filters intact
        wait.until(ExpectedConditions.urlContains("/ui/decisions?digest="));
        browser.get(url("/ui/"));
        shot("overview");

        browser.get(url("/ui/decisions"));
        browser.findElement(By.id("f-digest")).sendKeys(DIGEST);
        new Select(browser.findElement(By.id("f-outcome"))).selectByValue("deny");
        browser.findElement(By.cssSelector("#filters button[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("outcome=deny"));
        // the URL carries exactly the filters in use, by the API's names
        assertThat(URI.create(browser.getCurrentUrl()).getRawQuery()).isEqualTo("digest=" + DIGEST.replace(":", "%3A") + "&outcome=deny");
        List<WebElement> rows = browser.findElements(By.cssSelector("#decisions tbody tr"));
        assertThat(rows).isNotEmpty();
        assertThat(browser.findElements(By.cssSelector("#decisions .badge.o-allow"))).isEmpty();
        shot("decisions");

        String export = browser.findElement(By.id("export-csv")).getAttribute("href");
        assertThat(export).contains("outcome=deny").contains("format=csv");
        Cookie session = browser.manage().getCookieNamed("TOLLGATE_CONSOLE");
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Strict");
        HttpResponse<String> csv = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(export))
                .header("Cookie", "TOLLGATE_CONSOLE=" + session.getValue()).build(), HttpResponse.BodyHandlers.ofString());
        Api.Response fromApi = api.get("/v1/decisions/export?digest=" + DIGEST + "&outcome=deny&format=csv", auditor);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.body()).isEqualTo(fromApi.body());

        rows.get(0).findElement(By.cssSelector("a.decision-link")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("outcome")));
        assertThat(browser.findElement(By.id("outcome")).getText()).isEqualTo("deny");
        assertThat(browser.findElement(By.id("reason")).getText()).contains("browser-no-such-policy");
        // the context's hostile text is shown as text and ran nothing
        assertThat(browser.findElement(By.id("context")).getText()).contains("<script>window.__owned=1</script>");
        assertThat(script("return window.__owned === undefined")).isEqualTo(true);
        assertThat(browser.findElements(By.tagName("img"))).isEmpty();
        shot("decision");
        // the artifact's page, and the incident query's
        browser.findElement(By.cssSelector("#main a.digest, #main a[href^='/ui/artifacts/']")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("sbom-h")));
        assertThat(browser.getCurrentUrl()).isEqualTo(url("/ui/artifacts/" + DIGEST));
        shot("artifact");
        browser.get(url("/ui/components?name=openssl"));
        assertThat(browser.findElements(By.id("filters"))).isNotEmpty();
        shot("components");

        browser.get(url("/ui/"));
        browser.findElement(By.id("sign-out")).click();
        wait.until(ExpectedConditions.urlContains("/ui/login?signedOut"));
        browser.get(url("/ui/decisions"));
        assertThat(browser.getCurrentUrl()).endsWith("/ui/login"); // the session is over
    }

    @Test
    void theEditorShowsTheCompilersDiagnosticAtItsLineAndColumn() {
        signIn(tokenWith("policy-admin"));
        browser.get(url("/ui/policies/" + POLICY + "/editor"));
        wait.until(ExpectedConditions.textToBe(By.id("diagnostics-state"), "No errors."));
        String broken = "policy \"" + POLICY + "\" {\n  rule pinned {\n    require artifact.digset startsWith \"sha256:\"\n  }\n}\n";
        WebElement source = browser.findElement(By.id("source"));
        source.clear();
        source.sendKeys(broken);
        WebElement first = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#diagnostics li.diagnostic")));
        // where the API's validation puts it
        Api.Response validation = api.sendText("POST", "/v1/policies:validate", tokenWith("policy-admin"), broken);
        assertThat(validation.status()).isEqualTo(422);
        String column = validation.json().get("errors").get(0).get("column").asString();
        assertThat(first.getAttribute("data-line")).isEqualTo("3");
        assertThat(first.getAttribute("data-column")).isEqualTo(column);
        assertThat(first.getText()).contains("line 3, column " + column).contains("digset");
        shot("editor");

        // the editor's source against a recorded decision (its kept input): allowed then, denied by this source
        Api.Response decided = api.postJson("/v1/decisions", BOOTSTRAP_TOKEN, Api.map("artifact",
                Api.map("digest", "sha256:" + "bd".repeat(32), "name", "ghcr.io/acme/evaluated"), "policies", List.of(POLICY)));
        assertThat(decided.json().get("outcome").asString()).isEqualTo("allow");
        String stricter = "policy \"" + POLICY + "\" {\n  rule digest-pinned { require artifact.digest startsWith \"sha512:\" }\n}\n";
        source.clear();
        source.sendKeys(stricter);
        wait.until(ExpectedConditions.textToBe(By.id("diagnostics-state"), "No errors."));
        browser.findElement(By.id("decision")).sendKeys(decided.json().get("decisionId").asString());
        browser.findElement(By.id("evaluate")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("evaluation")));
        assertThat(browser.findElement(By.id("was")).getText()).isEqualTo("allow");
        assertThat(browser.findElement(By.id("would-be")).getText()).isEqualTo("deny");
        assertThat(browser.findElement(By.id("changed-rules")).getText()).contains("digest-pinned").contains("pass → fail");
        // nothing was recorded or changed: the policy's active version is the one it was
        assertThat(api.get("/v1/decisions?digest=sha256:" + "bd".repeat(32), BOOTSTRAP_TOKEN).json().get("items").size()).isEqualTo(1);
        shot("evaluated");
    }

    @Test
    void aPolicyAdminActivatesAVersionAnAuditorSeesNoButtonAndItsForgedPostIsRefused() {
        signIn(tokenWith("auditor"));
        browser.get(url("/ui/policies/" + POLICY));
        assertThat(browser.findElements(By.cssSelector("form.activate"))).isEmpty();
        assertThat(browser.findElements(By.linkText("Tokens"))).isEmpty();
        // the description is shown as text and ran nothing
        browser.get(url("/ui/policies/" + POLICY + "?version=1"));
        assertThat(browser.findElement(By.id("source")).getText()).contains("<script>window.__owned=1</script>");
        assertThat(script("return window.__owned === undefined")).isEqualTo(true);
        assertThat(browser.findElements(By.tagName("img"))).isEmpty();
        // a forged POST with the auditor's own session and CSRF token: refused by the server
        int active = aForgedActivationIsRefused();
        browser.get(url("/ui/"));
        browser.findElement(By.id("sign-out")).click();

        signIn(tokenWith("policy-admin"));
        browser.get(url("/ui/policies/" + POLICY + "?from=1&to=2"));
        shot("policy");
        WebElement activate = browser.findElement(By.cssSelector("form.activate button"));
        activate.click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("notice")));
        assertThat(browser.findElement(By.id("notice")).getText()).contains("is now active");
        assertThat(api.get("/v1/policies/" + POLICY, BOOTSTRAP_TOKEN).json().get("version").asInt()).isEqualTo(3 - active);
        browser.get(url("/ui/policies"));
        shot("policies");
    }

    @Test
    void aFormWithoutItsCsrfTokenIsRefusedAndTheSessionStays() {
        signIn(tokenWith("admin"));
        browser.get(url("/ui/tokens"));
        shot("tokens");
        script("var f = document.createElement('form'); f.method = 'post'; f.action = '/ui/logout';"
                + "document.body.appendChild(f); f.submit();");
        wait.until(ExpectedConditions.urlContains("/ui/logout"));
        assertThat(browser.getPageSource()).contains("\"status\":403");
        browser.get(url("/ui/audit/admin-events"));
        assertThat(browser.findElements(By.id("sign-out"))).isNotEmpty(); // still signed in
        shot("admin-events");
        browser.get(url("/ui/trust"));
        shot("trust");
    }

    @Test
    void keyboardNarrowWidthAndAStrictContentSecurityPolicy() {
        signIn(tokenWith("admin"));
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.get(url("/ui/decisions"));
        // the first Tab reaches the skip link, which leads to the content
        browser.findElement(By.tagName("body")).sendKeys(Keys.TAB);
        WebElement focused = browser.switchTo().activeElement();
        assertThat(focused.getText()).isEqualTo("Skip to content");
        focused.sendKeys(Keys.ENTER);
        assertThat(browser.getCurrentUrl()).endsWith("#main");
        // nothing wider than the screen but the tables' own scroll areas
        assertThat(script("return document.documentElement.scrollWidth <= window.innerWidth")).isEqualTo(true);
        shot("narrow");
        // no inline script anywhere, and the page's own Content-Security-Policy header
        assertThat(script("return document.querySelectorAll('script:not([src])').length")).isEqualTo(0L);
        Object csp = ((JavascriptExecutor) browser).executeAsyncScript("var done = arguments[0];"
                + "fetch(location.href).then(function (r) { done(r.headers.get('content-security-policy')); });");
        assertThat(String.valueOf(csp)).contains("default-src 'none'").contains("script-src 'self'").doesNotContain("unsafe");
        // and an inline script would not run: the browser refuses it under that policy
        script("var s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.body.appendChild(s);");
        assertThat(script("return window.__inline === undefined")).isEqualTo(true);
        browser.manage().logs().get(LogType.BROWSER).getAll(); // that refusal is logged on purpose: not a failure
    }

    @Test
    void singleSignOnThroughARealProviderGivesExactlyTheMappedRoleAndAnUnmappedUserNoSession() {
        String provider = OidcProvider.get().issuer();
        endProviderSession(provider);
        browser.get(url("/ui/login"));
        WebElement sso = browser.findElement(By.id("sso"));
        assertThat(sso.getText()).isEqualTo("Sign in with single sign-on");
        sso.click();
        // the provider's own sign-in form, on another site (localhost, not 127.0.0.1)
        wait.until(ExpectedConditions.urlContains(provider + "/login"));
        shot("sso-provider");
        providerSignIn(OidcProvider.AUDITOR);
        // back through the callback, and on into the console with a session
        try {
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("sign-out")));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("not signed in: at " + browser.getCurrentUrl() + "\n" + browser.getPageSource(), e);
        }
        assertThat(browser.getCurrentUrl()).isEqualTo(url("/ui/"));
        // the user is the ID token's issuer and subject
        assertThat(browser.findElement(By.cssSelector("p.who")).getText())
                .contains("sso:" + provider + "#" + OidcProvider.AUDITOR).contains("auditor").doesNotContain("admin");
        Cookie session = browser.manage().getCookieNamed("TOLLGATE_CONSOLE");
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Strict");
        // the auditor's pages, and no other
        assertThat(browser.findElements(By.linkText("Decisions"))).isNotEmpty();
        assertThat(browser.findElements(By.linkText("Admin log"))).isNotEmpty();
        assertThat(browser.findElements(By.linkText("Tokens"))).isEmpty();
        shot("sso-overview");
        browser.get(url("/ui/decisions"));
        assertThat(browser.findElements(By.id("filters"))).isNotEmpty();
        browser.get(url("/ui/tokens"));
        assertThat(browser.getPageSource()).contains("\"status\":403");
        assertThat(browser.findElements(By.id("tokens"))).isEmpty();
        // the session's CSRF token and sessions rules are the console's: no button, and a forged
        // activation with the session's own CSRF token is refused
        browser.get(url("/ui/policies/" + POLICY));
        assertThat(browser.findElements(By.cssSelector("form.activate"))).isEmpty();
        int active = aForgedActivationIsRefused();
        browser.get(url("/ui/"));
        // signing out ends the provider's session too (RP-initiated logout), and comes back here
        OidcProvider.get().allowPostLogoutRedirect(url("/ui/login?signedOut"));
        browser.findElement(By.id("sign-out")).click();
        wait.until(ExpectedConditions.urlToBe(url("/ui/login?signedOut")));
        shot("sso-signed-out");
        browser.get(url("/ui/decisions"));
        assertThat(browser.getCurrentUrl()).isEqualTo(url("/ui/login"));

        // a user none of whose groups is mapped: back at the sign-in page, with no session; the
        // provider asks again who signs in (its session ended with the sign-out above)
        browser.get(url("/ui/login"));
        browser.findElement(By.id("sso")).click();
        wait.until(ExpectedConditions.urlContains(provider + "/login"));
        providerSignIn(OidcProvider.NO_ROLE);
        wait.until(ExpectedConditions.urlContains("/ui/login?noRole"));
        assertThat(browser.findElement(By.cssSelector("p.error[role=alert]")).getText()).contains("no Tollgate role");
        shot("sso-no-role");
        browser.get(url("/ui/"));
        assertThat(browser.getCurrentUrl()).isEqualTo(url("/ui/login"));
        browser.get(url("/ui/decisions"));
        assertThat(browser.getCurrentUrl()).isEqualTo(url("/ui/login"));
    }

    @Test
    void aSingleSignOnPolicyAdminActivatesAsItsIssuerAndSubjectAndAnIdentityWithoutTheClaimGetsNoSession() {
        String provider = OidcProvider.get().issuer();
        endProviderSession(provider);
        OidcProvider.get().allowPostLogoutRedirect(url("/ui/login?signedOut"));
        String me = "sso:" + provider + "#" + OidcProvider.POLICY_ADMIN;
        browser.get(url("/ui/policies/" + POLICY));
        assertThat(browser.getCurrentUrl()).isEqualTo(url("/ui/login"));
        browser.findElement(By.id("sso")).click();
        wait.until(ExpectedConditions.urlContains(provider + "/login"));
        providerSignIn(OidcProvider.POLICY_ADMIN);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("sign-out")));
        assertThat(browser.findElement(By.cssSelector("p.who")).getText()).contains(me).contains("policy-admin");
        assertThat(browser.findElements(By.linkText("Tokens"))).isEmpty();
        // the policy admin's button, pressed: the admin log names the provider's user
        browser.get(url("/ui/policies/" + POLICY));
        int active = api.get("/v1/policies/" + POLICY, BOOTSTRAP_TOKEN).json().get("version").asInt();
        browser.findElement(By.cssSelector("form.activate button")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("notice")));
        assertThat(api.get("/v1/policies/" + POLICY, BOOTSTRAP_TOKEN).json().get("version").asInt()).isEqualTo(3 - active);
        JsonNode events = api.get("/v1/audit/admin-events?action=policy.activate&target=" + POLICY, tokenWith("auditor"))
                .json().get("items");
        assertThat(events.get(0).get("actor").asString()).isEqualTo(me);
        assertThat(events.get(0).get("details").get("version").asInt()).isEqualTo(3 - active);
        shot("sso-policy-admin");
        // a page the role may not open stays refused
        browser.get(url("/ui/tokens"));
        assertThat(browser.getPageSource()).contains("\"status\":403");
        browser.get(url("/ui/"));
        browser.findElement(By.id("sign-out")).click();
        wait.until(ExpectedConditions.urlToBe(url("/ui/login?signedOut")));

        // an identity the provider vouches for, whose ID token has no groups claim at all: no session
        browser.findElement(By.id("sso")).click();
        wait.until(ExpectedConditions.urlContains(provider + "/login"));
        providerSignIn(OidcProvider.NO_CLAIM);
        wait.until(ExpectedConditions.urlContains("/ui/login?noRole"));
        assertThat(browser.findElement(By.cssSelector("p.error[role=alert]")).getText()).contains("no Tollgate role");
        assertThat(browser.findElements(By.id("sign-out"))).isEmpty();
        for (String page : List.of("/ui/", "/ui/decisions", "/ui/policies")) {
            browser.get(url(page));
            assertThat(browser.getCurrentUrl()).isEqualTo(url("/ui/login"));
        }
        // the token form still signs in beside single sign-on
        signIn(tokenWith("auditor"));
        browser.get(url("/ui/"));
        assertThat(browser.findElement(By.cssSelector("p.who")).getText()).doesNotContain("sso:").contains("auditor");
        browser.findElement(By.id("sign-out")).click();
        wait.until(ExpectedConditions.urlToBe(url("/ui/login?signedOut")));
    }

    /** Forgets the provider's own session (another test's user may still be signed in there). */
    private void endProviderSession(String provider) {
        browser.get(provider + "/login");
        browser.manage().deleteAllCookies();
    }

    /** A POST of the activation form the page did not offer, with the session's own CSRF token. */
    private void forgeActivation(int version) {
        script("var f = document.createElement('form'); f.method = 'post'; f.action = '/ui/policies/" + POLICY + "/activate';"
                + "[['version', '" + version + "'], [document.querySelector('meta[name=csrf-parameter]').content,"
                + " document.querySelector('meta[name=csrf-token]').content]].forEach(function (p) {"
                + " var i = document.createElement('input'); i.type = 'hidden'; i.name = p[0]; i.value = p[1]; f.appendChild(i); });"
                + "document.body.appendChild(f); f.submit();");
    }

    private void providerSignIn(String user) {
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(OidcProvider.PASSWORD);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
    }

    /**
     * Posts an activation of the other version from this page's session and CSRF token: 403, nothing
     * changes; returns the version that stays active.
     */
    private int aForgedActivationIsRefused() {
        int active = api.get("/v1/policies/" + POLICY, BOOTSTRAP_TOKEN).json().get("version").asInt();
        forgeActivation(3 - active);
        wait.until(ExpectedConditions.urlContains("/activate"));
        assertThat(browser.getPageSource()).contains("\"status\":403");
        assertThat(api.get("/v1/policies/" + POLICY, BOOTSTRAP_TOKEN).json().get("version").asInt()).isEqualTo(active);
        return active;
    }
}
