#!/usr/bin/env bash
# Slow clients (slow-loris) against the packaged server: ATTACKERS (220) connections from 127.0.0.1,
# each sending one byte every EVERY (5) seconds, in three runs — body bytes without a token, body
# bytes with a decider token, header bytes — while an ordinary client on 127.0.0.2 asks for a
# pipeline decision every second. Prints, per run, how the slow connections ended (answer and
# seconds until closed) and the ordinary client's answers and times.
#   JAR=path/to/other.jar bench/slow-clients.sh    another build (e.g. the one before #9)
set -euo pipefail
PORT="${PORT:-18292}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ATTACKERS="${ATTACKERS:-220}"
EVERY="${EVERY:-5}"
RUN_SECONDS="${RUN_SECONDS:-60}"

start_server
setup_bench

cat >"$work/slow.py" <<'PY'
import socket, sys, threading, time
from collections import Counter
port, n, mode, every, length = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
token = sys.argv[6] if len(sys.argv) > 6 else ""
head = "POST /v1/decisions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n"
if token:
    head += "Authorization: Bearer " + token + "\r\n"
head += "\r\n"
ends = []
def one():
    start = time.time(); got = b""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError:
        ends.append(("connect refused", 0.0)); return
    s.settimeout(every)
    if mode != "headers":
        s.sendall(head.encode())
    sent = 0
    while time.time() - start < length:
        try:
            if mode == "headers":
                s.sendall(head[sent % len(head)].encode()); sent += 1
            else:
                s.sendall(b"[")
            d = s.recv(4096)
            if not d:
                break
            got += d
        except socket.timeout:
            continue
        except OSError:
            break
    else:
        ends.append(((got.split(b"\r\n")[0].decode(errors="replace") or "no answer") + ", still open", length)); return
    ends.append(((got.split(b"\r\n")[0].decode(errors="replace") or "no answer") + ", closed", time.time() - start))
threads = [threading.Thread(target=one) for _ in range(n)]
for t in threads:
    t.start(); time.sleep(0.005)
for t in threads:
    t.join()
for (what, count) in sorted(Counter(e[0] for e in ends).items()):
    times = sorted(e[1] for e in ends if e[0] == what)
    print(f"    {count:4d} x {what} after {times[0]:.1f}-{times[-1]:.1f} s")
PY

ordinary() { # every second for RUN_SECONDS: a pipeline decision from 127.0.0.2
  for _ in $(seq 1 "$RUN_SECONDS"); do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 20 --interface 127.0.0.2 -X POST "$base/v1/decisions" \
      -H "Authorization: Bearer $decider" -H 'Content-Type: application/json' --data-binary @"$work/pipeline.json" || true
    sleep 1
  done
}

run() { # <mode> <description> [token]
  echo "$2: $ATTACKERS connections, one byte every ${EVERY} s, ${RUN_SECONDS} s"
  python3 "$work/slow.py" "$PORT" "$ATTACKERS" "$1" "$EVERY" "$((RUN_SECONDS + 10))" "${3:-}" >"$work/attack.txt" &
  local attack=$!
  sleep 2
  ordinary >"$work/ordinary.txt"
  wait "$attack" || true
  echo "  slow connections:"; cat "$work/attack.txt"
  echo "  ordinary client (127.0.0.2): $(awk '{print $1}' "$work/ordinary.txt" | sort | uniq -c | tr '\n' ' ')"
  sort -n -k2 "$work/ordinary.txt" | awk '{a[NR] = $2} END {printf "  ordinary decision time: p50 %.3f s, max %.3f s\n", a[int((NR + 1) / 2)], a[NR]}'
}

run body "body bytes, no token"
run body "body bytes, decider token" "$decider"
run headers "header bytes"
