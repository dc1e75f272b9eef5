"""`make bench`: generate a realistic data set, then measure every hot path against a same-run ceiling.

    python -m bench                                  # SQLite, 1,000,000 cards (bench/data/)
    python -m bench --cards 100000 --reuse           # smaller, and keep the data set between runs
    DATABASE_URL=postgresql+psycopg://.../bench python -m bench
    DATABASE_URL=postgresql+psycopg://.../bench python -m bench --scale   # 100k, 1M, 5M cards: growth table

Each line: name, median, min, max, the comparison measured in the same run and the ratio, and the
issue's target. Results also go to bench/results.json (one file per database in bench/data/ too).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from bench import harness

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SUITES = ("search", "lists", "jobs", "assistant", "http", "api", "privacy")
JOB_PARTS = ("photo", "csv", "outbox", "retention", "webhooks")  # `--only outbox,retention`: some of the jobs suite


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--cards", type=int, default=1_000_000)
    p.add_argument("--companies", type=int, default=2_000)
    p.add_argument("--requests", type=int, default=None, help="data-collection requests (default cards / 5)")
    p.add_argument("--orders", type=int, default=None, help="orders (default cards / 5; more: older orders without cards)")
    p.add_argument("--reuse", action="store_true", help="keep an already generated data set of the same size")
    p.add_argument("--only", default=",".join(SUITES),
                   help=f"comma-separated suites: {', '.join(SUITES)} (or parts of jobs: {', '.join(JOB_PARTS)})")
    p.add_argument("--scale", nargs="?", const="", default=None, metavar="SIZES",
                   help="run the search and list suites at several sizes (default 100000,1000000,5000000 cards) "
                        "and print how each hot path's p50 grows")
    args = p.parse_args(argv)
    if args.scale is not None:
        return args
    if args.requests is None:
        args.requests = args.cards // 5
    if args.orders is None:
        args.orders = -(-args.cards // 5)
    return args


def make_app(url: str):
    from app import create_app

    return create_app({
        "ENV_NAME": "testing", "TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "b" * 48,
        "STORAGE_DIR": str(DATA / "files"), "SCHEDULER_ENABLED": False, "WTF_CSRF_ENABLED": False,
        "MAIL_SUPPRESS_SEND": False, "BASE_URL": "http://127.0.0.1:5000",
    })


def prepare(db, args) -> None:
    """A fresh schema and data set, unless --reuse finds one of the same size."""
    from sqlalchemy import inspect, text

    from bench.generate import generate

    wanted = {"cards": args.cards, "companies": args.companies, "requests": args.requests, "orders": args.orders}
    if args.reuse and inspect(db.engine).has_table("bench_meta"):
        meta = json.loads(db.session.scalar(text("SELECT v FROM bench_meta WHERE k = 'scale'")) or "{}")
        if all(meta.get(k) == v for k, v in wanted.items()):
            print(f"reusing the data set: {meta}", flush=True)
            db.create_all()  # tables added to the product since the data set was made (existing ones are kept)
            _new_indexes(db)
            return
    t = time.perf_counter()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("DROP SCHEMA public CASCADE"))
        db.session.execute(text("CREATE SCHEMA public"))
        db.session.commit()
    db.create_all()
    made = generate(db, str(DATA / "files"), **wanted)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # the state autovacuum keeps a live database in: visibility map set
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
    db.session.execute(text("CREATE TABLE bench_meta (k VARCHAR(20) PRIMARY KEY, v TEXT)"))
    db.session.execute(text("INSERT INTO bench_meta VALUES ('scale', :v)"), {"v": json.dumps({**wanted, **made})})
    db.session.commit()
    harness.note("generate: data set", f"{time.perf_counter() - t:9.1f} s  ({made})")


def _new_indexes(db) -> None:
    """Columns and indexes added to the product since the data set was made (create_all leaves existing
    tables be)."""
    from sqlalchemy import inspect, text

    from portal.collection.models import REQUEST_TRIGRAM
    from portal.ordering.models import ORDER_LINE_TRIGRAM

    made = 0
    for table in db.metadata.sorted_tables:  # columns added since: nullable, or with their server default
        present = {c["name"] for c in inspect(db.engine).get_columns(table.name)}
        for column in table.columns:
            if column.name not in present:
                kind = column.type.compile(dialect=db.engine.dialect)
                default = "" if column.server_default is None else " DEFAULT " + _sql_literal(
                    column.server_default.arg, db.engine.dialect)
                with db.engine.begin() as conn:
                    conn.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}{default}'))
                made += 1
    for table in db.metadata.sorted_tables:
        known = {ix["name"] for ix in inspect(db.engine).get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in known:
                index.create(db.engine)
                made += 1
    with db.engine.begin() as conn:
        for index in (ORDER_LINE_TRIGRAM, REQUEST_TRIGRAM):
            fresh = conn.dialect.name == "sqlite" and not inspect(conn).has_table(index.fts)
            index.create(conn, rebuild=fresh)
    if made:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _sql_literal(value, dialect) -> str:
    """A server default as SQL: a quoted string, or the compiled expression (true(), text("0"), ...)."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def main(argv=None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    DATA.mkdir(exist_ok=True)
    if args.scale is not None:
        return run_scale(args)
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA}/bench-{args.cards}.db"
    return run_once(args, url)


def run_scale(args) -> int:
    """Each size on its own data set, the search and list suites, then the growth table."""
    from bench import scale

    by_size, dialect = {}, "sqlite"
    for cards in scale.sizes(args.scale):
        url = scale.database_for(os.environ.get("DATABASE_URL", ""), cards, DATA)
        sized = argparse.Namespace(**{**vars(args), "scale": None, "cards": cards, "requests": cards // 5,
                                      "orders": -(-cards // 5), "only": "search,lists"})
        harness.RESULTS.clear()
        run_once(sized, url, save=False)
        by_size[cards] = scale.hot_paths(harness.RESULTS)
        by_size[cards][scale.CALIBRATION] = scale.calibration(harness.RESULTS)
        dialect = "postgresql" if url.startswith("postgresql") else "sqlite"
    lines, rows = scale.table(by_size)
    scale.write(DATA, dialect, rows, lines)
    return 0


def run_once(args, url: str, *, save: bool = True) -> int:
    if url.startswith("sqlite") and not args.reuse:
        Path(url.split("///", 1)[1]).unlink(missing_ok=True)
    app = make_app(url)
    started = time.perf_counter()
    with app.app_context():
        from portal.infra.extensions import db

        print(f"database: {db.engine.dialect.name}, {args.cards:,} cards, {args.companies:,} companies", flush=True)
        prepare(db, args)
        suites = [s.strip() for s in args.only.split(",") if s.strip()]
        if not save:
            from bench import scale
            scale.calibrate(db)
        if "search" in suites:
            from bench import paths_search
            paths_search.run(app, db)
        if "lists" in suites:
            from bench import paths_lists
            paths_lists.run(app, db)
        if "jobs" in suites or set(JOB_PARTS) & set(suites):
            from bench import paths_jobs
            paths_jobs.run(app, db, JOB_PARTS if "jobs" in suites else [s for s in suites if s in JOB_PARTS])
        if "assistant" in suites:  # the photo assistant's work per photo (no database)
            from bench import paths_photo
            paths_photo.bench_photo_assistant()
        if "api" in suites:
            from bench import paths_api
            paths_api.run(app, db)
        if "privacy" in suites:
            from bench import paths_privacy
            paths_privacy.run(app, db)
        if "http" in suites:
            from bench import paths_http
            paths_http.run(app, db, url)
        if not save:
            scale.calibrate(db)
        dialect = db.engine.dialect.name
    harness.note("total", f"{time.perf_counter() - started:9.1f} s")
    if not save:
        return 0
    results = harness.RESULTS
    previous = DATA / f"results-{dialect}.json"
    if set(suites) != set(SUITES) and previous.exists():  # a partial run updates the last full one
        results = [r for r in results if r["name"] != "total"]
        fresh = {r["name"] for r in results}
        before = json.loads(previous.read_text())["results"]
        order = [r["name"] for r in before]
        kept = [r for r in before if r["name"] not in fresh]
        results = sorted(kept + results, key=lambda r: order.index(r["name"]) if r["name"] in order else len(order))
    out = json.dumps({"database": dialect, "cards": args.cards, "results": results}, indent=2, default=str)
    (HERE / "results.json").write_text(out)
    (DATA / f"results-{dialect}.json").write_text(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
