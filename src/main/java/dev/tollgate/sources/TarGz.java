package dev.tollgate.sources;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a gzip-compressed tar (ustar, pax or GNU, as {@code tar czf} writes it; parsed by Commons
 * Compress) into its regular files, bounded: at most {@code maxFiles} files and {@code maxBytes}
 * unpacked. Directories are skipped; links, devices, absolute names and {@code ..} are refused, so
 * nothing in a tarball can name a file outside it.
 */
final class TarGz {

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
        try (TarArchiveInputStream in = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(tarGz)))) {
            for (TarArchiveEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (++entries > 2 * maxFiles) {
                    throw new Unreadable("the tarball holds more than " + 2 * maxFiles + " entries");
                }
                String name = entry.getName();
                long size = entry.getSize();
                if (size < 0 || size > maxBytes - total) {
                    throw new Unreadable("the tarball holds more than " + maxBytes + " bytes");
                }
                if (entry.isDirectory()) {
                    normalised(name.endsWith("/") ? name.substring(0, name.length() - 1) : name);
                    continue;
                }
                if (!regular(entry.getLinkFlag())) {
                    throw new Unreadable("'" + name + "' is not a regular file or directory (type '" + (char) entry.getLinkFlag() + "')");
                }
                String path = normalised(name);
                byte[] content = in.readNBytes((int) size);
                if (content.length != size) {
                    throw new Unreadable("the tarball ends inside '" + name + "'");
                }
                if (files.size() >= maxFiles) {
                    throw new Unreadable("the tarball holds more than " + maxFiles + " files");
                }
                if (files.put(path, content) != null) {
                    throw new Unreadable("the tarball holds '" + path + "' twice");
                }
                total += size;
            }
            return files;
        } catch (IOException | IllegalArgumentException e) {
            throw new Unreadable("the tarball is not gzip-compressed tar: " + e.getMessage());
        }
    }

    /** Regular files only, as ustar writes them ('0', the old '\0', contiguous '7'): no links, devices or FIFOs. */
    private static boolean regular(byte type) {
        return type == TarArchiveEntry.LF_NORMAL || type == TarArchiveEntry.LF_OLDNORM || type == TarArchiveEntry.LF_CONTIG;
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
}
