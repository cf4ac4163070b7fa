"""Benchmark: the read path over a real socket, the server in its own process.

Starts `alliance serve` (uvicorn, one worker process) on 127.0.0.1 at a free port against
the bench database, waits until /readyz answers, mints the analyst's token with `alliance
token`, and drives the server from clients in separate processes (httpx, one keep-alive
connection each, started together): 1 client, then 10 at once, for each request of
bench.queries. Prints p50 / p99 ms per request as the client saw it, req/s (all clients
together), the server process's CPU time per request (Python only: PostgreSQL's backends
are not counted), and the server's RSS (/proc: after start, after the run, peak).

Usage: python -m bench.http --database-url postgresql://... --count N [--requests N]
(on the dataset already loaded with that --count; `make bench` runs it after readpath).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from bench import dataset, queries

ALLIANCE = str(Path(sys.executable).with_name("alliance"))
CLIENTS = (1, 10)
WARM = 1  # requests per client before the clock starts: its connection, warm caches
READY_SECONDS = 60.0
# High enough that a bench of many requests from one analyst is never refused (as in
# bench.dataset's in-process service).
COST_MAX = str(10**9)
COST_BUDGET = str(10**12)


@dataclass
class Server:
    base: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    def output(self, last: int = 4000) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-last:]

    def proc(self, name: str) -> str:
        return Path(f"/proc/{self.process.pid}/{name}").read_text()

    def rss_mb(self) -> tuple[float, float]:
        """(current, peak) resident set size of the server process in MB."""
        fields = dict(line.split(":", 1) for line in self.proc("status").splitlines())
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far."""
        after_name = self.proc("stat").rsplit(")", 1)[1].split()
        utime, stime = int(after_name[11]), int(after_name[12])
        return (utime + stime) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_env(url: str, keys: Path, port: int) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("ALLIANCE_")}
    env.update(
        {
            "ALLIANCE_ENV": "test",
            "ALLIANCE_DATABASE_URL": dataset.sqlalchemy_url(url),
            "ALLIANCE_KEYS_DIR": str(keys),
            "ALLIANCE_HOST": "127.0.0.1",
            "ALLIANCE_PORT": str(port),
            "ALLIANCE_COST_MAX_PER_REQUEST": COST_MAX,
            "ALLIANCE_COST_BUDGET": COST_BUDGET,
        }
    )
    return env


def wait_ready(server: Server, seconds: float) -> None:
    """Return once /readyz answers 200. A process start has no event to wait on, so poll,
    backing off from 50 ms to 1 s; stop with the server's output if it exits or the
    `seconds` pass."""
    deadline, pause = time.monotonic() + seconds, 0.05
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(
                f"alliance serve exited ({server.process.returncode}):\n{server.output()}"
            )
        try:
            if httpx.get(f"{server.base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(pause)
        pause = min(1.0, pause * 2)
    raise SystemExit(
        f"{server.base}/readyz did not answer 200 within {seconds:.0f} s:\n{server.output()}"
    )


@contextmanager
def serving(url: str, keys: Path) -> Iterator[Server]:
    """`alliance serve` on a free port of 127.0.0.1, ready; stopped on the way out."""
    port = free_port()
    env = server_env(url, keys, port)
    # A file, not a pipe: nobody reads the access log while the server runs, and a full
    # pipe would stall the server at its next line.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(  # noqa: S603 (our own command, beside this Python)
            [ALLIANCE, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        server = Server(f"http://127.0.0.1:{port}", env, process, log)
        try:
            wait_ready(server, READY_SECONDS)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def mint_token(server: Server, email: str) -> str:
    """The user's access token, as an operator mints it (`alliance token`), for this server."""
    done = subprocess.run(  # noqa: S603 (our own command, beside this Python)
        [ALLIANCE, "token", "--user", email, "--ttl", "7200"],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"alliance token failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


@dataclass
class Outcome:
    samples: list[float] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0
    error: str = ""


def _post(client: httpx.Client, body: bytes) -> bytes:
    response = client.post("/graphql", content=body)
    if response.status_code != 200 or b'"errors"' in response.content:
        raise RuntimeError(f"{response.status_code}: {response.text[:500]}")
    return response.content


def client_process(
    base: str, token: str, body: bytes, count: int, barrier: Any, results: Any
) -> None:
    """One client: warm its connection, wait for the others, then `count` requests in turn."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=900) as client:
            for _ in range(WARM):
                _post(client, body)
            barrier.wait(timeout=600)
            outcome = Outcome(started=time.monotonic())
            for _ in range(count):
                begun = time.perf_counter()
                _post(client, body)
                outcome.samples.append(time.perf_counter() - begun)
            outcome.finished = time.monotonic()
    except Exception as error:  # the parent prints it and stops the run
        barrier.abort()
        outcome = Outcome(error=f"{type(error).__name__}: {error}")
    results.put(outcome)


@dataclass
class Row:
    label: str
    clients: int
    samples: list[float]
    seconds: float  # wall clock from the start of all clients to the end of the last
    server_cpu: float
    statements: str


def _collect(processes: list[Any], results: Any) -> list[Outcome]:
    """Each client's outcome; stop if the clients are gone and some sent none (killed)."""
    outcomes: list[Outcome] = []
    while len(outcomes) < len(processes):
        try:
            outcomes.append(results.get(timeout=5))
        except queue.Empty:
            if not any(process.is_alive() for process in processes):
                raise SystemExit("a client process exited without its figures") from None
    return outcomes


def run_round(server: Server, token: str, request: queries.Request, clients: int, each: int) -> Row:
    """`clients` processes of `each` requests at once; the samples of all of them."""
    # Clients are forked by multiprocessing's fork server, which imported this module
    # once: a client costs no imports of its own and inherits no event loop, connection
    # or thread of this process.
    context = multiprocessing.get_context("forkserver")
    barrier, results = context.Barrier(clients + 1), context.Queue()
    body = json.dumps({"query": request.query, "variables": request.variables}).encode()
    processes = [
        context.Process(
            target=client_process, args=(server.base, token, body, each, barrier, results)
        )
        for _ in range(clients)
    ]
    for process in processes:
        process.start()
    # A client that fails before the start breaks the barrier; its outcome says why.
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=600)
    cpu_before = server.cpu_seconds()
    outcomes = _collect(processes, results)
    cpu = server.cpu_seconds() - cpu_before
    for process in processes:
        process.join(timeout=60)
    if errors := sorted({outcome.error for outcome in outcomes if outcome.error}):
        raise SystemExit(f"{request.label}, {clients} clients: " + "; ".join(errors))
    samples = [sample for outcome in outcomes for sample in outcome.samples]
    seconds = max(o.finished for o in outcomes) - min(o.started for o in outcomes)
    return Row(request.label, clients, samples, seconds, cpu / len(samples), "")


def print_table(count: int, rows: list[Row], rss: list[tuple[str, float]]) -> None:
    print(
        f"\nread path over HTTP at {count:,} indicators: `alliance serve` (uvicorn, ONE worker "
        "process) on 127.0.0.1; clients in separate processes (httpx, one keep-alive "
        "connection each); times as the client saw them"
    )
    print(
        f"| {'request':30} | {'clients':>7} | {'requests':>8} | {'p50 ms':>8} | {'p99 ms':>8} "
        f"| {'req/s':>7} | {'server CPU ms/req':>17} | {'statements (in-process)':24} |"
    )
    print(
        f"|{'-' * 32}|{'-' * 9}|{'-' * 10}|{'-' * 10}|{'-' * 10}|{'-' * 9}|{'-' * 19}|{'-' * 26}|"
    )
    for row in rows:
        p50 = queries.quantile_ms(row.samples, 0.5)
        p99 = queries.quantile_ms(row.samples, 0.99)
        rate = len(row.samples) / row.seconds
        print(
            f"| {row.label:30} | {row.clients:7} | {len(row.samples):8} | {p50:8.1f} | {p99:8.1f} "
            f"| {rate:7.1f} | {row.server_cpu * 1000:17.1f} | {row.statements or '-':24} |"
        )
    print("RSS of the server process: " + ", ".join(f"{mb:.0f} MB {when}" for when, mb in rss))
    print(
        "(server CPU: the Python process only, not PostgreSQL's; p99 of fewer than 100 "
        "requests is the slowest one; the server writes uvicorn's access log to a file)"
    )


def measure(url: str, count: int, times: int, statements: dict[str, str] | None = None) -> None:
    """Print the HTTP table for the dataset in place (`statements`: per request label, what
    the in-process run counted)."""
    with tempfile.TemporaryDirectory() as tmp, serving(url, Path(tmp) / "keys") as server:
        token = mint_token(server, queries.VIEWER)
        rss = [("after start", server.rss_mb()[0])]
        first = httpx.post(
            f"{server.base}/graphql",
            json={"query": queries.PAGE},
            headers={"Authorization": f"Bearer {token}"},
            timeout=900,
        ).json()
        node_id = first["data"]["indicators"]["edges"][0]["node"]["id"]
        rows = []
        for request in queries.requests(count, node_id):
            for clients in CLIENTS:
                runs = request.runs(times)
                each = max(2, runs // clients)  # as many requests in all, whatever the clients
                row = run_round(server, token, request, clients, each)
                print(
                    f"  http: {request.label}, {clients} client(s) x {each}: {row.seconds:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
                row.statements = (statements or {}).get(request.label, "")
                rows.append(row)
        current, peak = server.rss_mb()
        rss += [("after the run", current), ("peak", peak)]
    print_table(count, rows, rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="the bench database, loaded")
    parser.add_argument("--count", type=int, required=True, help="the size it was loaded with")
    parser.add_argument("--requests", type=int, default=None)
    arguments = parser.parse_args()
    times = arguments.requests
    if times is None:
        times = queries.default_requests(arguments.count)
    measure(arguments.database_url, arguments.count, times)


if __name__ == "__main__":
    main()
