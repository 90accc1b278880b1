#!/usr/bin/env bash
# Replay throughput (issue 13): N recorded decisions with their kept policy inputs in an embedded
# PostgreSQL (fsync and synchronous_commit on), replayed by Replays.run as the endpoint runs it,
# next to the floor (the raw evaluation of the compiled candidate over the same inputs in memory).
# Kinds: typical, heavy (the kept input as policy-eval.sh's heavy one) and trust (trust-change replay:
# "trust": {} and "trust": {"without": ["public-good"]} over decisions on a real kept bundle).
#   bench/replay.sh                   # 100,000 decisions per input kind, best of 3 runs
#   bench/replay.sh 20000 2           # quicker
#   nice -n 10 bench/replay.sh 20000 3 trust
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec java -Xmx2g -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" dev.tollgate.decision.ReplayBenchmark "$@"
