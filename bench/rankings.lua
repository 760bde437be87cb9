-- wrk script for bench/api.py --server production: each connection cycles through the paths given
-- after `--`, starting at its own offset; "uncached" as the first argument appends a parameter
-- unique to the run, thread and request (every request misses the server's caches).
--   wrk -t2 -c50 -d60s -s bench/rankings.lua http://127.0.0.1:8162 -- uncached <run> /api/a?x=1 /api/b?y=2
-- done() prints one JSON line: requests, seconds, p50/p95 in microseconds and the errors
-- (connect, read, write and timeouts; status counts answers >= 400).
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  uncached = args[1] == "uncached"
  run = args[2]
  paths = {}
  for i = 3, #args do paths[#paths + 1] = args[i] end
  counter = id * 7
end

function request()
  counter = counter + 1
  local path = paths[counter % #paths + 1]
  if uncached then
    path = path .. "&_bench=" .. run .. "-" .. id .. "-" .. counter
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
