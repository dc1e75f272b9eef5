"""Timing, one printed line per benchmark, results collected for bench/results.json."""
from __future__ import annotations

import statistics
import time
from contextlib import contextmanager

from sqlalchemy import event

RESULTS: list[dict] = []


def timed(fn, runs: int = 7, warmup: int = 1) -> tuple[float, float, float]:
    """(median, min, max) seconds over `runs` calls after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), max(times)


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:9.2f} ms" if seconds < 10 else f"{seconds:9.2f} s "


def report(name: str, figures, compare_name: str = "", compare: float | None = None, *,
           target: str = "", met: bool | None = None) -> None:
    """Print name, median, min, max, the same-run comparison, the ratio and the target."""
    med, lo, hi = figures
    line = f"{name:52} median {_fmt(med)}  min {_fmt(lo)}  max {_fmt(hi)}"
    if compare:
        line += f"  | {compare_name}: {_fmt(compare)}  ratio {med / compare:7.2f}x"
    if target:
        line += f"  | target {target}: {'met' if met else 'NOT MET'}"
    print(line, flush=True)
    RESULTS.append({"name": name, "median_ms": med * 1000, "min_ms": lo * 1000, "max_ms": hi * 1000,
                    "compare": compare_name, "compare_ms": (compare or 0) * 1000,
                    "ratio": (med / compare) if compare else None, "target": target, "met": met})


def note(name: str, value: str, *, target: str = "", met: bool | None = None, **extra) -> None:
    """A figure that is not a time (statement counts, sizes, rates)."""
    line = f"{name:52} {value}"
    if target:
        line += f"  | target {target}: {'met' if met else 'NOT MET'}"
    print(line, flush=True)
    RESULTS.append({"name": name, "value": value, "target": target, "met": met, **extra})


@contextmanager
def count_statements(engine):
    """Counts SQL statements sent to the database inside the block: `with ... as n: ...; n[0]`."""
    counter = [0]

    def before(*_args, **_kw):
        counter[0] += 1

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)
