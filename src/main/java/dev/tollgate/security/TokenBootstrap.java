package dev.tollgate.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * At start-up: {@code TOLLGATE_BOOTSTRAP_TOKEN} creates or resets the {@code bootstrap} admin
 * token. Without it, and with no token at all, a first admin token is written to a file only
 * the owner can read, so the quick start needs no secret in the log or on the command line.
 */
@Component
class TokenBootstrap implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(TokenBootstrap.class);
    static final String VARIABLE = "TOLLGATE_BOOTSTRAP_TOKEN";
    static final int MIN_LENGTH = 16;

    private final Tokens tokens;
    private final Environment environment;
    private final SecurityProperties properties;

    TokenBootstrap(Tokens tokens, Environment environment, SecurityProperties properties) {
        this.tokens = tokens;
        this.environment = environment;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) throws IOException {
        String secret = environment.getProperty(VARIABLE);
        if (secret != null && !secret.isBlank()) {
            if (secret.strip().length() < MIN_LENGTH) {
                throw new IllegalStateException(VARIABLE + " must be at least " + MIN_LENGTH + " characters long");
            }
            tokens.installBootstrap(secret.strip(), false, "environment");
            log.info("Token '{}' (role admin) set from {}", Tokens.BOOTSTRAP, VARIABLE);
            return;
        }
        if (tokens.none() && properties.initialTokenFile() != null
                && !properties.initialTokenFile().toString().isEmpty()) {
            writeInitialToken(properties.initialTokenFile().toAbsolutePath().normalize());
        }
    }

    private void writeInitialToken(Path file) {
        String generated = tokens.newSecret();
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, generated + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("No token exists and none could be written to {} ({}); set {} to create one",
                    file, e.getMessage(), VARIABLE);
            return;
        }
        tokens.installBootstrap(generated, true, "initial-token-file");
        log.info("No token existed: the admin token '{}' was written to {} (readable by this user only)",
                Tokens.BOOTSTRAP, file);
    }
}
