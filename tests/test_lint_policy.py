"""The security linter (ruff's S rules, bandit's checks) has no unexplained exceptions."""
import os
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOQA_S = re.compile(r"#\s*noqa:\s*((?:S\d+[,\s]*)+)(.*)$")
SKIP = {".venv", "migrations", "node_modules", ".git", "instance"}


def _sources():
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP]
        yield from (Path(folder) / f for f in files if f.endswith(".py"))


def test_the_security_rules_run_in_ci():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "S" in config["select"]
    assert [code for code in config["ignore"] if code.startswith("S")] == ["S101"]
    assert "make lint" in (ROOT / ".ci" / "run").read_text()


def test_every_security_exception_says_why():
    unexplained = []
    for path in _sources():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = NOQA_S.search(line)
            if match and len(re.sub(r"^[\s\-:(]+", "", match.group(2))) < 10:
                unexplained.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not unexplained, "give each `# noqa: S...` a reason on the same line:\n" + "\n".join(unexplained)
