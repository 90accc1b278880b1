package dev.tollgate.sbom;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.tollgate.decision.ArtifactRef;
import dev.tollgate.decision.Decisions;
import dev.tollgate.decision.Reevaluation;
import dev.tollgate.versions.EcosystemVersion;
import dev.tollgate.versions.PackageUrl;
import dev.tollgate.web.ApiException;
import dev.tollgate.web.PageLimit;
import dev.tollgate.web.QueryParameters;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.ObjectMapper;
import dev.tollgate.digest.Digest;

/**
 * The incident query: {@code GET /v1/components?purl=…&range=vers:…} (or {@code name=},
 * {@code license=}) lists every artifact whose indexed SBOMs hold a matching component, with the
 * components and, per context, where and when the artifact was decided on and last allowed.
 * {@code /v1/components/export} writes all pages as NDJSON (one artifact a line) or CSV (one
 * component a row).
 */
@RestController
class ComponentController {

    private static final Set<String> FILTERS = Set.of("purl", "range", "name", "license");
    private static final int EXPORT_PAGE = 200;
    /** The largest page with {@code stillAllowed=true}: each artifact's kept evidence is verified again. */
    static final int MAX_STILL_ALLOWED = 100;

    private final ComponentIndex index;
    private final ObjectMapper json;
    private final Decisions decisions;

    ComponentController(ComponentIndex index, ObjectMapper json, Decisions decisions) {
        this.index = index;
        this.json = json;
        this.decisions = decisions;
    }

    @GetMapping("/v1/components")
    Map<String, Object> list(@RequestParam MultiValueMap<String, String> query) {
        Map<String, String> q = single(query, Set.of("limit", "cursor", "stillAllowed"));
        ComponentIndex.Query filter = filter(q);
        String still = q.getOrDefault("stillAllowed", "false");
        if (!still.equals("true") && !still.equals("false")) {
            throw ApiException.badRequest("stillAllowed is true or false");
        }
        int limit = PageLimit.of(q.get("limit"));
        if (still.equals("true") && limit > MAX_STILL_ALLOWED) {
            throw ApiException.badRequest("with stillAllowed=true, limit is at most " + MAX_STILL_ALLOWED
                    + " (each artifact's kept evidence is verified again)");
        }
        String cursor = q.get("cursor");
        if (cursor != null && !Digest.isWritten(cursor)) {
            throw ApiException.badRequest("cursor is the nextCursor of a previous page");
        }
        ComponentIndex.Page page = index.find(filter, cursor, still.equals("true") ? Math.min(limit, MAX_STILL_ALLOWED) : limit);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("items", page.items().stream().map(a -> {
            Map<String, Object> item = item(a);
            if (still.equals("true")) {
                stillAllowed(a, item);
            }
            return item;
        }).toList());
        answer.put("nextCursor", page.nextCursor());
        return answer;
    }

    @GetMapping("/v1/components/export")
    void export(@RequestParam MultiValueMap<String, String> query, HttpServletResponse response) throws IOException {
        Map<String, String> q = single(query, Set.of("format"));
        ComponentIndex.Query filter = filter(q);
        String format = q.getOrDefault("format", "ndjson");
        if (!format.equals("ndjson") && !format.equals("csv")) {
            throw ApiException.badRequest("format is ndjson or csv");
        }
        ComponentIndex.Page page = index.find(filter, null, EXPORT_PAGE); // the first page before the status is sent
        boolean csv = format.equals("csv");
        response.setStatus(200);
        response.setContentType(csv ? "text/csv; charset=utf-8" : "application/x-ndjson");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        Writer out = response.getWriter();
        if (csv) {
            out.write("digest,purl,name,version,ecosystem,licenses,lastAllowed,allowedIn\r\n");
        }
        while (true) {
            for (ComponentIndex.Artifact a : page.items()) {
                if (csv) {
                    String allowedIn = String.join(";", a.decisions().stream().filter(w -> w.allowed() > 0).map(ComponentController::place)
                            .toList());
                    for (ComponentIndex.Match m : a.components()) {
                        out.write(String.join(",", cell(a.digest()), cell(m.purl()), cell(m.name()), cell(m.version()),
                                cell(m.ecosystem()), cell(String.join(" ", m.licenses())),
                                cell(a.lastAllowed() == null ? null : a.lastAllowed().toString()), cell(allowedIn)));
                        out.write("\r\n");
                    }
                } else {
                    out.write(json.writeValueAsString(item(a)));
                    out.write("\n");
                }
            }
            out.flush();
            if (page.nextCursor() == null) {
                return;
            }
            page = index.find(filter, page.nextCursor(), EXPORT_PAGE);
        }
    }

    /**
     * Adds {@code stillAllowed} to the artifact and to each context it was allowed in: the last
     * allowed decision there (its context, name and tag) decided again by the active policies on the
     * evidence kept for the digest. A context where it was never allowed has {@code null} and the
     * reason; the artifact is still allowed if it is in any context.
     */
    @SuppressWarnings("unchecked")
    private void stillAllowed(ComponentIndex.Artifact a, Map<String, Object> item) {
        List<Map<String, Object>> rows = (List<Map<String, Object>>) item.get("decisions");
        // the contexts by the name and tag their last allowed decision was made for: the kept evidence is read once for each
        Map<List<String>, List<Integer>> byName = new LinkedHashMap<>();
        for (int i = 0; i < a.decisions().size(); i++) {
            ComponentIndex.LastAllowed last = a.decisions().get(i).last();
            if (last == null) {
                rows.get(i).put("stillAllowed", null);
                rows.get(i).put("stillAllowedReason", "never allowed in this context");
                continue;
            }
            byName.computeIfAbsent(java.util.Arrays.asList(last.name(), last.tag()), k -> new ArrayList<>()).add(i);
        }
        if (byName.isEmpty()) {
            item.put("stillAllowed", null);
            item.put("stillAllowedReason", "never allowed");
            return;
        }
        boolean any = false;
        for (var group : byName.entrySet()) {
            List<Map<String, String>> contexts = group.getValue().stream().map(i -> a.decisions().get(i).last().context()).toList();
            List<Reevaluation> now = decisions.underActivePolicies(new ArtifactRef(a.digest(), group.getKey().get(0),
                    group.getKey().get(1)), contexts);
            for (int k = 0; k < now.size(); k++) {
                int i = group.getValue().get(k);
                Reevaluation r = now.get(k);
                Map<String, Object> row = rows.get(i);
                row.put("stillAllowed", r.allowed());
                Map<String, Object> because = new LinkedHashMap<>();
                because.put("lastAllowedDecision", a.decisions().get(i).last().decisionId());
                because.put("outcome", r.outcome());
                because.put("refusals", r.refusals());
                because.put("policies", r.policies());
                because.put("evidence", r.evidence());
                because.put("verified", r.verified());
                because.put("evaluatedAt", r.at());
                row.put("stillAllowedDetail", because);
                any |= r.allowed();
            }
        }
        item.put("stillAllowed", any);
    }

    private static String place(ComponentIndex.Where w) {
        List<String> parts = new ArrayList<>();
        if (w.environment() != null) {
            parts.add("environment=" + w.environment());
        }
        if (w.cluster() != null) {
            parts.add("cluster=" + w.cluster());
        }
        if (w.namespace() != null) {
            parts.add("namespace=" + w.namespace());
        }
        return parts.isEmpty() ? "(no context)" : String.join(" ", parts);
    }

    /** RFC 4180 quoting; a cell a spreadsheet would run as a formula gets a leading apostrophe. */
    private static String cell(String value) {
        if (value == null) {
            return "";
        }
        String v = value;
        if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
            v = "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }

    private static Map<String, Object> item(ComponentIndex.Artifact a) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("digest", a.digest());
        item.put("names", a.names());
        item.put("lastAllowed", a.lastAllowed());
        item.put("components", a.components().stream().map(m -> {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("purl", m.purl());
            c.put("ecosystem", m.ecosystem());
            c.put("name", m.name());
            c.put("version", m.version());
            c.put("licenses", m.licenses());
            c.put("hashes", m.hashes());
            Map<String, Object> sbom = new LinkedHashMap<>();
            sbom.put("format", m.format());
            sbom.put("predicateType", m.predicateType());
            sbom.put("statementSha256", m.statementSha256());
            sbom.put("firstSeen", m.firstSeen());
            c.put("sbom", sbom);
            return c;
        }).toList());
        item.put("decisions", a.decisions().stream().map(w -> {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("environment", w.environment());
            d.put("namespace", w.namespace());
            d.put("cluster", w.cluster());
            d.put("decisions", w.decisions());
            d.put("allowed", w.allowed());
            d.put("lastAllowed", w.lastAllowed());
            d.put("lastDecision", w.lastDecision());
            d.put("lastOutcome", w.lastOutcome());
            return d;
        }).toList());
        return item;
    }

    private static Map<String, String> single(MultiValueMap<String, String> query, Set<String> others) {
        Set<String> allowed = new java.util.HashSet<>(FILTERS);
        allowed.addAll(others);
        return QueryParameters.single(query, allowed);
    }

    private static ComponentIndex.Query filter(Map<String, String> q) {
        String purlBase = null;
        String purlVersion = null;
        if (q.containsKey("purl")) {
            PackageUrl purl = PackageUrl.parse(q.get("purl"));
            if (purl == null) {
                throw ApiException.badRequest("purl is not a package URL (pkg:type/namespace/name[@version])");
            }
            purlBase = purl.base();
            purlVersion = purl.version();
        }
        String range = q.get("range");
        if (range != null && !EcosystemVersion.validRange(range)) {
            throw ApiException.badRequest("range is a vers range, e.g. vers:maven/>=2.0|<2.17.1, of the schemes "
                    + String.join(", ", EcosystemVersion.ECOSYSTEMS));
        }
        if (range != null && purlVersion != null) {
            throw ApiException.badRequest("give either a purl with a version or a range, not both");
        }
        String name = q.get("name");
        if (name != null && (name.isEmpty() || name.length() > 512)) {
            throw ApiException.badRequest("name is 1 to 512 characters");
        }
        String license = q.get("license");
        if (license != null && (license.isBlank() || license.length() > 256)) {
            throw ApiException.badRequest("license is an SPDX license id, 1 to 256 characters");
        }
        if (purlBase == null && name == null && license == null) {
            throw ApiException.badRequest("give a purl, a name or a license");
        }
        return new ComponentIndex.Query(purlBase, purlVersion, name, license == null ? null : license.strip().toLowerCase(Locale.ROOT),
                range);
    }
}
