package dev.tollgate.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.tollgate.audit.DecisionHistory;
import dev.tollgate.ledger.AuditVerification;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.policy.PolicyCatalog;
import dev.tollgate.policy.PolicyVersionInfo;
import dev.tollgate.security.ConsoleSingleSignOn;
import dev.tollgate.security.Requester;
import dev.tollgate.trust.RootValidity;
import dev.tollgate.trust.TrustKind;
import dev.tollgate.trust.TrustMaterial;
import dev.tollgate.trust.TrustStore;
import dev.tollgate.web.ApiException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** {@code /} and {@code /ui}: the way in, the sign-in page, the overview, the chain's verification. */
@Controller
class OverviewPages extends ConsolePage {

    /** The overview's windows: how far back, and the width of one bar. */
    enum Window {
        HOUR("hour", Duration.ofHours(1), "minute", ChronoUnit.MINUTES),
        DAY("day", Duration.ofDays(1), "hour", ChronoUnit.HOURS),
        MONTH("30d", Duration.ofDays(30), "day", ChronoUnit.DAYS);

        final String id;
        final Duration length;
        final String unit;
        final ChronoUnit chrono;

        Window(String id, Duration length, String unit, ChronoUnit chrono) {
            this.id = id;
            this.length = length;
            this.unit = unit;
            this.chrono = chrono;
        }

        static Window of(String id) {
            for (Window w : values()) {
                if (w.id.equals(id)) {
                    return w;
                }
            }
            throw ApiException.badRequest("window is hour, day or 30d");
        }
    }

    private final DecisionHistory history;
    private final PolicyCatalog policies;
    private final TrustStore trust;
    private final Clock clock;
    private final List<String> exemptNamespaces;
    private final AuditVerification verification;
    private final ConsoleSingleSignOn singleSignOn;
    private final Ledger ledger;
    private final RootValidity validity;

    OverviewPages(ConsoleAccess access, DecisionHistory history, PolicyCatalog policies, TrustStore trust, Clock clock,
            @Value("${tollgate.admission.exempt-namespaces:}") List<String> exemptNamespaces, ConsoleSingleSignOn singleSignOn,
            AuditVerification verification, Ledger ledger, RootValidity validity) {
        super(access);
        this.verification = verification;
        this.validity = validity;
        this.singleSignOn = singleSignOn;
        this.ledger = ledger;
        this.history = history;
        this.policies = policies;
        this.trust = trust;
        this.clock = clock;
        this.exemptNamespaces = exemptNamespaces.stream().map(String::strip).filter(n -> !n.isEmpty()).toList();
    }

    @GetMapping("/")
    String root() {
        return "redirect:/ui/";
    }

    @GetMapping("/ui")
    String ui() {
        return "redirect:/ui/";
    }

    @GetMapping("/ui/login")
    String login(Model model) {
        model.addAttribute("sso", singleSignOn.enabled() ? Map.of("label", singleSignOn.label(), "href", singleSignOn.startPath())
                : null);
        return "login";
    }

    @GetMapping("/ui/")
    String overview(@RequestParam(defaultValue = "day") String window, Requester requester, Model model) {
        Window w = Window.of(window);
        Instant now = clock.instant();
        Instant since = now.minus(w.length);
        model.addAttribute("requester", requester);
        model.addAttribute("window", w.id);
        if (access.allows("GET", "/ui/decisions")) {
            List<DecisionHistory.Bucket> buckets = history.outcomesOverTime(since, w.unit);
            model.addAttribute("chart", Chart.of(buckets, since.truncatedTo(w.chrono), now, w.chrono));
            model.addAttribute("denyingRules", history.mostDenyingRules(since, 10));
            model.addAttribute("denyingReasons", history.mostDenyingReasons(since, 5));
            model.addAttribute("refusedArtifacts", history.mostRefusedArtifacts(since, 10));
            model.addAttribute("evidenceFailures", history.evidenceFailures(since, 10));
            model.addAttribute("head", history.head().orElse(null));
            model.addAttribute("lastVerification", verification.lastRun().orElse(null));
            model.addAttribute("checkpoint", ledger.latestSigned().orElse(null));
            model.addAttribute("since", since.truncatedTo(ChronoUnit.SECONDS).toString());
        }
        if (access.allows("GET", "/ui/policies")) {
            List<PolicyVersionInfo> weak = new ArrayList<>();
            for (PolicyVersionInfo p : policies.listActive()) {
                if (!"enforce".equals(p.mode())) {
                    weak.add(p);
                }
            }
            model.addAttribute("weakPolicies", weak);
            model.addAttribute("exemptNamespaces", exemptNamespaces);
            Instant soon = now.plus(Duration.ofDays(30));
            List<TrustMaterial> expiring = trust.list(TrustKind.KEY).stream()
                    .filter(k -> k.settings().validUntil() != null && k.settings().validUntil().isBefore(soon)).toList();
            model.addAttribute("expiring", expiring);
            // the windows inside trusted roots (certificate authorities, logs, timestamp authorities) that close within 30 days
            model.addAttribute("expiringRootParts", trust.list(TrustKind.ROOT).stream().flatMap(r -> validity.of(r).stream())
                    .filter(part -> part.end() != null && part.end().isAfter(now) && part.end().isBefore(soon)).toList());
        }
        return "overview";
    }

    /**
     * The log verified as {@code GET /v1/audit/verify} does it: incremental from the last valid run's
     * signed checkpoint, or with {@code full=true} the whole chain and tree against the newest one.
     */
    @GetMapping("/ui/audit/verify")
    String verify(@RequestParam org.springframework.util.MultiValueMap<String, String> query, Requester requester, Model model) {
        String full = dev.tollgate.web.QueryParameters.single(query, java.util.Set.of("full")).getOrDefault("full", "false");
        if (!full.equals("true") && !full.equals("false")) {
            throw ApiException.badRequest("full is true or false");
        }
        // one run at a time on this replica: a run holds a request thread and a database connection for
        // as long as the walk takes (the API's streamed form runs on the export pool instead)
        if (!running.tryAcquire()) {
            ApiException busy = new ApiException(dev.tollgate.web.ProblemType.SERVICE_UNAVAILABLE,
                    "a verification started from the console is running on this server; retry when it has ended");
            busy.getHeaders().set("Retry-After", "5");
            throw busy;
        }
        try {
            model.addAttribute("verification", verification.run(full.equals("true"), requester.name()));
        } finally {
            running.release();
        }
        return "verify";
    }

    private final java.util.concurrent.Semaphore running = new java.util.concurrent.Semaphore(1);

    /** Decisions over time as stacked bars, one per interval, drawn by the server as SVG (no script). */
    record Chart(List<Bar> bars, long max, int width, int height) {

        static final List<String> OUTCOMES = List.of("allow", "warn", "exempt", "break-glass", "deny");
        static final int HEIGHT = 140;

        record Bar(int x, int width, String label, List<Segment> segments) {
        }

        record Segment(String outcome, int y, int height, long count) {
        }

        static Chart of(List<DecisionHistory.Bucket> buckets, Instant first, Instant now, ChronoUnit unit) {
            Map<Instant, Map<String, Long>> counts = new LinkedHashMap<>();
            for (Instant t = first; !t.isAfter(now); t = t.plus(1, unit)) {
                counts.put(t, new LinkedHashMap<>());
            }
            for (DecisionHistory.Bucket b : buckets) {
                counts.computeIfAbsent(b.start(), k -> new LinkedHashMap<>()).merge(b.outcome(), b.count(), Long::sum);
            }
            long max = 1;
            for (Map<String, Long> c : counts.values()) {
                max = Math.max(max, c.values().stream().mapToLong(Long::longValue).sum());
            }
            int slot = Math.max(4, 720 / Math.max(1, counts.size()));
            List<Bar> bars = new ArrayList<>();
            int x = 0;
            for (var entry : counts.entrySet()) {
                List<Segment> segments = new ArrayList<>();
                int y = HEIGHT;
                for (String outcome : OUTCOMES) {
                    long n = entry.getValue().getOrDefault(outcome, 0L);
                    if (n > 0) {
                        int h = (int) Math.max(1, Math.round((double) n * HEIGHT / max));
                        y -= h;
                        segments.add(new Segment(outcome, y, h, n));
                    }
                }
                bars.add(new Bar(x, Math.max(2, slot - 2), entry.getKey().toString(), segments));
                x += slot;
            }
            return new Chart(bars, max, x, HEIGHT);
        }
    }
}
