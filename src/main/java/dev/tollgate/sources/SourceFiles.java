package dev.tollgate.sources;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.tollgate.name.ResourceName;

import dev.tollgate.trust.TrustKind;

/**
 * What a source holds, by the one layout of directories and bundles: {@code <name>.policy} at the
 * top (one policy per file, named as the file), {@code trust/<name>.json} (a trusted root) and
 * {@code trust/<name>.pem} or {@code .asc} (a public key). Names starting with a dot (git's
 * {@code .git}, a ConfigMap's {@code ..data}) are skipped, and so is any other file (a README).
 */
record SourceFiles(Map<String, byte[]> policies, List<Trust> trust) {


    /** One piece of trust material, named as its file. */
    record Trust(String name, TrustKind kind, byte[] content) {
    }

    /** A layout error: the file and why. */
    record LayoutError(String file, String message) {
    }

    static final class Invalid extends Exception {
        private final List<LayoutError> errors;

        Invalid(List<LayoutError> errors) {
            super(errors.size() + " file" + (errors.size() == 1 ? "" : "s") + " cannot be used", null, false, false);
            this.errors = List.copyOf(errors);
        }

        List<LayoutError> errors() {
            return errors;
        }
    }

    /** Sorts files (relative paths with {@code /}) into policies and trust material. */
    static SourceFiles of(Map<String, byte[]> files) throws Invalid {
        Map<String, byte[]> policies = new TreeMap<>();
        Map<String, Trust> trust = new TreeMap<>();
        List<LayoutError> errors = new ArrayList<>();
        for (Map.Entry<String, byte[]> file : new TreeMap<>(files).entrySet()) {
            String path = file.getKey();
            if (hidden(path)) {
                continue;
            }
            String[] segments = path.split("/");
            if (segments.length == 1 && path.endsWith(".policy")) {
                String name = path.substring(0, path.length() - ".policy".length());
                if (!ResourceName.isValid(name)) {
                    errors.add(new LayoutError(path, "policy files are named <name>.policy, the name matching " + ResourceName.RULE));
                } else {
                    policies.put(name, file.getValue());
                }
            } else if (segments.length == 2 && segments[0].equals("trust")) {
                String leaf = segments[1];
                int dot = leaf.lastIndexOf('.');
                String name = dot < 0 ? leaf : leaf.substring(0, dot);
                String ext = dot < 0 ? "" : leaf.substring(dot + 1);
                TrustKind kind = switch (ext) {
                    case "json" -> TrustKind.ROOT;
                    case "pem", "asc" -> TrustKind.KEY;
                    default -> null;
                };
                if (kind == null) {
                    continue;
                }
                if (!ResourceName.isValid(name)) {
                    errors.add(new LayoutError(path, "trust files are named <name>.json, .pem or .asc, the name matching " + ResourceName.RULE));
                } else if (trust.containsKey(name)) {
                    errors.add(new LayoutError(path, "another trust file is named '" + name + "' too"));
                } else {
                    trust.put(name, new Trust(name, kind, file.getValue()));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new Invalid(errors);
        }
        return new SourceFiles(policies, List.copyOf(trust.values()));
    }

    /** Whether a file at this path is one the layout uses (read it), else it is skipped unread. */
    static boolean wanted(String path) {
        if (hidden(path)) {
            return false;
        }
        String[] segments = path.split("/");
        return segments.length == 1 && path.endsWith(".policy") || segments.length == 2 && segments[0].equals("trust")
                && (path.endsWith(".json") || path.endsWith(".pem") || path.endsWith(".asc"));
    }

    private static boolean hidden(String path) {
        for (String segment : path.split("/")) {
            if (segment.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** A fingerprint of files (paths and contents) and of any further parts (a signature, a key). */
    static String fingerprint(Map<String, byte[]> files, byte[]... parts) {
        MessageDigest digest = sha256();
        for (Map.Entry<String, byte[]> file : new TreeMap<>(files).entrySet()) {
            digest.update(file.getKey().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(sha256().digest(file.getValue()));
        }
        for (byte[] part : parts) {
            digest.update((byte) 1);
            digest.update(part == null ? new byte[0] : sha256().digest(part));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
