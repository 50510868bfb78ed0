# ruff: noqa: F811  (the fixtures imported from conference_fixtures are used as test arguments)
"""England's initial conference and its section 47 enquiry: `conference new --from` with `s47_start`, the
`--s47-start` flag, an enquiry recorded with `child enquiry` linked by itself, and the demo's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from conference_fixtures import (  # noqa: F401  (pytest finds the fixtures by name)
    child_json,
    cli,
    conference_env,
    days_ago,
    demo_db,
    family_db,
)
from test_conference import initial


def record(db: Path, tmp_path: Path, data: dict[str, Any], *extra: str) -> Any:
    path = tmp_path / "conference.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return cli("--db", str(db), "conference", "new", "--from", str(path), *extra)


def enquiries(db: Path, ref: str = "DEMO-1001") -> list[dict[str, Any]]:
    return child_json(db, ref)["enquiries"]


def test_s47_start_in_the_file_records_the_enquiry_and_links_it(family_db: Path, tmp_path: Path) -> None:
    data = initial() | {"s47_start": days_ago(12).isoformat()}
    result = record(family_db, tmp_path, data)
    assert result.exit_code == 0, result.output
    assert enquiries(family_db) == [
        {"started_on": days_ago(12).isoformat(), "conference_needed": True, "conference": "CF00001"}
    ]


def test_the_flag_gives_the_s47_start(family_db: Path, tmp_path: Path) -> None:
    result = record(family_db, tmp_path, initial(), "--s47-start", days_ago(5).isoformat())
    assert result.exit_code == 0, result.output
    assert [e["started_on"] for e in enquiries(family_db)] == [days_ago(5).isoformat()]


def test_an_enquiry_recorded_before_is_linked_by_itself(family_db: Path, tmp_path: Path) -> None:
    result = cli("--db", str(family_db), "child", "enquiry", "DEMO-1001", "--started", days_ago(9).isoformat())
    assert result.exit_code == 0, result.output
    assert record(family_db, tmp_path, initial()).exit_code == 0
    assert enquiries(family_db) == [
        {"started_on": days_ago(9).isoformat(), "conference_needed": True, "conference": "CF00001"}
    ]


def test_no_s47_start_and_none_recorded_leaves_it_for_the_census_check(family_db: Path, tmp_path: Path) -> None:
    assert record(family_db, tmp_path, initial()).exit_code == 0
    assert enquiries(family_db) == []


def test_an_s47_start_after_the_conference_is_refused(family_db: Path, tmp_path: Path) -> None:
    data = initial(day=days_ago(3)) | {"s47_start": days_ago(1).isoformat()}
    result = record(family_db, tmp_path, data)
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "s47_start: the section 47 enquiry starts after the conference; check the dates.\n"
    ), result.stderr
    assert enquiries(family_db) == []


def test_the_demo_conference_is_linked_to_its_enquiry(demo_db: Path) -> None:
    jamie = child_json(demo_db, "DEMO-1001")
    assert [e["conference"] for e in jamie["enquiries"]] == ["CF00001"]
    assert [(r["source"], r["primary_need"], r["closed_on"]) for r in jamie["referrals"]] == [("3B", "N1", None)]
    assert jamie["census"]["upn"][1:4] == "999" and jamie["team"] == "Riverside Locality Team"
