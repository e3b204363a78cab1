"""Builders for real rota repositories in temporary folders, and a runner for the real CLI."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from lunchlearn import storage
from lunchlearn.cli import app
from lunchlearn.rota import article_file, model, schedule_file
from lunchlearn.rota.model import Rota, Settings, Skip, Talk

TODAY = date(2026, 11, 28)  # a Saturday; the autouse fixture sets LUNCHLEARN_TODAY to it
# The Fridays open with full notice from TODAY.
FRIDAYS = [
    "2026-12-18", "2026-12-25", "2027-01-01", "2027-01-08", "2027-01-15",
    "2027-01-22", "2027-01-29", "2027-02-05", "2027-02-12", "2027-02-19",
]  # fmt: skip


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


def lunchlearn(*args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None) -> Run:
    """Run the CLI in-process, as a user would type it, from `cwd`."""
    import os

    previous = Path.cwd()
    os.chdir(cwd or previous)
    try:
        result = CliRunner().invoke(app, list(args), env=dict(env or {}), catch_exceptions=False)
    finally:
        os.chdir(previous)
    return Run(result.exit_code, result.stdout, result.stderr)


def lunchlearn_process(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a child process (`python -m lunchlearn`)."""
    import os

    return subprocess.run(
        [sys.executable, "-m", "lunchlearn", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_lunchlearn(clone: Path, *args: str) -> subprocess.Popen[str]:
    """A lunchlearn process in its own process group, so a kill takes its git children too."""
    return subprocess.Popen(
        [sys.executable, "-m", "lunchlearn", *args],
        cwd=clone,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def signup_waiting_in_a_hook(rota: Path, seconds: int) -> tuple[subprocess.Popen[str], Path, Path]:
    """A sign-up whose files are written and whose commit waits in a slow pre-commit hook."""
    import time

    hook = rota / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\nsleep {seconds}\n", encoding="utf-8")
    hook.chmod(0o755)
    process = start_lunchlearn(rota, "signup", "--date", FRIDAYS[0], "--name", "Amy", "--topic", "Hello", "--no-sync")
    article = rota / "talks" / f"{FRIDAYS[0]}-hello.md"
    deadline = time.monotonic() + 30
    while not article.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # the commit is now waiting in the hook
    return process, article, hook


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def make_rota(
    root: Path,
    talks: list[dict[str, Any]] | None = None,
    skipped: list[dict[str, Any]] | None = None,
    settings: Mapping[str, Any] | None = None,
    files: Mapping[str, str | bytes] | None = None,
) -> Path:
    """A committed rota repository built from plain dicts; each talk gets an article stub."""
    rota = Rota(
        settings=Settings(**(settings or {})),
        skips=tuple(Skip(date.fromisoformat(s["date"]), s["reason"]) for s in skipped or []),
        talks=tuple(
            Talk(
                date.fromisoformat(t["date"]),
                t["presenter"],
                t.get("topic", "A topic"),
                t.get("article") or f"talks/{t['date']}-{t['presenter'].lower().replace(' ', '-')}.md",
            )
            for t in talks or []
        ),
    )
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write_files(root, {model.SCHEDULE: schedule_file.dump_rota(rota), "talks/.gitkeep": ""})
    write_files(root, {t.article: article_file.article_stub(t) for t in rota.talks})
    write_files(root, files or {})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Test rota")
    return root


def commits(repo: Path) -> list[str]:
    """Commit subjects, newest first."""
    return git(repo, "log", "--format=%s").splitlines()


def changed_paths(repo: Path, revision: str = "HEAD") -> list[str]:
    return sorted(git(repo, "show", "--name-only", "--format=", revision).splitlines())


def make_team(tmp_path: Path, *clones: str, settings: Mapping[str, Any] | None = None) -> dict[str, Path]:
    """A bare `origin.git` holding a rota made by `lunchlearn init`, and a clone of it per name."""
    from dataclasses import replace

    seed = tmp_path / "seed"
    result = lunchlearn("init", str(seed))
    assert result.exit_code == 0, result.stderr
    if settings:
        rota = storage.read_rota(seed)
        rota = replace(rota, settings=replace(rota.settings, **settings))
        (seed / model.SCHEDULE).write_text(schedule_file.dump_rota(rota), encoding="utf-8")
        git(seed, "commit", "-q", "-am", "Settings for the test")
    remote = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(seed, "remote", "add", "origin", str(remote))
    git(seed, "push", "-q", "-u", "origin", "main")
    team = {"origin": remote}
    for name in clones:
        git(tmp_path, "clone", "-q", str(remote), name)
        team[name] = tmp_path / name
    return team


def remote_rota(remote: Path) -> Rota:
    """The rota on the remote's main branch."""
    rota, problems = schedule_file.parse_rota(git(remote, "show", f"main:{model.SCHEDULE}") + "\n")
    assert rota is not None, problems
    return rota


def clean_clone(clone: Path) -> bool:
    """HEAD, index and work tree agree: nothing modified, staged or left untracked."""
    return git(clone, "status", "--porcelain", "--untracked-files=all") == ""
