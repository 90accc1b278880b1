#!/usr/bin/env bash
# Decision load on loopback: starts Tollgate from the packaged jar, sets up a policy and a token,
# and measures (a) warm decisions (evidence stored and cached, policy compiled) and (b) cold
# keyless decisions (verification cache off), at fixed rates and at the throughput ceiling.
#   bench/decision-load.sh                       # embedded PostgreSQL
#   DB=system bench/decision-load.sh             # the system PostgreSQL 15 (started if needed)
# The closed-loop run is followed by its floor: a bare INSERT + COMMIT loop over plain JDBC at the same
# concurrency against the same database (FLOOR=0 skips it).
# Env: RATES (default "200 500"), DURATION (default 20), WORKERS (default 32), JAVA_OPTS (extra
# JVM options), COLD=0 (warm runs only), VSA=none|allowed (default all: every answer carries a signed VSA). Load comes from wrk (Debian package, installed if
# missing); fixed rates are paced per connection (bench/decision.lua). Shared parts: bench/lib.sh.
PORT="${PORT:-18099}"
source "$(dirname "$0")/lib.sh"
RATES="${RATES:-200 500}"
WORKERS="${WORKERS:-32}"

echo "== database: ${DB:-embedded}; $(nproc) cores"
start_server
setup_bench
# the pipeline's decision stored the evidence; warm decisions then name the digest only
printf '{"artifact":{"digest":"%s"},"policies":["bench"]}' "$digest" >"$work/warm.json"
warm_up /v1/decisions "$work/warm.json"
echo "-- (a) warm decisions (stored evidence, cached verification, compiled policy)"
for rate in $RATES; do load /v1/decisions "$work/warm.json" rate "$rate"; done
load /v1/decisions "$work/warm.json" max "$WORKERS"
floor_insert_commit "$WORKERS"
stop_server

[ "${COLD:-1}" = 0 ] && exit 0
start_server --tollgate.evidence.cache-size=0
setup_bench
sed 's/^{/{"policies":["bench"],/' "$work/pipeline.json" >"$work/cold.json"
echo "-- (b) cold keyless decisions (2 bundles verified per decision, no cache)"
for rate in 20 50; do load /v1/decisions "$work/cold.json" rate "$rate"; done
load /v1/decisions "$work/cold.json" max 4
stop_server
