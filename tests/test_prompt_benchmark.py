"""The prompt benchmark's scenarios (benchmarks/prompts.py) in a real pseudo-terminal, against issue 14's targets.

The reference conference (Jamie and Mia, initial, the example's outline plan) through the installed `cpctl
conference new`, then the same with one answer corrected from the summary; and a core group that changes one action
through `cpctl core-group record`. It counts the questions answered,
never time: every expected question is matched by its text before it is answered.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "prompts.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("prompt_benchmark", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.sqlite_only("the scenarios make their own SQLite stores, as `cpctl demo` does")
def test_the_reference_conference_and_a_correction_meet_their_targets(tmp_path: Path) -> None:
    pytest.importorskip("pexpect")
    bench_script = _script()
    bench = bench_script.bench_for(tmp_path, str(Path(sys.executable).with_name("cpctl")))
    results = {r.target: r for r in bench_script.conference_scenarios(bench)}
    conference = results["conference new: the reference conference"]
    correction = results["conference new: correct one answer"]
    assert conference.prompts is not None and conference.prompts <= 60, conference
    assert correction.prompts is not None and correction.prompts <= 3, correction
    # what the wizard saved is the reference conference: two plans, the family's actions shared by reference
    db = tmp_path / "conference.db"
    (listed,) = bench.cpctl_json(db, "conference", "list")
    shown = bench.cpctl_json(db, "conference", "show", listed["ref"])
    jamie, mia = shown["decisions"]
    assert (jamie["draft"], jamie["gaps"], mia["draft"], mia["gaps"]) == (False, [], False, [])
    assert [a["id"] for a in jamie["plan_content"]["actions"]] == ["F1", "F2"]
    assert [a["id"] for a in mia["plan_content"]["actions"]] == ["F1", "F2"]
    assert "P00006" in jamie["plan_content"]["core_group"] and "P00006" not in mia["plan_content"]["core_group"]
    assert [e["private"] for e in jamie["details"]["evidence"]] == [False, False, True]
    assert json.dumps(mia["details"]["dissent"]) == "[]"


@pytest.mark.slow
@pytest.mark.sqlite_only("the scenario builds its own `cpctl demo` store")
def test_a_core_group_that_changes_one_action_meets_its_target(tmp_path: Path) -> None:
    pytest.importorskip("pexpect")
    bench_script = _script()
    bench = bench_script.bench_for(tmp_path, str(Path(sys.executable).with_name("cpctl")))
    (result,) = bench_script.core_group_scenarios(bench)
    assert result.prompts is not None and result.prompts <= 15, result
    shown = bench.cpctl_json(tmp_path / "core-group.db", "plan", "show", "DEMO-1001")
    # the meeting changed the plan: a new version made today, after the demo's three
    assert (shown["version"], shown["source"], shown["made_on"]) == (4, "core-group", date.today().isoformat())


def test_the_script_prints_each_figure_with_its_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    bench_script = _script()
    code = bench_script.print_results(
        [bench_script.Result("conference new: x", 55, 60), bench_script.Result("conference new: y", 4, 3)]
    )
    printed = capsys.readouterr().out.splitlines()
    assert code == 1
    assert printed[0].split() == ["target", "prompts", "limit", "verdict"]
    assert printed[2].split()[-3:] == ["≤", "60", "PASS"] and printed[3].split()[-1] == "FAIL"
