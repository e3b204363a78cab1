"""lunchlearn's benchmark: whole commands as a user runs them, each paired run by run with its floor.

    python3 bench/run.py [--sizes small,large,long,huge] [--runs 5] [--no-write]

For each size of rota (bench/generate.py builds them once and keeps them in the temp folder) and each
run, every command is timed in a fresh child next to the floor it is compared with, in alternating order:
- reading commands against `python -c "import typer, yaml"`;
- writing commands against `python -c "import typer, yaml, git"` plus `git add` and one plain `git commit`
  of the same files in the same repository, reset to the same state;
- `check` against reading every rota file once and parsing it with the C YAML loader;
- `publish` (an article into a generated Hugo site) against the same, with `import typer, git`, plus
  `git add` and one plain `git commit` of the same files in each of the two repositories it commits to;
- `--help` and a mistyped command against `python -c "import typer"`.
It prints the median ratio and its spread, and writes the table to bench/RESULTS.md (unless --no-write).
Peak memory is each command's own `ru_maxrss`, measured by a wrapper child that runs nothing else.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable
READ_FLOOR = "import typer, yaml"
WRITE_FLOOR = "import typer, yaml, git"
HELP_FLOOR = "import typer"
PARSE_EVERY_FILE = """
import pathlib, yaml
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
yaml.load(pathlib.Path("schedule.yaml").read_text(encoding="utf-8"), Loader=loader)
for path in sorted(pathlib.Path("talks").glob("*.md")):
    text = path.read_text(encoding="utf-8")
    if text.startswith("---"):
        yaml.load(text.split("---", 2)[1], Loader=loader)
"""
PUBLISH_FLOOR = "import typer, git" + PARSE_EVERY_FILE
RESULTS_START, RESULTS_END = "<!-- results: written by bench/run.py -->", "<!-- end of results -->"
WEEK = timedelta(weeks=1)
OPEN_DAY = generate.FIRST_FRIDAY_AHEAD + WEEK * (generate.BOOKED_AHEAD_WEEKS + 2)  # open, beyond the notice
BOOKED_DAY = generate.FIRST_FRIDAY_AHEAD + WEEK * 3  # booked, beyond the notice
SETTLE_SECONDS = 2.1  # lunchlearn's timestamp tick (RACY_NS in git/readcache.py), and a little more


@dataclass
class Case:
    kind: str  # read, write, check, publish or help: what it is compared with
    label: str
    args: list[str]
    prepare: Callable[[Path], None] | None = None  # run before each timed write, outside the timing


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    memory: list[int] = field(default_factory=list)
    floor_memory: list[int] = field(default_factory=list)


def child(args: list[str]) -> None:
    """The wrapper child: run `args` once, print its wall time and peak memory (KiB) as JSON."""
    started = time.perf_counter()
    done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - started
    import resource

    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    stderr = done.stderr.decode()[-400:]
    print(json.dumps({"seconds": seconds, "peak": peak, "code": done.returncode, "stderr": stderr}))


def measured(args: list[str], cwd: Path, env: dict[str, str], allowed: tuple[int, ...] = (0,)) -> tuple[float, int]:
    out = subprocess.run([PYTHON, __file__, "--child", "--", *args], cwd=cwd, env=env, capture_output=True,
                         text=True, check=True)
    result = json.loads(out.stdout)
    if result["code"] not in allowed:
        raise SystemExit(f"{' '.join(args)} in {cwd} exited {result['code']}: {result['stderr']}")
    return float(result["seconds"]), int(result["peak"])


def environment(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GIT_", "LUNCHLEARN_")) and key != "PYTHONDONTWRITEBYTECODE"}
    # Bytecode cached, as an installed tool has it, without writing into the source tree.
    env |= {"PYTHONPATH": str(ROOT / "src"), "PYTHONPYCACHEPREFIX": str(home / "pycache"),
            "LUNCHLEARN_TODAY": generate.TODAY.isoformat(), "HOME": str(home),
            "GIT_CONFIG_NOSYSTEM": "1", "NO_COLOR": "1", "COLUMNS": "120"}
    return env


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def pristine(size: generate.Size) -> Path:
    """The generated repository for `size`, built once per version of the generator."""
    stamp = hashlib.sha256((BENCH / "generate.py").read_bytes()).hexdigest()[:8]
    folder = Path(tempfile.gettempdir()) / "lunchlearn-bench" / f"{size.name}-{stamp}"
    if not (folder / ".git").is_dir():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating {size.name} ({size.description}) in {folder}", file=sys.stderr)
        generate.build(size, folder)
    return folder


def reset(repo: Path, base: str) -> None:
    """Back to the generated state, git's index up to date with the files. The files no command changed are
    left alone, as they are between a user's commands, so what lunchlearn kept of them stays valid."""
    git(repo, "reset", "-q", "--hard", base)
    git(repo, "clean", "-qfd")
    git(repo, "update-index", "-q", "--refresh")


def settle(repos: dict[Path, str], env: dict[str, str]) -> None:
    """Every repository a write changes reset, then read once a timestamp tick later, as a rota usually is
    between two writes: lunchlearn trusts what it kept of a file only once the file's change time, which no
    one can set back, is older than a tick (git/readcache.py), so the first read after a reset keeps
    nothing. One wait for all of them."""
    for repo, base in repos.items():
        reset(repo, base)
    time.sleep(SETTLE_SECONDS)
    for repo in repos:
        if (repo / "schedule.yaml").exists():
            subprocess.run([PYTHON, "-m", "lunchlearn", "next"], cwd=repo, env=env, capture_output=True, check=True)


def copies(size: generate.Size, scratch: str, case: Case, site: Path) -> dict[Path, str]:
    """The repositories `case` uses, each with its generated commit: the rota (the reading commands share
    one, each write has its own), then for `publish` a site of its own."""
    kind = case.kind if case.kind in ("write", "publish") else "read"
    repo = Path(scratch) / (f"{size.name}-{case.label}" if kind != "read" else size.name)
    if not repo.exists():
        shutil.copytree(pristine(size), repo, symlinks=True)
    repos = {repo: git(repo, "rev-parse", "HEAD").strip()}
    if kind == "publish":
        repos[site] = git(site, "rev-parse", "HEAD").strip()
    return repos


def site_repository(folder: Path) -> Path:
    """A company site for `publish`: a Hugo configuration and an empty posts folder, committed."""
    (folder / "content/posts").mkdir(parents=True)
    (folder / "hugo.toml").write_text('baseURL = "https://example.com/"\ntitle = "Company"\n', encoding="utf-8")
    (folder / "content/posts/.gitkeep").write_text("", encoding="utf-8")
    git(folder, "init", "-q", "-b", "main")
    for key, value in (("user.name", "Bench Person"), ("user.email", "bench@example.com")):
        git(folder, "config", key, value)
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "The company site")
    return folder


def committed_plainly(repo: Path, base: str, env: dict[str, str]) -> tuple[float, int]:
    """The files a command changed in `repo` since `base` committed as a person would (`git add` of
    them, then a plain `git commit`), timed, with the repository put back as the command left it but
    for its commits. Adding is part of it: committing a file means storing it in git's objects."""
    changed = git(repo, "diff", "--name-only", "--no-renames", f"{base}..HEAD").split()
    if not changed:
        return 0.0, 0
    snapshot = {path: (repo / path).read_bytes() if (repo / path).exists() else None for path in changed}
    reset(repo, base)
    for path, data in snapshot.items():
        (repo / path).unlink(missing_ok=True) if data is None else (repo / path).write_bytes(data)
    added, add_peak = measured(["git", "add", "-A", "--", *changed], repo, env)
    committed, commit_peak = measured(["git", "commit", "-q", "-m", "Bench commit"], repo, env)
    return added + committed, max(add_peak, commit_peak)


def edit_article(repo: Path) -> None:
    path = next((repo / "talks").glob(f"{BOOKED_DAY}-*.md"))
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more paragraph written in an editor.\n", encoding="utf-8")


def cases(site: Path) -> list[Case]:
    day, booked = OPEN_DAY.isoformat(), BOOKED_DAY.isoformat()
    reading = [["next"], ["schedule", "--json"], ["slots"], ["calendar"], ["remind"], ["announce"], ["stats"],
               ["suggest"]]
    return [
        *(Case("read", " ".join(args), args) for args in reading),
        Case("write", "signup", ["signup", day, "--name", "Bench Newcomer", "--topic", "Benchmarks"]),
        Case("write", "withdraw", ["withdraw", booked]),
        Case("write", "move", ["move", booked, day]),
        Case("write", "save", ["save", booked], prepare=edit_article),
        Case("check", "check", ["check"]),
        Case("publish", "publish", ["publish", booked, "--site", str(site), "--force", "--no-sync"]),
        Case("help", "--help", ["--help"]),
        Case("help", "mistyped command", ["sigup"]),
    ]


def run_case(
    case: Case, repos: dict[Path, str], env: dict[str, str], floor_first: bool, timings: Timings
) -> None:
    """Time `case` and its floor once. `repos` maps each repository it uses to its generated commit: the
    rota first, then the site `publish` writes to; a write's are its own, settled before it runs."""
    repo = next(iter(repos))
    command = [PYTHON, "-m", "lunchlearn", *case.args]
    allowed = (0,) if case.kind in ("write", "publish") else (0, 1, 2)  # check and remind exit 1 to report
    if case.kind in ("write", "publish"):
        if case.prepare:
            case.prepare(repo)
        seconds, peak = measured(command, repo, env)
        commits = [committed_plainly(each, base, env) for each, base in repos.items()]
        script = WRITE_FLOOR if case.kind == "write" else PUBLISH_FLOOR
        imports, import_peak = measured([PYTHON, "-c", script], repo, env)
        floor = imports + sum(commit for commit, _ in commits)
        floor_peak = max([import_peak, *(commit_peak for _, commit_peak in commits)])
    else:
        script = {"read": READ_FLOOR, "check": PARSE_EVERY_FILE, "help": HELP_FLOOR}[case.kind]
        if floor_first:
            floor, floor_peak = measured([PYTHON, "-c", script], repo, env)
            seconds, peak = measured(command, repo, env, allowed)
        else:
            seconds, peak = measured(command, repo, env, allowed)
            floor, floor_peak = measured([PYTHON, "-c", script], repo, env)
    timings.seconds.append(seconds)
    timings.floor.append(floor)
    timings.memory.append(peak)
    timings.floor_memory.append(floor_peak)


TARGETS = {"read": {"small": 1.3, "large": 1.3, "huge": 2.0}, "write": {"small": 1.3, "large": 1.3, "huge": 2.0},
           "check": {"small": 1.3, "large": 1.3, "huge": 1.3}, "publish": {"small": 1.3, "large": 1.3, "huge": 1.3},
           "help": {"small": 1.5, "large": 1.5, "huge": 1.5}}
for by_size in TARGETS.values():
    by_size["long"] = by_size["large"]  # the large rota's targets: its longer history must cost nothing


def row(size: str, case: Case, timings: Timings) -> str:
    ratios = [s / f for s, f in zip(timings.seconds, timings.floor, strict=True)]
    median = statistics.median(ratios)
    target = TARGETS[case.kind].get(size)
    verdict = "" if target is None else ("meets" if median <= target else "MISSES") + f" ≤{target}×"
    memory = statistics.median(m / f for m, f in zip(timings.memory, timings.floor_memory, strict=True))
    return (f"| {size} | `{case.label}` | {median:.2f}× | {min(ratios):.2f}–{max(ratios):.2f} | "
            f"{statistics.median(timings.seconds) * 1000:.0f} | {statistics.median(timings.floor) * 1000:.0f} | "
            f"{memory:.2f}× | {verdict} |")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}, git {git(ROOT, 'version').split()[-1]}")


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="small,large,long,huge",
                        help="comma-separated: small, large, long (large with 10x the history), huge")
    parser.add_argument("--runs", type=int, default=5, help="paired runs of each command (default 5)")
    parser.add_argument("--only", default="", help="comma-separated labels of the commands to run (default: all)")
    parser.add_argument("--no-write", action="store_true", help="print the table without writing RESULTS.md")
    options = parser.parse_args()
    started, load_before = datetime.now(UTC), os.getloadavg()
    lines = []
    with tempfile.TemporaryDirectory(prefix="lunchlearn-bench-") as scratch:
        env = environment(Path(scratch))
        for name in options.sizes.split(","):
            size = generate.SIZES[name.strip()]
            site = site_repository(Path(scratch) / f"{size.name}-site")
            chosen = [c for c in cases(site) if not options.only or c.label in options.only.split(",")]
            # Each write its own copy of the rota (publish its site too), so that one wait settles them all.
            used = {case.label: copies(size, scratch, case, site) for case in chosen}
            written = {repo: base for case in chosen if case.kind in ("write", "publish")
                       for repo, base in used[case.label].items()}
            results = {case.label: Timings() for case in chosen}
            for run in range(-1, options.runs):  # round -1 warms up, not counted: bytecode compiled, caches filled
                settle(written, env)
                for case in chosen:
                    timings = results[case.label] if run >= 0 else Timings()
                    run_case(case, used[case.label], env, floor_first=run % 2 == 0 or run < 0, timings=timings)
            for case in chosen:
                lines.append(row(size.name, case, results[case.label]))
                print(lines[-1], flush=True)
    load_after = os.getloadavg()
    header = ("| rota | command | median ÷ floor | spread | command ms | floor ms | peak memory ÷ floor's | target |\n"
              "|---|---|---|---|---|---|---|---|")
    if options.no_write:
        return
    sizes = ", ".join(f"{name} = {generate.SIZES[name.strip()].description}" for name in options.sizes.split(","))
    table = (
        f"{RESULTS_START}\n"
        f"Generated by `python3 bench/run.py --sizes {options.sizes} --runs {options.runs}` on "
        f"{started:%Y-%m-%d %H:%M} UTC; {machine()}; load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after.\n\nRotas: {sizes}.\n\n{header}\n" + "\n".join(lines) + f"\n{RESULTS_END}"
    )
    page = BENCH / "RESULTS.md"
    empty = f"# Benchmark results\n\n{RESULTS_START}{RESULTS_END}\n"
    kept = page.read_text(encoding="utf-8") if page.exists() else empty
    before, _, rest = kept.partition(RESULTS_START)
    _, _, after = rest.partition(RESULTS_END)
    page.write_text(before + table + after, encoding="utf-8")  # the notes around the table stay


if __name__ == "__main__":
    main()
