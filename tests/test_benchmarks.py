"""The benchmark script still runs from start to finish (on tiny stores, one run each): its verdicts are not
checked here, since the suite never judges wall-clock or CPU time, only that every target is measured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"
TARGETS = [
    "generating the 8-child store",
    "cpctl --help vs the Typer floor",
    "cpctl due --help vs the Typer floor",
    "cpctl due: 4 children vs an empty store",
    "cpctl due: 8 children vs an empty store",
    "cpctl due on 8 children: peak memory",
    "cpctl child show: 8 children vs 2",
    "cpctl plan show: 8 children vs 2",
    "cpctl stats on 8 children",
    "cpctl plan export --all --format html: per plan",
    "cpctl census -o on 8 children (CPU)",
]


@pytest.mark.slow
@pytest.mark.sqlite_only("the benchmark's stores are SQLite files made by the bulk generator")
def test_the_benchmark_measures_every_target(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CPCTL_")}
    command = [sys.executable, str(SCRIPT), "--sizes", "2,4,8", "--runs", "1", "--warmup", "0"]
    result = subprocess.run(
        [*command, "--stores", str(tmp_path / "stores")], env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode in (0, 1), result.stderr  # 1 is a FAIL verdict, which one run on tiny stores may give
    lines = result.stdout.splitlines()
    assert lines[0].startswith("cpctl benchmarks, ")
    header = next(i for i, line in enumerate(lines) if line.startswith("target "))
    table = lines[header + 2 :]
    for target in TARGETS:
        (row,) = [line for line in table if line.startswith(target + " ")]
        assert "exit " not in row, row  # every command of the benchmark ran and succeeded
    judged = [line for line in table if line.rstrip().endswith(("PASS", "FAIL"))]
    assert len(judged) == 10, table  # generator, 2 helps, due, its memory, child show, plan show, stats, export, census
    (export,) = [line for line in table if "per plan" in line]
    assert " / 4 = " in export  # the export is of the second store's plans in force
    assert result.returncode == (1 if any(line.rstrip().endswith("FAIL") for line in table) else 0)
