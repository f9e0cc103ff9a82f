-- wrk script: POST one submission per request (a short community one unless BODY_FILE is set)
-- and count the answers by status.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
-- BODY_FILE names a JSON body to send instead (bench/run sends bench/professional.json).
local body_file = os.getenv("BODY_FILE")
if body_file then
  local f = assert(io.open(body_file, "rb"))
  wrk.body = f:read("*a")
  f:close()
else
  wrk.body = [[{"form":"community","answers":{"gate.immediate_danger":"no","gate.crime_against_you":"no","what_happened":"Young people are going in and out of the flat at all hours and some look frightened.","places":[{"street_or_landmark":"Flats behind the Co-op","postcode":"YO24 3BZ"}],"when_known":"ONGOING","when":"2026-10","how_know":"SAW_OR_HEARD_MYSELF","risk_to_you":"yes","contact_ok":"no"}}]]
end

local threads = {}

function setup(thread)
  thread:set("created", 0)
  thread:set("other", 0)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local created, other = 0, 0
  for _, t in ipairs(threads) do
    created = created + t:get("created")
    other = other + t:get("other")
  end
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT created=%d other=%d errors=%d rate=%.1f p50=%.2f p99=%.2f p999=%.2f\n",
    created, other, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    created / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000))
end
