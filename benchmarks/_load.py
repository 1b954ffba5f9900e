"""Load generators for the serving benchmarks: wrk when installed, else Python (processes × threads).

Both send a list of prepared requests over N concurrent connections for a fixed time and count
the answers with the expected status. wrk (C, event loop) leaves nearly all the CPU to the
server; the Python generator competes with it for the cores, so its figures are lower. The
output names the generator used.
"""

from __future__ import annotations

import http.client
import multiprocessing
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    cookie: str = ""
    body: str = ""


@dataclass
class LoadResult:
    requests: int
    seconds: float
    ok: int
    errors: int
    statuses: Counter = field(default_factory=Counter)
    wrapped: int = 0  # times the request list was exhausted and started again

    @property
    def rate(self) -> float:
        """Answers with the expected status, per second."""
        return self.ok / self.seconds if self.seconds else 0.0


def generator_name() -> str:
    return "wrk" if shutil.which("wrk") else "Python (multiprocess http.client)"


def run_load(base_url: str, requests: list[Request], expected: int, connections: int = 32, seconds: float = 5.0,
             repeat: bool = True) -> LoadResult:
    """Send `requests` (cycled when `repeat`, else each at most once) for `seconds` over `connections`."""
    if shutil.which("wrk"):
        return _wrk(base_url, requests, expected, connections, seconds)
    return _python(base_url, requests, expected, connections, seconds, repeat)


# ---------------------------------------------------------------- wrk

# Every simulated phone sends the User-Agent it signed in with, as a real one does: Flask-Login's
# session protection compares it, and a mismatch would rewrite the session cookie on every answer.
USER_AGENT = "Mozilla/5.0 (Linux; Android 10; cunke-benchmark)"

_WRK_SCRIPT = r"""
local threads, counter = {}, 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  reqs, pos, ok, bad, wrapped = {}, 0, 0, 0, 0
  local i, lines = 0, 0
  for _ in io.lines(args[1]) do lines = lines + 1 end
  for line in io.lines(args[1]) do
    -- each thread its own share of a long list; a short list (one page asked again and again) for all
    if lines < 2 * tonumber(args[2]) or i % tonumber(args[2]) == id then
      local method, path, cookie, body = line:match("^(%S+)\t(%S+)\t([^\t]*)\t(.*)$")
      local headers = {["Cookie"] = cookie, ["User-Agent"] = "%(user_agent)s"}
      if body ~= "" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
      table.insert(reqs, wrk.format(method, path, headers, body ~= "" and body or nil))
    end
    i = i + 1
  end
  expected = tonumber(args[3])
end
function request()
  pos = pos + 1
  if pos > #reqs then pos, wrapped = 1, wrapped + 1 end
  return reqs[pos]
end
function response(status, headers, body)
  if status == expected then ok = ok + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  local t_ok, t_bad, t_wrapped = 0, 0, 0
  for _, thread in ipairs(threads) do
    t_ok = t_ok + thread:get("ok")
    t_bad = t_bad + thread:get("bad")
    t_wrapped = t_wrapped + thread:get("wrapped")
  end
  local e = summary.errors
  io.write(string.format("CUNKE requests=%d duration_us=%d ok=%d bad=%d wrapped=%d socket_errors=%d\n",
    summary.requests, summary.duration, t_ok, t_bad, t_wrapped, e.connect + e.read + e.write + e.timeout))
end
"""


def _wrk(base_url: str, requests: list[Request], expected: int, connections: int, seconds: float) -> LoadResult:
    threads = 2
    with tempfile.TemporaryDirectory() as folder:
        script, listing = Path(folder) / "cunke.lua", Path(folder) / "requests.tsv"
        script.write_text(_WRK_SCRIPT.replace("%(user_agent)s", USER_AGENT))
        listing.write_text("".join(f"{r.method}\t{r.path}\t{r.cookie}\t{r.body}\n" for r in requests))
        result = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
             "-s", str(script), base_url, "--", str(listing), str(threads), str(expected)],
            capture_output=True, text=True, check=True,
        )
    match = re.search(r"CUNKE requests=(\d+) duration_us=(\d+) ok=(\d+) bad=(\d+) wrapped=(\d+) socket_errors=(\d+)",
                      result.stdout)
    if not match:
        raise RuntimeError(f"unexpected wrk output:\n{result.stdout}\n{result.stderr}")
    total, micros, ok, bad, wrapped, socket_errors = (int(g) for g in match.groups())
    return LoadResult(requests=total, seconds=micros / 1e6, ok=ok, errors=bad + socket_errors,
                      statuses=Counter({expected: ok}), wrapped=wrapped)


# ---------------------------------------------------------------- Python


def _connection_loop(host: str, port: int, requests: list[Request], take, expected: int, stop_at: float,
                     tally: Counter) -> None:
    while time.monotonic() < stop_at:
        index = take()
        if index is None:
            return
        request = requests[index]
        headers = {"User-Agent": USER_AGENT, **({"Cookie": request.cookie} if request.cookie else {})}
        if request.body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection = http.client.HTTPConnection(host, port, timeout=30)
            connection.request(request.method, request.path, body=request.body or None, headers=headers)
            response = connection.getresponse()
            response.read()
            connection.close()
            status = response.status
        except OSError:
            status = 0
        if time.monotonic() <= stop_at:
            tally[status] += 1


def _process(host: str, port: int, requests: list[Request], slots: int, expected: int, start_at: float,
             stop_at: float, repeat: bool, queue) -> None:
    tally: Counter = Counter()
    lock, position = threading.Lock(), [0]

    def take() -> int | None:
        with lock:
            index = position[0]
            position[0] += 1
        if index >= len(requests):
            if not repeat:
                return None
            index %= len(requests)
        return index

    while time.monotonic() < start_at:
        time.sleep(0.001)
    threads = [threading.Thread(target=_connection_loop, args=(host, port, requests, take, expected, stop_at, tally))
               for _ in range(slots)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put(dict(tally))


def _python(base_url: str, requests: list[Request], expected: int, connections: int, seconds: float,
            repeat: bool) -> LoadResult:
    host, port = base_url.removeprefix("http://").split(":")
    processes = min(4, connections)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start_at = time.monotonic() + 0.5
    stop_at = start_at + seconds
    workers = []
    for number in range(processes):
        share = requests if repeat else requests[number::processes]  # without repeat: each sent once at most
        slots = connections // processes + (1 if number < connections % processes else 0)
        workers.append(context.Process(target=_process, args=(host, int(port), share, slots, expected, start_at,
                                                              stop_at, repeat, queue)))
    for worker in workers:
        worker.start()
    tally: Counter = Counter()
    for _ in workers:
        tally.update(queue.get(timeout=seconds + 120))
    for worker in workers:
        worker.join()
    total = sum(tally.values())
    return LoadResult(requests=total, seconds=seconds, ok=tally.get(expected, 0), errors=total - tally.get(expected, 0),
                      statuses=tally)
