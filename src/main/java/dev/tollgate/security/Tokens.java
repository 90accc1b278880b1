package dev.tollgate.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.adminlog.AdminLog;
import dev.tollgate.db.ConfigurationChanged;
import dev.tollgate.web.ApiException;
import dev.tollgate.web.ProblemType;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import dev.tollgate.digest.Digest;
import dev.tollgate.name.ResourceName;

/**
 * Issues, lists, revokes and checks bearer tokens. Generated secrets are 256 random bits, shown
 * once and stored only as their SHA-256 (a random 256-bit secret needs no slow hash); a secret an
 * operator chose ({@code TOLLGATE_BOOTSTRAP_TOKEN}) is stored only as an Argon2id hash
 * ({@link ChosenSecrets}). Revoked tokens stay listed, and their names are not reused. Every change
 * is written to the {@link AdminLog} in the same transaction.
 */
@Service
public class Tokens {

    static final String BOOTSTRAP = "bootstrap";
    private static final String PREFIX = "tg_";

    private final ApiTokens tokens;
    private final AdminLog adminLog;
    private final Clock clock;
    private final TransactionTemplate transactions;
    private final ChosenSecrets chosen = new ChosenSecrets();
    private final SecureRandom random = new SecureRandom();
    /**
     * Recently authenticated secrets (by hash), for {@code tollgate.security.token-cache}: a
     * revocation takes effect at once on every replica that hears of it (the change's notification,
     * {@link ConfigurationChanged}), and within that time on one that does not.
     */
    private final Cache<String, Requester> recent;
    /** Recently refused secrets (by hash): a repeated bad token costs neither a query nor an Argon2 check. */
    private final Cache<String, Boolean> refused;
    /** The tokens with chosen secrets (only {@code bootstrap} today), read at most every few seconds. */
    private final Cache<String, List<ApiToken>> withChosenSecrets;
    /** Counts {@link #forgetAll}: a lookup that raced with one does not keep what it read. */
    private final java.util.concurrent.atomic.AtomicLong forgotten = new java.util.concurrent.atomic.AtomicLong();

    Tokens(ApiTokens tokens, AdminLog adminLog, Clock clock, TransactionTemplate transactions, SecurityProperties properties) {
        Duration remember = properties.tokenCache();
        this.recent = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(remember).build();
        this.refused = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(remember).build();
        this.withChosenSecrets = Caffeine.newBuilder().expireAfterWrite(remember).build();
        this.tokens = tokens;
        this.adminLog = adminLog;
        this.clock = clock;
        this.transactions = transactions;
    }

    /** A token as listed: never its secret. */
    public record TokenInfo(String name, List<String> roles, Instant createdAt, String createdBy, Instant revokedAt,
            String revokedBy) {
    }

    /** A new token with its secret, which is shown this one time. */
    public record IssuedToken(String name, List<String> roles, String token) {
    }

    @Transactional
    public IssuedToken issue(String name, List<String> roleIds, String createdBy) {
        if (!ResourceName.isValid(name)) {
            throw ApiException.unprocessable("token name must match " + ResourceName.RULE);
        }
        Set<Role> roles = parseRoles(roleIds);
        Optional<ApiToken> existing = tokens.findById(name);
        if (existing.isPresent()) {
            throw ApiException.unprocessable(existing.get().revoked()
                    ? "a token named '" + name + "' was revoked; its name is not reused"
                    : "a token named '" + name + "' exists already");
        }
        String secret = newSecret();
        String[] ids = ids(roles);
        try {
            tokens.saveAndFlush(new ApiToken(name, Digest.sha256(secret).hex(), null, ids, clock.instant(), createdBy));
        } catch (DataIntegrityViolationException e) {
            throw ApiException.unprocessable("a token named '" + name + "' exists already");
        }
        adminLog.record(createdBy, "token.create", name, Map.of("roles", List.of(ids)));
        return new IssuedToken(name, List.of(ids), secret);
    }

    @Transactional(readOnly = true)
    public List<TokenInfo> list() {
        return tokens.findAllByOrderByNameAsc().stream()
                .map(t -> new TokenInfo(t.name(), List.of(t.roles()), t.createdAt(), t.createdBy(), t.revokedAt(), t.revokedBy()))
                .toList();
    }

    @Transactional
    public void revoke(String name, String revokedBy) {
        ApiToken token = tokens.findById(name).filter(t -> !t.revoked())
                .orElseThrow(() -> ApiException.notFound("no token named '" + name + "'"));
        token.revoke(clock.instant(), revokedBy);
        tokens.saveAndFlush(token);
        adminLog.record(revokedBy, "token.revoke", name, Map.of("roles", List.of(token.roles())));
        forgetAll();
    }

    /**
     * The requester a token stands for now, by name: empty once it is revoked. A console session holds
     * the token's name, never its secret, and asks this on every request.
     */
    @Transactional(readOnly = true)
    public Optional<Requester> current(String name) {
        return tokens.findById(name).filter(t -> !t.revoked()).map(Tokens::requester);
    }

    /** The requester a presented secret stands for, if a token that is not revoked has it. */
    public Optional<Requester> authenticate(String secret) {
        if (secret == null || secret.isEmpty() || secret.length() > 512) {
            return Optional.empty();
        }
        String hash = Digest.sha256(secret).hex();
        Requester known = recent.getIfPresent(hash);
        if (known != null) {
            return Optional.of(known);
        }
        if (refused.getIfPresent(hash) != null) {
            return Optional.empty();
        }
        long generation = forgotten.get();
        Optional<ApiToken> generated = tokens.findBySecretSha256(hash);
        Optional<Requester> found;
        if (generated.isPresent()) {
            found = generated.filter(t -> !t.revoked()).map(Tokens::requester);
            found.ifPresent(r -> upgradeLegacyBootstrap(generated.get(), secret));
        } else {
            found = byChosenSecret(secret);
        }
        found.ifPresentOrElse(r -> recent.put(hash, r), () -> refused.put(hash, Boolean.TRUE));
        if (forgotten.get() != generation) {
            // a change arrived while this was read: what was read may predate it
            recent.invalidate(hash);
            refused.invalidate(hash);
        }
        return found;
    }

    private Optional<Requester> byChosenSecret(String secret) {
        List<ApiToken> candidates = withChosenSecrets.get("all", k -> tokens.findBySecretKdfIsNotNullAndRevokedAtIsNull());
        for (ApiToken candidate : candidates) {
            if (chosen.matches(secret, candidate.secretKdf())) {
                return Optional.of(requester(candidate));
            }
        }
        return Optional.empty();
    }

    /**
     * A bootstrap token written before chosen secrets were hashed with Argon2id is kept as a plain
     * SHA-256; the first time its secret is presented, it is re-hashed.
     */
    private void upgradeLegacyBootstrap(ApiToken token, String secret) {
        if (!BOOTSTRAP.equals(token.name()) || !"environment".equals(token.createdBy())) {
            return;
        }
        String kdf = chosen.hash(secret);
        transactions.executeWithoutResult(status -> tokens.findById(BOOTSTRAP).ifPresent(t -> {
            t.replaceSecret(null, kdf, t.roles());
            tokens.saveAndFlush(t);
            adminLog.record("tollgate", "token.rehash", BOOTSTRAP, Map.of("hash", "argon2id"));
        }));
        forgetAll();
    }

    /**
     * Creates the {@code bootstrap} admin token with this secret, or resets its secret and roles
     * (also when it was revoked). A secret the operator chose is hashed with Argon2id; one this
     * server generated ({@code generated}) with SHA-256.
     */
    @Transactional
    public void installBootstrap(String secret, boolean generated, String source) {
        Optional<ApiToken> current = tokens.findById(BOOTSTRAP);
        if (current.isPresent() && !current.get().revoked() && current.get().secretKdf() != null && !generated
                && List.of(current.get().roles()).equals(List.of(Role.ADMIN.id()))
                && chosen.matches(secret, current.get().secretKdf())) {
            return; // unchanged since the last start: nothing to record
        }
        String sha256 = generated ? Digest.sha256(secret).hex() : null;
        String kdf = generated ? null : chosen.hash(secret);
        String[] roles = {Role.ADMIN.id()};
        Optional<ApiToken> existing = tokens.findById(BOOTSTRAP);
        if (existing.isPresent()) {
            existing.get().replaceSecret(sha256, kdf, roles);
            tokens.saveAndFlush(existing.get());
        } else {
            tokens.saveAndFlush(new ApiToken(BOOTSTRAP, sha256, kdf, roles, clock.instant(), source));
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("roles", List.of(roles));
        details.put("source", source);
        adminLog.record(source, "token.bootstrap", BOOTSTRAP, details);
        forgetAll();
    }

    @Transactional(readOnly = true)
    public boolean none() {
        return tokens.countByRevokedAtIsNull() == 0;
    }

    String newSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * A token changed, here or through another replica. A new token can only turn a refusal into an
     * acceptance, so its creation drops the refusals alone: the secrets already accepted stay
     * remembered (and keep working through a database outage that follows, as before).
     */
    @EventListener
    void on(ConfigurationChanged change) {
        if (change.is("token.create")) {
            forgotten.incrementAndGet();
            refused.invalidateAll();
            withChosenSecrets.invalidateAll();
        } else if (change.concerns("token")) {
            forgetAll();
        }
    }

    void forgetAll() {
        forgotten.incrementAndGet();
        recent.invalidateAll();
        refused.invalidateAll();
        withChosenSecrets.invalidateAll();
    }

    private static Requester requester(ApiToken token) {
        return new Requester(token.name(), toRoles(token.roles()));
    }

    private static Set<Role> parseRoles(List<String> roleIds) {
        if (roleIds == null || roleIds.isEmpty()) {
            throw ApiException.unprocessable("a token needs at least one role");
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String id : roleIds) {
            roles.add(Role.fromId(id).orElseThrow(() -> new ApiException(ProblemType.UNPROCESSABLE,
                    "unknown role '" + id + "'; roles are decider, policy-admin, auditor, admin")));
        }
        return roles;
    }

    private static String[] ids(Set<Role> roles) {
        return roles.stream().map(Role::id).toArray(String[]::new);
    }

    private static Set<Role> toRoles(String[] ids) {
        Set<Role> roles = new LinkedHashSet<>();
        for (String id : ids) {
            Role.fromId(id).ifPresent(roles::add);
        }
        return roles;
    }
}
