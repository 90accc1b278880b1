package dev.tollgate.sources;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Where declared policies come from (docs/policy-sources.md).
 *
 * @param directory a directory of {@code <name>.policy} files and {@code trust/<name>.json|.pem|.asc}
 *                  (a git checkout kept by a sidecar, or a ConfigMap mount); unset: none
 * @param trustDirectory where the directory source's trust material is, when not in its {@code trust/} subdirectory
 *                  (a second ConfigMap mount: a ConfigMap's keys cannot hold a {@code /})
 * @param interval  how often every source is read again; a source whose content did not change is not applied again
 * @param prune     whether a policy a source activated is deactivated when the source no longer holds it
 * @param maxSize   the most bytes a source may hold (a directory's files, a bundle's tarball unpacked)
 * @param maxFiles  the most files a source may hold
 * @param bundles   signed policy bundles: tarballs verified before anything in them is applied
 */
@ConfigurationProperties("tollgate.policy-sources")
record PolicySourcesProperties(Path directory, Path trustDirectory, @DefaultValue("30s") Duration interval, @DefaultValue("true") boolean prune,
        @DefaultValue("8MB") DataSize maxSize, @DefaultValue("1000") int maxFiles, List<Bundle> bundles) {

    PolicySourcesProperties {
        bundles = bundles == null ? List.of() : List.copyOf(bundles);
    }

    /**
     * One signed bundle.
     *
     * @param name      the source's name (as the admin log and the metrics show it)
     * @param file      the tarball (tar.gz) with the same layout as a directory; or, instead, {@code oci}
     * @param oci       an OCI artifact holding the tarball as its {@code tar+gzip} layer ({@code host/repo@sha256:…}, or
     *                  {@code host/repo:tag}, resolved at each read), fetched from an allow-listed registry
     *                  ({@code tollgate.registry.allowed}); signed by a Sigstore bundle over the tarball (a layer of the
     *                  artifact or a referrer) or by {@code cosign sign}'s signature over the manifest (its
     *                  {@code sha256-<hex>.sig} tag)
     * @param signature the Sigstore bundle over the tarball ({@code cosign sign-blob --bundle}); default: the file's
     *                  name with {@code .sigstore.json} appended
     * @param publicKey a PEM public key that must have signed it (keyed signing)
     * @param issuer    with {@code subject}: the identity whose certificate must have signed it (keyless, against
     *                  the trusted roots held)
     * @param subject   the certificate identity's subject (exact)
     */
    record Bundle(String name, Path file, String oci, Path signature, Path publicKey, String issuer, String subject) {

        Path signatureFile() {
            return signature != null ? signature : file.resolveSibling(file.getFileName() + ".sigstore.json");
        }
    }
}
