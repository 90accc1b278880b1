package dev.tollgate.web;

import org.apache.catalina.core.StandardHost;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Configuration;

/**
 * The embedded Tomcat at the edge: {@link BoundedHttp11Protocol} (header time-out, connections per
 * client), {@link UnreadBodyValve} (a bounded discard of unread bodies), {@link ProblemReportValve}
 * (Tomcat's own refusals as problem documents), and {@code 100 Continue} sent only when a handler starts
 * reading the body, so a request refused before (401, 413, ...) never invites its body. Tomcat's per-read
 * {@code connectionTimeout}, {@code maxConnections}, {@code acceptCount} and threads are the
 * {@code server.tomcat.*} properties in application.properties.
 */
@Configuration(proxyBeanMethods = false)
class TomcatEdgeConfiguration implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    private final HttpProperties properties;
    private final ProblemResponses problems;

    TomcatEdgeConfiguration(HttpProperties properties, ProblemResponses problems) {
        this.properties = properties;
        this.problems = problems;
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.setProtocol(BoundedHttp11Protocol.class.getName());
        factory.addConnectorCustomizers(connector -> {
            if (connector.getProtocolHandler() instanceof BoundedHttp11Protocol protocol) {
                protocol.setHeaderTimeout(properties.headerTimeout().toMillis());
                protocol.setMaxConnectionsPerClient(properties.maxConnectionsPerClient());
                protocol.setContinueResponseTiming("onRead");
            }
        });
        factory.addEngineValves(new UnreadBodyValve(properties));
        factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                ProblemReportValve valve = new ProblemReportValve(problems);
                host.getPipeline().addValve(valve);
                host.setErrorReportValveClass(valve.getClass().getName()); // so that Tomcat adds no HTML report of its own
            }
        });
    }
}
