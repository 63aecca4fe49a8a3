-- Chat turns for bench.scaleout, driven by wrk (a C load generator: it leaves the 2 cores to the
-- servers it measures). Arguments after `--`: a file of conversation ids (one per line), a file of
-- JSON-encoded message texts (one per line), and a prefix for the client message ids.
-- wrk runs one thread; each request is the next message of the next conversation, round robin.
-- With twice as many conversations as connections, a conversation's next turn is sent a whole
-- round of 2 × connections requests after its last one, by which time that one was answered: a
-- customer's turns follow one another, as a person's do, instead of waiting for each other's lock.
-- (A thread per connection would guarantee it, but costs as much CPU as the Python customers.)
-- Every request carries a client message id unique in the run (prefix .. sequence number).
-- done() prints one JSON line: requests, duration, errors, and latency percentiles (µs).

local conversations = {}
local texts = {}
local prefix = ""
local sent = 0
local headers = { ["Content-Type"] = "application/json" }

local function lines(path)
  local found = {}
  for line in io.lines(path) do
    if line ~= "" then
      found[#found + 1] = line
    end
  end
  return found
end

function init(args)
  conversations = lines(args[1])
  texts = lines(args[2])
  prefix = args[3]
end

function request()
  local n = #conversations
  if n == 0 then -- wrk checks the script once in a state where init() has not run
    return wrk.format("POST", "/")
  end
  local conversation = conversations[sent % n + 1]
  local text = texts[math.floor(sent / n) % #texts + 1]
  local body = '{"text":' .. text .. ',"client_message_id":"' .. prefix .. sent .. '"}'
  sent = sent + 1
  return wrk.format("POST", "/api/v1/conversations/" .. conversation .. "/messages", headers, body)
end

function done(summary, latency, requests)
  local points = {}
  for _, q in ipairs({ 50, 90, 99, 99.9 }) do
    points[#points + 1] = string.format('"%s":%d', q, latency:percentile(q))
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,"timeouts":%d,' ..
      '"latency_us":{%s}}\n',
    summary.requests,
    summary.duration,
    errors.status,
    errors.connect + errors.read + errors.write,
    errors.timeout,
    table.concat(points, ",")
  ))
end
