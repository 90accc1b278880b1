package dev.tollgate.sources;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.tollgate.evidence.EvidenceVerifier;
import dev.tollgate.name.ResourceName;
import dev.tollgate.policy.PolicyCatalog;
import dev.tollgate.policy.PolicyVersionInfo;
import dev.tollgate.registry.RegistryEvidence;
import dev.tollgate.trust.TrustMaterial;
import dev.tollgate.trust.TrustMaterialCheck;
import dev.tollgate.trust.TrustStore;
import dev.tollgate.web.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Declared policies: a directory and signed bundles, read every {@code interval} and, when what
 * one holds changed, applied all or nothing. Every policy compiles and every piece of trust
 * material is checked (and a bundle's signature verified, before its tarball is even unpacked)
 * before anything is changed; a refusal changes nothing, so the versions active before stay
 * active. Applying goes through the same catalog and trust store as the API (same diagnostics,
 * same admin log, the source as requester {@code source:<name>}); uploading what is already
 * active creates no version, so replicas that each apply the same source agree.
 */
@Service
class PolicySources {

    private static final Logger log = LoggerFactory.getLogger(PolicySources.class);

    private final PolicySourcesProperties properties;
    private final PolicyCatalog catalog;
    private final TrustStore trust;
    private final TrustMaterialCheck trustCheck;
    private final BundleSignatures signatures;
    private final RegistryEvidence registry;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final Map<String, State> sources = new LinkedHashMap<>();
    private ScheduledExecutorService scheduler;

    /** A source's reading, its fingerprint, and (for a bundle, once verified) its files. */
    private record Reading(String fingerprint, String sha256, String digest, Unpack files) {
        Reading(String fingerprint, String sha256, Unpack files) {
            this(fingerprint, sha256, null, files);
        }
    }

    @FunctionalInterface
    private interface Unpack {
        /** The files, and who signed them (null for a directory). */
        Unpacked unpack() throws SyncRefused;
    }

    private record Unpacked(Map<String, byte[]> files, String signer) {
    }

    /** A source: how to read it, its status, and the fingerprint of the content last judged for good. */
    private static final class State {
        final String name;
        final Reader reader;
        volatile SourceStatus status;
        String judged;
        /** The result of the content judged ({@code applied}, {@code unverified}, {@code invalid}). */
        String judgedResult;
        /** An OCI source's last reading: the artifact fetched, who could sign it then ({@link #signers}), and the reading. */
        OciRead lastOci;

        State(String name, String kind, String location, Reader reader) {
            this.name = name;
            this.reader = reader;
            this.status = SourceStatus.initial(name, kind, location);
        }
    }

    @FunctionalInterface
    private interface Reader {
        Reading read(State state) throws IOException, SyncRefused;
    }

    private record OciRead(RegistryEvidence.OciArtifact artifact, String signers, Reading reading) {
    }

    PolicySources(PolicySourcesProperties properties, PolicyCatalog catalog, TrustStore trust, BundleSignatures signatures,
            RegistryEvidence registry, ObjectMapper json, Clock clock, MeterRegistry metrics) {
        this.registry = registry;
        this.properties = properties;
        this.catalog = catalog;
        this.trust = trust;
        this.trustCheck = EvidenceVerifier.trustCheck(json, clock);
        this.signatures = signatures;
        this.clock = clock;
        this.metrics = metrics;
        if (properties.directory() != null) {
            Path directory = properties.directory();
            Path trustDirectory = properties.trustDirectory();
            add(new State("directory", "directory", directory.toString(), s -> readDirectory(directory, trustDirectory)));
        }
        for (PolicySourcesProperties.Bundle bundle : properties.bundles()) {
            if (!ResourceName.isValid(bundle.name()) || bundle.name().equals("directory")) {
                throw new IllegalStateException("tollgate.policy-sources.bundles[].name must match " + ResourceName.RULE
                        + " and not be 'directory'");
            }
            if ((bundle.file() == null) == (bundle.oci() == null)) {
                throw new IllegalStateException("policy bundle '" + bundle.name() + "' needs exactly one of file and oci");
            }
            if (bundle.oci() != null && bundle.signature() != null) {
                throw new IllegalStateException("policy bundle '" + bundle.name() + "': an OCI bundle's signature is read from"
                        + " the registry (a layer or a referrer), not from a file");
            }
            if (bundle.publicKey() == null && (bundle.issuer() == null || bundle.subject() == null)) {
                throw new IllegalStateException("policy bundle '" + bundle.name() + "' names no public key and no identity"
                        + " (issuer and subject): nothing could verify it");
            }
            if (bundle.oci() != null) {
                add(new State(bundle.name(), "oci", bundle.oci(), s -> readOci(bundle, s)));
            } else {
                add(new State(bundle.name(), "bundle", bundle.file().toString(), s -> readBundle(bundle)));
            }
        }
    }

    private void add(State state) {
        if (sources.putIfAbsent(state.name, state) != null) {
            throw new IllegalStateException("two policy sources are named '" + state.name + "'");
        }
        Gauge.builder("tollgate.policy.source.last.applied", state,
                s -> s.status.lastAppliedAt() == null ? Double.NaN : s.status.lastAppliedAt().toEpochMilli() / 1000.0)
                .description("when the source's content was last applied (seconds since the epoch)")
                .tag("source", state.name).register(metrics);
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        if (sources.isEmpty()) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "policy-sources");
            thread.setDaemon(true);
            return thread;
        });
        long every = Math.max(1, properties.interval().toMillis());
        scheduler.scheduleWithFixedDelay(this::syncAll, 0, every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    List<SourceStatus> statuses() {
        return sources.values().stream().map(s -> s.status).toList();
    }

    Optional<SourceStatus> status(String name) {
        return Optional.ofNullable(sources.get(name)).map(s -> s.status);
    }

    /** Reads every source once and applies what changed (the scheduler's task; tests may call it). */
    synchronized void syncAll() {
        for (State state : sources.values()) {
            try {
                sync(state);
            } catch (RuntimeException | Error e) {
                log.warn("policy source '{}' could not be synchronised", state.name, e);
            }
        }
    }

    private void sync(State state) {
        Instant now = clock.instant();
        Reading reading;
        try {
            reading = state.reader.read(state);
        } catch (IOException e) {
            finish(state, now, null, new SyncRefused("unreadable", "cannot read " + state.status.location() + ": " + describe(e)));
            return;
        } catch (SyncRefused e) {
            finish(state, now, null, e);
            return;
        }
        if (reading.fingerprint().equals(state.judged)) {
            state.status = state.status.checked(now);
            return;
        }
        try {
            Unpacked unpacked = reading.files().unpack();
            SourceFiles files;
            try {
                files = SourceFiles.of(unpacked.files());
            } catch (SourceFiles.Invalid e) {
                throw new SyncRefused("invalid", e.getMessage(), e.errors().stream()
                        .map(l -> error(l.file(), "policy_source_layout", l.message())).toList());
            }
            check(files);
            apply(state, now, reading, unpacked.signer(), files);
            state.judged = reading.fingerprint();
            state.judgedResult = "applied";
        } catch (SyncRefused e) {
            state.judged = reading.fingerprint(); // judged: the same content is not tried again
            state.judgedResult = e.result();
            finish(state, now, reading, e);
        } catch (RuntimeException e) {
            // the database, most likely: tried again at the next interval
            log.warn("policy source '{}': applying failed, trying again in {}", state.name, properties.interval(), e);
            finish(state, now, reading, new SyncRefused("failed", "applying failed: " + describe(e)));
        }
    }

    private void finish(State state, Instant now, Reading reading, SyncRefused refused) {
        SourceStatus before = state.status;
        state.status = before.refused(now, refused.result(), refused.problem());
        count(state, refused.result());
        if (!refused.result().equals(before.lastResult()) || before.lastError() == null
                || !refused.getMessage().equals(before.lastError().message())) {
            log.warn("policy source '{}' {}: {}{}", state.name, refused.result(), refused.getMessage(),
                    before.lastAppliedAt() == null ? "" : "; what it applied before stays active");
        }
    }

    private void count(State state, String result) {
        Counter.builder("tollgate.policy.source.sync").description("attempts to apply a changed policy source, by result")
                .tag("source", state.name).tag("result", result).register(metrics).increment();
    }

    /** Every policy compiles under its file's name and every trust file passes the trust store's check; else nothing. */
    private void check(SourceFiles files) throws SyncRefused {
        List<Map<String, Object>> errors = new ArrayList<>();
        TrustStore.Snapshot held = trust.current();
        for (SourceFiles.Trust t : files.trust()) {
            String file = "trust/" + t.name() + (t.kind() == dev.tollgate.trust.TrustKind.ROOT ? ".json" : ".pem|.asc");
            Optional<TrustMaterial> existing = held.find(t.name());
            if (existing.isPresent() && existing.get().kind() != t.kind()) {
                errors.add(error(file, "policy_source_trust_conflict", "'" + t.name() + "' is already the name of a "
                        + (existing.get().kind() == dev.tollgate.trust.TrustKind.ROOT ? "trusted root" : "public key")));
                continue;
            }
            try {
                trustCheck.check(t.kind(), t.content());
            } catch (TrustMaterialCheck.InvalidTrustMaterial e) {
                errors.add(error(file, "policy_source_trust_invalid", e.getMessage()));
            }
        }
        for (Map.Entry<String, byte[]> policy : files.policies().entrySet()) {
            String file = policy.getKey() + ".policy";
            try {
                for (Map<String, Object> diagnostic : catalog.uploadDiagnostics(policy.getKey(), policy.getValue())) {
                    Map<String, Object> error = new LinkedHashMap<>();
                    error.put("file", file);
                    error.putAll(diagnostic);
                    errors.add(error);
                }
            } catch (ApiException e) {
                errors.add(error(file, "policy_source_unusable", e.getBody().getDetail()));
            }
        }
        if (!errors.isEmpty()) {
            throw new SyncRefused("invalid", errors.size() + " error" + (errors.size() == 1 ? "" : "s")
                    + " in the source; nothing was applied", errors);
        }
    }

    private void apply(State state, Instant now, Reading reading, String signer, SourceFiles files) {
        String requester = "source:" + state.name;
        TrustStore.Snapshot held = trust.current();
        for (SourceFiles.Trust t : files.trust()) {
            Optional<TrustMaterial> existing = held.find(t.name());
            if (existing.isEmpty() || !existing.get().sha256().equals(SourceFiles.sha256Hex(t.content()))) {
                trust.put(t.name(), t.kind(), t.content(), requester);
            }
        }
        List<SourceStatus.PolicyRef> applied = new ArrayList<>();
        for (Map.Entry<String, byte[]> policy : files.policies().entrySet()) {
            PolicyCatalog.Upload upload = catalog.upload(policy.getKey(), policy.getValue(), requester);
            applied.add(new SourceStatus.PolicyRef(upload.version().name(), upload.version().version()));
            if (upload.created()) {
                log.info("policy source '{}': {} v{} active", state.name, upload.version().name(), upload.version().version());
            }
        }
        if (properties.prune()) {
            for (PolicyVersionInfo active : catalog.listActive()) {
                if (requester.equals(active.createdBy()) && !files.policies().containsKey(active.name())) {
                    catalog.deactivate(active.name(), requester);
                    log.info("policy source '{}': {} deactivated (no longer in the source)", state.name, active.name());
                }
            }
        }
        state.status = state.status.applied(now, reading.sha256(), reading.digest(), signer, applied,
                files.trust().stream().map(SourceFiles.Trust::name).toList());
        count(state, "applied");
    }

    private Reading readDirectory(Path directory, Path trustDirectory) throws IOException, SyncRefused {
        Map<String, byte[]> files = new TreeMap<>();
        long total = read(directory.toRealPath(), trustDirectory == null ? 2 : 1, "", files, 0);
        if (trustDirectory != null) {
            read(trustDirectory.toRealPath(), 1, "trust/", files, total);
        }
        String fingerprint = SourceFiles.fingerprint(files);
        return new Reading(fingerprint, fingerprint, () -> new Unpacked(files, null));
    }

    /** Reads the files the layout uses under {@code root} (named {@code prefix} + their relative path); answers the bytes read so far. */
    private long read(Path root, int depth, String prefix, Map<String, byte[]> files, long read) throws IOException, SyncRefused {
        long total = read;
        try (Stream<Path> walk = Files.walk(root, depth, FileVisitOption.FOLLOW_LINKS)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                String relative = prefix + root.relativize(path).toString().replace('\\', '/');
                if (!Files.isRegularFile(path) || !SourceFiles.wanted(relative)) {
                    continue;
                }
                if (files.size() >= properties.maxFiles()) {
                    throw new SyncRefused("invalid", "the directory holds more than " + properties.maxFiles() + " files");
                }
                byte[] content = Files.readAllBytes(path);
                total += content.length;
                if (total > properties.maxSize().toBytes()) {
                    throw new SyncRefused("invalid", "the directory's files hold more than " + properties.maxSize());
                }
                files.put(relative, content);
            }
        }
        return total;
    }

    /**
     * An OCI bundle: the tag resolved to a manifest digest (one HEAD request; none when pinned), then, for a digest
     * not judged yet, the artifact fetched from its allow-listed registry and verified before the tarball is
     * unpacked — by a Sigstore bundle over the tarball (a layer or a referrer) or by cosign's signature over the
     * manifest (its {@code .sig} tag), for the configured key or identity. The digest judged last is not fetched
     * again: when it was applied or found invalid, nothing a registry could attach changes that, so the reading is
     * the same; when it was unverified, only what is attached to it (referrers, the {@code .sig} tag) is read again,
     * since a signature may be pushed after the artifact.
     */
    private Reading readOci(PolicySourcesProperties.Bundle bundle, State state) throws IOException, SyncRefused {
        byte[] key = bundle.publicKey() == null ? null : bounded(bundle.publicKey());
        String signers = signers(bundle, key);
        RegistryEvidence.OciArtifact artifact;
        try {
            String digest = registry.resolveArtifact(bundle.oci());
            OciRead last = state.lastOci;
            if (last != null && last.artifact().digest().equals(digest) && last.signers().equals(signers)
                    && last.reading().fingerprint().equals(state.judged)) {
                if (!"unverified".equals(state.judgedResult)) {
                    return last.reading();
                }
                artifact = registry.refreshAttached(last.artifact());
            } else {
                artifact = registry.fetchArtifact(bundle.oci(), digest);
            }
        } catch (RegistryEvidence.ArtifactUnavailable e) {
            throw new SyncRefused("unreadable", e.getMessage());
        }
        Reading reading = ociReading(bundle, artifact, key, signers);
        state.lastOci = new OciRead(artifact, signers, reading);
        return reading;
    }

    private Reading ociReading(PolicySourcesProperties.Bundle bundle, RegistryEvidence.OciArtifact artifact, byte[] key,
            String signers) {
        byte[] tarball = artifact.tarball();
        List<byte[]> parts = new ArrayList<>(artifact.signatures());
        for (JsonNode item : artifact.manifestSignatures()) {
            parts.add(item.toString().getBytes(StandardCharsets.UTF_8));
        }
        parts.add(signers.getBytes(StandardCharsets.US_ASCII));
        String fingerprint = SourceFiles.fingerprint(Map.of("bundle", tarball, "manifest",
                artifact.digest().getBytes(StandardCharsets.US_ASCII)), parts.toArray(new byte[0][]));
        return new Reading(fingerprint, SourceFiles.sha256Hex(tarball), artifact.digest(), () -> {
            if (artifact.signatures().isEmpty() && artifact.manifestSignatures().isEmpty()) {
                throw new SyncRefused("unverified", artifact.reference() + " (" + artifact.digest() + ") carries no signature:"
                        + " no Sigstore bundle (a layer or a referrer) and no cosign signature (" + artifact.digest().replace(':', '-')
                        + ".sig)");
            }
            SyncRefused refused = null;
            String signer = null;
            for (byte[] signature : artifact.signatures()) {
                try {
                    signer = signatures.verifyAttached(bundle, tarball, artifact.digest(), signature, key);
                    break;
                } catch (SyncRefused e) {
                    refused = e;
                }
            }
            for (int i = 0; signer == null && i < artifact.manifestSignatures().size(); i++) {
                try {
                    signer = signatures.verifyManifest(bundle, artifact.digest(), artifact.manifestSignatures().get(i), key);
                } catch (SyncRefused e) {
                    refused = e;
                }
            }
            if (signer == null) {
                throw refused;
            }
            try {
                return new Unpacked(TarGz.read(tarball, properties.maxSize().toBytes(), properties.maxFiles()), signer);
            } catch (TarGz.Unreadable e) {
                throw new SyncRefused("invalid", e.getMessage());
            }
        });
    }

    private Reading readBundle(PolicySourcesProperties.Bundle bundle) throws IOException, SyncRefused {
        byte[] tarball = bounded(bundle.file());
        byte[] signature = bounded(bundle.signatureFile());
        byte[] key = bundle.publicKey() == null ? null : bounded(bundle.publicKey());
        String fingerprint = SourceFiles.fingerprint(Map.of("bundle", tarball), signature,
                signers(bundle, key).getBytes(StandardCharsets.US_ASCII));
        return new Reading(fingerprint, SourceFiles.sha256Hex(tarball), () -> {
            String signer = signatures.verify(bundle, tarball, signature, key);
            try {
                return new Unpacked(TarGz.read(tarball, properties.maxSize().toBytes(), properties.maxFiles()), signer);
            } catch (TarGz.Unreadable e) {
                throw new SyncRefused("invalid", e.getMessage());
            }
        });
    }

    /**
     * What may sign the source: the configured key's SHA-256 and, for a keyless identity, the trusted roots held (their
     * names and SHA-256) — part of what was judged, so a bundle refused before its root was held is verified again
     * once it is (and one applied under a root since removed, too), without a new release.
     */
    private String signers(PolicySourcesProperties.Bundle bundle, byte[] key) {
        StringBuilder all = new StringBuilder(key == null ? "-" : SourceFiles.sha256Hex(key));
        if (bundle.issuer() != null) {
            trust.current().roots().stream().map(r -> r.name() + ":" + r.sha256()).sorted().forEach(r -> all.append(' ').append(r));
        }
        return SourceFiles.sha256Hex(all.toString().getBytes(StandardCharsets.UTF_8));
    }

    private byte[] bounded(Path file) throws IOException, SyncRefused {
        if (Files.size(file) > properties.maxSize().toBytes()) {
            throw new SyncRefused("invalid", file.getFileName() + " is larger than " + properties.maxSize());
        }
        return Files.readAllBytes(file);
    }

    private static Map<String, Object> error(String file, String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("file", file);
        error.put("code", code);
        error.put("message", message);
        return error;
    }

    private static String describe(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
