"""Every copy of a plan that leaves cpctl is a disclosure of special category data: the audit trail says so."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import Run, ok


def test_each_export_is_audited_with_who_which_copy_and_where(cli: Run, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    ok(cli("demo", "--db", str(db)))
    before = json.loads(ok(cli("--db", str(db), "audit", "log", "--json", "--limit", "1000")))
    result = cli("--db", str(db), "plan", "export", "DEMO-1001", "--for", "parent", "--format", "md")
    assert result.exit_code == 0, result.output
    assert "Jamie" in result.stdout
    target = tmp_path / "jamie.html"
    ok(cli("--db", str(db), "plan", "export", "DEMO-1001", "--for", "professional", "-o", str(target)))
    entries = json.loads(ok(cli("--db", str(db), "audit", "log", "--json", "--child", "DEMO-1001", "--limit", "2")))
    newest, older = entries
    assert newest["action"] == older["action"] == "plan.export"
    assert newest["summary"] == "professional copy of child DEMO-1001's plan, version 3, exported (html)"
    assert newest["changes"]["where"] == str(target)
    assert older["changes"]["where"] == "standard output"
    assert older["changes"]["audience"] == "parent"
    out_dir = tmp_path / "copies"
    ok(cli("--db", str(db), "plan", "export", "--all", "--for", "child", "--format", "md", "--out", str(out_dir)))
    after = json.loads(ok(cli("--db", str(db), "audit", "log", "--json", "--limit", "1000")))
    assert len(after) == len(before) + 3
    batch = after[0]
    assert batch["action"] == "plan.export"
    assert batch["summary"] == "child copy of child DEMO-1001's plan, version 3, exported (md)"  # one plan in force
    assert [c["child"] for c in batch["changes"]["copies"]] == ["DEMO-1001"]
    assert "Testwood" not in json.dumps(batch)  # ids only in the trail's own words
