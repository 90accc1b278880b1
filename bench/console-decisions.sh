#!/usr/bin/env bash
# The console's decisions page (/ui/decisions, issue 14's "Performance") over the scale data set: the
# packaged server on the database bench/scale-generate.sh made (system PostgreSQL 15), a console session
# opened through the sign-in form, then K pages per filter with values sampled from the stored records.
# Server time is Tomcat's own (access log, %{us}T: from reading the request to the last byte of the
# answer), next to curl's time to the last byte on loopback. Prints p50/p99/max per filter.
# "none" is the page as first opened (newest 50), "api" GET /v1/decisions's same page (JSON, bearer token),
# "cursor" a later page at a random point of the history.
#   bench/scale-generate.sh 1000000 && bench/console-decisions.sh          # 100 pages per filter
#   SCALE_DB=tollgate_scale PAGES=200 JAR=target/tollgate-0.1.0.jar bench/console-decisions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
db="${SCALE_DB:-tollgate_scale}"
pages="${PAGES:-100}"
port="${PORT:-18414}"
base="http://127.0.0.1:$port"
work="$(mktemp -d)"
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; sleep 2; rm -rf "$work"' EXIT
[ -n "${JAR:-}" ] || mvn -B -q -DskipTests package
jar="${JAR:-$(ls target/tollgate-*.jar)}"
token="bench-console-$(date +%s%N)"
pg_ctlcluster 15 main start 2>/dev/null || true
psql() { runuser -u postgres -- psql -At -d "$db" "$@"; }
psql -c "SELECT name || '=' || setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'work_mem')"
echo "records: $(psql -c 'SELECT count(*) FROM decision')"

TOLLGATE_BOOTSTRAP_TOKEN="$token" java -Xmx1g ${JAVA_OPTS:-} -jar "$jar" --server.port="$port" \
  --spring.datasource.url="jdbc:postgresql://127.0.0.1:5432/$db" --spring.datasource.username="$db" \
  --spring.datasource.password=scale --tollgate.security.initial-token-file= --tollgate.signing.dir="$work/signing" \
  --logging.level.root=WARN --server.tomcat.accesslog.enabled=true --server.tomcat.accesslog.directory="$work" \
  --server.tomcat.accesslog.prefix=access --server.tomcat.accesslog.suffix=.log --server.tomcat.accesslog.buffered=false \
  --server.tomcat.accesslog.rotate=false '--server.tomcat.accesslog.pattern=%m %U %s %{us}T' >"$work/server.log" 2>&1 &
echo $! >"$work/pid"
for _ in $(seq 1 600); do curl -sf "$base/actuator/health/readiness" >/dev/null && break; sleep 0.5; done
curl -sf "$base/actuator/health/readiness" >/dev/null || { echo "server did not start" >&2; cat "$work/server.log" >&2; exit 1; }

# a console session, as a browser opens one: the form's CSRF token, then the token form
jar_file="$work/cookies"
csrf=$(curl -s -c "$jar_file" -b "$jar_file" -H 'Accept: text/html' "$base/ui/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -s -o /dev/null -c "$jar_file" -b "$jar_file" -H 'Accept: text/html' --data-urlencode "token=$token" --data-urlencode "_csrf=$csrf" "$base/ui/login"
[ "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar_file" -H 'Accept: text/html' "$base/ui/decisions")" = 200 ] || { echo "no console session" >&2; exit 1; }

sample() { # SQL expression over decision → up to 50 distinct non-empty values, URL-encoded
  psql -c "SELECT DISTINCT $1 FROM decision TABLESAMPLE SYSTEM (1) WHERE $1 IS NOT NULL AND $1 <> '' LIMIT 50" \
    | python3 -c 'import sys, urllib.parse; [print(urllib.parse.quote(l.rstrip("\n"), safe="")) for l in sys.stdin if l.strip()]'
}
day_start=$(psql -c "SELECT to_char((max(decided_at) - interval '1 day') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM decision")
declare -A queries
queries[none]="x"
queries[api]="x"
queries[digest]="$(sample artifact_digest)"
queries[name]="$(sample artifact_name)"
queries[policy]="$(sample 'policy_names[1]')"
queries[signerSubject]="$(sample "impact -> 0 ->> 'subject'")"
queries[key]="$(sample "impact -> 0 ->> 'key'")"
queries[builderId]="$(sample "impact -> 1 ->> 'builderId'")"
queries[sourceRepository]="$(sample "impact -> 1 ->> 'sourceRepository'")"
queries[outcome+window]="deny"
queries[cursor]="$(sample 'sequence::text')"

url_for() { # filter value → the page's URL
  case "$1" in
    none | api) echo "$base/ui/decisions" ;;
    outcome+window) echo "$base/ui/decisions?outcome=deny&since=$day_start" ;;
    cursor) echo "$base/ui/decisions?cursor=$2" ;;
    *) echo "$base/ui/decisions?$1=$2" ;;
  esac
}

# the JIT and the pool warm: 200 first pages before anything is counted
for _ in $(seq 1 200); do curl -s -o /dev/null -b "$jar_file" -H 'Accept: text/html' "$base/ui/decisions"; done

echo "| filter | pages | server p50 | server p99 | server max | curl p50 | curl p99 |"
echo "|---|---|---|---|---|---|---|"
for filter in none api cursor digest name policy outcome+window signerSubject key builderId sourceRepository; do
  mapfile -t values <<<"${queries[$filter]}"
  [ -n "${values[0]:-}" ] || { echo "| $filter | no values sampled |"; continue; }
  path=/ui/decisions
  [ "$filter" = api ] && path=/v1/decisions
  for i in $(seq 1 20); do # warm-up, not counted
    curl -s -o /dev/null -b "$jar_file" -H 'Accept: text/html' "$(url_for "$filter" "${values[$((i % ${#values[@]}))]}")"
  done
  sleep 0.5
  before=$(wc -l <"$work/access.log")
  : >"$work/curl"
  for i in $(seq 1 "$pages"); do
    if [ "$filter" = api ]; then # the API's page of the same 50 records, for comparison
      curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $token" "$base/v1/decisions" >>"$work/curl"
    else
      curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -b "$jar_file" -H 'Accept: text/html' \
        "$(url_for "$filter" "${values[$((i % ${#values[@]}))]}")" >>"$work/curl"
    fi
  done
  grep -v '^200 ' "$work/curl" | head -3 | sed "s/^/$filter: not 200: /" >&2 || true
  sleep 0.5
  server=$(tail -n +"$((before + 1))" "$work/access.log" | awk -v path="$path" '$2 == path && $3 == 200 {print $4 / 1000}' | sort -n)
  client=$(awk '$1 == 200 {print $2 * 1000}' "$work/curl" | sort -n)
  pct() { awk -v p="$1" '{a[NR] = $1} END {i = int(NR * p + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; printf "%.1f ms", a[i]}'; }
  echo "| $filter | $(echo "$server" | wc -l) | $(echo "$server" | pct 0.5) | $(echo "$server" | pct 0.99) | $(echo "$server" | pct 1) | $(echo "$client" | pct 0.5) | $(echo "$client" | pct 0.99) |"
done
