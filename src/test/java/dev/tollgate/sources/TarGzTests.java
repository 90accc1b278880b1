package dev.tollgate.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import dev.tollgate.support.PolicySourceFiles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bounded tar reader: what {@code tar czf} writes reads back; what could name a file outside the tarball does not. */
class TarGzTests {

    @Test
    void aTarballWrittenByTarReadsBackWithItsLayout(@TempDir Path dir) throws Exception {
        Path tar = Path.of("/usr/bin/tar");
        Assumptions.assumeTrue(Files.isExecutable(tar) || Files.isExecutable(Path.of("/bin/tar")), "no tar here");
        Path content = Files.createDirectories(dir.resolve("content"));
        Files.writeString(content.resolve("a.policy"), "policy \"a\" { rule r { require true } }");
        Files.createDirectories(content.resolve("trust"));
        Files.writeString(content.resolve("trust").resolve("k.pem"), "-----BEGIN PUBLIC KEY-----\n");
        Files.writeString(content.resolve("x".repeat(120) + ".txt"), "a long name (a pax or GNU long-name header)");
        Path out = dir.resolve("p.tgz");
        Process process = new ProcessBuilder("tar", "--format=ustar", "-czf", out.toString(), "-C", content.toString(), "a.policy", "trust")
                .redirectErrorStream(true).start();
        assertThat(process.waitFor()).as(new String(process.getInputStream().readAllBytes())).isZero();
        Map<String, byte[]> files = TarGz.read(Files.readAllBytes(out), 1 << 20, 10);
        assertThat(files.keySet()).containsExactlyInAnyOrder("a.policy", "trust/k.pem");
        assertThat(SourceFiles.of(files).policies()).containsKey("a");
        assertThat(SourceFiles.of(files).trust()).extracting(SourceFiles.Trust::name).containsExactly("k");

        Path pax = dir.resolve("pax.tgz");
        Process paxTar = new ProcessBuilder("tar", "--format=pax", "-czf", pax.toString(), "-C", content.toString(), ".")
                .redirectErrorStream(true).start();
        assertThat(paxTar.waitFor()).isZero();
        assertThat(TarGz.read(Files.readAllBytes(pax), 1 << 20, 10).keySet())
                .contains("a.policy", "trust/k.pem", "x".repeat(120) + ".txt");

        Path gnu = dir.resolve("gnu.tgz");
        Process gnuTar = new ProcessBuilder("tar", "--format=gnu", "-czf", gnu.toString(), "-C", content.toString(), ".")
                .redirectErrorStream(true).start();
        assertThat(gnuTar.waitFor()).isZero();
        assertThat(TarGz.read(Files.readAllBytes(gnu), 1 << 20, 10).keySet())
                .containsExactlyInAnyOrder("a.policy", "trust/k.pem", "x".repeat(120) + ".txt");
    }

    @Test
    void linksAbsoluteNamesAndDotDotAreRefused() throws Exception {
        assertThatThrownBy(() -> TarGz.read(tarball("../a.policy", '0'), 1 << 20, 10)).hasMessageContaining("plain relative path");
        assertThatThrownBy(() -> TarGz.read(tarball("/etc/a.policy", '0'), 1 << 20, 10)).hasMessageContaining("not a relative path");
        assertThatThrownBy(() -> TarGz.read(tarball("a.policy", '2'), 1 << 20, 10)).hasMessageContaining("not a regular file");
        assertThatThrownBy(() -> TarGz.read(tarball("a.policy", '1'), 1 << 20, 10)).hasMessageContaining("not a regular file");
        assertThatThrownBy(() -> TarGz.read("not gzip".getBytes(StandardCharsets.UTF_8), 1 << 20, 10))
                .hasMessageContaining("not gzip-compressed tar");
    }

    @Test
    void sizeAndCountAreBounded() {
        byte[] big = PolicySourceFiles.tarGz(Map.of("a.policy", new byte[5000]));
        assertThatThrownBy(() -> TarGz.read(big, 4096, 10)).hasMessageContaining("more than 4096 bytes");
        byte[] many = PolicySourceFiles.tarGz(Map.of("a.policy", new byte[1], "b.policy", new byte[1], "c.policy", new byte[1]));
        assertThatThrownBy(() -> TarGz.read(many, 4096, 2)).hasMessageContaining("more than 2 files");
        byte[] truncated = java.util.Arrays.copyOf(big, big.length / 2);
        assertThatThrownBy(() -> TarGz.read(truncated, 1 << 20, 10)).isInstanceOf(TarGz.Unreadable.class);
    }

    private static byte[] tarball(String name, char type) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(PolicySourceFiles.header(name, 0, type));
            gz.write(new byte[1024]);
        }
        return out.toByteArray();
    }
}
