package dev.tollgate.exceptions;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NameGlobTests {

    @ParameterizedTest(name = "{0} ~ {1}: {2}")
    @CsvSource({
        "registry.example/team/*, registry.example/team/app, true",
        "registry.example/team/*, registry.example/team/, true",
        "registry.example/team/*, registry.example/team/sub/app, false",
        "registry.example/team/*, registry.example/teams/app, false",
        "registry.example/team/*, mirror.registry.example/team/app, false",
        "registry.example/team/**, registry.example/team/sub/app, true",
        "registry.example/**/app, registry.example/a/b/app, true",
        "registry.example/**/app, registry.example/a/b/app2, false",
        "registry.example/team/app-?, registry.example/team/app-1, true",
        "registry.example/team/app-?, registry.example/team/app-12, false",
        "registry.example/team/app, registry.example/team/app, true",
        "registry.example/team/app, registry.example/team/app2, false",
        "registry.example:5000/*, registry.example:5000/app, true",
        "*.example/app, registry.example/app, true",
        "*.example/app, a/b.example/app, false",
    })
    void matchesTheWholeName(String glob, String name, boolean matches) {
        assertThat(NameGlob.problem(glob)).isNull();
        assertThat(new NameGlob(glob).matches(name)).isEqualTo(matches);
    }

    @ParameterizedTest
    @CsvSource({"*", "**", "*/*", "?", "a b/*", "a/***/b"})
    void refusesGlobsThatNameNothingOrAreMalformed(String glob) {
        assertThat(NameGlob.problem(glob)).isNotNull();
    }

    @org.junit.jupiter.api.Test
    void longNamesAgainstManyStarsAndNamelessDecisions() {
        String glob = "a" + "*a".repeat(200) + "b";
        String name = "a".repeat(3000);
        assertThat(new NameGlob(glob).matches(name)).isFalse();
        assertThat(new NameGlob("a" + "*a".repeat(200)).matches(name)).isTrue();
        assertThat(new NameGlob("x/*").matches(null)).isFalse();
    }
}
