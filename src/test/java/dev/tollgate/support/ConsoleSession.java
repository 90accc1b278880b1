package dev.tollgate.support;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A signed-in console session over real HTTP, as a browser holds it: the session cookie and the
 * session's CSRF token, read from a page. Sign-in goes through {@code POST /ui/login} like the form.
 */
public final class ConsoleSession {

    public static final String COOKIE = "TOLLGATE_CONSOLE";
    private static final Pattern CSRF = Pattern.compile("<meta name=\"csrf-token\" content=\"([^\"]+)\"");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final String base;
    private String cookie;
    private String csrf;

    public record Response(int status, String contentType, String body, java.net.http.HttpHeaders headers) {
        /** Where a redirect leads, as a path on this server (the server may write it absolute). */
        public String location() {
            String location = headers.firstValue("Location").orElse(null);
            if (location != null && location.startsWith("http://127.0.0.1:")) {
                int path = location.indexOf('/', "http://127.0.0.1:".length());
                return path < 0 ? "/" : location.substring(path);
            }
            return location;
        }

        public boolean isProblem() {
            return contentType != null && contentType.startsWith("application/problem+json");
        }

        public boolean isHtml() {
            return contentType != null && contentType.startsWith("text/html");
        }
    }

    private ConsoleSession(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** Signs in with this token; fails if the console does not accept it. */
    public static ConsoleSession signIn(int port, String token) {
        ConsoleSession session = new ConsoleSession(port);
        Response login = session.get("/ui/login");
        if (login.status() != 200) {
            throw new IllegalStateException("sign-in page: " + login.status());
        }
        Response answer = session.post("/ui/login", Map.of("token", token));
        if (answer.status() != 302 || !"/ui/".equals(answer.location())) {
            throw new IllegalStateException("sign-in refused: " + answer.status() + " -> " + answer.location());
        }
        session.refreshCsrf();
        return session;
    }

    /** An anonymous browser that has opened the sign-in page (so it has a session and a CSRF token). */
    public static ConsoleSession anonymous(int port) {
        ConsoleSession session = new ConsoleSession(port);
        session.get("/ui/login");
        return session;
    }

    /** The CSRF token of the session, as the pages carry it. */
    public String csrf() {
        return csrf;
    }

    public String cookie() {
        return cookie;
    }

    public void refreshCsrf() {
        Response overview = get("/ui/");
        if (overview.status() != 200) {
            throw new IllegalStateException("overview: " + overview.status());
        }
    }

    public Response get(String path) {
        return send("GET", path, null, true);
    }

    /** A form POST with the session's CSRF token added. */
    public Response post(String path, Map<String, String> form) {
        return post(path, form, true);
    }

    public Response post(String path, Map<String, String> form, boolean withCsrf) {
        Map<String, String> fields = new LinkedHashMap<>(form);
        if (withCsrf && csrf != null) {
            fields.put("_csrf", csrf);
        }
        StringBuilder body = new StringBuilder();
        fields.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return send("POST", path, body.toString(), true);
    }

    public Response send(String method, String path, String form, boolean html) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (cookie != null) {
            request.header("Cookie", COOKIE + "=" + cookie);
        }
        if (html) {
            request.header("Accept", "text/html,application/xhtml+xml");
        }
        if (form != null) {
            request.header("Content-Type", "application/x-www-form-urlencoded");
        }
        request.method(method, form == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(form));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            for (String set : response.headers().allValues("Set-Cookie")) {
                if (set.startsWith(COOKIE + "=")) {
                    String value = set.substring(COOKIE.length() + 1, set.indexOf(';') < 0 ? set.length() : set.indexOf(';'));
                    cookie = value.isEmpty() ? null : value;
                }
            }
            Matcher m = CSRF.matcher(response.body());
            if (m.find()) {
                csrf = m.group(1);
            }
            return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
                    response.body(), response.headers());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
