"""Benchmark: how fast `mentorbot web` acknowledges a signed `/mentor help`, beside a bare Bolt app.

What it measures: the p50/p90/p99/max time from sending a signed `/mentor help` POST to reading
the whole answer, with `--concurrency` requests in flight at once (a closed loop: each of the
client threads sends its next request as soon as the previous one is answered), against

  mentorbot  the real `mentorbot web` command, started as a subprocess, and
  bare       a bare Bolt app whose `/mentor` listener only acks, served by the same
             `bot.web.GunicornServer` (same gunicorn worker class, threads and worker count).

Both servers talk to an in-process fake Slack Web API, run from a temporary working folder (so no
`.env` is read), and are up for the whole run. Each target gets a warm-up, then its `--requests`
are split over `--rounds` rounds measured in ABBA order (bare, mentorbot, mentorbot, bare, ...),
so drift on the machine (other load, CPU frequency, a filling SQLite WAL) falls on both alike;
the figures combine all rounds. The client runs on the same machine as the servers and competes
with them for CPU, equally for both targets, which is why only the ratio is comparable across
machines.

The p99 tail is dominated by rare whole-worker pauses (a full garbage collection in a gunicorn
worker stalls all of its threads); the default run is short enough that one may or may not fall
inside it, so use `--requests 10000` or more before trusting a single PASS or MISS.

Run it from the repository root:

    python bench/ack_latency.py [--requests N] [--concurrency 50] [--workers 2] [--database-url URL]

The default database is a fresh SQLite file; on PostgreSQL run `mentorbot db upgrade` against the
URL first, because `mentorbot web` refuses an out-of-date shared schema.

Targets (from the issue): mentorbot's p99 under 100 ms, and within 1.3x of the bare app's p99.
The script prints PASS or MISS for each and exits 0 either way; it exits non-zero only when a
server does not start.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

# Run as `python bench/ack_latency.py`: make `bot.*` and `tests.*` importable from the repo root.
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.fakes.slack_api import BOT_TOKEN, FakeSlack  # noqa: E402
from tests.fakes.slack_requests import SIGNING_SECRET, SlackSender  # noqa: E402

SLACK_PATH = "/slack/events"
P99_TARGET_MS = 100.0
RATIO_TARGET = 1.3
START_TIMEOUT = 30.0
WARMUP_REQUESTS = 100


@dataclass
class Target:
    """One server under test: its name, its process, and its /slack/events URL."""

    name: str
    process: subprocess.Popen
    url: str
    log: Path


@dataclass
class Result:
    """Latencies (seconds) and errors collected for one target over all its rounds."""

    latencies: list[float]
    sent: int
    errors: int
    wall: float


class StartError(Exception):
    """A server under test did not come up; the message says which and shows its log."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, or serve the bare Bolt app when started with --serve-bare."""
    args = _parser().parse_args(argv)
    if args.serve_bare:
        _serve_bare(args.port, args.workers)
        return 0
    return _benchmark(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per target")
    parser.add_argument("--concurrency", type=int, default=50, help="requests in flight at once")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per target")
    parser.add_argument("--database-url", help="mentorbot's DATABASE_URL (default: a temporary SQLite file)")
    # Internal: how the benchmark starts the bare app in its own process.
    parser.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    return parser


def _serve_bare(port: int, workers: int) -> None:
    """Serve a Bolt app that only acks `/mentor`, under mentorbot's own gunicorn settings."""
    from slack_bolt import Ack, App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    from bot.web import GunicornServer, WsgiApp

    def build() -> WsgiApp:
        # Built per worker after the fork, exactly as `mentorbot web` builds its app.
        app = App(
            client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
            signing_secret=os.environ["SLACK_SIGNING_SECRET"],
            token_verification_enabled=False,
        )

        @app.command("/mentor")
        def mentor(ack: Ack) -> None:
            ack(response_type="ephemeral", text="help text")

        return SlackRequestHandler(app, path=SLACK_PATH)

    GunicornServer(build, port=port, workers=workers, log_level="warning").run()


def _benchmark(args: argparse.Namespace) -> int:
    """Start the fake Slack and both servers, load them alternately, print the figures."""
    fake = FakeSlack().start()
    targets: list[Target] = []
    try:
        with tempfile.TemporaryDirectory(prefix="mentorbot-bench-") as folder:
            workdir = Path(folder)
            env = _server_env(fake.base_url, args, workdir)
            try:
                targets.append(_start_bare(env, args.workers, workdir))
                targets.append(_start_mentorbot(env, workdir))
            except StartError as error:
                print(f"ack_latency: {error}", file=sys.stderr)
                return 1
            bare, mentorbot = targets
            print(
                f"# {args.requests} requests per target, {args.concurrency} concurrent, "
                f"{args.workers} gunicorn workers, {args.rounds} rounds, database "
                f"{_describe(env['DATABASE_URL'])}, {os.cpu_count()} CPUs",
                flush=True,
            )
            for target in targets:
                _load(target.url, WARMUP_REQUESTS, args.concurrency)
            results = {target.name: Result([], 0, 0, 0.0) for target in targets}
            per_round = _split(args.requests, args.rounds)
            for index, count in enumerate(per_round):
                # ABBA: alternate which target goes first so slow drift does not favour one.
                order = (bare, mentorbot) if index % 2 == 0 else (mentorbot, bare)
                for target in order:
                    latencies, errors, wall = _load(target.url, count, args.concurrency)
                    result = results[target.name]
                    result.latencies += latencies
                    result.sent += count
                    result.errors += errors
                    result.wall += wall
            _report(results["bare"], results["mentorbot"])
            return 0
    finally:
        for target in targets:
            _stop(target.process)
        fake.stop()


def _server_env(api_url: str, args: argparse.Namespace, workdir: Path) -> dict[str, str]:
    """The environment both servers run with: fake Slack, test secrets, quiet logs."""
    env = dict(os.environ)
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        # Both set would switch Bolt to its OAuth install flow.
        env.pop(name, None)
    env |= {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'mentorbot.db'}",
        "WEB_CONCURRENCY": str(args.workers),
        "LOG_LEVEL": "WARNING",
        # The servers import the project from the repo even though they run in the temp folder.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
    }
    return env


def _start_mentorbot(env: dict[str, str], workdir: Path) -> Target:
    """Start `mentorbot web` and wait for /healthz to answer 200."""
    port = _free_port()
    target = _spawn(
        "mentorbot", [sys.executable, "-m", "bot.cli", "web"], env | {"PORT": str(port)}, workdir, port
    )
    _wait_until(target, lambda: _request(port, "GET", "/healthz") == 200)
    return target


def _start_bare(env: dict[str, str], workers: int, workdir: Path) -> Target:
    """Start the bare Bolt app and wait until it answers a POST (it has no /healthz)."""
    port = _free_port()
    command = [sys.executable, str(Path(__file__).resolve()), "--serve-bare", "--port", str(port)]
    target = _spawn("bare", [*command, "--workers", str(workers)], env, workdir, port)
    _wait_until(target, lambda: _request(port, "POST", SLACK_PATH) is not None)
    return target


def _spawn(name: str, command: list[str], env: dict[str, str], workdir: Path, port: int) -> Target:
    """Start a server in its own session so stopping it reaches gunicorn's workers too."""
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        # gunicorn's access log goes to stdout; a file keeps it off the terminal and cheap to write.
        process = subprocess.Popen(
            command, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Target(name, process, f"http://127.0.0.1:{port}{SLACK_PATH}", log)


def _wait_until(target: Target, ready: Callable[[], bool]) -> None:
    """Poll `ready()` until it is true; raise StartError if the process exits or time runs out."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if target.process.poll() is not None:
            raise StartError(f"{target.name} exited with code {target.process.returncode}:\n{_tail(target)}")
        if ready():
            return
        time.sleep(0.1)
    raise StartError(f"{target.name} did not answer within {START_TIMEOUT:.0f} s:\n{_tail(target)}")


def _request(port: int, method: str, path: str) -> int | None:
    """The status of one unsigned request, or None while nothing listens on `port`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request(method, path, body=b"" if method == "POST" else None)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def _tail(target: Target, lines: int = 20) -> str:
    """The end of a server's log, to show why it did not start."""
    text = target.log.read_text(errors="replace") if target.log.exists() else ""
    return "\n".join(text.splitlines()[-lines:]) or "(no output)"


def _free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _split(total: int, parts: int) -> list[int]:
    """`total` requests divided as evenly as possible into `parts` rounds."""
    parts = max(1, parts)
    return [total // parts + (1 if index < total % parts else 0) for index in range(parts)]


def _load(url: str, count: int, concurrency: int) -> tuple[list[float], int, float]:
    """Send `count` signed `/mentor help` commands, `concurrency` at a time: latencies, errors, wall time."""
    sender = SlackSender(url)
    remaining = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors = 0

    def client() -> None:
        nonlocal errors
        # Each thread sends its next request as soon as the last is answered: a closed loop.
        while next(remaining) < count:
            try:
                reply = sender.slash("help")
                ok, elapsed = reply.status == 200, reply.elapsed
            except OSError:  # refused or reset connections, timeouts: errors, not crashes
                ok, elapsed = False, None
            with lock:
                if elapsed is not None:
                    latencies.append(elapsed)
                if not ok:
                    errors += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="client") as pool:
        for _ in range(concurrency):
            pool.submit(client)
    return latencies, errors, time.perf_counter() - started


def _percentile(ordered: list[float], fraction: float) -> float:
    """The nearest-rank percentile of already sorted values."""
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def _report(bare: Result, mentorbot: Result) -> None:
    """Print the table, the p99 ratio and PASS/MISS against the issue's targets."""
    print(f"{'target':<10} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} ", end="")
    print(f"{'max ms':>7} {'req/s':>7}")
    p99s = {}
    for name, result in (("bare", bare), ("mentorbot", mentorbot)):
        ordered = sorted(result.latencies)
        ms = [1000 * _percentile(ordered, f) for f in (0.5, 0.9, 0.99)]
        most = 1000 * ordered[-1] if ordered else float("nan")
        rate = len(ordered) / result.wall if result.wall else float("nan")
        p99s[name] = ms[2]
        print(
            f"{name:<10} {result.sent:>8} {result.errors:>6} "
            f"{ms[0]:>7.1f} {ms[1]:>7.1f} {ms[2]:>7.1f} {most:>7.1f} {rate:>7.0f}"
        )
    ratio = p99s["mentorbot"] / p99s["bare"]
    print(f"mentorbot p99 / bare p99 = {ratio:.2f}")
    print(f"p99 < {P99_TARGET_MS:.0f} ms: {_verdict(p99s['mentorbot'] < P99_TARGET_MS)}")
    print(f"p99 ratio <= {RATIO_TARGET}: {_verdict(ratio <= RATIO_TARGET)}")


def _verdict(met: bool) -> str:
    """PASS or MISS."""
    return "PASS" if met else "MISS"


def _describe(url: str) -> str:
    """The database URL without its password, for the header line."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _stop(process: subprocess.Popen) -> None:
    """Stop a server: SIGTERM to gunicorn's master, then SIGKILL to its whole session."""
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=25)  # longer than gunicorn's graceful_timeout of 20 s
    with contextlib.suppress(ProcessLookupError, PermissionError):
        # Workers orphaned by a master that died first are still in the session we created.
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


if __name__ == "__main__":
    raise SystemExit(main())
