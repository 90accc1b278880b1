#!/usr/bin/env bash
# Admission load on loopback: AdmissionReviews of a 3-container pod (init container, app, sidecar)
# whose image digest has evidence stored by an earlier pipeline decision, as in production.
# Each review makes three decisions (policy evaluation on stored, verified evidence) and three
# audit records. Target: p99 <= 20 ms at 200 reviews/s on a 2-core machine.
#   bench/admission-load.sh                      # embedded PostgreSQL
#   DB=system bench/admission-load.sh            # the system PostgreSQL 15 (started if needed)
# Env: RATES (default "100 200 300"), DURATION (default 30), WORKERS (default 16). Load from wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
RATES="${RATES:-100 200 300}"
SECONDS_PER_RUN="${DURATION:-30}"
WORKERS="${WORKERS:-16}"
PORT="${PORT:-18098}"
work="$(mktemp -d)"
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; sleep 2; rm -rf "$work"' EXIT

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
mvn -B -q -DskipTests package
jar="$(ls target/tollgate-*.jar | head -1)"
token="bench-bootstrap-$(date +%s%N)"

db_args=(--tollgate.embedded-db.dir="$work/data")
if [ "${DB:-embedded}" = system ]; then
  pg_ctlcluster 15 main start 2>/dev/null || true
  runuser -u postgres -- psql -qc "DROP DATABASE IF EXISTS tollgate_bench" -c "DROP ROLE IF EXISTS tollgate_bench" \
    -c "CREATE ROLE tollgate_bench LOGIN PASSWORD 'bench'" -c "CREATE DATABASE tollgate_bench OWNER tollgate_bench" >/dev/null
  db_args=(--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/tollgate_bench --spring.datasource.username=tollgate_bench
           --spring.datasource.password=bench)
fi
TOLLGATE_BOOTSTRAP_TOKEN="$token" java -Xmx1g -jar "$jar" --server.port="$PORT" "${db_args[@]}" \
  --tollgate.security.initial-token-file= --tollgate.admission.cluster=bench --logging.level.root=WARN >"$work/server.log" 2>&1 &
echo $! >"$work/pid"
for _ in $(seq 1 120); do curl -sf "localhost:$PORT/actuator/health/readiness" >/dev/null && break; sleep 0.5; done
curl -sf "localhost:$PORT/actuator/health/readiness" >/dev/null || { echo "server did not start" >&2; cat "$work/server.log" >&2; exit 1; }

base="http://127.0.0.1:$PORT"
curl -sf -X PUT "$base/v1/policies/bench" -H "Authorization: Bearer $token" -H 'Content-Type: text/plain' --data-binary @- >/dev/null <<'POLICY'
policy "bench" {
  applies when context.cluster == "bench"
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
cases=src/test/resources/sigstore/conformance/bundle-verify
digest="sha256:$(sha256sum $cases/a.txt | cut -d' ' -f1)"
# the pipeline: verifies the two bundles once and keeps them under the digest
printf '{"artifact":{"digest":"%s"},"context":{"cluster":"bench"},"evidence":[{"bundle":%s},{"bundle":%s}]}' "$digest" \
  "$(cat $cases/happy-path-v0.3/bundle.sigstore.json)" "$(cat $cases/happy-path-intoto-in-dsse-v3/bundle.sigstore.json)" >"$work/pipeline.json"
curl -sf -X POST "$base/v1/decisions" -H "Authorization: Bearer $decider" -H 'Content-Type: application/json' -d @"$work/pipeline.json" \
  | grep -q '"allowed":true' || { echo "the pipeline decision was not allowed" >&2; exit 1; }

cat >"$work/review.json" <<REVIEW
{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
 "request": {"uid": "5f1c2a3e-bench", "kind": {"group": "", "version": "v1", "kind": "Pod"},
   "resource": {"group": "", "version": "v1", "resource": "pods"}, "namespace": "payments", "operation": "CREATE",
   "userInfo": {"username": "system:serviceaccount:kube-system:replicaset-controller"},
   "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "checkout-7d9f8", "namespace": "payments"},
     "spec": {"initContainers": [{"name": "migrate", "image": "registry.example/payments/migrate@$digest"}],
              "containers": [{"name": "checkout", "image": "registry.example/payments/checkout@$digest"},
                             {"name": "proxy", "image": "registry.example/mesh/proxy@$digest"}]}}}}
REVIEW
curl -sf -X POST "$base/v1/admission" -H "Authorization: Bearer $decider" -H 'Content-Type: application/json' -d @"$work/review.json" \
  | grep -q '"allowed":true' || { echo "the review was not allowed" >&2; exit 1; }

load() { # $1 "rate" or "max", $2 reviews/s or connections
  local conns rate
  if [ "$1" = rate ]; then conns=$(( $2 / 10 > 4 ? $2 / 10 : 4 )); rate=$2; else conns=$2; rate=0; fi
  BODY="$work/review.json" TOKEN="$decider" RATE="$rate" CONNS="$conns" EXPECT='"allowed":true' \
    wrk -t2 -c"$conns" -d5s -s bench/decision.lua "$base/v1/admission" >/dev/null   # warm-up
  echo "$1 $2 (connections $conns, ${SECONDS_PER_RUN}s):"
  BODY="$work/review.json" TOKEN="$decider" RATE="$rate" CONNS="$conns" EXPECT='"allowed":true' \
    wrk -t2 -c"$conns" -d"${SECONDS_PER_RUN}s" --latency -s bench/decision.lua "$base/v1/admission" \
    | grep -E "^summary|unexpected|Socket errors" | sort | uniq -c | sed "s/^ *1 //"
}

# a server that has run for a while: 20 s of closed-loop load first, so that the JIT has compiled the hot path
BODY="$work/review.json" TOKEN="$decider" RATE=0 CONNS=8 wrk -t2 -c8 -d20s -s bench/decision.lua "$base/v1/admission" >/dev/null
echo "== admission, 3-container pod, stored evidence; database: ${DB:-embedded}; $(nproc) cores"
for rate in $RATES; do load rate "$rate"; done
load max "$WORKERS"
