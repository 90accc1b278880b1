package dev.tollgate.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The admission webhook's own TLS listener (docs/admission.md, "The webhook listener").
 *
 * @param port       its port; -1 (the default) for none, 0 for any free one (tests)
 * @param sslBundle  the Spring Boot SSL bundle of its certificate ({@code spring.ssl.bundle.pem.<name>}, PEM files
 *                   from cert-manager or a Secret; with {@code reload-on-update} a rotation is picked up)
 * @param clientAuth none, want or need: verify API-server client certificates against the bundle's trust store
 * @param cluster    the caller recorded for reviews without a token or client certificate: {@code kubernetes:<cluster>}
 * @param ratePerSecond reviews per second allowed from one source address (a burst of twice as many); 0 for no limit
 */
@ConfigurationProperties("tollgate.webhook")
public record WebhookProperties(@DefaultValue("-1") int port, @DefaultValue("webhook") String sslBundle,
        @DefaultValue("none") String clientAuth, @DefaultValue("default") String cluster,
        @DefaultValue("50") double ratePerSecond) {

    public WebhookProperties {
        if (!clientAuth.equals("none") && !clientAuth.equals("want") && !clientAuth.equals("need")) {
            throw new IllegalArgumentException("tollgate.webhook.client-auth must be none, want or need");
        }
        if (!cluster.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw new IllegalArgumentException("tollgate.webhook.cluster must be a name of letters, digits, '.', '_' and '-'");
        }
        if (ratePerSecond < 0) {
            throw new IllegalArgumentException("tollgate.webhook.rate-per-second must not be negative");
        }
    }

    public boolean enabled() {
        return port >= 0;
    }
}
