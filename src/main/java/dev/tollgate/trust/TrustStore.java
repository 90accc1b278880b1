package dev.tollgate.trust;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.tollgate.adminlog.AdminLog;
import dev.tollgate.db.ConfigurationChanged;
import dev.tollgate.digest.Digest;
import dev.tollgate.name.ResourceName;
import dev.tollgate.web.ApiException;
import dev.tollgate.web.ProblemType;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The trusted roots and public keys Tollgate holds: validated before they are stored, persisted,
 * and served from an in-memory snapshot that is replaced on every change — no restart needed.
 * A change made through another replica arrives with its notification ({@link ConfigurationChanged}),
 * at once; the snapshot is also re-read every {@code tollgate.trust.refresh-interval}, the bound
 * while notifications cannot be heard.
 */
@Service
public class TrustStore {

    private static final Logger log = LoggerFactory.getLogger(TrustStore.class);

    private final TrustMaterials materials;
    private final TrustMaterialCheck check;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final AdminLog adminLog;
    private final ScheduledExecutorService refresher;
    private volatile Snapshot snapshot = new Snapshot(List.of());
    private final MultiGauge expiries;

    TrustStore(TrustMaterials materials, TrustMaterialCheck check, TransactionTemplate transactions, Clock clock,
            TrustProperties properties, AdminLog adminLog, MeterRegistry meters) {
        this.expiries = MultiGauge.builder("tollgate.trust.expiry").baseUnit("seconds")
                .description("seconds until the trust material stops verifying new evidence (negative: it has)")
                .register(meters);
        this.adminLog = adminLog;
        this.materials = materials;
        this.check = check;
        this.transactions = transactions;
        this.clock = clock;
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "trust-refresh");
            thread.setDaemon(true);
            return thread;
        });
        long every = Math.max(1, properties.refreshInterval().toMillis());
        refresher.scheduleWithFixedDelay(this::refreshQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        refresher.shutdownNow();
    }

    /** Everything held now, with a fingerprint that changes whenever any of it does. */
    public record Snapshot(List<TrustMaterial> materials, String fingerprint) {
        Snapshot(List<TrustMaterial> materials) {
            this(List.copyOf(materials), fingerprint(materials));
        }

        /** A snapshot of exactly this material (tests, tools). */
        public static Snapshot of(List<TrustMaterial> materials) {
            return new Snapshot(materials);
        }

        public List<TrustMaterial> roots() {
            return materials.stream().filter(m -> m.kind() == TrustKind.ROOT).toList();
        }

        public List<TrustMaterial> keys() {
            return materials.stream().filter(m -> m.kind() == TrustKind.KEY).toList();
        }

        public Optional<TrustMaterial> find(String name) {
            return materials.stream().filter(m -> m.name().equals(name)).findFirst();
        }

        private static String fingerprint(List<TrustMaterial> materials) {
            StringBuilder all = new StringBuilder();
            materials.forEach(m -> all.append(m.kind().id()).append(':').append(m.name()).append(':').append(m.sha256())
                    .append(':').append(m.settings().fingerprint()).append('\n'));
            return Digest.sha256(all.toString()).hex();
        }
    }

    /** The result of a PUT: the material as now held, and whether it was created (else replaced). */
    public record Put(TrustMaterial material, boolean created) {
    }

    public Snapshot current() {
        return snapshot;
    }

    /** Re-reads everything; one refresh at a time, so the last one to finish read the newest. */
    public synchronized void refresh() {
        Snapshot read = new Snapshot(materials.findAll());
        boolean changed = !read.fingerprint().equals(snapshot.fingerprint()) || snapshot.materials().isEmpty();
        snapshot = read;
        if (changed) {
            gaugeExpiries(read);
        }
    }

    /** {@code tollgate_trust_expiry_seconds{name}}: one row per held material that stops being valid at some time. */
    private void gaugeExpiries(Snapshot held) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (TrustMaterial material : held.materials()) {
            check.expiry(material).ifPresent(end -> rows.add(MultiGauge.Row.of(
                    Tags.of("name", material.name()), end,
                    e -> Duration.between(clock.instant(), e).toMillis() / 1000.0)));
        }
        expiries.register(rows, true);
    }

    /** Trust material changed, here or through another replica: re-read it (on the refresher's thread). */
    @EventListener
    void on(ConfigurationChanged change) {
        if (change.concerns("trust")) {
            try {
                refresher.execute(this::refreshQuietly);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down
            }
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn("could not re-read trust material: {}", e.getMessage());
        }
    }

    public Put put(String name, TrustKind kind, byte[] content, String requester) {
        return put(name, kind, content, TrustSettings.DEFAULT, requester);
    }

    /** Adds or replaces material with its settings (a replacement replaces the settings too). */
    public Put put(String name, TrustKind kind, byte[] content, TrustSettings settings, String requester) {
        if (!ResourceName.isValid(name)) {
            throw ApiException.badRequest("trust material names match " + ResourceName.RULE);
        }
        try {
            check.check(kind, content);
        } catch (TrustMaterialCheck.InvalidTrustMaterial e) {
            throw new ApiException(ProblemType.UNPROCESSABLE, "invalid " + (kind == TrustKind.ROOT ? "trusted root" : "public key")
                    + ": " + e.getMessage());
        }
        Put put = transactions.execute(status -> {
            materials.lockAll();
            Optional<TrustMaterial> existing = materials.lock(name);
            if (existing.isPresent() && existing.get().kind() != kind) {
                throw new ApiException(ProblemType.CONFLICT, "'" + name + "' is already the name of a "
                        + (existing.get().kind() == TrustKind.ROOT ? "trusted root" : "public key")
                        + "; roots and keys share one namespace");
            }
            var now = clock.instant();
            TrustMaterial material = new TrustMaterial(name, kind, content, Digest.sha256(content).hex(),
                    existing.map(TrustMaterial::createdAt).orElse(now), now, requester, settings);
            if (existing.isPresent()) {
                materials.update(material);
            } else {
                materials.insert(material);
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("kind", kind.id());
            details.put("sha256", material.sha256());
            existing.ifPresent(e -> details.put("previousSha256", e.sha256()));
            details.put("settings", settings.describe());
            adminLog.record(requester, existing.isPresent() ? "trust.replace" : "trust.add", name, details);
            return new Put(material, existing.isEmpty());
        });
        refresh();
        log.info("{} '{}' {} by {} (sha256 {})", kind.id(), name, put.created() ? "added" : "replaced", requester,
                put.material().sha256());
        return put;
    }

    public void delete(String name, TrustKind kind, String requester) {
        Boolean deleted = transactions.execute(status -> {
            materials.lockAll();
            Optional<TrustMaterial> existing = materials.lock(name);
            if (existing.isEmpty() || existing.get().kind() != kind) {
                return false;
            }
            adminLog.record(requester, "trust.remove", name, Map.of("kind", kind.id(), "sha256", existing.get().sha256()));
            return materials.delete(name);
        });
        if (!Boolean.TRUE.equals(deleted)) {
            throw ApiException.notFound("no " + (kind == TrustKind.ROOT ? "trusted root" : "public key") + " named '" + name + "'");
        }
        refresh();
        log.info("{} '{}' removed by {}", kind.id(), name, requester);
    }

    public Optional<TrustMaterial> get(String name, TrustKind kind) {
        return materials.find(name).filter(m -> m.kind() == kind);
    }

    public List<TrustMaterial> list(TrustKind kind) {
        return materials.findAll().stream().filter(m -> m.kind() == kind).toList();
    }

    /** Installs material unless a name is taken; for the start-up loaders. */
    boolean installOnce(String marker, String name, TrustKind kind, byte[] content) {
        Boolean installed = transactions.execute(status -> {
            materials.lockAll();
            if (!materials.markOnce(marker) || materials.find(name).isPresent()) {
                return false;
            }
            var now = clock.instant();
            materials.insert(new TrustMaterial(name, kind, content, Digest.sha256(content).hex(), now, now, "tollgate"));
            adminLog.record("tollgate", "trust.add", name, Map.of("kind", kind.id(), "sha256", Digest.sha256(content).hex(), "source", marker));
            return true;
        });
        refresh();
        return Boolean.TRUE.equals(installed);
    }
}
