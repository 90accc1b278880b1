package dev.tollgate.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 requests over a plain socket, byte for byte as given: no client library normalises, encodes or
 * refuses the request target, so a test can send exactly the spelling an attacker would. Keeps
 * the connection alive between requests and reconnects when the server has closed it.
 */
public final class RawRequests implements AutoCloseable {

    public record Response(int status, Map<String, String> headers, byte[] body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public boolean isProblem() {
            String type = header("content-type");
            return type != null && type.startsWith("application/problem+json");
        }
    }

    private final int port;
    private final int timeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    public RawRequests(int port) {
        this(port, 15_000);
    }

    public RawRequests(int port, int timeoutMillis) {
        this.port = port;
        this.timeoutMillis = timeoutMillis;
    }

    /** One request; {@code target} goes on the request line exactly as given. */
    public Response send(String method, String target, Map<String, String> headers, byte[] body) {
        StringBuilder head = new StringBuilder().append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] bytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        try {
            return exchange(bytes, body, method);
        } catch (ClosedWhileSending e) {
            throw new UncheckedIOException(method + " " + target, e);
        } catch (IOException first) {
            close(); // the server may have closed a kept-alive connection: once more on a new one
            try {
                return exchange(bytes, body, method);
            } catch (IOException e) {
                throw new UncheckedIOException(method + " " + target, e);
            }
        }
    }

    private Response exchange(byte[] head, byte[] body, String method) throws IOException {
        if (socket == null || socket.isClosed()) {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            in = new java.io.BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }
        out.write(head); // a failure here (a kept-alive connection the server had closed) is retried by send
        try {
            if (body != null) {
                out.write(body);
            }
            out.flush();
        } catch (IOException e) {
            // the server closed while the request was still being sent (it refused what it had read):
            // its answer may still be there to read, unless the kernel's reset destroyed it
            try {
                return read(method);
            } catch (IOException | RuntimeException unread) {
                close();
                throw new ClosedWhileSending(e);
            }
        }
        return read(method);
    }

    /** The server closed the connection before the whole request was sent, and no answer could be read. */
    public static final class ClosedWhileSending extends IOException {
        ClosedWhileSending(IOException cause) {
            super("the server closed the connection while the request was being sent", cause);
        }
    }

    private Response read(String method) throws IOException {
        int status;
        Map<String, String> headers;
        do { // interim answers (100 Continue) come before the one that counts
            String statusLine = line();
            if (statusLine == null) {
                throw new IOException("connection closed before a response");
            }
            String[] parts = statusLine.split(" ", 3);
            status = Integer.parseInt(parts[1]);
            headers = new LinkedHashMap<>();
            for (String line = line(); line != null && !line.isEmpty(); line = line()) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        } while (status >= 100 && status < 200);
        byte[] content;
        if (method.equals("HEAD") || status == 204 || status == 304) {
            content = new byte[0];
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
                    size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                all.write(in.readNBytes(size));
                line();
            }
            for (String trailer = line(); trailer != null && !trailer.isEmpty(); trailer = line()) {
                // trailers are not used
            }
            content = all.toByteArray();
        } else if (headers.containsKey("content-length")) {
            content = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else {
            content = in.readAllBytes();
            close();
        }
        if ("close".equalsIgnoreCase(headers.get("connection"))) {
            close();
        }
        return new Response(status, headers, content);
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
