package dev.tollgate.versions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Version ordering per ecosystem, the tricky spellings included; vers ranges; purls; bad input is null, never an exception. */
class EcosystemVersionTests {

    /** ecosystem, a, relation (<, =, >), b. */
    private static final String[][] ORDER = {
        {"maven", "2.17.0-rc1", "<", "2.17.0"},
        {"maven", "2.17.0", "<", "2.17.1"},
        {"maven", "2.9.0", "<", "2.17.0"},
        {"maven", "1.0-alpha-1", "<", "1.0"},
        {"maven", "1.0-SNAPSHOT", "<", "1.0"},
        {"maven", "1.0", "=", "1.0.0"},
        {"maven", "1.0.0.Final", "=", "1.0.0"},
        {"maven", "v1.2.3", "=", "1.2.3"},
        {"npm", "1.2.3-beta", "<", "1.2.3"},
        {"npm", "1.2.3-alpha.1", "<", "1.2.3-alpha.beta"},
        {"npm", "v1.2.3", "=", "1.2.3"},
        {"npm", "4.17.20", "<", "4.17.21"},
        {"semver", "1.0.0-rc.1", "<", "1.0.0"},
        {"semver", "10.0.0", ">", "9.9.9"},
        {"pypi", "1.0.0a1", "<", "1.0.0"},
        {"pypi", "1.0.0a1", "<", "1.0.0b2"},
        {"pypi", "1.0.0b2", "<", "1.0.0rc1"},
        {"pypi", "1.0.0rc1", "<", "1.0.0"},
        {"pypi", "1.0.0", "<", "1.0.0.post1"},
        {"pypi", "1.0.0.dev1", "<", "1.0.0a1"},
        {"pypi", "1.0", "=", "1.0.0"},
        {"pypi", "1.0.0alpha1", "=", "1.0.0a1"},
        {"pypi", "1!0.1", ">", "2.0"},
        {"pypi", "1.0+local.2", ">", "1.0+local.1"},
        {"pypi", "1.0+1", ">", "1.0"},
        {"pypi", "v1.2.3", "=", "1.2.3"},
        {"deb", "1:2.3-4", ">", "9.9-1"},
        {"deb", "1.1.1n-0+deb11u3", "<", "1.1.1n-0+deb11u4"},
        {"deb", "1.0~rc1-1", "<", "1.0-1"},
        {"deb", "2.3-4", "<", "2.3-10"},
        {"rpm", "1.2-3.el8", "<", "1.10-1"},
        {"rpm", "1:1.0-1", ">", "2.0-1"},
        {"golang", "v1.2.3", "<", "v1.10.0"},
        {"golang", "v1.2.3", "=", "1.2.3"},
        {"golang", "v0.0.0-20230101000000-abcdefabcdef", "<", "v0.1.0"},
    };

    @TestFactory
    Stream<DynamicTest> orderingTable() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String[] row : ORDER) {
            tests.add(DynamicTest.dynamicTest(String.join(" ", row), () -> {
                EcosystemVersion a = EcosystemVersion.parse(row[1], row[0]);
                EcosystemVersion b = EcosystemVersion.parse(row[3], row[0]);
                assertThat(a).as(row[1]).isNotNull();
                assertThat(b).as(row[3]).isNotNull();
                int expected = row[2].equals("<") ? -1 : row[2].equals("=") ? 0 : 1;
                assertThat(a.compareTo(b)).isEqualTo(expected);
                assertThat(b.compareTo(a)).isEqualTo(-expected);
                assertThat(a.equals(b)).isEqualTo(expected == 0);
            }));
        }
        return tests.stream();
    }

    @Test
    void unreadableVersionsAreNull() {
        String[][] bad = {{"deb", "not a deb"}, {"deb", "a1.0"}, {"maven", ""}, {"maven", "abc"}, {"pypi", "1.0.0-foo-bar"},
            {"pypi", "banana"}, {"npm", "one.two"}, {"semver", "01.2.3"}, {"golang", "latest"}, {"cobol", "1.0"}, {"maven", null},
            {"maven", "1".repeat(300)}};
        for (String[] b : bad) {
            assertThat(EcosystemVersion.parse(b[1], b[0])).as("%s %s", b[0], b[1]).isNull();
        }
        assertThat(EcosystemVersion.parse("1.0", null)).isNull();
    }

    @Test
    void versionsOfDifferentEcosystemsAreNotComparable() {
        EcosystemVersion maven = EcosystemVersion.parse("1.0.0", "maven");
        EcosystemVersion npm = EcosystemVersion.parse("1.0.0", "npm");
        EcosystemVersion semver = EcosystemVersion.parse("1.0.0", "semver");
        assertThat(maven.comparableWith(npm)).isFalse();
        assertThat(npm.comparableWith(semver)).isTrue();
        assertThat(maven.equals(npm)).isFalse();
    }

    @Test
    void versRanges() {
        Object[][] cases = {
            {"2.14.1", "vers:maven/<2.17.1", true},
            {"2.17.0-rc1", "vers:maven/<2.17.1", true},
            {"2.17.1", "vers:maven/<2.17.1", false},
            {"2.17.1", "vers:maven/>=2.0|<2.17.1", false},
            {"1.9", "vers:maven/>=2.0|<2.17.1", false},
            {"2.0", "vers:maven/>=2.0|<2.17.1", true},
            {"2.3.1", "vers:maven/>=2.0|<2.3.0|>=2.4|<2.5", false},
            {"2.4.1", "vers:maven/>=2.0|<2.3.0|>=2.4|<2.5", true},
            {"4.17.20", "vers:npm/<4.17.21", true},
            {"1.2.3", "vers:npm/1.2.3|1.2.5", true},
            {"1.2.4", "vers:npm/1.2.3|1.2.5", false},
            {"1.0.0a1", "vers:pypi/<1.0.0", true},
            {"1.0.0", "vers:pypi/>=1.0.0a1|<1.0.0", false},
            {"1.0.0b1", "vers:pypi/>=1.0.0a1|<1.0.0", true},
            {"1.0.0b1", "vers:pypi/>=1.0.0a1|!=1.0.0b1|<1.0.0", false},
            {"1:2.3-4", "vers:deb/>=1:0", true},
            {"2.3-4", "vers:deb/>=1:0", false},
            {"v1.2.3", "vers:golang/<v1.10.0", true},
            {"1.2.3", "vers:maven/*", true},
        };
        for (Object[] c : cases) {
            assertThat(EcosystemVersion.inRange((String) c[0], (String) c[1])).as("%s in %s", c[0], c[1]).isEqualTo(c[2]);
            assertThat(EcosystemVersion.validRange((String) c[1])).as((String) c[1]).isTrue();
        }
        for (String bad : new String[] {"<2.0", "vers:", "vers:maven", "vers:maven/", "vers:cobol/<1", "vers:maven/<<1",
            "vers:deb/<not a deb", "vers:pypi/<banana", "maven/<1"}) {
            assertThat(EcosystemVersion.inRange("1.0", bad)).as(bad).isNull();
            assertThat(EcosystemVersion.validRange(bad)).as(bad).isFalse();
        }
        assertThat(EcosystemVersion.inRange("banana", "vers:pypi/<1.0")).isNull();
        assertThat(EcosystemVersion.inRange(null, "vers:pypi/<1.0")).isNull();
    }

    @Test
    void packageUrls() {
        PackageUrl p = PackageUrl.parse("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar");
        assertThat(p.type()).isEqualTo("maven");
        assertThat(p.namespace()).isEqualTo("org.apache.logging.log4j");
        assertThat(p.name()).isEqualTo("log4j-core");
        assertThat(p.version()).isEqualTo("2.14.1");
        assertThat(p.qualifiers()).containsEntry("type", "jar");
        assertThat(p.base()).isEqualTo("pkg:maven/org.apache.logging.log4j/log4j-core");
        PackageUrl deb = PackageUrl.parse("pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u3?arch=amd64");
        assertThat(deb.version()).isEqualTo("1.1.1n-0+deb11u3");
        assertThat(deb.base()).isEqualTo("pkg:deb/debian/openssl");
        assertThat(PackageUrl.parse("pkg:npm/%40angular/core@16.0.0").base()).isEqualTo("pkg:npm/%40angular/core");
        for (String bad : new String[] {"", "log4j", "pkg:", "pkg:/x", "http://example.com", "pkg:maven/@1"}) {
            assertThat(PackageUrl.parse(bad)).as(bad).isNull();
        }
        assertThat(PackageUrl.parse(null)).isNull();
    }
}
