package dev.tollgate.registry;

/**
 * A repository name split into registry host and repository path, the way Docker and
 * go-containerregistry read it: the first segment is a host when it has a dot or a port or is
 * {@code localhost}; otherwise the image is on Docker Hub (with {@code library/} for one segment).
 */
record ImageName(String host, String repository) {

    static ImageName parse(String name) {
        int slash = name.indexOf('/');
        String first = slash < 0 ? "" : name.substring(0, slash);
        if (slash > 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"))) {
            return new ImageName(first, name.substring(slash + 1));
        }
        return new ImageName("docker.io", slash < 0 ? "library/" + name : name);
    }

    /** The host the registry API is served from. */
    String apiHost() {
        return host.equals("docker.io") ? "registry-1.docker.io" : host;
    }
}
