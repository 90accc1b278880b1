#!/usr/bin/env bash
# The scale data set (issue 17): N log-valid decision records written into the system PostgreSQL 15
# (database tollgate_scale, made afresh) through the audit path's canonical text, chain hash and the
# ledger's tree code (dev.tollgate.ledger.ScaleGenerator), then history pages per filter with their
# plans (dev.tollgate.audit.HistoryBenchmark). Prints records/s, MB per million records, p50/p99.
#   bench/scale-generate.sh               # 1,000,000 records, 200 pages per filter
#   bench/scale-generate.sh 10000000 500  # N, pages per filter
#   KEEP=1 bench/scale-generate.sh 100000 # append to the existing tollgate_scale instead of a new one
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
pages="${2:-200}"
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
pg_ctlcluster 15 main start 2>/dev/null || true
if [ -z "${KEEP:-}" ]; then
  runuser -u postgres -- psql -qc "DROP DATABASE IF EXISTS tollgate_scale" -c "DROP ROLE IF EXISTS tollgate_scale" \
    -c "CREATE ROLE tollgate_scale LOGIN PASSWORD 'scale'" -c "CREATE DATABASE tollgate_scale OWNER tollgate_scale" >/dev/null
fi
runuser -u postgres -- psql -Atc "SELECT name || '=' || setting FROM pg_settings WHERE name IN
  ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'wal_level', 'max_wal_size', 'work_mem')"
url=jdbc:postgresql://127.0.0.1:5432/tollgate_scale
cp="target/test-classes:target/classes:$(cat target/bench.classpath)"
java -Xmx2g -cp "$cp" dev.tollgate.ledger.ScaleGenerator "$url" tollgate_scale scale "$n" 20000
runuser -u postgres -- psql -q -d tollgate_scale -c "VACUUM ANALYZE decision" -c "VACUUM ANALYZE ledger_node"
java -Xmx1g -cp "$cp" dev.tollgate.audit.HistoryBenchmark "$url" tollgate_scale scale "$pages"
