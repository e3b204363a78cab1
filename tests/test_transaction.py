"""The write transaction under real faults: a file-size limit standing in for a full disk, killed
writers, a user's own git running at the same time, and hooks that stage more than they are given."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lunchlearn import storage
from tests.helpers import (
    FRIDAYS,
    clean_clone,
    commits,
    git,
    lunchlearn,
    lunchlearn_process,
    make_team,
    signup_waiting_in_a_hook,
    start_lunchlearn,
    write_files,
)


def _with_file_size_limit(limit: int, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m lunchlearn` where no file may grow past `limit` bytes: a disk that is nearly full.

    SIGXFSZ is ignored so lunchlearn's own writes fail with EFBIG as on a full disk (git, started
    by Python with default signal handling, is stopped by the signal instead, as by a failed write).
    """

    def cap() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "lunchlearn", *args],
        cwd=cwd,
        preexec_fn=cap,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _session(next_json: str, day: str) -> dict[str, object]:
    (session,) = [s for s in json.loads(next_json) if s["date"] == day]
    return dict(session)


def _git_locks(clone: Path) -> list[str]:
    return sorted(str(p.relative_to(clone)) for p in (clone / ".git").rglob("*.lock") if "lunchlearn" not in p.parts)


def _snapshot(clone: Path) -> tuple[str, str, str, dict[str, bytes]]:
    """HEAD, the index, the status and every file of the work tree."""
    files = {
        str(p.relative_to(clone)): p.read_bytes()
        for p in clone.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(clone).parts
    }
    return git(clone, "rev-parse", "HEAD"), git(clone, "ls-files", "-s"), git(clone, "status", "--porcelain"), files


def _hook(folder: Path, name: str, script: str) -> Path:
    """An executable git hook `name` in `folder` that runs `script`."""
    hook = folder / name
    hook.write_text(f"#!/bin/sh\n{script}\n")
    hook.chmod(0o755)
    return hook


def _users_git_at_work(tmp_path: Path, script: str, after: str = "--git-path hooks") -> dict[str, str]:
    """The environment of a lunchlearn whose git runs `script` (a user's own git in another shell) once
    lunchlearn's first git command with `after` among its words has run: by default the last moment
    before lunchlearn takes git's index lock, once it has read HEAD and the hooks folder."""
    ran, wrapper = tmp_path / "ran", tmp_path / "git-beside-a-user"
    wrapper.write_text(
        f'#!/bin/sh\ncase " $* " in *" {after} "*) [ -e "{ran}" ] || {{ touch "{ran}"\n'
        f'  read_first=$({shutil.which("git")} "$@"); status=$?; {{ {script}; }} >&2\n'
        '  printf "%s\\n" "$read_first"; exit $status; };; esac\n'
        f'exec {shutil.which("git")} "$@"\n'
    )
    wrapper.chmod(0o755)
    return {"GIT_PYTHON_GIT_EXECUTABLE": str(wrapper)}


def test_a_full_disk_while_git_commits_changes_nothing(rota: Path) -> None:
    assert lunchlearn("signup", "--date", FRIDAYS[0], "--name", "Ann", cwd=rota).exit_code == 0
    # A long history: git's reflog outgrows the limit, so git fails writing it, mid-commit.
    git(rota, "commit", "-q", "--allow-empty", "-m", "x" * 3000)
    before = _snapshot(rota)

    run = _with_file_size_limit(2000, "withdraw", "--date", FRIDAYS[0], cwd=rota)

    assert run.returncode == 1
    assert "git could not commit" in run.stderr and "nothing was changed" in run.stderr, run.stderr
    assert _snapshot(rota) == before
    assert _git_locks(rota) == []
    assert not (rota / ".git" / "lunchlearn" / "journal.json").exists()
    again = lunchlearn("signup", "--date", FRIDAYS[1], "--name", "Bob", cwd=rota)
    assert again.exit_code == 0, again.stderr
    assert clean_clone(rota)


def test_a_full_disk_while_writing_an_article_names_it_and_changes_nothing(rota: Path) -> None:
    assert lunchlearn("signup", "--date", FRIDAYS[0], "--name", "Ann", "--topic", "Big", cwd=rota).exit_code == 0
    article = rota / "talks" / f"{FRIDAYS[0]}-big.md"
    article.write_text(article.read_text() + "A long and careful text.\n" * 200)
    git(rota, "commit", "-q", "-am", "Write the article")
    before = _snapshot(rota)

    run = _with_file_size_limit(3000, "withdraw", "--date", FRIDAYS[0], cwd=rota)  # it keeps the article

    assert run.returncode == 1
    assert run.stderr.startswith(f"error: could not write talks/{FRIDAYS[0]}-big.md: File too large; ")
    assert "nothing was changed" in run.stderr and ".git" not in run.stderr
    assert _snapshot(rota) == before
    assert _git_locks(rota) == []


def test_an_index_that_cannot_take_the_new_article_changes_nothing(rota: Path) -> None:
    # The user's own staged file, with a long name: git's index outgrows the limit once it holds the article.
    own = "a" * 200 + "/" + "b" * 200 + "/" + "c" * 200 + ".txt"
    write_files(rota, {own: "mine\n"})
    git(rota, "add", "--", own)
    before = _snapshot(rota)
    limit = (rota / ".git" / "index").stat().st_size + 1

    run = _with_file_size_limit(limit, "signup", "--date", FRIDAYS[0], "--name", "Ann", "--topic", "Hi", cwd=rota)

    assert run.returncode == 1
    assert "git could not commit" in run.stderr and "nothing was changed" in run.stderr, run.stderr
    assert _snapshot(rota) == before
    assert git(rota, "status", "--porcelain", "--untracked-files=no") == f"A  {own}"
    assert _git_locks(rota) == []


def test_an_index_that_cannot_be_updated_after_the_commit_is_finished_by_the_next_command(rota: Path) -> None:
    own = "notes.txt"
    write_files(rota, {own: "mine\n"})
    git(rota, "add", "--", own)
    # With a hook present the index is brought up to the commit through a scratch index; a folder
    # in its place makes that fail once the commit is made.
    _hook(rota / ".git" / "hooks", "post-commit", "mkdir .git/lunchlearn/.lunchlearn-next.index")

    run = lunchlearn("signup", "--date", FRIDAYS[0], "--name", "Ann", "--topic", "Hi", cwd=rota)

    assert run.exit_code == 1
    assert "committed" in run.stderr and "lunchlearn check" in run.stderr, run.stderr
    assert (rota / ".git" / "index.lock").exists()  # the user's git cannot commit from the stale index
    (rota / ".git" / "hooks" / "post-commit").unlink()
    shown = lunchlearn("next", "--json", cwd=rota)  # any command finishes it
    assert shown.exit_code == 0, shown.stderr
    assert _session(shown.stdout, FRIDAYS[0])["presenter"] == "Ann"
    assert git(rota, "status", "--porcelain", "--untracked-files=no") == f"A  {own}"
    assert _git_locks(rota) == []
    assert commits(rota)[0] == "Sign up Ann for Fri 18 Dec 2026: Hi"


def test_a_reading_command_first_undoes_a_write_killed_before_its_commit(rota: Path) -> None:
    process, article, hook = signup_waiting_in_a_hook(rota, seconds=30)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    hook.unlink()
    assert article.exists()  # the files are ahead of HEAD

    shown = lunchlearn("next", "--json", cwd=rota)

    assert shown.exit_code == 0, shown.stderr
    assert _session(shown.stdout, FRIDAYS[0])["state"] == "open"
    assert not article.exists()
    assert clean_clone(rota), git(rota, "status", "--porcelain")
    assert _git_locks(rota) == []


def test_a_writer_killed_alone_lets_its_git_finish_before_the_next_one_writes(rota: Path) -> None:
    process, _, hook = signup_waiting_in_a_hook(rota, seconds=3)
    process.kill()  # lunchlearn only: its git goes on committing, holding git's locks
    process.wait()

    result = lunchlearn("signup", "--date", FRIDAYS[1], "--name", "Bob", cwd=rota)

    assert result.exit_code == 0, result.stderr
    assert commits(rota)[:2] == [
        "Sign up Bob for Fri 25 Dec 2026: Topic to be announced",
        "Sign up Amy for Fri 18 Dec 2026: Hello",
    ]
    assert clean_clone(rota), git(rota, "status", "--porcelain")
    hook.unlink()


def test_recovery_leaves_the_lock_of_a_users_commit_waiting_in_its_editor(tmp_path: Path) -> None:
    clone = make_team(tmp_path, "ann")["ann"]
    fetching = tmp_path / "fetching"
    # A slow remote: the writer is killed holding lunchlearn's lock while it fetches.
    git(clone, "config", "remote.origin.uploadpack", f"touch '{fetching}'; sleep 30; git-upload-pack")
    writer = start_lunchlearn(clone, "signup", "--date", FRIDAYS[0], "--name", "Ann")
    deadline = time.monotonic() + 30
    while not fetching.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(writer.pid, signal.SIGKILL)
    writer.wait()
    write_files(clone, {"notes.txt": "mine\n"})
    git(clone, "add", "notes.txt")
    git(clone, "commit", "-q", "-m", "Notes")
    write_files(clone, {"notes.txt": "mine, edited\n"})
    go = tmp_path / "go"
    editor = f"while [ ! -e '{go}' ]; do sleep 0.05; done; echo 'Edit my notes' >\"$1\""
    users_commit = subprocess.Popen(
        ["git", "commit", "-q", "-a"], cwd=clone, env={**os.environ, "GIT_EDITOR": editor},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    lock = clone / ".git" / "index.lock"
    while not lock.exists() and users_commit.poll() is None:
        time.sleep(0.05)

    result = lunchlearn("signup", "--date", FRIDAYS[0], "--name", "Ann", "--no-sync", cwd=clone)

    go.touch()
    _, error = users_commit.communicate(timeout=30)
    assert result.exit_code == 1 and "index.lock exists" in result.stderr
    assert users_commit.returncode == 0, error
    assert git(clone, "show", "--name-only", "--format=", "HEAD") == "notes.txt"
    assert storage.read_rota(clone).talks == ()
    assert clean_clone(clone)


def test_a_post_commit_hook_that_amends_in_the_users_work_is_taken_back(rota: Path) -> None:
    write_files(rota, {"notes.txt": "mine, not for lunchlearn's commit\n"})
    # Its own amend runs with no hooks: a post-commit hook would run again for it, without end.
    amend = "git add notes.txt && git -c core.hooksPath=/dev/null commit -q --amend --no-edit"
    hook = _hook(rota / ".git" / "hooks", "post-commit", amend)
    before = _snapshot(rota)

    result = lunchlearn("signup", "--date", FRIDAYS[0], "--name", "Ann", cwd=rota)

    assert result.exit_code == 1
    assert "notes.txt" in result.stderr and "nothing was changed" in result.stderr, result.stderr
    assert f"the git hook {hook} added notes.txt" in result.stderr, result.stderr
    assert _snapshot(rota) == before


def test_a_hook_that_leaves_lunchlearns_own_file_out_of_its_commit_is_taken_back(rota: Path) -> None:
    hook = _hook(rota / ".git" / "hooks", "pre-commit", "git reset -q -- schedule.yaml")
    before = _snapshot(rota)

    result = lunchlearn("signup", "--date", FRIDAYS[0], "--name", "Ann", cwd=rota)

    assert result.exit_code == 1
    assert f"the git hook {hook} left schedule.yaml out of lunchlearn's commit" in result.stderr, result.stderr
    assert "nothing was changed" in result.stderr
    assert _snapshot(rota) == before


# Git takes core.hooksPath as written: a name that ends in a space or holds a newline is a folder too.
@pytest.mark.parametrize("folder", ["team-hooks", "team hooks ", "team\nhooks"], ids=repr)
def test_a_hook_in_the_configured_hooks_folder_is_checked_too(rota: Path, tmp_path: Path, folder: str) -> None:
    hooks = tmp_path / folder
    hooks.mkdir()
    _hook(hooks, "pre-commit", "git add notes.txt")
    git(rota, "config", "core.hooksPath", str(hooks))
    write_files(rota, {"notes.txt": "mine\n"})
    before = _snapshot(rota)

    result = lunchlearn("signup", "--date", FRIDAYS[0], "--name", "Ann", cwd=rota)

    assert result.exit_code == 1
    assert f"the git hook {hooks / 'pre-commit'} added notes.txt" in result.stderr, result.stderr
    assert _snapshot(rota) == before


def test_a_hook_that_stages_the_users_work_into_the_commit_is_taken_back(rota: Path) -> None:
    write_files(rota, {"notes.txt": "staged\n"})
    git(rota, "add", "notes.txt")
    write_files(rota, {"notes.txt": "staged\nand more, not staged\n"})
    _hook(rota / ".git" / "hooks", "pre-commit", "git add notes.txt")
    before = _snapshot(rota)

    result = lunchlearn("signup", "--date", FRIDAYS[0], "--name", "Ann", cwd=rota)

    assert result.exit_code == 1
    assert "pre-commit" in result.stderr and "notes.txt" in result.stderr, result.stderr
    assert "nothing was changed" in result.stderr
    assert _snapshot(rota) == before
    assert git(rota, "show", ":notes.txt") == "staged"


def test_a_merge_the_user_begins_while_lunchlearn_writes_is_left_to_them(rota: Path, tmp_path: Path) -> None:
    # A merge that stages nothing: git's commit would conclude it without a word.
    git(rota, "checkout", "-q", "-b", "side")
    git(rota, "commit", "-q", "--allow-empty", "-m", "side")
    git(rota, "checkout", "-q", "main")
    env = _users_git_at_work(tmp_path, "git merge -q --no-commit --no-ff side")
    head, schedule = git(rota, "rev-parse", "HEAD"), (rota / "schedule.yaml").read_bytes()

    run = lunchlearn_process("signup", "--date", FRIDAYS[0], "--name", "Ann", cwd=rota, env=env)

    assert run.returncode == 1, run.stderr
    assert "a merge is in progress" in run.stderr and "nothing was changed" in run.stderr, run.stderr
    assert git(rota, "rev-parse", "HEAD") == head and (rota / "schedule.yaml").read_bytes() == schedule
    assert git(rota, "status", "--porcelain") == "" and (rota / ".git" / "MERGE_HEAD").exists()
    assert _git_locks(rota) == []


def test_a_commit_the_user_makes_while_lunchlearn_writes_stays_when_lunchlearn_s_is_refused(
    rota: Path, tmp_path: Path
) -> None:
    # The policy refuses lunchlearn's commit; taking it back must not take the user's with it.
    _hook(rota / ".git" / "hooks", "commit-msg", 'grep -q "^mine" "$1" || { echo "policy: mine only" >&2; exit 1; }')
    write_files(rota, {"notes.txt": "mine\n"})
    env = _users_git_at_work(tmp_path, "git add notes.txt && git commit -q -m 'mine: notes'")
    schedule = (rota / "schedule.yaml").read_bytes()

    run = lunchlearn_process("signup", "--date", FRIDAYS[0], "--name", "Ann", cwd=rota, env=env)

    assert run.returncode == 1, run.stderr
    assert git(rota, "log", "-1", "--format=%s") == "mine: notes"
    assert git(rota, "status", "--porcelain") == "" and (rota / "schedule.yaml").read_bytes() == schedule
    assert "nothing was changed" in run.stderr and "run the command again" in run.stderr, run.stderr
    assert _git_locks(rota) == []


def test_a_link_planted_as_lunchlearn_s_lock_is_refused_and_its_target_never_made(rota: Path, tmp_path: Path) -> None:
    lock, target = rota / ".git" / "lunchlearn" / "family.lock", tmp_path / "outside.txt"
    lock.parent.mkdir(exist_ok=True)
    lock.unlink(missing_ok=True)
    lock.symlink_to(target)
    before = _snapshot(rota)

    result = lunchlearn("signup", "--date", FRIDAYS[0], "--name", "Ann", cwd=rota)

    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "could not take lunchlearn's lock" in result.stderr, result.stderr
    assert "nothing was changed" in result.stderr
    assert not target.exists() and _snapshot(rota) == before


def test_a_change_the_user_commits_while_lunchlearn_plans_its_write_is_never_put_back(
    rota: Path, tmp_path: Path
) -> None:
    # Their commit lands once lunchlearn has read the rota (and asked `git status` of it), before it writes.
    move = "sed -i 's/^  room: .*/  room: Library/' schedule.yaml && git commit -qam 'Meet in the library'"
    env = _users_git_at_work(tmp_path, move, after="status")

    run = lunchlearn_process("signup", "--date", FRIDAYS[0], "--name", "Ann", cwd=rota, env=env)

    assert "  room: Library\n" in (rota / "schedule.yaml").read_text(encoding="utf-8")
    assert run.returncode == 1, run.stderr
    assert git(rota, "log", "-1", "--format=%s") == "Meet in the library"
    assert git(rota, "status", "--porcelain") == "" and _git_locks(rota) == []
    assert "nothing was changed" in run.stderr and "run the command again" in run.stderr, run.stderr


def test_a_commit_the_user_makes_while_sync_brings_the_remote_in_stays_as_they_made_it(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    assert lunchlearn("signup", "--date", FRIDAYS[0], "--name", "Bob", cwd=team["bob"]).exit_code == 0
    ann = team["ann"]
    write_files(ann, {"notes.txt": "mine\n"})
    # Their commit lands once sync has checked that the remote's files are not being edited here.
    mine = "git add notes.txt && git commit -q -m 'mine: notes'"
    env = _users_git_at_work(tmp_path, mine, after="--untracked-files=all")

    run = lunchlearn_process("sync", cwd=ann, env=env)

    assert git(ann, "status", "--porcelain") == "" and git(ann, "log", "-1", "--format=%s") == "mine: notes"
    assert run.returncode == 1 and "run the command again" in run.stderr, run.stderr
    assert _git_locks(ann) == []
    again = lunchlearn_process("sync", cwd=ann)
    assert again.returncode == 0, again.stderr
    assert git(ann, "log", "-2", "--format=%s").splitlines()[0] == "mine: notes" and clean_clone(ann)
    assert "Bob" in (ann / "schedule.yaml").read_text(encoding="utf-8")
