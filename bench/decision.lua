-- wrk script for bench/*-load.sh: POST the body in $BODY with the bearer $TOKEN; with $RATE set,
-- each of the $CONNS connections waits between requests so that together they offer about
-- $RATE requests per second (the achieved rate is what wrk reports). With $EXPECT set, an answer
-- not containing it is printed.
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")

local rate = tonumber(os.getenv("RATE") or "0")
local expect = os.getenv("EXPECT")
local conns = tonumber(os.getenv("CONNS") or "1")

function delay()
  if rate > 0 then
    return 1000 * conns / rate
  end
  return 0
end

function response(status, headers, body)
  if status ~= 200 then
    print("unexpected status " .. status .. ": " .. string.sub(body, 1, 200))
  elseif expect and not string.find(body, expect, 1, true) then
    print("unexpected answer: " .. string.sub(body, 1, 300))
  end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("requests: %d\n", summary.requests))
  io.write(string.format("summary: %.0f requests/s, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms, %d non-2xx, %d errors\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
