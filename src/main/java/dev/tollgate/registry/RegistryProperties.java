package dev.tollgate.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Registries Tollgate may fetch evidence from. Nothing else is ever contacted.
 *
 * @param allowed       registry hosts (host or host:port) evidence may be fetched from; empty: none
 * @param plainHttp     allowed hosts spoken to over plain HTTP (a registry on loopback for tests)
 * @param credentials   basic credentials per host (used directly, or to obtain a bearer token)
 * @param timeout       the whole fetch for one image, all requests included
 * @param maxConcurrent requests at once to one registry
 * @param maxBytes      largest manifest or blob read
 * @param maxReferrers  most referrers considered per image
 * @param resolveTags   admission: resolve {@code name:tag} to a digest through the registry (off: refuse tags)
 */
@ConfigurationProperties("tollgate.registry")
public record RegistryProperties(@DefaultValue("") List<String> allowed, @DefaultValue("") List<String> plainHttp,
        Map<String, Credentials> credentials, @DefaultValue("5s") Duration timeout, @DefaultValue("4") int maxConcurrent,
        @DefaultValue("4MB") DataSize maxBytes, @DefaultValue("32") int maxReferrers, @DefaultValue("false") boolean resolveTags) {

    public RegistryProperties {
        allowed = allowed.stream().filter(h -> !h.isBlank()).toList();
        plainHttp = plainHttp.stream().filter(h -> !h.isBlank()).toList();
        credentials = credentials == null ? Map.of() : Map.copyOf(credentials);
    }

    /** Basic credentials for a registry. */
    public record Credentials(String username, String password) {
        @Override
        public String toString() {
            return "Credentials[" + username + ", ***]";
        }
    }
}
