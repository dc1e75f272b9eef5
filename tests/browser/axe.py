"""axe-core (from the npm registry, see package.json) run inside a Playwright page.

`axe_violations(page)` injects axe once per page and returns the violations of WCAG 2.0-2.2 A and
AA rules (plus best practices axe rates serious or critical) as plain dicts; `assert_accessible`
fails with a readable list of what is wrong and where.
"""
from __future__ import annotations

from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = ("serious", "critical")


def axe_violations(page, *, impacts=BLOCKING, disable: tuple[str, ...] = ()) -> list[dict]:
    if not AXE_JS.exists():
        raise RuntimeError(f"{AXE_JS} is missing: run `npm ci` (make test does)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not block
        # (a <script> tag would be refused, as it should be).
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;typeof window.axe")
    result = page.evaluate(
        """async ([tags, disabled]) => {
            const rules = {};
            for (const id of disabled) rules[id] = {enabled: false};
            return await axe.run(document, {runOnly: {type: 'tag', values: tags}, rules, resultTypes: ['violations']});
        }""",
        [TAGS, list(disable)],
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "targets": [", ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"]) for n in v["nodes"]][:5],
         "count": len(v["nodes"])}
        for v in result["violations"] if v["impact"] in impacts
    ]


def assert_accessible(page, where: str = "", **kwargs) -> None:
    violations = axe_violations(page, **kwargs)
    assert violations == [], f"axe-core on {where or page.url}:\n" + "\n".join(
        f"  {v['impact']} {v['id']} x{v['count']}: {v['help']} -> {v['targets']}" for v in violations)
