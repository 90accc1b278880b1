package dev.tollgate.security;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * Secrets an operator chose (the bootstrap token) are kept as Argon2id hashes: salted and
 * memory-hard, so a stolen table does not let anyone test guesses cheaply. Checking one costs tens
 * of milliseconds of CPU and 16 MiB, so at most {@value #CONCURRENT} checks run at once; callers
 * beyond that wait a little and are then told the check is unavailable (503), never let in.
 * Generated secrets (256 random bits) do not need this and never reach it when they are known.
 */
final class ChosenSecrets {

    static final int CONCURRENT = 2;

    private final Argon2PasswordEncoder argon2 = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
    private final Semaphore permits = new Semaphore(CONCURRENT, true);

    /** Thrown when no check could be made in time: the caller must not be let in, and may retry. */
    static final class Unavailable extends RuntimeException {
        Unavailable() {
            super("too many token checks at once");
        }
    }

    String hash(String secret) {
        return argon2.encode(secret);
    }

    boolean matches(String secret, String hash) {
        try {
            if (!permits.tryAcquire(2, TimeUnit.SECONDS)) {
                throw new Unavailable();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable();
        }
        try {
            return argon2.matches(secret, hash);
        } finally {
            permits.release();
        }
    }
}
