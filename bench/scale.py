"""`python -m bench --scale`: the hot paths at several sizes, and how their cost grows.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench python -m bench --scale
    python -m bench --scale 20000,100000 --reuse          # SQLite, small sizes

Each size gets its own data set (PostgreSQL: a database per size next to DATABASE_URL's, named
`<name>_<cards>`, created when missing and filled with COPY; SQLite: bench/data/bench-<cards>.db), so
`--reuse` keeps them between runs. The search and list suites run on each; the table gives every
timed hot path's p50 per size and the growth factor from one size to the next. An indexed path meets
its target when it grows at most 1.5x from the second-largest size to the largest (1M -> 5M).

The sizes run one after the other on a machine whose load changes (a shared machine does): before
and after each size's suites the same fixed work (a CPU loop and 50 `SELECT 1`) is timed, and the
growth is judged after dividing by how much that fixed work slowed down between the two sizes
("growth, load-adjusted"). The raw p50s stay in the table.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_SIZES = (100_000, 1_000_000, 5_000_000)
CALIBRATION = "calibration: fixed work (CPU loop and 50 x SELECT 1)"
GROWTH_LIMIT = 1.5
_VARYING = re.compile(r"\s*\([^)]*\d[^)]*\)")  # "(1,000,000 cards)", "(3 hits)": parts of a name that change with size


def sizes(value: str) -> list[int]:
    return sorted({int(v.replace("_", "")) for v in value.split(",") if v.strip()}) if value else list(DEFAULT_SIZES)


def database_for(url: str, cards: int, data: Path) -> str:
    """The data set's own database: PostgreSQL `<name>_<cards>` (created when missing), or a SQLite file."""
    if not url:
        return f"sqlite:///{data}/bench-{cards}.db"
    parsed = make_url(url)
    name = f"{parsed.database}_{cards}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def hot_paths(results: list[dict]) -> dict[str, float]:
    """The timed lines with a target (the hot paths), by a name that does not change with size."""
    return {_VARYING.sub("", r["name"]).strip(): r["median_ms"] for r in results
            if "median_ms" in r and r.get("target")}


def calibrate(db) -> None:
    """Time a fixed amount of work that does not depend on the data set's size (the machine's speed now)."""
    from bench.harness import report, timed

    def work():
        sum(i * i for i in range(200_000))
        for _ in range(50):
            db.session.execute(text("SELECT 1")).scalar()

    report(CALIBRATION, timed(work, 7))


def calibration(results: list[dict]) -> float:
    """The mean of the size's calibration runs (before and after its suites)."""
    runs = [r["median_ms"] for r in results if r["name"] == CALIBRATION]
    return sum(runs) / len(runs)


def table(by_size: dict[int, dict[str, float]]) -> tuple[list[str], list[dict]]:
    """Markdown lines and rows: p50 per size, growth between sizes, met when the last growth <= 1.5x."""
    order = sorted(by_size)
    names = [n for n in by_size[order[-1]] if all(n in by_size[s] for s in order)]
    names.sort(key=lambda n: n != CALIBRATION)
    speed = [by_size[s].get(CALIBRATION) or 1.0 for s in order]
    slowed = [b / a for a, b in zip(speed, speed[1:], strict=False)]
    head = "| hot path | " + " | ".join(f"{s:,} cards" for s in order) + " | " + " | ".join(
        f"{a:,} -> {b:,} (load-adjusted)" for a, b in zip(order, order[1:], strict=False)) + " | within 1.5x |"
    lines = [head, "| --- " * (2 * len(order)) + "| --- |"]
    rows = []
    for name in names:
        p50 = [by_size[s][name] for s in order]
        growth = [(b / a if a else 0.0) / (1.0 if name == CALIBRATION else k)
                  for a, b, k in zip(p50, p50[1:], slowed, strict=False)]
        met = None if name == CALIBRATION else (not growth or growth[-1] <= GROWTH_LIMIT)
        rows.append({"name": name, "p50_ms": dict(zip(order, p50, strict=True)), "growth": growth, "met": met})
        lines.append(f"| {name} | " + " | ".join(f"{v:,.1f} ms" for v in p50) + " | "
                     + " | ".join(f"{g:.2f}x" for g in growth) + f" | {'the machine' if met is None else 'met' if met else '**not met**'} |")
    return lines, rows


def write(data: Path, dialect: str, rows: list[dict], lines: list[str]) -> None:
    (data / f"scale-{dialect}.json").write_text(json.dumps({"database": dialect, "rows": rows}, indent=2))
    print("\n" + "\n".join(lines), flush=True)
