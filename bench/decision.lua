-- wrk script for bench/*-load.sh: POST the body in $BODY with the bearer $TOKEN; with $RATE set,
-- each of the $CONNS connections waits between requests so that together they offer about
-- $RATE requests per second (the achieved rate is what wrk reports).
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")

local rate = tonumber(os.getenv("RATE") or "0")
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
  end
end
