#!/usr/bin/env bash
# The scale data set (issue 17): N log-valid decision records written into the system PostgreSQL 15
# (database $DB, default tollgate_scale, made afresh; role tollgate_scale) by
# dev.tollgate.ledger.ScaleGenerator — canonical text, chain hash and the ledger's tree code, binary
# COPY on $WRITERS connections with the secondary indexes and the facet trigger rebuilt after the
# load — then (CHECK=1) every record re-derived by the audit path's code (ScaleGenerator check: chain,
# leaves, root, facet rows) and the server's own full verification (DecisionHistory.verify, as
# GET /v1/audit/verify runs it), then history pages per filter with their plans
# (dev.tollgate.audit.HistoryBenchmark). Prints records/s for the write and rebuild phases and
# overall, CPU per record, MB per million records, p50/p99.
#   bench/scale-generate.sh                          # 1,000,000 records, 200 pages per filter
#   CHECK=1 bench/scale-generate.sh 1000000 200      # and verify the result twice over
#   DB=tollgate_scale_10m bench/scale-generate.sh 10000000 500
#   KEEP=1 bench/scale-generate.sh 100000            # append to the existing $DB instead of a new one
#   PAGES=0 …                                        # no history pages
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
pages="${2:-${PAGES:-200}}"
db="${DB:-tollgate_scale}"
writers="${WRITERS:-2}"
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
pg_ctlcluster 15 main start 2>/dev/null || true
runuser -u postgres -- psql -qtc "SELECT 1 FROM pg_roles WHERE rolname = 'tollgate_scale'" | grep -q 1 \
  || runuser -u postgres -- psql -qc "CREATE ROLE tollgate_scale LOGIN PASSWORD 'scale'" >/dev/null
if [ -z "${KEEP:-}" ]; then
  runuser -u postgres -- psql -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db OWNER tollgate_scale" >/dev/null
fi
runuser -u postgres -- psql -Atc "SELECT name || '=' || setting FROM pg_settings WHERE name IN
  ('server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'wal_level', 'max_wal_size',
   'work_mem', 'maintenance_work_mem', 'default_toast_compression', 'wal_compression')" | paste -sd' '
df -h / | tail -1
uptime
url="jdbc:postgresql://127.0.0.1:5432/$db"
cp="target/test-classes:target/classes:$(cat target/bench.classpath)"
# the generator's own sessions run with synchronous_commit=off, maintenance_work_mem=512MB, work_mem=64MB
nice -n 10 java -Xmx2g -cp "$cp" dev.tollgate.ledger.ScaleGenerator "$url" tollgate_scale scale "$n" 20000 --writers="$writers"
uptime
t0=$(date +%s)
nice -n 10 runuser -u postgres -- psql -q -d "$db" -c "VACUUM ANALYZE decision" -c "VACUUM ANALYZE ledger_node" -c "VACUUM ANALYZE decision_facet"
echo "VACUUM ANALYZE: $(( $(date +%s) - t0 )) s"
if [ -n "${CHECK:-}" ]; then
  nice -n 10 java -Xmx2g -cp "$cp" dev.tollgate.ledger.ScaleGenerator check "$url" tollgate_scale scale
  nice -n 10 java -Xmx1g -cp "$cp" dev.tollgate.audit.ChainVerifyBenchmark "$url" tollgate_scale scale 1
fi
if [ "$pages" != 0 ]; then
  nice -n 10 java -Xmx1g -cp "$cp" dev.tollgate.audit.HistoryBenchmark "$url" tollgate_scale scale "$pages"
fi
