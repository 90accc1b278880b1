#!/usr/bin/env bash
# Evidence verification benchmark (JMH): Tollgate's verifier cold and cached vs sigstore-java's
# KeylessVerifier alone, per keyless bundle (message signature, DSSE, Rekor v2 + TSA).
#   bench/evidence-verify.sh [JMH options]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.openjdk.jmh.Main EvidenceVerificationBenchmark "$@"
