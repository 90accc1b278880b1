package dev.tollgate.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * The decision stream's collector in the test suite: a real HTTP server on loopback that keeps
 * every batch POSTed to it (the raw JSON arrays) while up, and answers 503 while down.
 */
public final class StreamCollector {

    private final HttpServer server;
    private final List<String> batches = new CopyOnWriteArrayList<>();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile boolean up = true;

    public StreamCollector() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/decisions", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            boolean json = "application/json".equals(exchange.getRequestHeaders().getFirst("Content-Type"));
            if (!up || !"POST".equals(exchange.getRequestMethod()) || !json) {
                refused.incrementAndGet();
                exchange.sendResponseHeaders(up ? 400 : 503, -1);
            } else {
                batches.add(new String(body, java.nio.charset.StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(204, -1);
            }
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "stream-collector");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/decisions";
    }

    public void down() {
        up = false;
    }

    public void up() {
        up = true;
    }

    /** The batches received, each a JSON array of decisions. */
    public List<String> batches() {
        return List.copyOf(batches);
    }

    /** Requests answered 503 (while down) or 400. */
    public int refused() {
        return refused.get();
    }
}
