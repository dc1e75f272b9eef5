"""`python -m bench --scale`: one name per hot path whatever the size, and growth judged 1M -> 5M."""
from bench.scale import CALIBRATION, hot_paths, sizes, table


def _line(name, ms, target="p50 < 50 ms"):
    return {"name": name, "median_ms": ms, "target": target}


def test_names_that_carry_sizes_or_hit_counts_are_one_hot_path():
    small = hot_paths([_line("card list page of 50 (10,000 cards), server time", 10.0),
                       _line("card search: employee number (1 hits)", 1.0),
                       _line("  (its query alone) Order history, first page", 2.0),
                       {"name": "statements per page: Addresses", "value": "9", "target": "constant"},
                       _line("  (not used) full count(*) of the company", 9.0, target="")])
    assert small == {"card list page of 50, server time": 10.0, "card search: employee number": 1.0,
                     "(its query alone) Order history, first page": 2.0}


def test_growth_from_the_second_largest_size_to_the_largest_decides():
    lines, rows = table({100_000: {"a": 10.0, "b": 10.0}, 1_000_000: {"a": 20.0, "b": 10.0},
                         5_000_000: {"a": 29.0, "b": 16.0}})
    by = {r["name"]: r for r in rows}
    assert by["a"]["met"] and by["a"]["growth"] == [2.0, 1.45]
    assert not by["b"]["met"]
    assert lines[0].startswith("| hot path | 100,000 cards | 1,000,000 cards | 5,000,000 cards |")
    assert "| b | 10.0 ms | 10.0 ms | 16.0 ms | 1.00x | 1.60x | **not met** |" in lines


def test_default_sizes_and_a_list():
    assert sizes("") == [100_000, 1_000_000, 5_000_000]
    assert sizes("1_000,500") == [500, 1000]


def test_growth_is_judged_after_the_machine_slowed_down_or_sped_up():
    """The 5M run on a busier machine: the fixed work took twice as long, so twice the p50 is no growth."""
    lines, rows = table({1_000_000: {CALIBRATION: 10.0, "list": 20.0}, 5_000_000: {CALIBRATION: 20.0, "list": 40.0}})
    by = {r["name"]: r for r in rows}
    assert by["list"]["growth"] == [1.0] and by["list"]["met"]
    assert by[CALIBRATION]["met"] is None and rows[0]["name"] == CALIBRATION
    assert "| list | 20.0 ms | 40.0 ms | 1.00x | met |" in lines
