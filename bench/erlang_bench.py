"""Erlang C and Erlang A staffing: callpulse.wfm beside pyworkforce, same inputs, same run.

    .venv/bin/python bench/erlang_bench.py [--repeats 20] [--a-intervals 336]

pyworkforce is a bench-only dependency. Its Erlang A needs pyworkforce >= 0.5.2, which needs
Python >= 3.12, so it lives in its own virtualenv, ``var/bench-venv-py312`` (created here on first
use with ``python3.12 -m venv`` and ``pip install pyworkforce``), and runs in a subprocess that
times itself and prints JSON. callpulse.wfm is timed in this process, best of ``--repeats``.

(a) Erlang C required agents for 1,000 half-hour intervals with 5 to 2,000 calls (AHT 180 s, 80%
    answered within 20 s): our vectorised call against ``ErlangC.required_positions`` in a loop;
    the counts must be identical. Goal: at least 20x faster.
(b) Erlang A for a week of half-hour intervals (336) at 2,000 calls each (AHT 180 s, patience
    120 s, 80/20): our call against ``ErlangA.required_positions`` in a loop. Goal: at least 100x
    faster, and the exact minimum: 187 agents, where pyworkforce, which starts its search at the
    offered load (200 Erlangs, as the float 200.00000000000003), says 201. pyworkforce's own
    ``service_level`` is asked for our count and the one below, as an outside check.

``--a-intervals N`` times pyworkforce's Erlang A on the first N intervals only (they are all
alike) and scales its time to 336, saying so; the default runs all 336 (about 100 s).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callpulse.wfm import erlang_a, erlang_a_performance, erlang_c  # noqa: E402

VENV = ROOT / "var" / "bench-venv-py312"
VENV_PYTHON = VENV / "bin" / "python"
PYWORKFORCE = "pyworkforce>=0.5.2"

AHT, INTERVAL, ANSWER_TIME, TARGET, PATIENCE = 180.0, 1800.0, 20.0, 0.8, 120.0
C_CALLS = np.linspace(5, 2000, 1000).round()
A_CALLS = np.full(7 * 48, 2000.0)

PEER_SCRIPT = r"""
import json, sys, time
from importlib.metadata import version
from pyworkforce.queuing import ErlangA, ErlangC

cfg = json.load(sys.stdin)
minutes = lambda seconds: seconds / 60.0  # pyworkforce takes minutes
aht, asa = minutes(cfg["aht"]), minutes(cfg["answer_time"])
interval, patience, target = minutes(cfg["interval"]), minutes(cfg["patience"]), cfg["target"]

def erlang_c_counts():
    return [
        ErlangC(transactions=c, aht=aht, asa=asa, interval=interval)
        .required_positions(service_level=target)["raw_positions"]
        for c in cfg["c_calls"]
    ]

c_best = float("inf")
for _ in range(cfg["repeats"]):
    start = time.perf_counter()
    c_counts = erlang_c_counts()
    c_best = min(c_best, time.perf_counter() - start)

start = time.perf_counter()
a_counts = [
    ErlangA(transactions=c, aht=aht, asa=asa, interval=interval, patience=patience)
    .required_positions(service_level=target)["raw_positions"]
    for c in cfg["a_calls"]
]
a_seconds = time.perf_counter() - start

peer = ErlangA(transactions=cfg["a_calls"][0], aht=aht, asa=asa, interval=interval,
               patience=patience)
check = {str(n): peer.service_level(n) for n in cfg["check_agents"]}
print(json.dumps({
    "version": version("pyworkforce"),
    "python": sys.version.split()[0],
    "c_counts": c_counts,
    "c_seconds": c_best,
    "a_counts": a_counts,
    "a_seconds": a_seconds,
    "a_service_level_by_agents": check,
}))
"""


def find_python312() -> str:
    """A Python 3.12 interpreter: $BENCH_PYTHON312, python3.12 on PATH, or a pyenv install."""
    candidates = [os.environ.get("BENCH_PYTHON312", ""), shutil.which("python3.12") or ""]
    candidates += sorted(str(p) for p in Path.home().glob(".pyenv/versions/3.12*/bin/python3.12"))
    candidates += ["/usr/bin/python3.12", "/usr/local/bin/python3.12"]
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [candidate, "-c", "import sys; assert sys.version_info[:2] == (3, 12)"],
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            return candidate
    raise SystemExit("bench: no working python3.12 found (set BENCH_PYTHON312)")


def ensure_peer_venv() -> None:
    if not VENV_PYTHON.exists():
        python312 = find_python312()
        print(f"creating {VENV.relative_to(ROOT)} with {python312}", flush=True)
        subprocess.run([python312, "-m", "venv", str(VENV)], check=True)
    has_peer = subprocess.run(
        [str(VENV_PYTHON), "-c", "import pyworkforce.queuing as q; q.ErlangA"],
        capture_output=True,
        check=False,
    )
    if has_peer.returncode != 0:
        print(f"installing {PYWORKFORCE} into {VENV.relative_to(ROOT)}", flush=True)
        subprocess.run(
            [str(VENV_PYTHON), "-m", "pip", "install", "--quiet", PYWORKFORCE], check=True
        )


def best_of(repeats: int, work: Callable[[], object]) -> float:
    work()  # warm-up: imports, caches
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def seconds(value: float) -> str:
    return f"{value * 1e3:.2f} ms" if value < 1 else f"{value:.2f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=20, help="our timing: best of N (20)")
    parser.add_argument(
        "--peer-repeats", type=int, default=3, help="pyworkforce Erlang C: best of N (3)"
    )
    parser.add_argument(
        "--a-intervals",
        type=int,
        default=len(A_CALLS),
        help="run pyworkforce's Erlang A on this many of the 336 intervals and scale (336)",
    )
    args = parser.parse_args()
    a_sample = max(1, min(args.a_intervals, len(A_CALLS)))

    ensure_peer_venv()

    # ---- ours, in process
    def ours_c() -> object:
        return erlang_c(
            calls=C_CALLS, aht=AHT, interval=INTERVAL, target_sl=TARGET, answer_time=ANSWER_TIME
        )

    def ours_a() -> object:
        return erlang_a(
            calls=A_CALLS,
            aht=AHT,
            patience=PATIENCE,
            interval=INTERVAL,
            target_sl=TARGET,
            answer_time=ANSWER_TIME,
        )

    c_ours = erlang_c(
        calls=C_CALLS, aht=AHT, interval=INTERVAL, target_sl=TARGET, answer_time=ANSWER_TIME
    )
    a_ours = erlang_a(
        calls=A_CALLS,
        aht=AHT,
        patience=PATIENCE,
        interval=INTERVAL,
        target_sl=TARGET,
        answer_time=ANSWER_TIME,
    )
    c_time = best_of(args.repeats, ours_c)
    a_time = best_of(args.repeats, ours_a)
    ours_a_count = int(a_ours.raw_agents[0])
    check_agents = [ours_a_count - 1, ours_a_count]
    our_sl = erlang_a_performance(
        calls=2000,
        aht=AHT,
        patience=PATIENCE,
        interval=INTERVAL,
        answer_time=ANSWER_TIME,
        agents=check_agents,
    ).service_level

    # ---- pyworkforce, in its own interpreter
    cfg = {
        "aht": AHT,
        "answer_time": ANSWER_TIME,
        "interval": INTERVAL,
        "patience": PATIENCE,
        "target": TARGET,
        "repeats": args.peer_repeats,
        "c_calls": C_CALLS.tolist(),
        "a_calls": A_CALLS[:a_sample].tolist(),
        "check_agents": check_agents,
    }
    print(
        f"running pyworkforce (Erlang C x{args.peer_repeats}, Erlang A on {a_sample} intervals)...",
        flush=True,
    )
    done = subprocess.run(
        [str(VENV_PYTHON), "-c", PEER_SCRIPT],
        input=json.dumps(cfg),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        return 1
    peer = json.loads(done.stdout)
    peer_a_time = peer["a_seconds"] * len(A_CALLS) / a_sample

    # ---- compare
    c_theirs = np.array(peer["c_counts"])
    c_diff = np.flatnonzero(c_theirs != c_ours.raw_agents)
    a_theirs = sorted(set(peer["a_counts"]))
    c_ratio, a_ratio = peer["c_seconds"] / c_time, peer_a_time / a_time

    print()
    print(
        f"callpulse.wfm: Python {sys.version.split()[0]}, numpy {version('numpy')}, "
        f"scipy {version('scipy')}, in process, best of {args.repeats}"
    )
    print(
        f"pyworkforce {peer['version']}: Python {peer['python']}, subprocess, "
        f"Erlang C best of {args.peer_repeats}, Erlang A one pass"
        + ("" if a_sample == len(A_CALLS) else f" on {a_sample} intervals scaled to 336")
    )
    print()
    header = f"{'benchmark':<44}{'intervals':>10}{'callpulse':>12}{'pyworkforce':>14}{'ratio':>10}"
    print(header)
    print("-" * len(header))
    print(
        f"{'(a) Erlang C, 5..2000 calls/30 min, 80/20':<44}{len(C_CALLS):>10}"
        f"{seconds(c_time):>12}{seconds(peer['c_seconds']):>14}{c_ratio:>9.0f}x"
    )
    print(
        f"{'(b) Erlang A, 2000 calls/30 min, pat. 120 s':<44}{len(A_CALLS):>10}"
        f"{seconds(a_time):>12}{seconds(peer_a_time):>14}{a_ratio:>9.0f}x"
    )
    print()
    same = len(C_CALLS) - len(c_diff)
    print(
        f"(a) required agents identical in {same} of {len(C_CALLS)} intervals "
        f"(range {c_ours.raw_agents.min()}..{c_ours.raw_agents.max()}); "
        f"speed goal >= 20x: {'met' if c_ratio >= 20 else 'NOT met'}"
    )
    for i in c_diff[:10]:
        print(f"    calls {C_CALLS[i]:g}: ours {c_ours.raw_agents[i]}, pyworkforce {c_theirs[i]}")
    print(
        f"(b) required agents: ours {sorted(set(a_ours.raw_agents.tolist()))}, "
        f"pyworkforce {a_theirs}; speed goal >= 100x: {'met' if a_ratio >= 100 else 'NOT met'}"
    )
    peer_sl = peer["a_service_level_by_agents"]
    for n, ours_value in zip(check_agents, our_sl, strict=True):
        print(
            f"    service level with {n} agents: ours {ours_value:.6f}, "
            f"pyworkforce's own service_level() {peer_sl[str(n)]:.6f}"
        )
    exact = our_sl[0] < TARGET <= our_sl[1]
    print(f"    {ours_a_count} is the least count meeting 80/20: {'yes' if exact else 'NO'}")
    ok = len(c_diff) == 0 and exact and ours_a_count == 187
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
