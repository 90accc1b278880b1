#!/usr/bin/env bash
# Audit verification throughput (issue #12 item 9), each next to a floor measured in the same run.
# Offline: an export of N synthetic records (about 1.9 KB of canonical text each) verified by
# dev.tollgate.ledger.AuditVerifyCommand against a checkpoint of it (every chain hash, leaf and the root
# recomputed); floor: reading the export and one SHA-256 per line. Wall and CPU time. FORM=unordered:
# hashedRecord not in canonical form (as exports before 3 December 2026 wrote it).
# SERVER=1: also N records written by ScaleGenerator into the system PostgreSQL 15 (database
# tollgate_verify, made afresh, dropped at the end) and the server's full verification over them
# (DecisionHistory.verify as GET /v1/audit/verify?full=true walks it: every chain hash, every leaf, a
# node hash per leaf) with one connection and with CONNECTIONS (default 2, tollgate.audit.verify-connections);
# floor: the same rows read with plain JDBC over as many connections and hashed once. The machine's load
# (uptime) is printed before and after.
#   bench/audit-verify.sh                   # 200,000 records, 3 runs
#   SERVER=1 bench/audit-verify.sh 200000 2
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-200000}"
runs="${2:-3}"
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="target/test-classes:target/classes:$(cat target/bench.classpath)"
uptime
java -cp "$cp" dev.tollgate.ledger.AuditVerifyBenchmark "$n" "$runs" "${FORM:-canonical}"
if [ -n "${SERVER:-}" ]; then
  pg_ctlcluster 15 main start 2>/dev/null || true
  runuser -u postgres -- psql -qc "DROP DATABASE IF EXISTS tollgate_verify" -c "DROP ROLE IF EXISTS tollgate_verify" \
    -c "CREATE ROLE tollgate_verify LOGIN PASSWORD 'verify'" -c "CREATE DATABASE tollgate_verify OWNER tollgate_verify" >/dev/null
  runuser -u postgres -- psql -Atc "SELECT name || '=' || setting FROM pg_settings WHERE name IN
    ('server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers')"
  url=jdbc:postgresql://127.0.0.1:5432/tollgate_verify
  java -Xmx1g -cp "$cp" dev.tollgate.ledger.ScaleGenerator "$url" tollgate_verify verify "$n" 20000 | tail -1
  java -Xmx1g -cp "$cp" dev.tollgate.audit.ChainVerifyBenchmark "$url" tollgate_verify verify "$runs" "${CONNECTIONS:-2}"
  runuser -u postgres -- psql -qc "DROP DATABASE IF EXISTS tollgate_verify" -c "DROP ROLE IF EXISTS tollgate_verify" >/dev/null
fi
uptime
