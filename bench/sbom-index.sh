#!/usr/bin/env bash
# The incident query (GET /v1/components) against a generated SBOM index in an embedded
# PostgreSQL: N SBOMs x M components, then p50/p99 per query. Prints a table; not part of the tests.
#   bench/sbom-index.sh                 # 10,000 SBOMs x 500 components, 200 runs per query
#   bench/sbom-index.sh 100000 500 200  # the issue's size: about 50 M rows, 23 GB of disk, 30 min to load
#   SBOM_BENCH_DIR=/var/tmp/sbom bench/sbom-index.sh 100000 500 200  # keep the database: a second run only queries
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec java -Xmx1g -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" dev.tollgate.sbom.SbomIndexBenchmark "$@"
