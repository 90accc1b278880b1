package dev.tollgate.sbom;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.tollgate.versions.PackageUrl;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Reads the components of an SBOM predicate, with the application's Jackson mapper, by the two
 * documented JSON schemas:
 * <ul>
 * <li>CycloneDX 1.2–1.6 JSON ({@code bomFormat: "CycloneDX"}): {@code components[]}, nested
 * {@code components[]} included, each with {@code purl}, {@code name}, {@code version},
 * {@code licenses[]} ({@code license.id}, {@code license.name} or {@code expression}) and
 * {@code hashes[]} ({@code alg}, {@code content});</li>
 * <li>SPDX 2.x JSON ({@code spdxVersion: "SPDX-2.*"}): {@code packages[]}, each with {@code name},
 * {@code versionInfo}, the {@code purl} of {@code externalRefs[]} (category
 * {@code PACKAGE-MANAGER} / {@code PACKAGE_MANAGER}), {@code licenseConcluded} and
 * {@code licenseDeclared} (without {@code NOASSERTION} and {@code NONE}), {@code checksums[]}.</li>
 * </ul>
 * The predicate types are those Syft, Trivy, cosign ({@code attest --type cyclonedx|spdxjson|spdx})
 * and GitHub ({@code actions/attest-sbom}) write; cosign's older {@code {"Data": ..., "Timestamp": ...}}
 * wrapping, with the document as an object or as a JSON string, is read too.
 */
final class SbomReader {

    static final Set<String> CYCLONEDX_TYPES = Set.of("https://cyclonedx.org/bom", "https://cyclonedx.org/bom/v1.4",
            "https://cyclonedx.org/bom/v1.5", "https://cyclonedx.org/bom/v1.6", "https://cyclonedx.org/schema");
    static final Set<String> SPDX_TYPES = Set.of("https://spdx.dev/Document", "https://spdx.dev/Document/v2.2",
            "https://spdx.dev/Document/v2.3", "https://spdx.org/Document");
    /** cosign's custom predicate: an SBOM only if its {@code Data} is one. */
    static final String COSIGN_CUSTOM = "https://cosign.sigstore.dev/attestation/v1";

    /** The most components read from one SBOM; a larger one is refused (unreadable), never cut short. */
    static final int MAX_COMPONENTS = 100_000;

    /** A component as indexed. */
    record Component(String purl, PackageUrl parsed, String name, String version, List<String> licenses,
            List<String> licenseKeys, Map<String, String> hashes) {
    }

    record Document(String format, String specVersion, List<Component> components) {
    }

    /** An SBOM predicate whose content is not a readable SBOM of its format. */
    static final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message, null, false, false);
        }
    }

    private SbomReader() {
    }

    /** Whether attestations of this predicate type may hold an SBOM (and are worth reading). */
    static boolean mayBeSbom(String predicateType) {
        return predicateType != null && (CYCLONEDX_TYPES.contains(predicateType) || SPDX_TYPES.contains(predicateType)
                || COSIGN_CUSTOM.equals(predicateType));
    }

    /** The SBOM in the predicate; null if it is none (another predicate type, or cosign's custom one holding something else). */
    static Document read(String predicateType, JsonNode predicate, ObjectMapper json) throws Unreadable {
        if (!mayBeSbom(predicateType) || predicate == null) {
            return null;
        }
        JsonNode document = unwrap(predicate, json);
        if (document == null || !document.isObject()) {
            if (COSIGN_CUSTOM.equals(predicateType)) {
                return null;
            }
            throw new Unreadable("the predicate is not a JSON object");
        }
        if ("CycloneDX".equals(document.path("bomFormat").asString(null))) {
            return cycloneDx(document);
        }
        String spdx = document.path("spdxVersion").asString("");
        if (spdx.startsWith("SPDX-2.")) {
            return spdx(document, spdx.substring(5));
        }
        if (COSIGN_CUSTOM.equals(predicateType)) {
            return null;
        }
        throw new Unreadable(CYCLONEDX_TYPES.contains(predicateType) ? "not a CycloneDX JSON document (bomFormat)"
                : "not an SPDX 2.x JSON document (spdxVersion)");
    }

    /** cosign before 2.0 wrapped the document: {"Data": <document or its JSON text>, "Timestamp": ...}. */
    private static JsonNode unwrap(JsonNode predicate, ObjectMapper json) {
        JsonNode data = predicate.get("Data");
        if (data == null || predicate.has("bomFormat") || predicate.has("spdxVersion")) {
            return predicate;
        }
        if (data.isString()) {
            try {
                return json.readTree(data.stringValue());
            } catch (RuntimeException e) {
                return null;
            }
        }
        return data;
    }

    private static Document cycloneDx(JsonNode bom) throws Unreadable {
        String spec = bom.path("specVersion").asString(null);
        if (spec == null || !Set.of("1.2", "1.3", "1.4", "1.5", "1.6").contains(spec)) {
            throw new Unreadable("CycloneDX specVersion " + spec + " is not 1.2 to 1.6");
        }
        List<Component> out = new ArrayList<>();
        JsonNode components = bom.get("components");
        if (components != null && !components.isArray()) {
            throw new Unreadable("components is not an array");
        }
        if (components != null) {
            collect(components, out, 0);
        }
        return new Document("cyclonedx", spec, List.copyOf(out));
    }

    private static void collect(JsonNode components, List<Component> out, int depth) throws Unreadable {
        if (depth > 32) {
            throw new Unreadable("components are nested more than 32 deep");
        }
        for (JsonNode c : components) {
            if (!c.isObject()) {
                throw new Unreadable("a component is not an object");
            }
            String name = text(c, "name");
            if (name != null) {
                List<String> licenses = new ArrayList<>();
                for (JsonNode l : c.path("licenses")) {
                    String expression = text(l, "expression");
                    String id = text(l.path("license"), "id");
                    String lname = text(l.path("license"), "name");
                    String value = expression != null ? expression : id != null ? id : lname;
                    if (value != null) {
                        licenses.add(value);
                    }
                }
                Map<String, String> hashes = new LinkedHashMap<>();
                for (JsonNode h : c.path("hashes")) {
                    String alg = text(h, "alg");
                    String content = text(h, "content");
                    if (alg != null && content != null) {
                        hashes.put(algorithm(alg), content.toLowerCase(Locale.ROOT));
                    }
                }
                add(out, text(c, "purl"), name, text(c, "version"), licenses, hashes);
            }
            JsonNode nested = c.get("components");
            if (nested != null && nested.isArray()) {
                collect(nested, out, depth + 1);
            }
        }
    }

    private static Document spdx(JsonNode doc, String version) throws Unreadable {
        JsonNode packages = doc.get("packages");
        if (packages != null && !packages.isArray()) {
            throw new Unreadable("packages is not an array");
        }
        List<Component> out = new ArrayList<>();
        if (packages != null) {
            for (JsonNode p : packages) {
                if (!p.isObject()) {
                    throw new Unreadable("a package is not an object");
                }
                String name = text(p, "name");
                if (name == null) {
                    continue;
                }
                String purl = null;
                for (JsonNode ref : p.path("externalRefs")) {
                    String category = ref.path("referenceCategory").asString("");
                    if ((category.equals("PACKAGE-MANAGER") || category.equals("PACKAGE_MANAGER"))
                            && "purl".equals(ref.path("referenceType").asString(null))) {
                        purl = text(ref, "referenceLocator");
                        break;
                    }
                }
                List<String> licenses = new ArrayList<>();
                for (String field : new String[] {"licenseConcluded", "licenseDeclared"}) {
                    String l = text(p, field);
                    if (l != null && !l.equals("NOASSERTION") && !l.equals("NONE") && !licenses.contains(l)) {
                        licenses.add(l);
                    }
                }
                Map<String, String> hashes = new LinkedHashMap<>();
                for (JsonNode h : p.path("checksums")) {
                    String alg = text(h, "algorithm");
                    String value = text(h, "checksumValue");
                    if (alg != null && value != null) {
                        hashes.put(algorithm(alg), value.toLowerCase(Locale.ROOT));
                    }
                }
                add(out, purl, name, text(p, "versionInfo"), licenses, hashes);
            }
        }
        return new Document("spdx", version, List.copyOf(out));
    }

    private static void add(List<Component> out, String purl, String name, String version, List<String> licenses,
            Map<String, String> hashes) throws Unreadable {
        if (out.size() >= MAX_COMPONENTS) {
            throw new Unreadable("more than " + MAX_COMPONENTS + " components");
        }
        PackageUrl parsed = PackageUrl.parse(purl);
        if (version == null && parsed != null) {
            version = parsed.version();
        }
        out.add(new Component(parsed != null ? parsed.canonical() : purl, parsed, name, version, List.copyOf(licenses),
                licenseKeys(licenses), Map.copyOf(hashes)));
    }

    /** The SPDX ids (or names) in license expressions, lower case: "MIT OR (Apache-2.0 WITH LLVM-exception)" → mit, apache-2.0, llvm-exception. */
    static List<String> licenseKeys(List<String> licenses) {
        Set<String> keys = new LinkedHashSet<>();
        for (String l : licenses) {
            String lower = l.toLowerCase(Locale.ROOT).strip();
            if (lower.contains(" and ") || lower.contains(" or ") || lower.contains(" with ") || lower.startsWith("(")) {
                for (String token : lower.split("[\\s()]+")) {
                    if (!token.isEmpty() && !token.equals("and") && !token.equals("or") && !token.equals("with")) {
                        keys.add(token);
                    }
                }
            } else if (!lower.isEmpty()) {
                keys.add(lower);
            }
        }
        return List.copyOf(keys);
    }

    /** SHA256 / sha-256 / SHA-256 → SHA-256 (CycloneDX's spelling). */
    static String algorithm(String alg) {
        String a = alg.toUpperCase(Locale.ROOT).replace('_', '-');
        if (a.startsWith("SHA") && a.length() > 3 && a.substring(3).chars().allMatch(Character::isDigit)) {
            a = "SHA-" + a.substring(3);
        }
        return a;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isString() || v.stringValue().isEmpty()) {
            return null;
        }
        String s = v.stringValue();
        if (s.indexOf('\u0000') >= 0) {
            s = s.replace("\u0000", ""); // PostgreSQL text cannot hold U+0000
        }
        return s.length() > 2048 ? s.substring(0, 2048) : s;
    }
}
