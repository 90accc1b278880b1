package dev.tollgate.sources;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads a gzip-compressed tar (ustar, as {@code tar czf} and GNU tar write it) into its regular
 * files, bounded: at most {@code maxFiles} files and {@code maxBytes} unpacked. Directories and pax
 * headers are skipped; links, devices, absolute names and {@code ..} are refused, so nothing in a
 * tarball can name a file outside it.
 */
final class TarGz {

    private static final int BLOCK = 512;

    private TarGz() {
    }

    /** A tarball that cannot be read safely; the message says why. */
    static final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message, null, false, false);
        }
    }

    static Map<String, byte[]> read(byte[] tarGz, long maxBytes, int maxFiles) throws Unreadable {
        Map<String, byte[]> files = new LinkedHashMap<>();
        long total = 0;
        int entries = 0;
        String longName = null; // a pax "path" or a GNU long name, for the next entry
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(tarGz))) {
            byte[] header = new byte[BLOCK];
            while (true) {
                if (!fill(in, header)) {
                    throw new Unreadable("the tarball ends without its end-of-archive blocks");
                }
                if (zero(header)) {
                    return files;
                }
                checkSum(header);
                if (++entries > 2 * maxFiles) {
                    throw new Unreadable("the tarball holds more than " + 2 * maxFiles + " entries");
                }
                String name = text(header, 0, 100);
                String prefix = text(header, 345, 155);
                if (!prefix.isEmpty() && "ustar".equals(text(header, 257, 5))) {
                    name = prefix + "/" + name;
                }
                if (longName != null) {
                    name = longName;
                    longName = null;
                }
                long size = octal(header, 124, 12);
                char type = (char) header[156];
                if (size < 0 || size > maxBytes - total) {
                    throw new Unreadable("the tarball holds more than " + maxBytes + " bytes");
                }
                byte[] content = new byte[(int) size];
                if (size > 0 && !fill(in, content)) {
                    throw new Unreadable("the tarball ends inside '" + name + "'");
                }
                long padding = (BLOCK - size % BLOCK) % BLOCK;
                in.skipNBytes(padding);
                switch (type) {
                    case '0', '\0', '7' -> {
                        String path = normalised(name);
                        if (files.size() >= maxFiles) {
                            throw new Unreadable("the tarball holds more than " + maxFiles + " files");
                        }
                        if (files.put(path, content) != null) {
                            throw new Unreadable("the tarball holds '" + path + "' twice");
                        }
                        total += size;
                    }
                    case '5' -> normalised(name.endsWith("/") ? name.substring(0, name.length() - 1) : name);
                    case 'x' -> longName = paxPath(content);
                    case 'L' -> longName = text(content, 0, content.length);
                    case 'g' -> {
                        // global pax header: nothing in it is used
                    }
                    default -> throw new Unreadable("'" + name + "' is not a regular file or directory (type '" + type + "')");
                }
            }
        } catch (IOException e) {
            throw new Unreadable("the tarball is not gzip-compressed tar: " + e.getMessage());
        }
    }

    /** The {@code path} of a pax extended header's records ({@code "<length> <key>=<value>\n"}), or null. */
    private static String paxPath(byte[] records) throws Unreadable {
        String path = null;
        int at = 0;
        while (at < records.length) {
            int space = at;
            while (space < records.length && records[space] != ' ') {
                space++;
            }
            int length;
            try {
                length = Integer.parseInt(new String(records, at, space - at, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new Unreadable("a pax header is malformed");
            }
            if (length <= space - at + 1 || at + length > records.length || records[at + length - 1] != '\n') {
                throw new Unreadable("a pax header is malformed");
            }
            String record = new String(records, space + 1, at + length - space - 2, StandardCharsets.UTF_8);
            if (record.startsWith("path=")) {
                path = record.substring("path=".length());
            }
            at += length;
        }
        return path;
    }

    /** The entry's name without a leading {@code ./}; absolute names, {@code ..} and empty segments are refused. */
    private static String normalised(String name) throws Unreadable {
        String path = name;
        while (path.startsWith("./")) {
            path = path.substring(2);
        }
        if (path.isEmpty() || path.equals(".")) {
            return ".";
        }
        if (path.startsWith("/") || path.contains("\\")) {
            throw new Unreadable("'" + name + "' is not a relative path");
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals("..") || segment.equals(".")) {
                throw new Unreadable("'" + name + "' is not a plain relative path");
            }
        }
        return path;
    }

    private static boolean fill(InputStream in, byte[] buffer) throws IOException {
        return in.readNBytes(buffer, 0, buffer.length) == buffer.length;
    }

    private static boolean zero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static void checkSum(byte[] header) throws Unreadable {
        long expected = octal(header, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xff;
        }
        if (sum != expected) {
            throw new Unreadable("a tar header's checksum does not match");
        }
    }

    private static String text(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] header, int offset, int length) throws Unreadable {
        if ((header[offset] & 0x80) != 0) {
            throw new Unreadable("a tar header uses a binary number (an entry too large for this reader)");
        }
        long value = 0;
        boolean digits = false;
        for (int i = offset; i < offset + length; i++) {
            byte b = header[i];
            if (b == 0 || b == ' ') {
                if (digits) {
                    break;
                }
                continue;
            }
            if (b < '0' || b > '7') {
                throw new Unreadable("a tar header holds a malformed number");
            }
            value = value * 8 + (b - '0');
            digits = true;
        }
        return value;
    }
}
