#!/usr/bin/env bash
# Hostile JSON bodies against the packaged server under a 512 MiB heap: CONCURRENCY (12) clients
# with a decider token post 4 MiB bodies of tiny JSON values, one after another, for DURATION
# (30) seconds, while an ordinary pipeline decision (two real bundles, ~22 kB) is asked for every
# 0.2 s. Prints the answers, the peak heap, and whether the server still serves afterwards.
#   bench/hostile-memory.sh                the shipped bounds
#   UNBOUNDED=1 bench/hostile-memory.sh    parse limits and large-body gate lifted, for comparison
#   JAR=path/to/other.jar ...              another build (e.g. the one before #9)
set -euo pipefail
PORT="${PORT:-18291}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CONCURRENCY="${CONCURRENCY:-12}"
DURATION="${DURATION:-30}"

extra=()
if [ "${UNBOUNDED:-0}" = 1 ]; then
  extra=(--tollgate.json.max-tokens=0 --tollgate.json.max-depth=1000000 --tollgate.http.max-concurrent-large-bodies=1000)
fi
JAVA_OPTS="${JAVA_OPTS:-} -Xmx512m" start_server "${extra[@]}"
setup_bench

# 4 MiB - 16 bytes of each shape (the body limit is 4 MiB)
python3 - "$work" <<'PY'
import sys
size = 4 * 1024 * 1024 - 16
def fill(head, unit, tail):
    return head + unit * ((size - len(head) - len(tail)) // len(unit)) + tail
digest = "sha256:" + "0" * 64
shapes = {
    "zeros": fill("[", "0,", "0]"),
    "empty-objects": fill("[", "{},", "{}]"),
    "small-objects": fill("[", "{\"a\":0},", "{}]"),
    "empty-strings": fill("[", "\"\",", "\"\"]"),
    "context-arrays": fill("{\"artifact\":{\"digest\":\"" + digest + "\"},\"context\":[", "[],", "[]]}"),
    "deep": fill("{\"a\":", "[", ""),
}
for name, body in shapes.items():
    open(f"{sys.argv[1]}/hostile-{name}.json", "w").write(body)
PY
shapes=(zeros empty-objects small-objects empty-strings context-arrays deep)

heap() { # used heap, and live data after the last GC, in MiB
  curl -s --max-time 5 "$base/actuator/prometheus" | python3 -c 'import sys
used = live = 0
for l in sys.stdin:
    if l.startswith("jvm_memory_used_bytes{area=\"heap\""): used += float(l.split()[-1])
    if l.startswith("jvm_gc_live_data_size_bytes"): live = float(l.split()[-1])
print(int(used / 1048576), int(live / 1048576))' 2>/dev/null || echo "0 0"
}
small() { curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 30 -X POST "$base/v1/decisions" \
  -H "Authorization: Bearer $decider" -H 'Content-Type: application/json' --data-binary @"$work/pipeline.json" || true; }
attacker() { # <shape>, until the end of the run
  local end=$((SECONDS + DURATION))
  while [ "$SECONDS" -lt "$end" ]; do
    curl -s -o /dev/null -w "%{http_code} $1 %{time_total}\n" --max-time 60 -X POST "$base/v1/decisions" \
      -H "Authorization: Bearer $decider" -H 'Content-Type: application/json' --data-binary @"$work/hostile-$1.json" \
      || true
  done
}

echo "server: -Xmx512m$([ "${UNBOUNDED:-0}" = 1 ] && echo ', parse limits and large-body gate lifted'); ${CONCURRENCY} clients posting 4 MiB hostile bodies for ${DURATION} s"
: >"$work/hostile.txt"; : >"$work/small.txt"; : >"$work/heap.txt"
pids=()
for i in $(seq 1 "$CONCURRENCY"); do
  attacker "${shapes[$(( (i - 1) % ${#shapes[@]} ))]}" >>"$work/hostile.txt" &
  pids+=($!)
done
end=$((SECONDS + DURATION))
while [ "$SECONDS" -lt "$end" ]; do heap >>"$work/heap.txt"; sleep 0.5; done &
pids+=($!)
while [ "$SECONDS" -lt "$end" ]; do
  small >>"$work/small.txt"
  sleep 0.2
done
wait "${pids[@]}" || true   # (not the server, which is a job of this shell too)

echo "hostile bodies, by answer and shape:"
awk '{print $1 " " $2}' "$work/hostile.txt" | sort | uniq -c | sed 's/^/  /'
echo "hostile answer time: max $(awk '{if ($3 > m) m = $3} END {printf "%.2f s", m}' "$work/hostile.txt")"
echo "ordinary decisions meanwhile: $(wc -l <"$work/small.txt"), by answer: $(awk '{print $1}' "$work/small.txt" | sort | uniq -c | xargs)"
sort -n -k2 "$work/small.txt" | awk '{a[NR] = $2} END {p95 = int(NR * 0.95); if (p95 < 1) p95 = 1
  if (NR) printf "ordinary decision time: p50 %.3f s, p95 %.3f s, max %.3f s\n", a[int((NR + 1) / 2)], a[p95], a[NR]}'
echo "heap (sampled every 0.5 s): used at most $(sort -n -k1 "$work/heap.txt" | tail -1 | cut -d' ' -f1) MiB of 512, live data after GC at most $(sort -n -k2 "$work/heap.txt" | tail -1 | cut -d' ' -f2) MiB"
if kill -0 "$(cat "$work/pid")" 2>/dev/null; then
  after=$(small)
  echo "afterwards: the server is alive; an ordinary decision answers ${after%% *} in ${after##* } s"
else
  echo "afterwards: the server process is gone"
fi
echo "OutOfMemoryError in the server log: $(grep -c OutOfMemoryError "$work/server.log" || true)"
