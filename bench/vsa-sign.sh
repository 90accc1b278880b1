#!/usr/bin/env bash
# The cost of each decision's signed VSA (issue #12 item 5): µs per ECDSA P-256 signature of a
# decision-sized statement through dev.tollgate.ledger.Attestations, on one thread. The decision
# benchmark's cost follows from it (compare bench/decision-load.sh with VSA=none). Not part of the tests.
#   bench/vsa-sign.sh              # 20,000 signatures, 5 runs
#   bench/vsa-sign.sh 50000 3
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  dev.tollgate.ledger.VsaSigningBenchmark "$@"
