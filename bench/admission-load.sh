#!/usr/bin/env bash
# Admission load on loopback: AdmissionReviews of a 3-container pod (init container, app, sidecar)
# whose image digest has evidence stored by an earlier pipeline decision, as in production.
# Each review makes three decisions (policy evaluation on stored, verified evidence) and three
# audit records. Target: p99 <= 20 ms at 200 reviews/s on a 2-core machine.
#   bench/admission-load.sh                      # embedded PostgreSQL
#   DB=system bench/admission-load.sh            # the system PostgreSQL 15 (started if needed)
# Env: RATES (default "100 200 300"), DURATION (default 30), WORKERS (default 16), JAVA_OPTS.
# Load from wrk; shared parts: bench/lib.sh.
PORT="${PORT:-18098}"
DURATION="${DURATION:-30}"
source "$(dirname "$0")/lib.sh"
RATES="${RATES:-100 200 300}"
WORKERS="${WORKERS:-16}"

start_server --tollgate.admission.cluster=bench
setup_bench 'applies when context.cluster == "bench"' '{"cluster":"bench"}'

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

warm_up /v1/admission "$work/review.json"
echo "== admission, 3-container pod, stored evidence; database: ${DB:-embedded}; $(nproc) cores"
for rate in $RATES; do load /v1/admission "$work/review.json" rate "$rate" '"allowed":true'; done
load /v1/admission "$work/review.json" max "$WORKERS" '"allowed":true'
