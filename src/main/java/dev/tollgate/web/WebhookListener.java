package dev.tollgate.web;

import jakarta.servlet.http.HttpServletRequest;
import org.apache.catalina.connector.Connector;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.tomcat.SslConnectorCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * A second Tomcat connector, TLS only, for the Kubernetes API server's admission reviews: its
 * certificate comes from an SSL bundle (PEM files) and is replaced when the bundle's files change.
 * Which requests it may carry (only {@code POST /v1/admission}) and who their caller is, is the
 * security package's concern; this class only says whether a request arrived on it.
 */
@Component
@EnableConfigurationProperties(WebhookProperties.class)
public class WebhookListener implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    private final WebhookProperties properties;
    private final SslBundles bundles;
    private volatile Connector connector;

    WebhookListener(WebhookProperties properties, SslBundles bundles) {
        this.properties = properties;
        this.bundles = bundles;
    }

    public WebhookProperties properties() {
        return properties;
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        if (!properties.enabled()) {
            return;
        }
        Connector c = new Connector(BoundedHttp11Protocol.class.getName());
        c.setPort(properties.port());
        // the main connector's edge settings (time-outs, limits) apply to this one too, once all are known
        factory.addContextCustomizers(context -> factory.getConnectorCustomizers().forEach(customizer -> customizer.customize(c)));
        SslBundle bundle = bundles.getBundle(properties.sslBundle());
        SslConnectorCustomizer ssl = new SslConnectorCustomizer(LogFactory.getLog(WebhookListener.class), c,
                Ssl.ClientAuth.valueOf(properties.clientAuth().toUpperCase(java.util.Locale.ROOT)));
        ssl.customize(bundle, java.util.Map.of());
        bundles.addBundleUpdateHandler(properties.sslBundle(), updated -> ssl.update(null, updated));
        factory.addAdditionalConnectors(c);
        this.connector = c;
    }

    /** The port it listens on (the chosen one when configured as 0), or -1. */
    public int port() {
        Connector c = connector;
        return c == null ? -1 : c.getLocalPort();
    }

    /** Whether the request arrived on the webhook listener. */
    public boolean carried(HttpServletRequest request) {
        int port = port();
        return port > 0 && request.getLocalPort() == port;
    }
}
