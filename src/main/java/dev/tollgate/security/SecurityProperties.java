package dev.tollgate.security;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param initialTokenFile          where a first admin token is written (mode 600) when no token exists
 *                                  and no {@code TOLLGATE_BOOTSTRAP_TOKEN} is set; empty to never do so
 * @param admissionClientSubjects   subject DNs of client certificates, verified by the server's TLS
 *                                  configuration, that may call {@code /v1/admission} without a token
 *                                  (as role decider): the Kubernetes API server usually cannot send one
 * @param tokenCache                how long an authenticated (or refused) secret is remembered; a change of
 *                                  tokens drops it at once on every replica that hears the change's
 *                                  notification, this is the bound when one does not
 */
@ConfigurationProperties("tollgate.security")
record SecurityProperties(@DefaultValue("./tollgate-data/admin-token") Path initialTokenFile,
        @DefaultValue("") java.util.List<String> admissionClientSubjects,
        @DefaultValue("5s") java.time.Duration tokenCache) {
}
