"""Many lunchlearn processes at once, on one clone and across clones, and processes killed mid-write."""

from __future__ import annotations

import os
import random
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from lunchlearn import storage
from tests.helpers import (
    FRIDAYS,
    clean_clone,
    git,
    lunchlearn,
    lunchlearn_process,
    make_team,
    remote_rota,
    signup_waiting_in_a_hook,
    start_lunchlearn,
)


def _booked(rota_root: Path) -> set[tuple[str, str]]:
    return {(t.date.isoformat(), t.presenter) for t in storage.read_rota(rota_root).talks}


@pytest.mark.slow
@pytest.mark.parametrize("same_date", [False, True], ids=["distinct-dates", "one-date"])
def test_many_processes_signing_up_at_once_on_one_clone(tmp_path: Path, same_date: bool) -> None:
    clone = make_team(tmp_path, "ann")["ann"]
    days = [FRIDAYS[0]] * 6 if same_date else FRIDAYS[:6]

    processes = [
        start_lunchlearn(clone, "signup", "--date", day, "--name", f"P{number}")
        for number, day in enumerate(days)
    ]
    results = [(process.wait(timeout=120), process.stderr.read() if process.stderr else "") for process in processes]

    codes = [code for code, _ in results]
    if same_date:
        assert sorted(codes) == [0, 1, 1, 1, 1, 1]
        assert all("already taken by" in err for code, err in results if code == 1)
        assert len(storage.read_rota(clone).talks) == 1
    else:
        assert codes == [0] * 6, [err for _, err in results]
        assert _booked(clone) == {(day, f"P{number}") for number, day in enumerate(days)}
    assert _booked(clone) == {(t.date.isoformat(), t.presenter) for t in remote_rota(tmp_path / "origin.git").talks}
    assert clean_clone(clone)


@pytest.mark.slow
def test_stress_clones_signing_up_concurrently_end_with_every_success_and_no_double_booking(
    tmp_path: Path,
) -> None:
    team = make_team(tmp_path, "c0", "c1", "c2")
    contested = FRIDAYS[:6]

    def sign_up_four_times(index: int) -> list[tuple[str, str, int, str]]:
        clone, results = team[f"c{index}"], []
        for attempt in range(4):
            day, name = contested[(2 * index + attempt) % len(contested)], f"C{index}-{attempt}"
            topic = f"Talk by {name}"  # distinct topics: distinct article slugs
            run = lunchlearn_process(
                "signup", "--date", day, "--name", name, "--topic", topic, cwd=clone, timeout=120
            )
            results.append((day, name, run.returncode, run.stderr))
        return results

    with ThreadPoolExecutor(max_workers=3) as pool:
        outcomes = [row for rows in pool.map(sign_up_four_times, range(3)) for row in rows]
    for index in range(3):
        final = lunchlearn_process("sync", cwd=team[f"c{index}"])
        assert final.returncode == 0, final.stderr

    remote = remote_rota(team["origin"])
    on_remote = {(t.date.isoformat(), t.presenter) for t in remote.talks}
    succeeded = {(day, name) for day, name, code, _ in outcomes if code == 0}
    assert succeeded <= on_remote
    assert on_remote <= {(day, name) for day, name, _, _ in outcomes}
    assert len({t.date for t in remote.talks}) == len(remote.talks)  # no date booked twice
    for day, _, code, err in outcomes:
        if code != 0:
            assert "already taken" in err or "was undone" in err, err
            assert day in {t.date.isoformat() for t in remote.talks}
    for index in range(3):
        assert _booked(team[f"c{index}"]) == on_remote
        assert clean_clone(team[f"c{index}"])
        checked = lunchlearn_process("check", cwd=team[f"c{index}"])
        assert checked.returncode == 0, checked.stdout + checked.stderr


def _stray_files(clone: Path) -> list[str]:
    return [
        str(path.relative_to(clone))
        for path in clone.rglob("*")
        if ".git" not in path.relative_to(clone).parts and path.name.startswith((".lunchlearn-", ".merge_file"))
    ]


def _writer_running(clone: Path) -> bool:
    """Whether a lunchlearn writer holds the clone: the writers' lock is taken."""
    import fcntl

    path = clone / ".git" / "lunchlearn" / "family.lock"
    if not path.exists():
        return False
    with path.open("rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
    return False


@pytest.mark.slow
def test_a_signup_killed_at_any_moment_leaves_the_clone_as_before_or_after(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann")
    clone = team["ann"]
    jitter = random.Random(20261128)  # fixed: a failure can be replayed
    for point, day in enumerate(FRIDAYS):
        process = start_lunchlearn(clone, "signup", "--date", day, "--name", f"P{point}")
        if point > 0:  # the first kill lands during start-up; the others spread over the write
            deadline = time.monotonic() + 10
            while not _writer_running(clone) and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.002)
        time.sleep(0.012 * point + jitter.uniform(0, 0.012))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

        rota = storage.read_rota(clone)  # parses at once, before any recovery
        assert _stray_files(clone) == []
        assert {t.date.isoformat() for t in rota.talks} <= set(FRIDAYS[: point + 1])

        recovered = lunchlearn_process("sync", cwd=clone)  # the next writer recovers under the lock

        assert recovered.returncode == 0, recovered.stderr
        assert clean_clone(clone), git(clone, "status", "--porcelain")
        talk = storage.read_rota(clone).talk_on(date.fromisoformat(day))
        articles = sorted(p.name for p in (clone / "talks").glob(f"{day}-*.md"))
        assert articles == ([Path(talk.article).name] if talk is not None else [])
        assert _booked(clone) == {(t.date.isoformat(), t.presenter) for t in remote_rota(team["origin"]).talks}

    after = lunchlearn("signup", "--date", "2026-12-11", "--short-notice", "--name", "Last", cwd=clone)
    assert after.exit_code == 0, after.stderr
    assert clean_clone(clone)


def test_reading_commands_leave_a_users_git_lock_alone(rota: Path) -> None:
    lock = rota / ".git" / "index.lock"
    lock.write_text("", encoding="utf-8")  # as if the user's own git were running

    for command in ("next", "schedule", "slots"):
        assert lunchlearn(command, cwd=rota).exit_code == 0

    assert lock.exists()


def test_a_writer_does_not_remove_a_git_lock_it_did_not_leave(rota: Path) -> None:
    lock = rota / ".git" / "index.lock"
    lock.write_text("", encoding="utf-8")

    result = lunchlearn("signup", "--date", FRIDAYS[0], "--name", "Ann", cwd=rota)

    assert result.exit_code == 1
    assert "index.lock" in result.stderr
    assert lock.exists()
    assert storage.read_rota(rota).talks == ()
    lock.unlink()
    assert clean_clone(rota)


def test_leftover_temporary_files_of_a_killed_writer_are_cleaned_up_by_the_next(rota: Path) -> None:
    state = rota / ".git" / "lunchlearn"
    state.mkdir(exist_ok=True)
    (state / ".lunchlearn-x.tmp").write_text("half", encoding="utf-8")

    result = lunchlearn("signup", "--date", FRIDAYS[0], "--name", "Ann", cwd=rota)

    assert result.exit_code == 0, result.stderr
    assert list(state.glob(".lunchlearn-*")) == []
    assert clean_clone(rota)


@pytest.mark.slow
def test_recovery_never_rolls_back_what_someone_edited_after_the_kill(rota: Path) -> None:
    process, article, hook = signup_waiting_in_a_hook(rota, seconds=30)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    hook.unlink()
    schedule = rota / "schedule.yaml"
    edited_schedule = schedule.read_text().replace("room: Main meeting room", "room: Big Hall")
    schedule.write_text(edited_schedule)
    notes = article.read_text() + "My notes\n"
    article.write_text(notes)

    result = lunchlearn("signup", "--date", FRIDAYS[1], "--name", "Bob", "--dry-run", cwd=rota)

    assert result.exit_code == 1 and "uncommitted changes" in result.stderr
    assert schedule.read_text() == edited_schedule
    assert article.read_text() == notes


@pytest.mark.slow
@pytest.mark.parametrize("whole_group", [False, True], ids=["lunchlearn-only", "terminal-ctrl-c"])
def test_an_interrupt_during_the_commit_leaves_the_clone_as_before_or_after(rota: Path, whole_group: bool) -> None:
    process, article, _ = signup_waiting_in_a_hook(rota, seconds=2)
    if whole_group:
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGINT)
    process.wait(timeout=30)

    assert process.returncode == 130
    assert clean_clone(rota), git(rota, "status", "--porcelain")
    booked = _booked(rota)
    assert booked in (set(), {(FRIDAYS[0], "Amy")})
    assert article.exists() == bool(booked)
