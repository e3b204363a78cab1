"""Benchmarks for the reading commands: wall time of `lunchlearn next` and `schedule --past` as a user runs them.

Run: python3 bench/run.py [--runs N]. Prints the median and best of N runs for each command, on this repository's
own rota and on a generated rota with ten years of weekly talks.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from lunchlearn.rota import article_file, schedule_file
from lunchlearn.rota.model import Rota, Talk

ROOT = Path(__file__).resolve().parent.parent


def big_rota(folder: Path, weeks: int = 520) -> Path:
    start = date(2020, 1, 3)
    talks = []
    for week in range(weeks):
        day = start + timedelta(weeks=week)
        talk = Talk(day, f"Presenter {week % 40}", f"Topic number {week}", f"talks/{day}-topic-{week}.md")
        talks.append(talk)
        path = folder / talk.article
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article_file.article_stub(talk), encoding="utf-8")
    (folder / schedule_file.SCHEDULE).write_text(schedule_file.dump_rota(Rota(talks=tuple(talks))), encoding="utf-8")
    return folder


def measure(args: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "lunchlearn", *args], cwd=cwd, check=True, capture_output=True)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), min(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as temporary:
        big = big_rota(Path(temporary))
        cases = [
            ("own rota: next", ["next"], ROOT),
            ("own rota: next --json", ["next", "--json"], ROOT),
            ("520 talks: next", ["next"], big),
            ("520 talks: schedule --past --json", ["schedule", "--past", "--json"], big),
        ]
        python_only = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            python_only.append(time.perf_counter() - started)
        print(f"{'python -c pass':40} median {statistics.median(python_only) * 1000:7.1f} ms")
        for name, args, cwd in cases:
            median, best = measure(args, cwd, runs)
            print(f"{name:40} median {median * 1000:7.1f} ms   best {best * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
