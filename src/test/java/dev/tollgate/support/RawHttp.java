package dev.tollgate.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Raw HTTP/1.1 over a socket, for what {@code java.net.http} refuses to send: malformed request lines and
 * headers, other protocol versions, trickled bytes, many connections from a chosen loopback address
 * (127.0.0.x), so that tests of per-client limits do not share a budget with the rest of the suite.
 */
public final class RawHttp implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
    }

    /** A connection to the server from {@code from} (a loopback address such as 127.0.0.3). */
    public static RawHttp connect(int port, String from) {
        try {
            Socket socket = new Socket();
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            socket.setSoTimeout(10_000);
            return new RawHttp(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RawHttp connect(int port) {
        return connect(port, "127.0.0.1");
    }

    /** Sends these bytes; false when the server has closed the connection. */
    public boolean send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public boolean send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** An answer: status (0 when none came), headers (lower-case names), body; {@code closed} when the server closed. */
    public record Answer(int status, Map<String, String> headers, String body, boolean closed, String raw) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public boolean isProblem() {
            String type = header("content-type");
            return type != null && type.startsWith("application/problem+json");
        }
    }

    /** Reads one answer, waiting at most {@code wait} for it (a complete one by Content-Length or chunked framing). */
    public Answer read(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        boolean closed = false;
        byte[] buffer = new byte[8192];
        try {
            while (!complete(received.toByteArray())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                socket.setSoTimeout((int) Math.max(1, Math.min(left / 1_000_000, Integer.MAX_VALUE)));
                try {
                    int n = in.read(buffer);
                    if (n < 0) {
                        closed = true;
                        break;
                    }
                    received.write(buffer, 0, n);
                } catch (SocketTimeoutException e) {
                    break;
                }
            }
        } catch (IOException e) {
            closed = true; // reset
        }
        return parse(received.toByteArray(), closed);
    }

    /** Waits at most {@code wait} for the server to close the connection; true when it did. */
    public boolean awaitClose(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        byte[] buffer = new byte[8192];
        try {
            while (System.nanoTime() < deadline) {
                socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                try {
                    int n = in.read(buffer);
                    if (n < 0) {
                        return true;
                    }
                    received.write(buffer, 0, n);
                } catch (SocketTimeoutException e) {
                    return false;
                }
            }
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Everything received so far, parsed as one answer. */
    public Answer received() {
        return parse(received.toByteArray(), false);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }

    private static boolean complete(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        Map<String, String> headers = headers(text.substring(0, end));
        String body = text.substring(end + 4);
        if (headers.containsKey("content-length")) {
            return body.length() >= Integer.parseInt(headers.get("content-length").trim());
        }
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            return body.endsWith("0\r\n\r\n");
        }
        return false;
    }

    private static Answer parse(byte[] bytes, boolean closed) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/") || end < 0) {
            return new Answer(0, Map.of(), utf8(text), closed, text);
        }
        String head = text.substring(0, end);
        int status = Integer.parseInt(head.substring(9, 12));
        Map<String, String> headers = headers(head);
        String body = text.substring(end + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Answer(status, headers, utf8(body), closed, text);
    }

    private static String utf8(String latin1) {
        return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    private static Map<String, String> headers(String head) {
        Map<String, String> headers = new LinkedHashMap<>();
        String[] lines = head.split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        return headers;
    }

    private static String dechunk(String body) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (at < body.length()) {
            int line = body.indexOf("\r\n", at);
            if (line < 0) {
                break;
            }
            int size = Integer.parseInt(body.substring(at, line).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.append(body, line + 2, Math.min(body.length(), line + 2 + size));
            at = line + 2 + size + 2;
        }
        return out.toString();
    }
}
