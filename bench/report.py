"""`python -m bench.report`: the README table from bench/data/results-sqlite.json and results-postgresql.json."""
from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def _figure(r: dict | None) -> str:
    if r is None:
        return "–"
    if "median_ms" in r:
        med = r["median_ms"]
        text = f"{med:,.1f} ms" if med < 10_000 else f"{med / 1000:,.1f} s"
        if r.get("compare"):
            text += f" ({r['ratio']:.1f}x of {r['compare_ms']:,.2f} ms)"
        return text
    return r.get("value", "").strip()


def _mark(r: dict | None) -> str:
    if r is None or r.get("met") is None:
        return ""
    return "met" if r["met"] else "**not met**"


def main() -> None:
    runs = {}
    for db in ("sqlite", "postgresql"):
        path = DATA / f"results-{db}.json"
        if path.exists():
            runs[db] = json.loads(path.read_text())
    names = []
    for run in runs.values():
        for r in run["results"]:
            if r["name"] not in names:
                names.append(r["name"])
    by = {db: {r["name"]: r for r in run["results"]} for db, run in runs.items()}
    print("| benchmark | target | SQLite (ratio to the same-run comparison) | | PostgreSQL | |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in names:
        rs, rp = by.get("sqlite", {}).get(name), by.get("postgresql", {}).get(name)
        target = (rs or rp or {}).get("target", "")
        cells = [name.strip(), target, _figure(rs), _mark(rs), _figure(rp), _mark(rp)]
        print("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")


if __name__ == "__main__":
    main()
