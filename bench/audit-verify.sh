#!/usr/bin/env bash
# Offline audit verification throughput: an export of N synthetic records (about 1.5 KB of
# canonical text each) verified by dev.tollgate.ledger.AuditVerifyCommand against a checkpoint
# of it (every chain hash, leaf and the root recomputed). Prints records/s; not part of the tests.
#   bench/audit-verify.sh              # 200,000 records, 3 runs
#   bench/audit-verify.sh 1000000 2    # other sizes
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  dev.tollgate.ledger.AuditVerifyBenchmark "$@"
