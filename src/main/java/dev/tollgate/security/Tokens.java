package dev.tollgate.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.google.re2j.Pattern;
import dev.tollgate.web.ApiException;
import dev.tollgate.web.ProblemType;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Issues, lists, revokes and checks bearer tokens. Secrets are 256 random bits, shown once
 * and stored only as their SHA-256 (a random 256-bit secret needs no slow hash).
 */
@Service
public class Tokens {

    static final String BOOTSTRAP = "bootstrap";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final String PREFIX = "tg_";

    private final ApiTokens tokens;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /**
     * Recently authenticated secrets (by hash), for a few seconds: a revocation takes effect at
     * once on this server (the entry is dropped) and within that time on other replicas.
     */
    private final com.github.benmanes.caffeine.cache.Cache<String, Optional<Requester>> recent =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(10_000)
                    .expireAfterWrite(java.time.Duration.ofSeconds(5)).build();

    Tokens(ApiTokens tokens, Clock clock) {
        this.tokens = tokens;
        this.clock = clock;
    }

    /** A token as listed: never its secret. */
    public record TokenInfo(String name, List<String> roles, java.time.Instant createdAt, String createdBy) {
    }

    /** A new token with its secret, which is shown this one time. */
    public record IssuedToken(String name, List<String> roles, String token) {
    }

    @Transactional
    public IssuedToken issue(String name, List<String> roleIds, String createdBy) {
        if (name == null || !NAME.matches(name)) {
            throw ApiException.unprocessable("token name must match [a-z0-9][a-z0-9-]{0,62}");
        }
        Set<Role> roles = parseRoles(roleIds);
        if (tokens.existsById(name)) {
            throw ApiException.unprocessable("a token named '" + name + "' exists already");
        }
        String secret = newSecret();
        String[] ids = ids(roles);
        try {
            tokens.saveAndFlush(new ApiToken(name, sha256(secret), ids, clock.instant(), createdBy));
        } catch (DataIntegrityViolationException e) {
            throw ApiException.unprocessable("a token named '" + name + "' exists already");
        }
        return new IssuedToken(name, List.of(ids), secret);
    }

    @Transactional(readOnly = true)
    public List<TokenInfo> list() {
        return tokens.findAllByOrderByNameAsc().stream()
                .map(t -> new TokenInfo(t.name(), List.of(t.roles()), t.createdAt(), t.createdBy()))
                .toList();
    }

    @Transactional
    public void revoke(String name) {
        if (!tokens.existsById(name)) {
            throw ApiException.notFound("no token named '" + name + "'");
        }
        tokens.deleteById(name);
        recent.invalidateAll();
    }

    /** The requester a presented secret stands for, if any token has it. */
    public Optional<Requester> authenticate(String secret) {
        if (secret == null || secret.isEmpty() || secret.length() > 512) {
            return Optional.empty();
        }
        String hash = sha256(secret);
        Optional<Requester> cached = recent.getIfPresent(hash);
        if (cached != null && cached.isPresent()) {
            return cached;
        }
        Optional<Requester> found = tokens.findBySecretSha256(hash).map(t -> new Requester(t.name(), toRoles(t.roles())));
        if (found.isPresent()) {
            recent.put(hash, found);
        }
        return found;
    }

    /** Creates the {@code bootstrap} admin token with this secret, or resets its secret and roles. */
    @Transactional
    public void installBootstrap(String secret) {
        String hash = sha256(secret);
        String[] roles = {Role.ADMIN.id()};
        recent.invalidateAll();
        tokens.findById(BOOTSTRAP).ifPresentOrElse(
                existing -> existing.replaceSecret(hash, roles),
                () -> tokens.save(new ApiToken(BOOTSTRAP, hash, roles, clock.instant(), "environment")));
    }

    @Transactional(readOnly = true)
    public boolean none() {
        return tokens.count() == 0;
    }

    String newSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
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

    static String sha256(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
