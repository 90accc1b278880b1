package dev.tollgate.policy;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.adminlog.AdminLog;
import dev.tollgate.policy.compile.CompileResult;
import dev.tollgate.policy.compile.PolicyCompiler;
import dev.tollgate.policy.dsl.Diagnostic;
import dev.tollgate.policy.dsl.Diagnostic.Codes;
import dev.tollgate.policy.eval.Program;
import dev.tollgate.web.ApiException;
import dev.tollgate.web.ProblemType;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import dev.tollgate.digest.Digest;
import dev.tollgate.name.ResourceName;

/**
 * The policies: immutable versions in PostgreSQL, one active version per policy, and their
 * compiled programs, compiled once per version (keyed by the source's SHA-256) and cached.
 */
@Service
public class PolicyCatalog {


    private final org.springframework.jdbc.core.simple.JdbcClient jdbc;
    private final StoredPolicies policies;
    private final PolicyRevisions revisions;
    private final PolicyCompiler compiler;
    private final Clock clock;
    private final Cache<String, Program> programs;
    private final Cache<String, Optional<ActivePolicy>> active;

    private final org.springframework.transaction.support.TransactionTemplate transactions;
    private final AdminLog adminLog;

    PolicyCatalog(StoredPolicies policies, PolicyRevisions revisions, PolicyProperties properties, Clock clock,
            org.springframework.jdbc.core.simple.JdbcClient jdbc,
            org.springframework.transaction.support.TransactionTemplate transactions, AdminLog adminLog) {
        this.jdbc = jdbc;
        this.adminLog = adminLog;
        this.transactions = transactions; // the application's: retried on a broken connection like @Transactional
        this.policies = policies;
        this.revisions = revisions;
        this.compiler = new PolicyCompiler(properties.limits());
        this.clock = clock;
        this.programs = Caffeine.newBuilder().maximumSize(properties.compiledCacheSize()).build();
        this.active = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(properties.activeCache()).build();
    }

    /** The outcome of an upload: the version now active, and whether it was created by this upload. */
    public record Upload(PolicyVersionInfo version, boolean created) {
    }

    /** Compiles uploaded bytes: not UTF-8 is 422, larger than the limit 413, invalid source 422 with diagnostics. */
    public CompileResult check(byte[] bytes) {
        return compiler.compile(decode(bytes));
    }

    /** Compiles a source given as text (the playground), with the same limits. */
    public Program compileOrThrow(String source) {
        byte[] bytes = source.getBytes(StandardCharsets.UTF_8);
        tooLarge(bytes);
        CompileResult result = compiler.compile(source);
        if (!result.ok()) {
            throw invalid(result.diagnostics());
        }
        return result.program();
    }

    /**
     * Compiles (within the compile timeout, outside any transaction: no connection is held while
     * it runs), then stores and activates in one transaction. A compilation that times out stores
     * nothing: the client, which may have given up by then, is answered 422 and nothing is applied.
     */
    public Upload upload(String name, byte[] bytes, String requester) {
        return upload(name, bytes, requester, true);
    }

    /**
     * With {@code activate} false the version is staged: stored, not active (activation and
     * rollback as for any version); a source byte-identical to the newest version stages nothing.
     */
    public Upload upload(String name, byte[] bytes, String requester, boolean activate) {
        requireValidName(name);
        CompileResult result = check(bytes);
        if (result.ok() && !name.equals(result.name())) {
            throw invalid(List.of(mismatch(result, name)));
        }
        if (!result.ok()) {
            throw invalid(result.diagnostics());
        }
        return transactions.execute(status -> activate ? store(name, bytes, requester, result.program())
                : stage(name, bytes, requester, result.program()));
    }

    private static Diagnostic mismatch(CompileResult result, String name) {
        return Diagnostic.at(result.nameSpan(), Codes.NAME_MISMATCH,
                "the policy is named '" + result.name() + "' but is uploaded as '" + name + "'");
    }

    /**
     * What an upload of these bytes as {@code name} would refuse, listed as the API lists it (empty:
     * it would be stored); a source that is not UTF-8 or is too large throws as an upload does.
     */
    public List<Map<String, Object>> uploadDiagnostics(String name, byte[] bytes) {
        CompileResult result = check(bytes);
        if (!result.ok()) {
            return result.diagnostics().stream().map(PolicyCatalog::error).toList();
        }
        return name.equals(result.name()) ? List.of() : List.of(error(mismatch(result, name)));
    }

    private Upload stage(String name, byte[] bytes, String requester, Program program) {
        policies.createIfMissing(name);
        StoredPolicy policy = policies.lock(name).orElseThrow();
        String sha256 = Digest.sha256(bytes).hex();
        int newest = revisions.maxVersion(name);
        if (newest > 0) {
            PolicyRevision latest = revisions.findByPolicyNameAndVersion(name, newest).orElseThrow();
            if (latest.sha256().equals(sha256) && Arrays.equals(latest.source(), bytes)) {
                return new Upload(info(latest, Integer.valueOf(newest).equals(policy.activeVersion()), false), false);
            }
        }
        int version = newest + 1;
        PolicyRevision revision = new PolicyRevision(name, version, bytes, sha256, program.mode().id(),
                program.description(), clock.instant(), requester);
        revisions.save(revision);
        programs.put(sha256, program);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("version", version);
        details.put("sha256", sha256);
        details.put("mode", program.mode().id());
        if (policy.activeVersion() != null) {
            details.put("activeVersion", policy.activeVersion());
        }
        adminLog.record(requester, "policy.stage", name, details);
        return new Upload(info(revision, false, false), true);
    }

    private Upload store(String name, byte[] bytes, String requester, Program program) {
        policies.createIfMissing(name);
        StoredPolicy policy = policies.lock(name).orElseThrow();
        String sha256 = Digest.sha256(bytes).hex();
        if (policy.activeVersion() != null) {
            PolicyRevision active = revisions.findByPolicyNameAndVersion(name, policy.activeVersion()).orElseThrow();
            if (active.sha256().equals(sha256) && Arrays.equals(active.source(), bytes)) {
                return new Upload(info(active, true, false), false);
            }
        }
        int version = revisions.maxVersion(name) + 1;
        PolicyRevision revision = new PolicyRevision(name, version, bytes, sha256, program.mode().id(),
                program.description(), clock.instant(), requester);
        revisions.save(revision);
        forgetActive(name);
        Integer previous = policy.activeVersion();
        policy.activate(version, clock.instant());
        programs.put(sha256, program);
        adminLog.record(requester, "policy.upload", name, changed(version, previous, sha256, program.mode().id()));
        return new Upload(info(revision, true, false), true);
    }

    @Transactional(readOnly = true)
    public List<PolicyVersionInfo> listActive() {
        return revisions.findActive().stream().map(r -> info(r, true, false)).toList();
    }

    /** Who can satisfy each active policy: what its rules compare signers and attestations with. */
    @Transactional(readOnly = true)
    public List<PolicyRequirements> activeRequirements() {
        return revisions.findActive().stream().map(r -> PolicyRequirements.of(r.policyName(), r.version(),
                new String(r.source(), java.nio.charset.StandardCharsets.UTF_8))).toList();
    }

    @Transactional(readOnly = true)
    public PolicyVersionInfo active(String name) {
        StoredPolicy policy = policies.findById(name).orElseThrow(() -> notFound(name));
        if (policy.activeVersion() == null) {
            throw ApiException.notFound("policy '" + name + "' has no active version; its versions stay readable");
        }
        return info(revisions.findByPolicyNameAndVersion(name, policy.activeVersion()).orElseThrow(), true, true);
    }

    @Transactional(readOnly = true)
    public List<PolicyVersionInfo> versions(String name) {
        StoredPolicy policy = policies.findById(name).orElseThrow(() -> notFound(name));
        return revisions.findByPolicyNameOrderByVersionAsc(name).stream()
                .map(r -> info(r, Integer.valueOf(r.version()).equals(policy.activeVersion()), false)).toList();
    }

    @Transactional(readOnly = true)
    public PolicyVersionInfo version(String name, int version) {
        StoredPolicy policy = policies.findById(name).orElseThrow(() -> notFound(name));
        PolicyRevision revision = revisions.findByPolicyNameAndVersion(name, version)
                .orElseThrow(() -> ApiException.notFound("policy '" + name + "' has no version " + version));
        return info(revision, Integer.valueOf(version).equals(policy.activeVersion()), true);
    }

    @Transactional
    public PolicyVersionInfo activate(String name, int version, String requester) {
        StoredPolicy policy = policies.lock(name).orElseThrow(() -> notFound(name));
        PolicyRevision revision = revisions.findByPolicyNameAndVersion(name, version)
                .orElseThrow(() -> ApiException.notFound("policy '" + name + "' has no version " + version));
        forgetActive(name);
        Integer previous = policy.activeVersion();
        policy.activate(version, clock.instant());
        adminLog.record(requester, "policy.activate", name, changed(version, previous, revision.sha256(), revision.mode()));
        return info(revision, true, false);
    }

    @Transactional
    public void deactivate(String name, String requester) {
        StoredPolicy policy = policies.lock(name).orElseThrow(() -> notFound(name));
        forgetActive(name);
        Integer previous = policy.activeVersion();
        policy.activate(null, clock.instant());
        adminLog.record(requester, "policy.deactivate", name, previous == null ? Map.of() : Map.of("previousVersion", previous));
    }

    /**
     * Every active policy with its compiled program. Which versions are active is read from the
     * database on every call (one small query, no sources); programs come from the cache.
     */
    public List<ActivePolicy> activePolicies() {
        return jdbc.sql(ACTIVE + " ORDER BY v.policy_name").query(PolicyCatalog::key).list().stream().map(this::compiled).toList();
    }

    /**
     * The named policy's active version, if it exists and is active. Which version is active is
     * remembered for at most {@code tollgate.policy.active-cache}: a change made here takes effect
     * at once, one made through another replica when its notification arrives (at once), or
     * within that time if it cannot be heard.
     */
    public Optional<ActivePolicy> activePolicy(String name) {
        return active.get(name, n -> jdbc.sql(ACTIVE + " AND p.name = ?").param(n).query(PolicyCatalog::key).optional()
                .map(this::compiled));
    }

    /** The decision path reads only which versions are active, with plain SQL: no session, no source. */
    private static final String ACTIVE = "SELECT v.policy_name, v.version, v.sha256 FROM policy p"
            + " JOIN policy_version v ON v.policy_name = p.name AND v.version = p.active_version WHERE true";

    private static Object[] key(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new Object[] {rs.getString(1), rs.getInt(2), rs.getString(3)};
    }

    private ActivePolicy compiled(Object[] key) {
        String name = (String) key[0];
        int version = ((Number) key[1]).intValue();
        String sha256 = (String) key[2];
        Program program = programs.get(sha256, sha -> {
            PolicyRevision revision = revisions.findByPolicyNameAndVersion(name, version).orElseThrow();
            CompileResult result = compiler.recompile(new String(revision.source(), StandardCharsets.UTF_8));
            if (!result.ok()) {
                // stored versions compiled when they were uploaded; a change of the language may not break them silently
                throw new IllegalStateException("stored policy " + name + " v" + version
                        + " no longer compiles: " + result.diagnostics());
            }
            return result.program();
        });
        return new ActivePolicy(name, version, sha256, program);
    }

    /** A policy changed, here or through another replica: forget which versions are active. */
    @org.springframework.context.event.EventListener
    void on(dev.tollgate.db.ConfigurationChanged change) {
        if (change.concerns("policy")) {
            active.invalidateAll();
        }
    }

    /** Drops the remembered active version now and again after the commit, so no stale read survives it. */
    private void forgetActive(String name) {
        active.invalidate(name);
        if (org.springframework.transaction.support.TransactionSynchronizationManager.isSynchronizationActive()) {
            org.springframework.transaction.support.TransactionSynchronizationManager.registerSynchronization(
                    new org.springframework.transaction.support.TransactionSynchronization() {
                        @Override
                        public void afterCompletion(int status) {
                            active.invalidate(name);
                        }
                    });
        }
    }

    private String decode(byte[] bytes) {
        tooLarge(bytes);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(ProblemType.UNPROCESSABLE, "the policy source is not valid UTF-8");
        }
    }

    private void tooLarge(byte[] bytes) {
        if (bytes.length > compiler.maxSourceBytes()) {
            throw new ApiException(ProblemType.PAYLOAD_TOO_LARGE, "the policy source is " + bytes.length
                    + " bytes; the limit is " + compiler.maxSourceBytes());
        }
    }

    static void requireValidName(String name) {
        if (!ResourceName.isValid(name)) {
            throw ApiException.badRequest("policy names match " + ResourceName.RULE);
        }
    }

    /** 422 with the diagnostics as {@code errors}. */
    private static Map<String, Object> changed(int version, Integer previous, String sha256, String mode) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("version", version);
        if (previous != null) {
            details.put("previousVersion", previous);
        }
        details.put("sha256", sha256);
        details.put("mode", mode);
        return details;
    }

    public static ApiException invalid(List<Diagnostic> diagnostics) {
        List<Map<String, Object>> errors = diagnostics.stream().map(PolicyCatalog::error).toList();
        return new ApiException(ProblemType.INVALID_POLICY, diagnostics.size() + " error"
                + (diagnostics.size() == 1 ? "" : "s") + " in the policy", Map.of("errors", errors));
    }

    /** The compiler's diagnostics for a source, as {@code POST /v1/policies:validate} lists them (empty: it compiles). */
    public List<Map<String, Object>> diagnostics(byte[] bytes) {
        return check(bytes).diagnostics().stream().map(PolicyCatalog::error).toList();
    }

    static Map<String, Object> error(Diagnostic d) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("line", d.line());
        error.put("column", d.column());
        error.put("code", d.code());
        error.put("message", d.message());
        return error;
    }

    private static ApiException notFound(String name) {
        return ApiException.notFound("no policy named '" + name + "'");
    }

    private static PolicyVersionInfo info(PolicyRevision r, boolean active, boolean withSource) {
        return new PolicyVersionInfo(r.policyName(), r.version(), r.sha256(), r.mode(), r.description(), r.createdAt(),
                r.createdBy(), active, withSource ? new String(r.source(), StandardCharsets.UTF_8) : null);
    }
}
