-- bench:api's wrk script (bench/api.ts runs it; wrk is C, so the load generator takes a fraction of the
-- CPU autocannon takes in a Node process on the same cores):
--   wrk -t T -c C -d Ns --timeout 30s -s bench/wrk-api.lua -H ... URL -- <requests/s per thread> <body file>
-- POSTs the body file. A rate above 0 paces each thread's connections to it: delay() hands out send slots
-- 1/rate apart on an absolute schedule (not "wait a fixed time after each answer", which would offer less
-- than the rate as soon as the answers take time). A slot already past goes out at once, so a stalled
-- server meets the backlog when it recovers, as with real clients. wrk times each request from when it
-- is written. done() prints one line, WRK_RESULT {json}: p50/p99/max latency in µs and every HTTP status
-- counted (response() sees each one), for bench/api.ts to parse.

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } floe_timespec;
int clock_gettime(int clock_id, floe_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local clock = ffi.new("floe_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

-- Runs in the main Lua state, once per thread: done() (also main state) reads their counts.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

-- Per thread (each has its own Lua state). args[0] is the URL.
local interval_ms = 0
local next_slot = nil
function init(args)
  local rate = tonumber(args[1]) or 0
  if rate > 0 then
    interval_ms = 1000 / rate
  end
  local file = assert(io.open(args[2], "rb"))
  wrk.body = file:read("*a")
  file:close()
  wrk.method = "POST"
  statuses = {}
end

function delay()
  if interval_ms == 0 then
    return 0
  end
  local now = now_ms()
  next_slot = next_slot or now
  local wait = next_slot - now
  next_slot = next_slot + interval_ms
  if wait < 0 then
    return 0
  end
  return wait
end

function response(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    parts[#parts + 1] = string.format('"%d":%d', status, n)
  end
  local e = summary.errors
  io.write(
    string.format(
      'WRK_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"statuses":{%s},'
        .. '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d}}\n',
      summary.requests,
      summary.duration,
      latency:percentile(50),
      latency:percentile(99),
      latency.max,
      table.concat(parts, ","),
      e.connect,
      e.read,
      e.write,
      e.timeout
    )
  )
end
