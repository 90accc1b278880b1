#!/usr/bin/env bash
# Decision load on loopback: starts Tollgate from the packaged jar, sets up a policy and a token,
# and measures (a) warm decisions (evidence stored and cached, policy compiled) and (b) cold
# keyless decisions (verification cache off), at fixed rates and at the throughput ceiling.
#   bench/decision-load.sh                       # embedded PostgreSQL
#   DB=system bench/decision-load.sh             # the system PostgreSQL 15 (started if needed)
# Env: RATES (default "200 500"), DURATION (default 20), WORKERS (default 32), JAVA_OPTS (extra
# JVM options), COLD=0 (warm runs only). Load comes from wrk
# (Debian package, installed if missing); fixed rates are paced per connection (bench/decision.lua).
set -euo pipefail
cd "$(dirname "$0")/.."
RATES="${RATES:-200 500}"
SECONDS_PER_RUN="${DURATION:-20}"
WORKERS="${WORKERS:-32}"
PORT="${PORT:-18099}"
work="$(mktemp -d)"
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; sleep 2; rm -rf "$work"' EXIT

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
mvn -B -q -DskipTests package
jar="$(ls target/tollgate-*.jar | head -1)"
token="bench-bootstrap-$(date +%s%N)"

start_server() { # $1: extra args
  local db_args=()
  if [ "${DB:-embedded}" = system ]; then
    pg_ctlcluster 15 main start 2>/dev/null || true
    runuser -u postgres -- psql -qc "DROP DATABASE IF EXISTS tollgate_bench" -c "DROP ROLE IF EXISTS tollgate_bench" \
      -c "CREATE ROLE tollgate_bench LOGIN PASSWORD 'bench'" -c "CREATE DATABASE tollgate_bench OWNER tollgate_bench" >/dev/null
    db_args=(--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/tollgate_bench --spring.datasource.username=tollgate_bench
             --spring.datasource.password=bench)
  else
    db_args=(--tollgate.embedded-db.dir="$work/data")
  fi
  TOLLGATE_BOOTSTRAP_TOKEN="$token" java -Xmx1g ${JAVA_OPTS:-} -jar "$jar" --server.port="$PORT" "${db_args[@]}" \
    --tollgate.security.initial-token-file= --logging.level.root=WARN $1 >"$work/server.log" 2>&1 &
  echo $! >"$work/pid"
  for _ in $(seq 1 120); do curl -sf "localhost:$PORT/actuator/health/readiness" >/dev/null && return; sleep 0.5; done
  echo "server did not start" >&2; cat "$work/server.log" >&2; exit 1
}
stop_server() { kill "$(cat "$work/pid")"; wait "$(cat "$work/pid")" 2>/dev/null || true; }

setup() {
  local base="http://127.0.0.1:$PORT"
  curl -sf -X PUT "$base/v1/policies/bench" -H "Authorization: Bearer $token" -H 'Content-Type: text/plain' --data-binary @- >/dev/null <<'POLICY'
policy "bench" {
  rule signed-by-beacon {
    require any s in signatures: s.issuer == "https://token.actions.githubusercontent.com"
      and s.subject matches "https://github\\.com/sigstore-conformance/.*"
  }
  rule provenance {
    require any a in attestations: a.predicateType == "https://slsa.dev/provenance/v1"
  }
}
POLICY
  decider=$(curl -sf -X POST "$base/v1/tokens" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"name\":\"bench-$(date +%s%N)\",\"roles\":[\"decider\"]}" | sed 's/.*"token":"\([^"]*\)".*/\1/')
  local cases=src/test/resources/sigstore/conformance/bundle-verify
  local digest="sha256:$(sha256sum $cases/a.txt | cut -d' ' -f1)"
  printf '{"artifact":{"digest":"%s"},"policies":["bench"],"evidence":[{"bundle":%s},{"bundle":%s}]}' "$digest" \
    "$(cat $cases/happy-path-v0.3/bundle.sigstore.json)" "$(cat $cases/happy-path-intoto-in-dsse-v3/bundle.sigstore.json)" >"$work/cold.json"
  # the pipeline's decision stores the evidence; admission-style warm decisions then name the digest only
  curl -sf -X POST "$base/v1/decisions" -H "Authorization: Bearer $decider" -H 'Content-Type: application/json' -d @"$work/cold.json" \
    | grep -q '"allowed":true' || { echo "setup decision was not allowed" >&2; exit 1; }
  printf '{"artifact":{"digest":"%s"},"policies":["bench"]}' "$digest" >"$work/warm.json"
}

load() { # $1 body, $2 "rate" or "max", $3 requests/s or connections
  local conns rate
  if [ "$2" = rate ]; then conns=$(( $3 / 10 > 4 ? $3 / 10 : 4 )); rate=$3; else conns=$3; rate=0; fi
  BODY="$1" TOKEN="$decider" RATE="$rate" CONNS="$conns" wrk -t2 -c"$conns" -d5s -s bench/decision.lua \
    "http://127.0.0.1:$PORT/v1/decisions" >/dev/null   # warm-up
  echo "$2 $3 (connections $conns, ${SECONDS_PER_RUN}s):"
  BODY="$1" TOKEN="$decider" RATE="$rate" CONNS="$conns" wrk -t2 -c"$conns" -d"${SECONDS_PER_RUN}s" --latency \
    -s bench/decision.lua "http://127.0.0.1:$PORT/v1/decisions" | grep -E "^summary|unexpected|Socket errors"
}

echo "== database: ${DB:-embedded}; $(nproc) cores"
start_server ""
setup
# a server that has run for a while: 20 s of closed-loop load first, so that the JIT has compiled the hot path
BODY="$work/warm.json" TOKEN="$decider" RATE=0 CONNS=8 wrk -t2 -c8 -d20s -s bench/decision.lua "http://127.0.0.1:$PORT/v1/decisions" >/dev/null
echo "-- (a) warm decisions (stored evidence, cached verification, compiled policy)"
for rate in $RATES; do load "$work/warm.json" rate "$rate"; done
load "$work/warm.json" max "$WORKERS"
stop_server

[ "${COLD:-1}" = 0 ] && exit 0
start_server "--tollgate.evidence.cache-size=0"
setup
echo "-- (b) cold keyless decisions (2 bundles verified per decision, no cache)"
for rate in 20 50; do load "$work/cold.json" rate "$rate"; done
load "$work/cold.json" max 4
stop_server
