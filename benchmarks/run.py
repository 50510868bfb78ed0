"""Time whole `cpctl` processes against the targets of issue 8, and print a table with PASS or FAIL for each.

    python benchmarks/run.py            # builds the stores it needs (about five minutes), then times everything

Every ratio is of two medians measured in the same run, the pair's runs interleaved (A B A B ...), and every
verdict is on CPU time (user and system, from the process's own accounting), which other work on the machine
changes little; wall time is shown beside it. The absolute targets (the generator's two minutes, the export's
10 ms of work per plan) are CPU time too; peak memory is the largest of the runs.

Options: --runs, --warmup, --stores DIR (kept between runs; --reuse keeps what is built there), --src DIR (time
the cpctl of another source tree, e.g. an older checkout's src, against the same stores), --only (some of:
generate, help, due, show, stats, export, census; and team, on PostgreSQL: see team.py), --sizes (the stores'
sizes; tiny ones check the script itself in seconds).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
FLOOR = HERE / "floor_app.py"
SIZES = (10, 1_000, 10_000, 50_000)  # the small store for `show`, the export's 1,000 plans, ..., the judged store
SECTIONS = ("generate", "help", "due", "show", "stats", "export", "census")
EXTRA = ("team",)  # on PostgreSQL (team.py): only when asked for with --only


@dataclass
class Timing:
    seconds: list[float]
    cpu: list[float]
    max_rss_mb: float
    code: int
    stderr: str

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu)


@dataclass
class Row:
    target: str
    measured: str
    limit: str
    verdict: str


class Runner:
    def __init__(self, args: argparse.Namespace) -> None:
        self.runs = args.runs
        self.warmup = args.warmup
        self.env = dict(os.environ)
        # One data folder for the whole run, as a user has one: after the warm-up runs, the profile and compiled
        # templates come from its cache, as they do for a user after their first command. Removed at the end.
        self.data = Path(tempfile.mkdtemp(prefix="cpctl-bench-data-"))
        self.env.update(
            {
                "CPCTL_DATA_DIR": str(self.data),  # never the user's own store or profile overrides
                "CPCTL_USER": "bench.chair",
                "COLUMNS": "120",
                "TERMINAL_WIDTH": "120",
            }
        )
        # Python's own caches as a user has them (bytecode written and read); no store or profile but the bench's.
        for name in (
            "PYTHONDONTWRITEBYTECODE",
            "CPCTL_DB",
            "CPCTL_DATABASE_URL",
            "CPCTL_PROFILE_OVERRIDES",
            "CPCTL_NO_AUTO_UPGRADE",
        ):
            self.env.pop(name, None)
        # This checkout's cpctl (or --src's), whatever cpctl the interpreter has installed.
        source = Path(args.src).resolve() if args.src else HERE.parent / "src"
        self.env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), self.env.get("PYTHONPATH", "")]))

    def cpctl(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "cpctl", *args]

    def once(self, command: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float, float, int, str]:
        """Wall time, CPU time (user and system), peak memory (MB) and exit code of one process; its output is
        thrown away. `env` replaces the run's environment (a login of its own, on PostgreSQL)."""
        with tempfile.TemporaryFile() as errors:
            start = time.perf_counter()
            process = subprocess.Popen(command, env=env or self.env, stdout=subprocess.DEVNULL, stderr=errors)
            _, status, usage = os.wait4(process.pid, 0)
            elapsed = time.perf_counter() - start
            process.returncode = os.waitstatus_to_exitcode(status)
            errors.seek(0)
            text = errors.read().decode("utf-8", "replace")
        cpu = usage.ru_utime + usage.ru_stime
        return elapsed, cpu, usage.ru_maxrss / 1024, process.returncode, text

    def compare(self, *commands: Sequence[str], envs: Sequence[dict[str, str] | None] = ()) -> list[Timing]:
        """Each command `runs` times after `warmup` runs, interleaved, so that all see the same machine (each
        command in its own environment of `envs`, if given)."""
        timings = [Timing([], [], 0.0, 0, "") for _ in commands]
        environments = list(envs) or [None] * len(commands)
        for round_ in range(self.warmup + self.runs):
            for command, timing, env in zip(commands, timings, environments, strict=True):
                elapsed, cpu, rss, code, stderr = self.once(command, env)
                timing.code, timing.stderr = timing.code or code, timing.stderr or stderr
                if round_ >= self.warmup:
                    timing.seconds.append(elapsed)
                    timing.cpu.append(cpu)
                    timing.max_rss_mb = max(timing.max_rss_mb, rss)
        return timings


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def ratio_row(target: str, a: Timing, b: Timing, limit: float, *, judged: bool = True) -> Row:
    """Judged on CPU time (user and system), which other processes on the machine change least; wall time beside.
    A row not `judged` shows how the figure grows with the store: no limit, no verdict."""
    if a.code or b.code:
        return Row(target, f"exit {a.code or b.code}: {(a.stderr or b.stderr).strip()[:60]}", f"≤ {limit}×", "FAIL")
    ratio = a.median_cpu / b.median_cpu
    measured = (
        f"CPU {ms(a.median_cpu)} / {ms(b.median_cpu)} = {ratio:.2f}× "
        f"(wall {ms(a.median)} / {ms(b.median)} = {a.median / b.median:.2f}×)"
    )
    if not judged:
        return Row(target, measured, "", "")
    return Row(target, measured, f"≤ {limit}×", verdict(ratio <= limit))


@dataclass(frozen=True)
class Sizes:
    """The stores' sizes in children: the smallest is what `show` is compared with, the second is the export's
    store, and the verdicts of `due`, `show` and the generator are on the largest."""

    all: tuple[int, ...]

    @property
    def smallest(self) -> int:
        return self.all[0]

    @property
    def export(self) -> int:
        return self.all[1]

    @property
    def largest(self) -> int:
        return self.all[-1]

    @property
    def scaled(self) -> tuple[int, ...]:
        return self.all[1:]


def parse_sizes(text: str) -> Sizes:
    try:
        sizes = tuple(sorted({int(part.replace("_", "")) for part in text.split(",")}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if len(sizes) < 2 or sizes[0] < 1:
        raise argparse.ArgumentTypeError("give at least two sizes, each 1 or more, e.g. 10,1000,10000,50000")
    return Sizes(sizes)


def store_path(folder: Path, size: int) -> Path:
    return folder / f"children-{size}.db"


# -- the stores -----------------------------------------------------------------------------------------------
def build_stores(runner: Runner, folder: Path, reuse: bool, sizes: Sequence[int]) -> dict[str, object]:
    """The empty store and the synthetic ones; returns how long the largest took to build, as a whole process."""
    folder.mkdir(parents=True, exist_ok=True)
    built: dict[str, object] = {}
    empty = folder / "empty.db"
    if not (reuse and empty.exists()):
        remove(empty)
        init = ("init", "--authority", "Benchmark (synthetic)", "--jurisdiction", "england")
        run_checked(runner, runner.cpctl("--db", str(empty), *init, "--name", "Alex Morgan", "--role", "chair"))
    for size in sizes:
        path = store_path(folder, size)
        if reuse and path.exists():
            continue
        remove(path)
        print(f"  building {path.name} ...", file=sys.stderr, flush=True)
        elapsed, cpu, _, code, stderr = runner.once(runner.cpctl("demo", "--children", str(size), "--db", str(path)))
        if code:
            raise SystemExit(f"building {path} failed: {stderr.strip()}")
        built[f"generate-{size}"] = (elapsed, cpu)
    return built


def remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def run_checked(runner: Runner, command: Sequence[str]) -> None:
    *_, code, stderr = runner.once(command)
    if code:
        raise SystemExit(f"{' '.join(command)} failed: {stderr.strip()}")


def typical_child(path: Path) -> str:
    """A child on one plan, in force for about six months: the same kind of case in every store."""
    with closing(sqlite3.connect(path)) as conn:
        (ref,) = conn.execute(
            "SELECT c.ref FROM child c JOIN plan p ON p.child_id = c.id AND p.ended_on IS NULL "
            "WHERE p.number = 1 AND c.date_of_birth IS NOT NULL "
            "ORDER BY abs(julianday(p.started_on) - julianday(?)), c.id LIMIT 1",
            ((date.today() - timedelta(days=182)).isoformat(),),
        ).fetchone()
    return str(ref)


def plans_in_force(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT count(*) FROM plan WHERE ended_on IS NULL").fetchone()[0])


# -- the targets ----------------------------------------------------------------------------------------------
def help_rows(runner: Runner) -> list[Row]:
    floor = [sys.executable, str(FLOOR)]
    top = runner.compare(runner.cpctl("--help"), [*floor, "--help"])
    due = runner.compare(runner.cpctl("due", "--help"), [*floor, "due", "--help"])
    return [
        ratio_row("cpctl --help vs the Typer floor", top[0], top[1], 1.2),
        ratio_row("cpctl due --help vs the Typer floor", due[0], due[1], 1.2),
    ]


def due_rows(runner: Runner, stores: Path, sizes: Sizes) -> list[Row]:
    """Every store but the smallest against the empty store, interleaved; the verdict is on the largest."""
    timings = runner.compare(
        *(runner.cpctl("--db", str(store_path(stores, size)), "due") for size in sizes.scaled),
        runner.cpctl("--db", str(stores / "empty.db"), "due"),
    )
    rows = [
        ratio_row(
            f"cpctl due: {size:,} children vs an empty store", timing, timings[-1], 1.3, judged=size == sizes.largest
        )
        for size, timing in zip(sizes.scaled, timings, strict=False)
    ]
    peak = timings[len(sizes.scaled) - 1].max_rss_mb
    target = f"cpctl due on {sizes.largest:,} children: peak memory"
    return [*rows, Row(target, f"{peak:.0f} MB", "< 200 MB", verdict(peak < 200))]


def show_rows(runner: Runner, stores: Path, sizes: Sizes) -> list[Row]:
    """Each store against the smallest, interleaved, each showing the same kind of case (`typical_child`)."""
    paths = [store_path(stores, size) for size in sizes.all]
    rows = []
    for words in (("child", "show"), ("plan", "show")):
        timings = runner.compare(*(runner.cpctl("--db", str(path), *words, typical_child(path)) for path in paths))
        rows += [
            ratio_row(
                f"cpctl {' '.join(words)}: {size:,} children vs {sizes.smallest:,}",
                timing,
                timings[0],
                1.3,
                judged=size == sizes.largest,
            )
            for size, timing in zip(sizes.scaled, timings[1:], strict=True)
        ]
    return rows


def stats_rows(runner: Runner, stores: Path, sizes: Sizes) -> list[Row]:
    """`cpctl stats` (the last twelve months, the whole store) on the largest store: absolute, in CPU time."""
    target = f"cpctl stats on {sizes.largest:,} children"
    *_, code, _ = runner.once(runner.cpctl("stats", "--help"))
    if code:
        return [Row(target, "not available (no `cpctl stats` in this cpctl)", "< 3 s", "n/a")]
    (timing,) = runner.compare(runner.cpctl("--db", str(store_path(stores, sizes.largest)), "stats"))
    if timing.code:
        return [Row(target, f"exit {timing.code}: {timing.stderr.strip()[:60]}", "< 3 s", "FAIL")]
    measured = f"CPU {timing.median_cpu:.2f} s (wall {timing.median:.2f} s, {timing.max_rss_mb:.0f} MB)"
    return [Row(target, measured, "< 3 s", verdict(timing.median_cpu < 3.0))]


def export_rows(runner: Runner, stores: Path, sizes: Sizes) -> list[Row]:
    target = "cpctl plan export --all --format html: per plan"
    *_, code, _ = runner.once(runner.cpctl("plan", "export", "--help"))
    if code:
        return [Row(target, "not available (no `cpctl plan export` in this cpctl)", "< 10 ms", "n/a")]
    big, empty = store_path(stores, sizes.export), stores / "empty.db"
    export = ("plan", "export", "--all", "--for", "professional", "--format", "html", "--out")
    with tempfile.TemporaryDirectory(prefix="cpctl-bench-export-") as out:
        timings = runner.compare(
            runner.cpctl("--db", str(big), *export, str(Path(out) / "big")),
            runner.cpctl("--db", str(empty), *export, str(Path(out) / "empty")),
        )
    if timings[0].code or timings[1].code:
        failed = timings[0] if timings[0].code else timings[1]
        return [Row(target, f"exit {failed.code}: {failed.stderr.strip()[:60]}", "< 10 ms", "FAIL")]
    plans = plans_in_force(big)
    per_plan = (timings[0].median_cpu - timings[1].median_cpu) / plans
    wall = (timings[0].median - timings[1].median) / plans
    measured = (
        f"CPU ({ms(timings[0].median_cpu)} - {ms(timings[1].median_cpu)}) / {plans:,} = {per_plan * 1000:.1f} ms "
        f"(wall {wall * 1000:.1f} ms)"
    )
    return [Row(target, measured, "< 10 ms", verdict(per_plan < 0.010))]


def census_rows(runner: Runner, stores: Path, sizes: Sizes) -> list[Row]:
    """`census -o` on the store nearest 10,000 children, for the collection year of its latest conference: the whole
    return gathered, every rule run, and the file written (the generator records every item the census needs)."""
    size = min(sizes.all, key=lambda n: abs(n - 10_000))
    path = store_path(stores, size)
    with closing(sqlite3.connect(path)) as conn:
        (latest,) = conn.execute("SELECT max(held_on) FROM conference").fetchone()
    held = date.fromisoformat(latest)
    year = held.year + 1 if held.month >= 4 else held.year
    output = runner.data / "census.xml"
    command = runner.cpctl("--db", str(path), "census", "--year", str(year), "-o", str(output), "--force")
    (timing,) = runner.compare(command)
    if timing.code != 0:
        raise SystemExit(f"census failed: {timing.stderr.strip()}")
    cpu = timing.median_cpu
    return [Row(f"cpctl census -o on {size:,} children (CPU)", f"{cpu:.2f} s", "< 30 s", verdict(cpu < 30))]


def generate_rows(built: dict[str, object], sizes: Sizes) -> list[Row]:
    rows = []
    for size in sizes.scaled:
        target = f"generating the {size:,}-child store"
        found = built.get(f"generate-{size}")
        if found is None:
            if size == sizes.largest:
                rows.append(Row(target, "not built in this run (--reuse)", "< 120 s", "n/a"))
            continue
        elapsed, cpu = found  # type: ignore[misc]
        measured = f"CPU {cpu:.1f} s (wall {elapsed:.1f} s)"
        judged = size == sizes.largest
        rows.append(Row(target, measured, "< 120 s", verdict(cpu < 120)) if judged else Row(target, measured, "", ""))
    return rows


def print_table(rows: list[Row]) -> None:
    header = Row("target", "measured", "limit", "verdict")
    fields = list(Row.__annotations__)
    widths = [max(len(getattr(row, f)) for row in [header, *rows]) for f in fields]
    for row in [header, *rows]:
        print("  ".join(getattr(row, f).ljust(w) for f, w in zip(fields, widths, strict=True)).rstrip())
        if row is header:
            print("  ".join("-" * w for w in widths))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each command (the median is reported)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first, to warm the caches")
    parser.add_argument("--stores", type=Path, default=HERE / ".stores", help="where the synthetic stores live")
    parser.add_argument("--reuse", action="store_true", help="keep the stores already built in --stores")
    parser.add_argument("--src", help="time the cpctl in this source folder (default: this checkout's src)")
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=Sizes(SIZES),
        help="children in each store, e.g. 10,1000,10000,50000 (the default); a quick check of the script: 5,20,40",
    )
    parser.add_argument(
        "--only", default=",".join(SECTIONS), help=f"some of: {', '.join(SECTIONS + EXTRA)} (team only when named)"
    )
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    runner = Runner(args)
    try:
        return run(runner, args, only)
    finally:
        shutil.rmtree(runner.data, ignore_errors=True)


def run(runner: Runner, args: argparse.Namespace, only: set[str]) -> int:
    sizes: Sizes = args.sizes
    needs_stores = bool(only & {"generate", "due", "show", "stats", "export", "census", "team"})
    print(f"cpctl benchmarks, {date.today().isoformat()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    built = build_stores(runner, args.stores, args.reuse, sizes.all) if needs_stores else {}
    rows: list[Row] = []
    if "generate" in only:
        rows += generate_rows(built, sizes)
    if "help" in only:
        rows += help_rows(runner)
    if "due" in only:
        rows += due_rows(runner, args.stores, sizes)
    if "show" in only:
        rows += show_rows(runner, args.stores, sizes)
    if "stats" in only:
        rows += stats_rows(runner, args.stores, sizes)
    if "export" in only:
        rows += export_rows(runner, args.stores, sizes)
    if "census" in only:
        rows += census_rows(runner, args.stores, sizes)
    if "team" in only:
        sys.path.insert(0, str(HERE))
        from team import team_rows

        rows += team_rows(runner, args.stores, sizes, reuse=args.reuse)
    print(f"medians of {args.runs} runs after {args.warmup} warm-up runs\n")
    print_table(rows)
    return 1 if any(r.verdict == "FAIL" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
