package dev.tollgate.web;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.coyote.Processor;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.coyote.http11.Http11Processor;
import org.apache.tomcat.util.net.AbstractEndpoint.Handler.SocketState;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * Tomcat's NIO HTTP/1.1 connector with two bounds Tomcat does not have (configured by
 * {@link TomcatEdgeConfiguration}): a request's headers must be complete within {@link #setHeaderTimeout
 * header-timeout} of its first byte, else its connection is closed (Tomcat's own {@code connectionTimeout}
 * bounds only each wait for the next byte, so a client trickling one byte at a time holds a connection for
 * hours); and one client address holds at most {@link #setMaxConnectionsPerClient max-connections-per-client}
 * connections: a connection beyond that is answered 429 and closed as it is accepted. The address is the
 * TCP peer: behind a proxy, all clients share the proxy's budget.
 * <p>
 * Public, with a public no-argument constructor, because Tomcat instantiates its protocol by class name.
 */
public class BoundedHttp11Protocol extends Http11NioProtocol {

    private volatile long headerTimeoutNanos = TimeUnit.SECONDS.toNanos(10);

    public BoundedHttp11Protocol() {
        super(new ClientLimitedEndpoint());
    }

    /** @param millis the header time-out; 0 or less: none (only Tomcat's per-read time-out) */
    public void setHeaderTimeout(long millis) {
        this.headerTimeoutNanos = millis > 0 ? TimeUnit.MILLISECONDS.toNanos(millis) : Long.MAX_VALUE;
    }

    /** @param max open connections per client address; 0 or less: no limit */
    public void setMaxConnectionsPerClient(int max) {
        ((ClientLimitedEndpoint) getEndpoint()).maxPerClient = max > 0 ? max : Integer.MAX_VALUE;
    }

    /** Open connections of one client address (for tests and metrics). */
    public int connectionsOf(InetAddress client) {
        return ((ClientLimitedEndpoint) getEndpoint()).counts.countOf(client);
    }

    @Override
    protected Processor createProcessor() {
        return new HeaderDeadlineProcessor(this);
    }

    /**
     * Closes the connection of a request whose request line and headers are still incomplete after the header
     * time-out. Tomcat calls {@code service} whenever bytes of an incomplete request arrive and answers
     * {@code LONG} (request line or headers incomplete) or {@code OPEN} (only blank lines so far); the
     * request's start time is set by its first byte and cleared between requests.
     */
    private static final class HeaderDeadlineProcessor extends Http11Processor {
        private final BoundedHttp11Protocol protocol;

        HeaderDeadlineProcessor(BoundedHttp11Protocol protocol) {
            super(protocol, protocol.getAdapter());
            this.protocol = protocol;
        }

        @Override
        public SocketState service(SocketWrapperBase<?> socket) throws IOException {
            SocketState state = super.service(socket);
            long started = request.getStartTimeNanos();
            if ((state == SocketState.LONG || state == SocketState.OPEN) && !isAsync() && started > 0
                    && System.nanoTime() - started > protocol.headerTimeoutNanos) {
                return SocketState.CLOSED;
            }
            return state;
        }
    }

    /** Counts open connections per client address, in the map Tomcat keeps of its connections. */
    private static final class ClientLimitedEndpoint extends NioEndpoint {
        private static final byte[] REFUSAL = ("HTTP/1.1 429 \r\nContent-Type: application/problem+json\r\n"
                + "Retry-After: 1\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s").transform(template -> {
                    String body = "{\"type\":\"" + ProblemType.TOO_MANY_REQUESTS.uri() + "\",\"title\":\""
                            + ProblemType.TOO_MANY_REQUESTS.title() + "\",\"status\":429,\"detail\":"
                            + "\"this client address holds too many connections; close some or retry later\"}";
                    return String.format(template, body.length(), body);
                }).getBytes(StandardCharsets.US_ASCII);

        private final ClientCounts counts = new ClientCounts();
        volatile int maxPerClient = 128;

        ClientLimitedEndpoint() {
            connections = counts;
        }

        @Override
        protected boolean setSocketOptions(SocketChannel socket) {
            InetAddress client = ClientCounts.address(socket);
            if (client != null && counts.countOf(client) >= maxPerClient) {
                try {
                    socket.write(ByteBuffer.wrap(REFUSAL)); // a fresh socket's send buffer takes it without blocking
                } catch (IOException e) {
                    // closed below in any case
                }
                destroySocket(socket);
                return true; // handled: closed and uncounted
            }
            return super.setSocketOptions(socket);
        }
    }

    /** Tomcat's connection map, which also counts the connections of each client address. */
    private static final class ClientCounts extends ConcurrentHashMap<SocketChannel, SocketWrapperBase<NioChannel>> {
        private static final long serialVersionUID = 1L;
        private final transient ConcurrentHashMap<SocketChannel, InetAddress> clients = new ConcurrentHashMap<>();
        private final transient ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();

        static InetAddress address(SocketChannel socket) {
            try {
                return socket.getRemoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
            } catch (IOException e) {
                return null;
            }
        }

        int countOf(InetAddress client) {
            Integer n = perClient.get(client);
            return n == null ? 0 : n;
        }

        @Override
        public SocketWrapperBase<NioChannel> put(SocketChannel socket, SocketWrapperBase<NioChannel> wrapper) {
            InetAddress client = address(socket);
            if (client != null && clients.putIfAbsent(socket, client) == null) {
                perClient.merge(client, 1, Integer::sum);
            }
            return super.put(socket, wrapper);
        }

        @Override
        public SocketWrapperBase<NioChannel> remove(Object socket) {
            SocketWrapperBase<NioChannel> removed = super.remove(socket);
            InetAddress client = clients.remove(socket);
            if (client != null) {
                perClient.computeIfPresent(client, (c, n) -> n <= 1 ? null : n - 1);
            }
            return removed;
        }
    }
}
