package dev.tollgate.admission;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * Where a workload keeps its pod spec, and the images in it: containers, init containers,
 * ephemeral containers and image volumes, each with the JSON path an operator will recognise.
 */
final class PodImages {

    /** An image reference and where it was found. */
    record Image(String reference, String path) {
    }

    /** The pod spec path of each kind that has one (group/Kind; any version). */
    static final Map<String, String[]> POD_SPEC = Map.of(
            "/Pod", new String[] {"spec"},
            "/ReplicationController", new String[] {"spec", "template", "spec"},
            "apps/Deployment", new String[] {"spec", "template", "spec"},
            "apps/ReplicaSet", new String[] {"spec", "template", "spec"},
            "apps/StatefulSet", new String[] {"spec", "template", "spec"},
            "apps/DaemonSet", new String[] {"spec", "template", "spec"},
            "batch/Job", new String[] {"spec", "template", "spec"},
            "batch/CronJob", new String[] {"spec", "jobTemplate", "spec", "template", "spec"});

    private PodImages() {
    }

    static boolean hasPodTemplate(String group, String kind) {
        return POD_SPEC.containsKey(group + "/" + kind);
    }

    /** The images of the object's pod spec, or null when the object has no pod spec where its kind keeps one. */
    static List<Image> of(String group, String kind, JsonNode object) {
        String[] path = POD_SPEC.get(group + "/" + kind);
        JsonNode spec = object;
        StringBuilder where = new StringBuilder();
        for (String step : path) {
            spec = spec == null ? null : spec.get(step);
            where.append(where.length() == 0 ? "" : ".").append(step);
        }
        if (spec == null || !spec.isObject()) {
            return null;
        }
        List<Image> images = new ArrayList<>();
        for (String list : new String[] {"initContainers", "containers", "ephemeralContainers"}) {
            JsonNode containers = spec.get(list);
            if (containers == null || !containers.isArray()) {
                continue;
            }
            for (int i = 0; i < containers.size(); i++) {
                JsonNode image = containers.get(i).get("image");
                String at = where + "." + list + "[" + i + "].image";
                images.add(new Image(image != null && image.isString() ? image.stringValue() : null, at));
            }
        }
        JsonNode volumes = spec.get("volumes");
        if (volumes != null && volumes.isArray()) {
            for (int i = 0; i < volumes.size(); i++) {
                JsonNode reference = volumes.get(i).path("image").get("reference");
                if (reference != null) {
                    images.add(new Image(reference.isString() ? reference.stringValue() : null,
                            where + ".volumes[" + i + "].image.reference"));
                }
            }
        }
        return images;
    }

    /**
     * The annotation {@code key} of the workload: on the object itself, else on its pod template
     * (where pods created from it carry it too); null when neither has it as a string.
     */
    static String annotation(String group, String kind, JsonNode object, String key) {
        JsonNode own = object.path("metadata").path("annotations").get(key);
        if (own != null && own.isString()) {
            return own.stringValue();
        }
        String[] path = POD_SPEC.get(group + "/" + kind);
        if (path == null || path.length < 2) {
            return null;
        }
        JsonNode template = object;
        for (int i = 0; i < path.length - 1; i++) {
            template = template.path(path[i]);
        }
        JsonNode templated = template.path("metadata").path("annotations").get(key);
        return templated != null && templated.isString() ? templated.stringValue() : null;
    }

    /** The distinct references, in order of appearance. */
    static Set<String> distinct(List<Image> images) {
        Set<String> references = new LinkedHashSet<>();
        images.forEach(i -> references.add(i.reference()));
        return references;
    }
}
