"""Every PostgreSQL session the portal opens runs without JIT compilation: with millions of cards the planner's
cost estimates pass `jit_above_cost` and a 2 ms search spent 18 ms compiling itself."""
import pytest
from sqlalchemy import text


def test_sessions_run_without_jit(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    assert db.session.execute(text("SHOW jit")).scalar() == "off"
    with db.engine.connect() as other:  # every pooled connection, not only the first
        assert other.execute(text("SHOW jit")).scalar() == "off"
