#!/usr/bin/env bash
# Policy compile times across source sizes (hostile and large sources: patterns, literals, many
# rules, lets and diagnostics). Linear compilation shows as a flat "µs per 1000 chars" column.
# Prints a table; not part of the tests.
#   bench/policy-compile.sh                       # 25k, 50k, 100k, 250k characters
#   bench/policy-compile.sh 100000 1000000        # other sizes
#   bench/policy-compile.sh -k glob               # only the kinds whose name contains "glob"
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec java -Xss16m -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  dev.tollgate.bench.PolicyCompileBenchmark "$@"
