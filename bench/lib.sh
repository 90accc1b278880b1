# Shared by the load scripts (sourced, not run): the packaged server on loopback with the embedded
# or the system PostgreSQL (DB=system), the bench policy and tokens, and paced or closed-loop wrk runs.
# The caller sets PORT; it gets $work (removed on exit), $token (admin) and $decider after setup_bench.

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SECONDS_PER_RUN="${DURATION:-20}"
work="$(mktemp -d)"
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; sleep 2; rm -rf "$work"' EXIT

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
[ -n "${JAR:-}" ] || mvn -B -q -DskipTests package
jar="${JAR:-$(ls target/tollgate-*.jar)}"   # JAR=... runs another build (e.g. an older one, to compare)
token="bench-bootstrap-$(date +%s%N)"
base="http://127.0.0.1:$PORT"
cases=src/test/resources/sigstore/conformance/bundle-verify
digest="sha256:$(sha256sum $cases/a.txt | cut -d' ' -f1)"

start_server() { # extra server arguments
  if curl -s -o /dev/null "$base/actuator/health"; then
    echo "port $PORT is already in use: stop what runs there or set PORT" >&2; exit 1
  fi
  local db_args=(--tollgate.embedded-db.dir="$work/data")
  if [ "${DB:-embedded}" = system ]; then
    pg_ctlcluster 15 main start 2>/dev/null || true
    runuser -u postgres -- psql -qc "DROP DATABASE IF EXISTS tollgate_bench" -c "DROP ROLE IF EXISTS tollgate_bench" \
      -c "CREATE ROLE tollgate_bench LOGIN PASSWORD 'bench'" -c "CREATE DATABASE tollgate_bench OWNER tollgate_bench" >/dev/null
    db_args=(--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/tollgate_bench --spring.datasource.username=tollgate_bench
             --spring.datasource.password=bench)
  fi
  TOLLGATE_BOOTSTRAP_TOKEN="$token" java -Xmx1g ${JAVA_OPTS:-} -jar "$jar" --server.port="$PORT" "${db_args[@]}" \
    --tollgate.security.initial-token-file= --logging.level.root=WARN --tollgate.vsa.mode="${VSA:-all}" "$@" >"$work/server.log" 2>&1 &
  echo $! >"$work/pid"
  for _ in $(seq 1 480); do curl -sf "$base/actuator/health/readiness" >/dev/null && return; sleep 0.5; done
  echo "server did not start" >&2; cat "$work/server.log" >&2; exit 1
}

stop_server() { kill "$(cat "$work/pid")"; wait "$(cat "$work/pid")" 2>/dev/null || true; }

# The bench policy (signed by the conformance beacon, with SLSA v1 provenance; $1: an optional
# `applies when` line), a decider token, and a pipeline decision that verifies and keeps the two
# conformance bundles under $digest ($2: the request's context object).
setup_bench() {
  local context="${2:-}"
  [ -n "$context" ] || context='{}'
  { echo 'policy "bench" {'; [ -n "${1:-}" ] && echo "  $1"; cat <<'POLICY'
  rule signed-by-beacon {
    require any s in signatures: s.issuer == "https://token.actions.githubusercontent.com"
      and s.subject matches "https://github\\.com/sigstore-conformance/.*"
  }
  rule provenance {
    require any a in attestations: a.predicateType == "https://slsa.dev/provenance/v1"
  }
}
POLICY
  } | curl -sf -X PUT "$base/v1/policies/bench" -H "Authorization: Bearer $token" -H 'Content-Type: text/plain' --data-binary @- >/dev/null
  decider=$(curl -sf -X POST "$base/v1/tokens" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"name\":\"bench-$(date +%s%N)\",\"roles\":[\"decider\"]}" | sed 's/.*"token":"\([^"]*\)".*/\1/')
  printf '{"artifact":{"digest":"%s"},"context":%s,"evidence":[{"bundle":%s},{"bundle":%s}]}' "$digest" "$context" \
    "$(cat $cases/happy-path-v0.3/bundle.sigstore.json)" "$(cat $cases/happy-path-intoto-in-dsse-v3/bundle.sigstore.json)" >"$work/pipeline.json"
  curl -s -X POST "$base/v1/decisions" -H "Authorization: Bearer $decider" -H 'Content-Type: application/json' \
    -d @"$work/pipeline.json" >"$work/pipeline.answer"
  grep -q '"allowed":true' "$work/pipeline.answer" || { echo "the pipeline decision was not allowed:" >&2; head -c 2000 "$work/pipeline.answer" >&2; exit 1; }
}

# CPU time (ms) used so far by the server's JVM and by its PostgreSQL (the postmaster, its live
# backends and the ones that ended): per decision, it compares builds on a machine that is busy
# with other work, where throughput alone would not
cpu_ms() { # java|postgres
  local tick; tick=$(getconf CLK_TCK)
  if [ "$1" = java ]; then
    awk -v t="$tick" '{ print ($14 + $15) * 1000 / t }' "/proc/$(cat "$work/pid")/stat"
    return
  fi
  local pm
  if [ "${DB:-embedded}" = system ]; then pm=$(head -1 /var/run/postgresql/15-main.pid)
  else pm=$(pgrep -f -- "-D $work/data" | head -1 || true); [ -n "$pm" ] || pm=$(pgrep -f "$work/data" | head -1); fi
  { cat "/proc/$pm/stat"; for c in $(pgrep -P "$pm"); do cat "/proc/$c/stat" 2>/dev/null; done; } |
    awk -v t="$tick" -v pm="$pm" '{ sub(/^.*\) /, ""); s += $12 + $13; if (NR == 1) s += $14 + $15 } END { print s * 1000 / t }'
}

# load <path> <body file> rate|max <requests/s or connections> [expected text in every answer]
load() {
  local url="$base$1" body="$2" conns rate
  if [ "$3" = rate ]; then conns=$(( $4 / 10 > 4 ? $4 / 10 : 4 )); rate=$4; else conns=$4; rate=0; fi
  BODY="$body" TOKEN="$decider" RATE="$rate" CONNS="$conns" EXPECT="${5:-}" \
    wrk -t2 -c"$conns" -d5s -s bench/decision.lua "$url" >/dev/null   # warm-up
  echo "$3 $4 (connections $conns, ${SECONDS_PER_RUN}s):"
  local java0 pg0 java1 pg1 out requests
  java0=$(cpu_ms java); pg0=$(cpu_ms postgres)
  out=$(BODY="$body" TOKEN="$decider" RATE="$rate" CONNS="$conns" EXPECT="${5:-}" \
    wrk -t2 -c"$conns" -d"${SECONDS_PER_RUN}s" --latency -s bench/decision.lua "$url")
  java1=$(cpu_ms java); pg1=$(cpu_ms postgres)
  echo "$out" | grep -E "^summary|unexpected|Socket errors" | sort | uniq -c | sed "s/^ *1 //"
  requests=$(echo "$out" | sed -n 's/^requests: //p')
  awk -v j="$(echo "$java1 - $java0" | bc)" -v p="$(echo "$pg1 - $pg0" | bc)" -v n="$requests" \
    'BEGIN { if (n > 0) printf "cpu per request: server %.3f ms, postgres %.3f ms (%d requests)\n", j / n, p / n, n }'
}

# 20 s of closed-loop load, so that the JIT has compiled the hot path before anything is measured
warm_up() { # <path> <body file>
  BODY="$2" TOKEN="$decider" RATE=0 CONNS=8 wrk -t2 -c8 -d20s -s bench/decision.lua "$base$1" >/dev/null
}

# The floor under a recorded decision: a bare INSERT + COMMIT loop over plain JDBC (InsertCommitFloor)
# on <connections> connections for the run's length, against the database the running server uses
# (call while the server is up and idle). FLOOR=0 skips it.
floor_insert_commit() { # <connections>
  [ "${FLOOR:-1}" = 0 ] && return
  if [ ! -f target/bench.classpath ] || [ ! -f target/test-classes/dev/tollgate/audit/InsertCommitFloor.class ]; then
    mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
  fi
  local url user password
  if [ "${DB:-embedded}" = system ]; then
    url=jdbc:postgresql://127.0.0.1:5432/tollgate_bench; user=tollgate_bench; password=bench
  else
    url="jdbc:postgresql://127.0.0.1:$(sed -n 4p "$work/data/pgdata/postmaster.pid")/tollgate"; user=postgres
    password=$(cat "$work/data/db-password")
  fi
  java -cp "target/test-classes:$(cat target/bench.classpath)" dev.tollgate.audit.InsertCommitFloor "$url" "$user" "$password" \
    "$1" "$SECONDS_PER_RUN"
}
