#!/usr/bin/env bash
# Throughput with one and with two replicas against one PostgreSQL (issue 17): the packaged server
# twice on loopback (ports PORT and PORT+1, the same signing keys), both on the system PostgreSQL 15,
# warm decisions in a closed loop of WORKERS connections: first all on replica A, then half on A and
# half on B at the same moment. Afterwards the log is checked: one row per answered decision, no gap
# in the sequence, GET /v1/audit/verify valid on both replicas. On this 2-core machine the two
# replicas share the cores with PostgreSQL and wrk, so the figure shows what a second replica costs,
# not what a second machine would add.
#   bench/replicas-load.sh
# Env: WORKERS (default 32), DURATION (default 20), VSA (default all), JAR. Shared parts: bench/lib.sh.
PORT="${PORT:-18120}"
DB=system
source "$(dirname "$0")/lib.sh"
WORKERS="${WORKERS:-32}"
port_b=$((PORT + 1))
base_b="http://127.0.0.1:$port_b"

echo "== two replicas, system PostgreSQL 15 ($(runuser -u postgres -- psql -Atc "SELECT 'fsync=' || current_setting('fsync') \
  || ', synchronous_commit=' || current_setting('synchronous_commit') || ', full_page_writes=' || current_setting('full_page_writes') \
  || ', shared_buffers=' || current_setting('shared_buffers')")); $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
start_server --tollgate.signing.dir="$work/signing"
setup_bench
printf '{"artifact":{"digest":"%s"},"policies":["bench"]}' "$digest" >"$work/warm.json"
warm_up /v1/decisions "$work/warm.json"

# closed loop on the given base URLs at once, WORKERS connections split between them; prints each and the sum
closed_loop() {
  local n=$# per=$((WORKERS / $#)) i=0 total=0 pids=()
  for url in "$@"; do
    BODY="$work/warm.json" TOKEN="$decider" RATE=0 CONNS="$per" \
      wrk -t1 -c"$per" -d"${SECONDS_PER_RUN}s" --latency -s bench/decision.lua "$url/v1/decisions" >"$work/wrk.$i" &
    pids+=($!)
    i=$((i + 1))
  done
  wait "${pids[@]}" # the servers are children too
  for i in $(seq 0 $((n - 1))); do
    echo "  replica $i: $(grep '^summary' "$work/wrk.$i")"
    grep -E "unexpected|Socket errors" "$work/wrk.$i" | sort | uniq -c | head -3 || true
    total=$((total + $(sed -n 's/^requests: //p' "$work/wrk.$i")))
  done
  echo "  together: $((total / SECONDS_PER_RUN)) decisions/s ($total in ${SECONDS_PER_RUN} s, $WORKERS connections)"
}

echo "-- one replica"
closed_loop "$base"

TOLLGATE_BOOTSTRAP_TOKEN="$token" java -Xmx1g ${JAVA_OPTS:-} -jar "$jar" --server.port="$port_b" \
  --spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/tollgate_bench --spring.datasource.username=tollgate_bench \
  --spring.datasource.password=bench --tollgate.signing.dir="$work/signing" --tollgate.security.initial-token-file= \
  --logging.level.root=WARN --tollgate.vsa.mode="${VSA:-all}" >"$work/server-b.log" 2>&1 &
pid_b=$!
trap 'kill $pid_b $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; sleep 2; rm -rf "$work"' EXIT
for _ in $(seq 1 480); do curl -sf "$base_b/actuator/health/readiness" >/dev/null && break; sleep 0.5; done
BODY="$work/warm.json" TOKEN="$decider" RATE=0 CONNS=8 wrk -t1 -c8 -d20s -s bench/decision.lua "$base_b/v1/decisions" >/dev/null

echo "-- two replicas"
closed_loop "$base" "$base_b"

echo "-- the log after both runs"
runuser -u postgres -- psql -At tollgate_bench -c "SELECT 'records ' || count(*) || ', sequence 1..' || max(sequence)
  || CASE WHEN count(*) = max(sequence) AND min(sequence) = 1 THEN ' (no gap)' ELSE ' (GAP)' END
  || ', distinct decision ids ' || count(DISTINCT decision_id) FROM decision"
auditor=$(curl -sf -X POST "$base/v1/tokens" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench-auditor-$(date +%s%N)\",\"roles\":[\"auditor\"]}" | sed 's/.*"token":"\([^"]*\)".*/\1/')
for b in "$base" "$base_b"; do
  echo "  $b/v1/audit/verify?full=true: $(curl -s -H "Authorization: Bearer $auditor" "$b/v1/audit/verify?full=true" | head -c 300)"
done
