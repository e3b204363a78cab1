"""Team use over a shared remote: a bare `origin` and clones of it, driven through the real CLI."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import icalendar  # noqa: TID253  (the tests parse feeds back; the rule guards the CLI start-up)
import pytest

from lunchlearn import storage
from lunchlearn.rota import model, schedule_file
from lunchlearn.rota.model import Rota
from tests.helpers import (
    clean_clone,
    commits,
    git,
    lunchlearn,
    lunchlearn_process,
    make_team,
    remote_rota,
    write_files,
)


def signup(clone: Path, day: str, name: str, *extra: str) -> tuple[int, str, str]:
    result = lunchlearn("signup", "--date", day, "--name", name, *extra, cwd=clone)
    return result.exit_code, result.stdout, result.stderr


def presenters(rota_root: Path) -> dict[str, str]:
    return {t.date.isoformat(): t.presenter for t in storage.read_rota(rota_root).talks}


def test_json_of_a_shared_write_names_the_upstream_it_was_pushed_to(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann")
    assert signup(team["ann"], "2026-12-18", "Ann")[0] == 0
    assert signup(team["ann"], "2026-12-25", "Bob")[0] == 0

    shared = lunchlearn("withdraw", "2026-12-18", "--json", cwd=team["ann"])
    kept = lunchlearn("withdraw", "2026-12-25", "--no-sync", "--json", cwd=team["ann"])

    assert shared.exit_code == 0 and kept.exit_code == 0, shared.stderr + kept.stderr
    assert json.loads(shared.stdout)["pushed_to"] == "origin/main"
    assert json.loads(kept.stdout)["pushed_to"] is None


def test_signups_for_different_dates_from_two_clones_both_survive(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    assert signup(team["bob"], "2026-12-25", "Bob", "--no-sync")[0] == 0  # Bob is offline for now
    code, out, _ = signup(team["ann"], "2026-12-18", "Ann")
    assert code == 0
    assert "Pushed to origin/main" in out

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 0, result.stderr
    assert "Brought in 1 commit from origin/main; pushed 1" in result.stdout
    assert lunchlearn("sync", cwd=team["ann"]).exit_code == 0
    both = {"2026-12-18": "Ann", "2026-12-25": "Bob"}
    assert presenters(team["ann"]) == presenters(team["bob"]) == both
    assert {t.presenter for t in remote_rota(team["origin"]).talks} == {"Ann", "Bob"}
    text = (team["bob"] / model.SCHEDULE).read_text(encoding="utf-8")
    assert text == schedule_file.dump_rota(storage.read_rota(team["bob"]))  # canonical, no conflict markers
    assert commits(team["bob"])[:2] == [
        "Sign up Bob for Fri 25 Dec 2026: Topic to be announced",
        "Sign up Ann for Fri 18 Dec 2026: Topic to be announced",
    ]
    assert clean_clone(team["ann"]) and clean_clone(team["bob"])


def test_same_date_from_two_clones_the_remote_wins_everywhere(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    assert signup(team["bob"], "2026-12-18", "Bob", "--no-sync")[0] == 0
    assert signup(team["ann"], "2026-12-18", "Ann")[0] == 0

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 1
    assert "Bob's sign-up for Fri 18 Dec 2026 was undone" in result.stderr
    assert "booked by Ann" in result.stderr
    assert "open dates nearby: 2026-12-25, 2027-01-01" in result.stderr
    assert presenters(team["bob"]) == {"2026-12-18": "Ann"}
    assert [t.presenter for t in remote_rota(team["origin"]).talks] == ["Ann"]
    assert not any("Bob" in subject for subject in commits(team["bob"]))
    assert clean_clone(team["bob"])
    # The untouched stub went with the sign-up; the file at that path is Ann's.
    article = storage.read_rota(team["bob"]).talks[0].article
    assert "presenter: Ann" in (team["bob"] / article).read_text(encoding="utf-8")


def test_auto_sync_loser_is_told_who_took_the_date(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    assert signup(team["ann"], "2027-01-08", "Ann", "--topic", "Fuzzing")[0] == 0

    code, out, err = signup(team["bob"], "2027-01-08", "Bob")

    assert code == 1
    assert out == ""
    assert "Fri 8 Jan 2027 is already taken by Ann (Fuzzing)" in err  # re-checked after syncing first
    assert presenters(team["bob"]) == {"2027-01-08": "Ann"}


def _push_from_elsewhere_after_next_commit(clone: Path, other: Path) -> None:
    """A post-commit hook in `clone` that pushes `other`'s commits once: the next push is rejected."""
    hook = clone / ".git" / "hooks" / "post-commit"
    hook.write_text(
        "#!/bin/sh\n"
        f"[ -e '{clone}/.git/raced' ] && exit 0\n"
        f"touch '{clone}/.git/raced'\n"
        f"env -u GIT_INDEX_FILE -u GIT_DIR -u GIT_WORK_TREE git -C '{other}' push -q origin main\n",
        encoding="utf-8",
    )
    hook.chmod(0o755)


def test_auto_sync_retries_after_a_rejected_push(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    assert signup(team["bob"], "2027-01-15", "Bob", "--no-sync")[0] == 0
    _push_from_elsewhere_after_next_commit(team["ann"], team["bob"])

    code, out, err = signup(team["ann"], "2027-01-08", "Ann")

    assert code == 0, err
    assert "Pushed to origin/main" in out
    assert (team["ann"] / ".git" / "raced").exists()  # Bob really got there between fetch and push
    assert {t.presenter for t in remote_rota(team["origin"]).talks} == {"Ann", "Bob"}
    assert presenters(team["ann"]) == {"2027-01-08": "Ann", "2027-01-15": "Bob"}
    assert clean_clone(team["ann"])


def test_auto_sync_undoes_a_signup_that_lost_the_race(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    assert signup(team["bob"], "2027-01-08", "Bob", "--topic", "Rust", "--no-sync")[0] == 0
    _push_from_elsewhere_after_next_commit(team["ann"], team["bob"])

    code, out, err = signup(team["ann"], "2027-01-08", "Ann")

    assert code == 1
    assert "Signed up" not in out
    assert "Ann's sign-up for Fri 8 Jan 2027 was undone: the date is booked by Bob (Rust)" in err
    nearby = err.split("open dates nearby: ", 1)[1]
    assert "2027-01-01" in nearby and "2027-01-15" in nearby
    assert presenters(team["ann"]) == {"2027-01-08": "Bob"}
    assert [t.presenter for t in remote_rota(team["origin"]).talks] == ["Bob"]
    assert not (team["ann"] / "talks/2027-01-08-topic-to-be-announced.md").exists()
    assert clean_clone(team["ann"])


def test_offline_signups_are_kept_and_published_by_a_later_sync(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann")
    away = tmp_path / "origin-away.git"
    team["origin"].rename(away)

    code, out, err = signup(team["ann"], "2026-12-18", "Ann")

    assert code == 0
    assert "Signed up Ann" in out
    assert "could not reach origin/main" in err
    assert "1 local commit saved here but not shared yet" in err
    assert commits(team["ann"])[0].startswith("Sign up Ann")
    failed = lunchlearn("sync", cwd=team["ann"])
    assert failed.exit_code == 1
    assert "1 local commit saved here but not shared yet" in failed.stderr

    away.rename(team["origin"])
    result = lunchlearn("sync", cwd=team["ann"])

    assert result.exit_code == 0, result.stderr
    assert "pushed 1" in result.stdout
    assert [t.presenter for t in remote_rota(team["origin"]).talks] == ["Ann"]


def _replaying_git(tmp_path: Path, does: str) -> dict[str, str]:
    """An environment whose git `does` this (shell) where it would build a sync's replayed index."""
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "git").write_text(
        f'#!/bin/sh\ncase "$1 $GIT_INDEX_FILE" in "read-tree "*replay.index) {does};; esac\n'
        f'exec {shutil.which("git")} "$@"\n', encoding="utf-8")
    (shim / "git").chmod(0o755)
    return {"PATH": f"{shim}{os.pathsep}{os.environ['PATH']}"}


def _ann_behind_bob(tmp_path: Path) -> dict[str, Path]:
    team = make_team(tmp_path, "ann", "bob")
    assert signup(team["bob"], "2026-12-18", "Bob")[0] == 0
    assert signup(team["ann"], "2027-01-08", "Ann", "--no-sync")[0] == 0  # behind: a sync replays it
    return team


def test_a_sync_killed_while_it_replays_does_not_stop_the_next(tmp_path: Path) -> None:
    team = _ann_behind_bob(tmp_path)
    # git killed with lunchlearn as it builds the replay's index, its lock left behind
    env = _replaying_git(tmp_path, ': > "$GIT_INDEX_FILE.lock"; kill -9 "$PPID"; exit 1')

    killed = lunchlearn_process("sync", cwd=team["ann"], env=env)
    assert killed.returncode == -9, killed.stderr
    again = lunchlearn_process("sync", cwd=team["ann"])

    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    assert [t.presenter for t in remote_rota(team["origin"]).talks] == ["Bob", "Ann"]
    assert clean_clone(team["ann"])


def test_a_git_failure_nobody_foresaw_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    team = _ann_behind_bob(tmp_path)
    head = git(team["ann"], "rev-parse", "HEAD")
    env = _replaying_git(tmp_path, "echo 'fatal: the disk hiccuped' >&2; exit 128")

    failed = lunchlearn_process("sync", cwd=team["ann"], env=env)

    assert failed.returncode == 1
    assert failed.stderr.splitlines() == ["error: git failed: the disk hiccuped"]
    assert git(team["ann"], "rev-parse", "HEAD") == head and clean_clone(team["ann"])


def test_a_push_a_remote_hook_refuses_says_what_the_hook_said(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann")
    hook = team["origin"] / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'the rota is frozen until Monday' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)

    code, out, err = signup(team["ann"], "2026-12-18", "Ann")

    assert code == 1
    assert out.startswith("Signed up Ann for Fri 18 Dec 2026"), out  # the sign-up stands, here
    assert err == ("error: origin/main refused the push (pre-receive hook declined; the rota is frozen until "
                   "Monday); your commits are kept here, not shared yet\n")
    assert commits(team["ann"])[0].startswith("Sign up Ann")
    withdrawn = lunchlearn("withdraw", "2026-12-18", "--json", cwd=team["ann"])
    assert withdrawn.exit_code == 1 and json.loads(withdrawn.stdout)["changes"], withdrawn


def test_no_sync_and_manual_mode_keep_the_change_local(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob", settings={"sync": "manual"})
    assert signup(team["ann"], "2026-12-18", "Ann")[0] == 0
    assert signup(team["bob"], "2026-12-25", "Bob", "--no-sync")[0] == 0
    assert remote_rota(team["origin"]).talks == ()

    dry = lunchlearn("sync", "--dry-run", cwd=team["ann"])

    assert dry.exit_code == 0
    assert "would bring in 0 commits from origin/main and push 1" in dry.stdout
    assert remote_rota(team["origin"]).talks == ()


def test_sync_without_an_upstream_explains_how_to_publish(rota: Path) -> None:
    result = lunchlearn("sync", cwd=rota)
    assert result.exit_code == 1
    assert "has no remote to push to; add one with `git remote add origin URL`" in result.stderr


def test_no_upstream_advice_names_a_remote_the_clone_has(rota: Path, tmp_path: Path) -> None:
    for name in ("team", "backup"):  # two remotes, neither called origin: lunchlearn cannot choose
        git(tmp_path, "init", "-q", "--bare", f"{name}.git")
        git(rota, "remote", "add", name, str(tmp_path / f"{name}.git"))
    result = lunchlearn("sync", cwd=rota)
    assert result.exit_code == 1
    assert "has no upstream; push it once with `git push -u backup main`" in result.stderr


def test_the_first_sync_to_an_empty_remote_creates_the_branch_and_tracks_it(rota: Path, tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "--bare", "team.git")
    git(rota, "remote", "add", "origin", str(tmp_path / "team.git"))

    dry = lunchlearn("sync", "--dry-run", cwd=rota)
    assert dry.exit_code == 0, dry.stderr
    assert "would create" in dry.stdout
    assert "[branch" not in (rota / ".git" / "config").read_text(encoding="utf-8")

    result = lunchlearn("sync", cwd=rota)
    assert result.exit_code == 0, result.stderr
    assert "This branch now tracks origin/main" in result.stdout
    assert git(tmp_path / "team.git", "rev-parse", "main") == git(rota, "rev-parse", "HEAD")
    assert git(rota, "rev-parse", "--abbrev-ref", "@{upstream}") == "origin/main"
    signup = lunchlearn("signup", "--name", "Ann", "--topic", "Queues", cwd=rota)
    assert "Pushed to origin/main" in signup.stdout


def test_a_branch_without_upstream_syncs_with_the_remote_branch_of_its_name(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    assert lunchlearn("signup", "2027-01-29", "--name", "Ann", cwd=team["ann"]).exit_code == 0
    git(team["bob"], "branch", "--unset-upstream")
    result = lunchlearn("sync", cwd=team["bob"])
    assert result.exit_code == 0, result.stderr
    assert "2027-01-29" in (team["bob"] / "schedule.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("separator", ["\u2028", "\u0085"])
def test_a_signup_on_a_branch_whose_name_holds_a_line_separator_is_shared(tmp_path: Path, separator: str) -> None:
    """git allows U+2028 and U+0085 in a branch name; finding the upstream must not break the name there."""
    team = make_team(tmp_path, "ann")
    branch = f"feat{separator}x"
    git(team["ann"], "switch", "-q", "-c", branch)
    git(team["ann"], "push", "-q", "-u", "origin", branch)
    result = lunchlearn("signup", "2027-01-29", "--name", "Ann", "--topic", "Separators", cwd=team["ann"])
    assert result.exit_code == 0, result.stderr
    assert "Separators" in git(team["origin"], "show", f"{branch}:{model.SCHEDULE}")


def test_withdraw_is_shared_and_a_settings_change_merges_with_it(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    assert signup(team["ann"], "2026-12-18", "Ann")[0] == 0
    assert lunchlearn("sync", cwd=team["bob"]).exit_code == 0
    text = (team["bob"] / model.SCHEDULE).read_text(encoding="utf-8")
    write_files(team["bob"], {model.SCHEDULE: text.replace("Main meeting room", "Canteen")})
    git(team["bob"], "commit", "-q", "-am", "Move to the canteen")

    assert lunchlearn("withdraw", "--date", "2026-12-18", cwd=team["ann"]).exit_code == 0
    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 0, result.stderr
    rota = remote_rota(team["origin"])
    assert rota.talks == ()
    assert rota.settings.room == "Canteen"


def test_a_written_article_of_a_lost_signup_is_kept(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    assert signup(team["bob"], "2027-01-08", "Bob", "--no-sync")[0] == 0
    article = team["bob"] / "talks/2027-01-08-topic-to-be-announced.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nMy draft.\n", encoding="utf-8")
    git(team["bob"], "commit", "-q", "-am", "Draft")
    assert signup(team["ann"], "2027-01-08", "Ann")[0] == 0

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 1
    kept = team["bob"] / "talks/2027-01-08-topic-to-be-announced-2.md"
    assert f"Your article is kept in {kept.relative_to(team['bob'])}" in result.stderr
    text = kept.read_text(encoding="utf-8")
    assert "My draft." in text and "status: withdrawn" in text
    assert "presenter: Ann" in article.read_text(encoding="utf-8")
    assert git(team["origin"], "show", "main:talks/2027-01-08-topic-to-be-announced-2.md") == text.strip()


def _conflicting_summaries(tmp_path: Path) -> tuple[dict[str, Path], str]:
    """Ann and Bob both change one article's summary; Ann's change reaches the remote first."""
    team = make_team(tmp_path, "ann", "bob")
    assert signup(team["ann"], "2026-12-18", "Ann")[0] == 0
    assert lunchlearn("sync", cwd=team["bob"]).exit_code == 0
    path = "talks/2026-12-18-topic-to-be-announced.md"
    for clone, words in ((team["ann"], "Ann's words"), (team["bob"], "Bob's words")):
        text = (clone / path).read_text(encoding="utf-8").replace("summary: ''", f"summary: {words}")
        write_files(clone, {path: text})
        git(clone, "commit", "-q", "-am", f"Summary by {clone.name}")
    git(team["ann"], "push", "-q")
    return team, path


def test_an_article_conflict_stops_sync_and_keeps_both_versions(tmp_path: Path) -> None:
    team, path = _conflicting_summaries(tmp_path)
    bob_head = git(team["bob"], "rev-parse", "HEAD")

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 1
    assert f"{path} was changed both here" in result.stderr
    assert f"git show origin/main:{path}" in result.stderr
    assert git(team["bob"], "rev-parse", "HEAD") == bob_head
    assert "summary: Bob's words" in (team["bob"] / path).read_text(encoding="utf-8")
    assert "summary: Ann's words" in git(team["bob"], "show", f"origin/main:{path}")


def test_sync_keeps_uncommitted_work_elsewhere(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    write_files(team["bob"], {"notes.txt": "my own notes\n"})
    assert signup(team["ann"], "2026-12-18", "Ann")[0] == 0

    assert signup(team["bob"], "2026-12-25", "Bob")[0] == 0

    assert (team["bob"] / "notes.txt").read_text(encoding="utf-8") == "my own notes\n"
    assert git(team["bob"], "status", "--porcelain") == "?? notes.txt"
    assert "notes.txt" not in git(team["origin"], "ls-tree", "-r", "--name-only", "main")


@pytest.mark.parametrize("mode", ["--rebase", "--no-rebase"])
def test_git_pull_uses_the_merge_driver(tmp_path: Path, mode: str) -> None:
    team = make_team(tmp_path, "ann", "bob")
    assert signup(team["bob"], "2026-12-25", "Bob", "--no-sync")[0] == 0
    assert signup(team["ann"], "2026-12-18", "Ann")[0] == 0
    assert "merge-driver" in git(team["bob"], "config", "--get", "merge.lunchlearn.driver")

    git(team["bob"], "pull", "-q", mode, "--no-edit")

    assert presenters(team["bob"]) == {"2026-12-18": "Ann", "2026-12-25": "Bob"}
    text = (team["bob"] / model.SCHEDULE).read_text(encoding="utf-8")
    assert text == schedule_file.dump_rota(storage.read_rota(team["bob"]))


@pytest.mark.parametrize(
    ("mode", "said", "kept"),
    [
        ("--rebase", "Fri 18 Dec 2026 is booked by Ann (A) in the branch rebased onto but booked by Bob (B) in "
         "the commit being rebased; kept the branch rebased onto's version", "Ann"),
        ("--no-rebase", "Fri 18 Dec 2026 is booked by Bob (B) in this branch but booked by Ann (A) in the branch "
         "merged in; kept this branch's version", "Bob"),
    ],
)
def test_a_same_date_conflict_in_git_pull_leaves_a_valid_rota(tmp_path: Path, mode: str, said: str, kept: str) -> None:
    """The driver says which side it kept in the words of what git is doing: a rebase swaps ours and theirs."""
    team = make_team(tmp_path, "ann", "bob")
    assert signup(team["bob"], "2026-12-18", "Bob", "--no-sync", "--topic", "B")[0] == 0
    assert signup(team["ann"], "2026-12-18", "Ann", "--topic", "A")[0] == 0

    pull = subprocess.run(["git", "pull", mode], cwd=team["bob"], capture_output=True, text=True, check=False)

    assert pull.returncode != 0
    assert f"lunchlearn: schedule.yaml: {said}. Check the file, then `git add` it" in pull.stderr, pull.stderr
    text = (team["bob"] / model.SCHEDULE).read_text(encoding="utf-8")
    assert "<<<<<<<" not in text
    assert presenters(team["bob"]) == {"2026-12-18": kept}


def test_init_commits_the_merge_attributes(tmp_path: Path) -> None:
    root = tmp_path / "rota"
    write_files(root, {".gitattributes": "*.png binary"})
    assert lunchlearn("init", str(root)).exit_code == 0
    assert (root / ".gitattributes").read_text(encoding="utf-8") == (
        "*.png binary\nschedule.yaml merge=lunchlearn\nideas.yaml merge=lunchlearn\n"
        "talks/*.feedback.yaml merge=lunchlearn\n"
    )
    assert git(root, "check-attr", "merge", "--", "schedule.yaml").endswith("merge: lunchlearn")
    assert git(root, "check-attr", "merge", "--", "ideas.yaml").endswith("merge: lunchlearn")
    assert git(root, "check-attr", "merge", "--", "talks/2026-12-04.feedback.yaml").endswith("merge: lunchlearn")
    assert git(root, "status", "--porcelain") == ""



def test_a_broken_rota_on_the_remote_is_not_brought_in(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    write_files(team["ann"], {model.SCHEDULE: "talks: [\n"})
    git(team["ann"], "commit", "-q", "-am", "Oops")
    git(team["ann"], "push", "-q")
    before = git(team["bob"], "rev-parse", "HEAD")

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 1
    assert "would not be valid (schedule.yaml:2:1: not valid YAML" in result.stderr
    assert git(team["bob"], "rev-parse", "HEAD") == before
    assert storage.read_rota(team["bob"]).talks == ()


def test_article_commands_share_their_commits_too(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob", settings={"min_words": 5})
    assert signup(team["ann"], "2026-12-18", "Ann", "--topic", "Fuzzing")[0] == 0
    article = team["ann"] / "talks" / "2026-12-18-fuzzing.md"
    text = article.read_text(encoding="utf-8").replace("summary: ''", "summary: Random inputs find bugs.")
    body = "\n## In one paragraph\n\nFuzzing feeds random inputs to programs to find crashes early.\n"
    article.write_text(text.split("\n## ", 1)[0] + body, encoding="utf-8")

    saved = lunchlearn("save", cwd=team["ann"])
    assert saved.exit_code == 0, saved.stderr
    assert "Pushed to origin/main" in saved.stdout
    marked = lunchlearn("ready", "2026-12-18", cwd=team["ann"])
    assert marked.exit_code == 0, marked.stderr

    remote_article = git(team["origin"], "show", "main:talks/2026-12-18-fuzzing.md")
    assert "status: ready" in remote_article and "Fuzzing feeds random inputs" in remote_article
    assert lunchlearn("sync", cwd=team["bob"]).exit_code == 0
    assert (team["bob"] / "talks" / "2026-12-18-fuzzing.md").read_text(encoding="utf-8") == article.read_text(
        encoding="utf-8"
    )


def test_a_clone_where_only_a_reading_command_ran_merges_the_rota_by_meaning(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    ann_rota = team["ann"] / model.SCHEDULE
    ann_rota.write_text(ann_rota.read_text(encoding="utf-8").replace("room: Main meeting room", "room: Hall"))
    git(team["ann"], "commit", "-qam", "Move to the hall")
    git(team["ann"], "push", "-q")

    assert lunchlearn("next", cwd=team["bob"]).exit_code == 0  # lunchlearn's first run in Bob's clone
    bob_rota = team["bob"] / model.SCHEDULE
    bob_rota.write_text(bob_rota.read_text(encoding="utf-8").replace("timezone: UTC", "timezone: Europe/Paris"))
    git(team["bob"], "commit", "-qam", "Paris time")
    git(team["bob"], "pull", "-q", "--no-rebase", "--no-edit")

    text = bob_rota.read_text(encoding="utf-8")
    assert "<<<<" not in text and "room: Hall" in text and "timezone: Europe/Paris" in text
    assert clean_clone(team["bob"])


def test_save_commits_first_so_a_remote_edit_of_the_same_article_merges(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    assert signup(team["ann"], "2027-01-08", "Ann", "--topic", "Art")[0] == 0
    path = "talks/2027-01-08-art.md"
    assert lunchlearn("sync", cwd=team["bob"]).exit_code == 0
    bob_article = team["bob"] / path
    bob_article.write_text(bob_article.read_text().replace("TODO: Say what the talk is about", "Bob's opening"))
    git(team["bob"], "commit", "-qam", "Bob edits")
    git(team["bob"], "push", "-q")
    ann_article = team["ann"] / path
    ann_article.write_text(ann_article.read_text().replace("TODO: Links for readers", "Ann's links"))

    saved = lunchlearn("save", cwd=team["ann"])

    assert saved.exit_code == 0, saved.stderr
    merged = git(team["origin"], "show", f"main:{path}")
    assert "Bob's opening" in merged and "Ann's links" in merged
    assert clean_clone(team["ann"])


def _push_rota_edit(clone: Path, edit: Callable[[Rota], Rota], message: str) -> None:
    write_files(clone, {model.SCHEDULE: schedule_file.dump_rota(edit(storage.read_rota(clone)))})
    git(clone, "commit", "-q", "-am", message)
    git(clone, "push", "-q")


def test_a_locked_git_index_stops_sync_before_anything_moves(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    assert signup(team["bob"], "2026-12-18", "Bob")[0] == 0
    before = git(team["ann"], "rev-parse", "HEAD")
    lock = team["ann"] / ".git" / "index.lock"
    lock.touch()

    result = lunchlearn("sync", cwd=team["ann"])

    assert result.exit_code == 1
    assert "another git command is using this repository" in result.stderr
    assert "delete that file if no git is running" in result.stderr
    assert git(team["ann"], "rev-parse", "HEAD") == before
    lock.unlink()
    assert clean_clone(team["ann"])
    assert lunchlearn("sync", cwd=team["ann"]).exit_code == 0
    assert presenters(team["ann"]) == {"2026-12-18": "Bob"}
    assert clean_clone(team["ann"])


def test_a_git_pull_merge_that_kept_a_late_signup_cannot_replace_the_remotes(tmp_path: Path) -> None:
    import subprocess

    team = make_team(tmp_path, "ann", "bob")
    assert signup(team["bob"], "2026-12-18", "Bob", "--topic", "B", "--no-sync")[0] == 0
    assert signup(team["ann"], "2026-12-18", "Ann", "--topic", "A")[0] == 0
    subprocess.run(["git", "pull", "--no-rebase", "--no-edit"], cwd=team["bob"], capture_output=True, check=False)
    git(team["bob"], "add", model.SCHEDULE)
    git(team["bob"], "commit", "-q", "--no-edit")
    assert presenters(team["bob"]) == {"2026-12-18": "Bob"}  # the driver kept ours

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 1
    assert "Bob's sign-up for Fri 18 Dec 2026 was undone: the date is booked by Ann (A)" in result.stderr
    assert [t.presenter for t in remote_rota(team["origin"]).talks] == ["Ann"]
    assert presenters(team["bob"]) == {"2026-12-18": "Ann"}
    assert clean_clone(team["bob"])
    assert lunchlearn("check", cwd=team["bob"]).exit_code == 0


def test_the_advice_after_an_article_conflict_works_when_followed(tmp_path: Path) -> None:
    import subprocess

    team, path = _conflicting_summaries(tmp_path)
    stopped = lunchlearn("sync", cwd=team["bob"])
    assert stopped.exit_code == 1
    assert "`git pull --no-rebase`" in stopped.stderr

    subprocess.run(["git", "pull", "--no-rebase"], cwd=team["bob"], capture_output=True, check=False)
    combined = git(team["ann"], "show", f"HEAD:{path}").replace("Ann's words", "Ann's and Bob's words")
    write_files(team["bob"], {path: combined + "\n"})
    git(team["bob"], "add", path)
    git(team["bob"], "commit", "-q", "--no-edit")
    moved = signup(team["ann"], "2027-01-08", "Cat")  # the remote moves on meanwhile
    assert moved[0] == 0, moved[2]

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 0, result.stderr
    assert "summary: Ann's and Bob's words" in git(team["origin"], "show", f"main:{path}")
    assert presenters(team["bob"]) == {"2026-12-18": "Ann", "2027-01-08": "Cat"}
    assert clean_clone(team["bob"])


def test_an_undone_withdraw_keeps_the_article_of_the_talk(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    assert signup(team["ann"], "2027-01-22", "Ann")[0] == 0
    assert lunchlearn("sync", cwd=team["bob"]).exit_code == 0
    assert lunchlearn("withdraw", "--date", "2027-01-22", "--no-sync", cwd=team["bob"]).exit_code == 0
    _push_rota_edit(
        team["ann"],
        lambda rota: replace(rota, talks=tuple(replace(t, email="ann@example.com") for t in rota.talks)),
        "Ann's email",
    )

    result = lunchlearn("sync", cwd=team["bob"])

    assert "your change to Fri 22 Jan 2027" in result.stderr
    article = "talks/2027-01-22-topic-to-be-announced.md"
    assert "presenter: Ann" in git(team["origin"], "show", f"main:{article}")
    assert (team["bob"] / article).is_file()
    assert lunchlearn("check", cwd=team["bob"]).exit_code == 0
    assert clean_clone(team["bob"])


def _ann_booked_in_both_clones(tmp_path: Path, topic: str) -> dict[str, Path]:
    """Ann's talk on 2027-01-22, signed up in her clone and synced into Bob's."""
    team = make_team(tmp_path, "ann", "bob")
    assert signup(team["ann"], "2027-01-22", "Ann", "--topic", topic)[0] == 0
    assert lunchlearn("sync", cwd=team["bob"]).exit_code == 0
    return team


@pytest.mark.parametrize("first", ["withdraw", "move"])
def test_a_talk_withdrawn_in_one_clone_and_moved_in_another_is_as_the_remote_has_it(
    tmp_path: Path, first: str
) -> None:
    """The remote is the arbiter for a talk too: a move replayed on its withdrawal would bring the talk back,
    a withdrawal replayed on its move would vanish; either way the later one is undone, and says so."""
    team = _ann_booked_in_both_clones(tmp_path, "Move me")
    withdraw, move = ("withdraw", "2027-01-22"), ("move", "2027-01-22", "2027-02-19")
    pushed, later = (withdraw, move) if first == "withdraw" else (move, withdraw)
    clones = (team["ann"], team["bob"])
    assert lunchlearn(*later, "--no-sync", cwd=clones[1]).exit_code == 0
    assert lunchlearn(*pushed, cwd=clones[0]).exit_code == 0
    booked_on_remote = {t.date.isoformat() for t in remote_rota(team["origin"]).talks}
    assert booked_on_remote == ({"2027-02-19"} if first == "move" else set())

    result = lunchlearn("sync", cwd=clones[1])

    assert result.exit_code == 1
    assert "was undone" in result.stderr and "Ann's talk" in result.stderr, result.stderr
    assert {t.date.isoformat() for t in remote_rota(team["origin"]).talks} == booked_on_remote
    assert set(presenters(clones[1])) == booked_on_remote
    assert lunchlearn("check", cwd=clones[1]).exit_code == 0
    assert clean_clone(clones[1])


@pytest.mark.parametrize("pushed_first", ["topic", "move"])
def test_a_talk_moved_in_one_clone_and_retitled_in_another_is_on_the_remote_once(
    tmp_path: Path, pushed_first: str
) -> None:
    team = _ann_booked_in_both_clones(tmp_path, "Move me")
    retitle, move = ("topic", "2027-01-22", "A new topic"), ("move", "2027-01-22", "2027-02-19")
    pushed, later = (retitle, move) if pushed_first == "topic" else (move, retitle)
    assert lunchlearn(*later, "--no-sync", cwd=team["bob"]).exit_code == 0
    assert lunchlearn(*pushed, cwd=team["ann"]).exit_code == 0
    on_remote = [(t.date.isoformat(), t.topic) for t in remote_rota(team["origin"]).talks]

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 1 and "was undone" in result.stderr, result.stderr
    assert [(t.date.isoformat(), t.topic) for t in remote_rota(team["origin"]).talks] == on_remote
    assert len(on_remote) == 1
    assert lunchlearn("check", cwd=team["bob"]).exit_code == 0
    assert clean_clone(team["bob"])


@pytest.mark.parametrize("change", [["move", "2027-01-22", "2027-02-19"], ["topic", "2027-01-22", "Moved on"]],
                         ids=["move", "topic"])
def test_the_same_change_made_in_two_clones_is_no_conflict(tmp_path: Path, change: list[str]) -> None:
    """The two changes differ only in when each clone stamped them for calendars."""
    team = _ann_booked_in_both_clones(tmp_path, "Move me")
    assert lunchlearn(*change, "--no-sync", cwd=team["bob"]).exit_code == 0
    time.sleep(1.1)  # a second later: the stamps differ
    assert lunchlearn(*change, cwd=team["ann"]).exit_code == 0
    on_remote = remote_rota(team["origin"]).talks

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 0 and result.stderr == "", result.stderr
    assert remote_rota(team["origin"]).talks == on_remote and len(on_remote) == 1
    assert clean_clone(team["bob"])


def test_a_pull_that_kept_a_withdrawal_of_a_talk_the_remote_moved_cannot_replace_the_remotes(tmp_path: Path) -> None:
    team = _ann_booked_in_both_clones(tmp_path, "Move me")
    assert lunchlearn("move", "2027-01-22", "2027-02-19", cwd=team["ann"]).exit_code == 0
    assert lunchlearn("withdraw", "2027-01-22", "--no-sync", cwd=team["bob"]).exit_code == 0
    # git pull: the merge driver keeps ours (the withdrawal) and says so; the user commits the merge
    subprocess.run(["git", "pull", "--no-rebase", "--no-edit"], cwd=team["bob"], capture_output=True, check=False)
    git(team["bob"], "add", "-A")
    git(team["bob"], "commit", "-q", "--no-edit")

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 1 and "was undone" in result.stderr, result.stderr
    assert [(t.date.isoformat(), t.topic) for t in remote_rota(team["origin"]).talks] == [("2027-02-19", "Move me")]
    assert lunchlearn("check", cwd=team["bob"]).exit_code == 0
    assert clean_clone(team["bob"])


def test_a_topic_changed_in_two_clones_keeps_the_remotes_and_no_copy_of_the_article(tmp_path: Path) -> None:
    team = _ann_booked_in_both_clones(tmp_path, "Alpha")
    assert lunchlearn("topic", "2027-01-22", "Gamma", "--no-sync", cwd=team["bob"]).exit_code == 0
    assert lunchlearn("topic", "2027-01-22", "Beta", cwd=team["ann"]).exit_code == 0

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 1
    assert result.stderr.startswith("error: your change to Ann's talk on Fri 22 Jan 2027 (booked by Ann (Gamma)) was "
                                    "undone: the date is booked by Ann (Beta) on origin/main."), result.stderr
    assert [t.topic for t in remote_rota(team["origin"]).talks] == ["Beta"]
    assert git(team["origin"], "ls-tree", "--name-only", "main", "talks/").split() == [
        "talks/.gitkeep", "talks/2027-01-22-beta.md"]
    assert lunchlearn("check", cwd=team["bob"]).exit_code == 0
    assert clean_clone(team["bob"])


def test_a_replayed_signup_gets_a_slug_the_remote_does_not_have(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    assert signup(team["bob"], "2027-01-15", "Bob", "--topic", "Fuzzing", "--no-sync")[0] == 0
    draft = team["bob"] / "talks/2027-01-15-fuzzing.md"
    draft.write_text(draft.read_text(encoding="utf-8") + "\nBob's draft.\n", encoding="utf-8")
    git(team["bob"], "commit", "-q", "-am", "Bob's draft")
    assert signup(team["ann"], "2027-01-08", "Ann", "--topic", "Fuzzing")[0] == 0

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 0, result.stderr
    articles = {t.presenter: t.article for t in remote_rota(team["origin"]).talks}
    assert articles == {"Ann": "talks/2027-01-08-fuzzing.md", "Bob": "talks/2027-01-15-fuzzing-2.md"}
    published = git(team["origin"], "show", "main:talks/2027-01-15-fuzzing-2.md")
    assert "presenter: Bob" in published and "Bob's draft." in published
    assert "talks/2027-01-15-fuzzing.md" not in git(team["origin"], "ls-tree", "-r", "--name-only", "main")
    assert commits(team["bob"])[:2] == ["Bob's draft", "Sign up Bob for Fri 15 Jan 2027: Fuzzing"]
    assert lunchlearn("check", cwd=team["bob"]).exit_code == 0
    assert clean_clone(team["bob"])


def test_sync_refuses_to_publish_what_check_rejects(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann")
    write_files(team["ann"], {"talks/stray.md": "---\ntitle: Stray\nstatus: draft\n---\nText\n"})
    git(team["ann"], "add", "-A")
    git(team["ann"], "commit", "-q", "-m", "A stray article")

    result = lunchlearn("sync", cwd=team["ann"])

    assert result.exit_code == 1
    assert "would fail `lunchlearn check`" in result.stderr
    assert "(talks/stray.md:1:1: " in result.stderr
    assert "talks/stray.md" not in git(team["origin"], "ls-tree", "-r", "--name-only", "main")


def test_the_first_sync_to_an_empty_remote_creates_its_branch(tmp_path: Path) -> None:
    remote = tmp_path / "empty.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(tmp_path, "clone", "-q", str(remote), "clone")
    clone = tmp_path / "clone"
    assert lunchlearn("init", str(clone)).exit_code == 0
    assert signup(clone, "2026-12-18", "Ann", "--no-sync")[0] == 0

    result = lunchlearn("sync", cwd=clone)

    assert result.exit_code == 0, result.stderr
    assert "origin/main did not exist yet: created it" in result.stdout
    assert [t.presenter for t in remote_rota(remote).talks] == ["Ann"]


def test_sync_during_a_merge_says_to_finish_it(tmp_path: Path) -> None:
    import subprocess

    team = make_team(tmp_path, "ann", "bob")
    for clone in (team["ann"], team["bob"]):
        write_files(clone, {"notes.txt": f"{clone.name}\n"})
        git(clone, "add", "notes.txt")
        git(clone, "commit", "-q", "-m", "Notes")
    git(team["ann"], "push", "-q")
    subprocess.run(["git", "pull", "--no-rebase"], cwd=team["bob"], capture_output=True, check=False)

    synced = lunchlearn("sync", cwd=team["bob"])
    signed = signup(team["bob"], "2026-12-18", "Bob")

    for code, err in ((synced.exit_code, synced.stderr), (signed[0], signed[2])):
        assert code == 1
        assert "a merge is in progress" in err and "git merge --continue" in err
    assert storage.read_rota(team["bob"]).talks == ()


def test_links_from_the_remote_arrive_as_links_and_escaping_ones_are_refused(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    (team["ann"] / "talks" / "link.md").symlink_to("../README.md")
    git(team["ann"], "add", "-A")
    git(team["ann"], "commit", "-q", "-m", "A link")
    git(team["ann"], "push", "-q")

    assert lunchlearn("sync", cwd=team["bob"]).exit_code == 0
    assert (team["bob"] / "talks" / "link.md").is_symlink()
    assert clean_clone(team["bob"])

    (team["ann"] / "talks" / "out.md").symlink_to("../../outside.md")
    git(team["ann"], "add", "-A")
    git(team["ann"], "commit", "-q", "-m", "An escaping link")
    git(team["ann"], "push", "-q")
    before = git(team["bob"], "rev-parse", "HEAD")

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 1
    assert "talks/out.md on the remote is a symbolic link to '../../outside.md'" in result.stderr
    assert git(team["bob"], "rev-parse", "HEAD") == before
    assert not (team["bob"] / "talks" / "out.md").exists()


def test_rough_edges_unreachable_reason_dry_run_and_detached_head(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    assert signup(team["bob"], "2026-12-18", "Bob", "--no-sync")[0] == 0
    assert signup(team["ann"], "2026-12-18", "Ann")[0] == 0

    dry = lunchlearn("sync", "--dry-run", cwd=team["bob"])
    assert "Bob's sign-up for Fri 18 Dec 2026 would be undone" in dry.stderr

    team["origin"].rename(tmp_path / "away.git")
    offline = lunchlearn("sync", cwd=team["bob"])
    assert "does not appear to be a git repository" in offline.stderr
    assert "(and the repository exists.)" not in offline.stderr

    git(team["bob"], "checkout", "-q", "--detach")
    detached = lunchlearn("sync", cwd=team["bob"])
    assert detached.exit_code == 1
    assert "detached HEAD" in detached.stderr and "git push -u" not in detached.stderr


def test_the_advice_for_a_detached_head_names_the_branch_and_keeps_the_signup_when_followed(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann")
    clone = team["ann"]
    git(clone, "branch", "-q", "-m", "main", "trunk")  # not the name lunchlearn would guess
    git(clone, "push", "-q", "-u", "origin", "trunk")
    git(clone, "checkout", "-q", "--detach")

    result = signup(clone, "2026-12-18", "Ann")

    assert result[0] == 0
    advice = result[2].split("`")
    assert "git switch trunk" in advice, result[2]
    for command in (part for part in advice if part.startswith("git ")):
        git(clone, *command.split()[1:])
    assert presenters(clone) == {"2026-12-18": "Ann"}
    assert lunchlearn("sync", cwd=clone).exit_code == 0
    assert "2026-12-18" in git(team["origin"], "show", f"trunk:{model.SCHEDULE}")


def test_submodule_entries_from_the_remote_leave_the_folder_alone(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")

    def point_submodule_at(commit: str) -> None:
        git(team["ann"], "update-index", "--add", "--cacheinfo", f"160000,{commit},vendor/sub")
        git(team["ann"], "commit", "-q", "-m", f"Submodule at {commit[:7]}")
        git(team["ann"], "push", "-q")

    point_submodule_at(git(team["ann"], "rev-parse", "HEAD"))
    assert lunchlearn("sync", cwd=team["bob"]).exit_code == 0
    (team["bob"] / "vendor" / "sub").mkdir(parents=True, exist_ok=True)
    (team["bob"] / "vendor" / "sub" / "file.txt").write_text("checked out\n", encoding="utf-8")
    point_submodule_at(git(team["ann"], "rev-parse", "HEAD"))

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 0, result.stderr
    assert (team["bob"] / "vendor" / "sub" / "file.txt").read_text(encoding="utf-8") == "checked out\n"
    assert git(team["bob"], "rev-parse", "HEAD:vendor/sub") == git(team["ann"], "rev-parse", "HEAD~1")
    assert clean_clone(team["bob"])


def test_a_signup_on_a_branch_without_upstream_says_it_is_not_shared(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann")
    git(team["ann"], "switch", "-q", "-c", "feature")

    code, out, err = signup(team["ann"], "2027-01-29", "Ann")

    assert code == 0 and "Signed up Ann" in out
    assert "warning: not shared yet: the branch feature of" in err and "git push -u origin feature" in err
    assert "2027-01-29" not in git(team["origin"], "show", "main:schedule.yaml")


def test_a_rota_without_any_remote_writes_quietly(rota: Path) -> None:
    code, _, err = signup(rota, "2027-01-29", "Ann")
    assert code == 0 and err == ""


def test_write_shares_its_commit_once_the_editor_has_closed(tmp_path: Path) -> None:
    from tests.test_articles import editor

    team = make_team(tmp_path, "ann")
    assert signup(team["ann"], "2026-12-18", "Ann", "--topic", "Fuzzing")[0] == 0
    path = "talks/2026-12-18-fuzzing.md"
    text = (team["ann"] / path).read_text(encoding="utf-8").replace("TODO: Say what", "Fuzzing finds bugs. Say what")

    result = lunchlearn("write", "2026-12-18", env={"VISUAL": editor(tmp_path, "replace", text)}, cwd=team["ann"])

    assert result.exit_code == 0, result.stderr
    assert "Pushed to origin/main" in result.stdout
    assert "Fuzzing finds bugs." in git(team["origin"], "show", f"main:{path}")


def test_an_auto_synced_write_locks_and_reads_the_rota_once(tmp_path: Path) -> None:
    """One write transaction: lock once, read once, plan, commit, push (before, sync wrapped the write)."""
    team = make_team(tmp_path, "ann")
    probe = (
        "import sys\n"
        "from lunchlearn import storage\n"
        "from lunchlearn.cli import main\n"
        "from lunchlearn.git import transaction\n"
        "counts = {'read': 0, 'lock': 0}\n"
        "read, locked = storage.read_rota, transaction.locked\n"
        "def counted_read(root):\n"
        "    counts['read'] += 1\n"
        "    return read(root)\n"
        "def counted_locked(git):\n"
        "    counts['lock'] += 1\n"
        "    return locked(git)\n"
        "storage.read_rota, transaction.locked = counted_read, counted_locked\n"
        "sys.argv = ['lunchlearn', 'signup', '2027-01-29', '--name', 'Ann']\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    print(counts)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=team["ann"], capture_output=True, text=True, check=False)
    assert "Pushed to origin/main" in run.stdout, run.stderr
    assert "{'read': 1, 'lock': 1}" in run.stdout


@pytest.mark.parametrize(
    ("pushed", "kept_by_pull", "ann_on_remote"),
    [
        (("withdraw", "2027-01-22"), ("move", "2027-01-22", "2027-02-19"), "CANCELLED"),
        (("topic", "2027-01-22", "Retitled"), ("withdraw", "2027-01-22"), "CONFIRMED"),
    ],
    ids=["withdrawn-on-remote", "retitled-on-remote"],
)
def test_a_pull_merge_that_sync_overrules_leaves_each_talk_once_in_the_calendar(
    tmp_path: Path, pushed: tuple[str, ...], kept_by_pull: tuple[str, ...], ann_on_remote: str
) -> None:
    """Subscribers see the remote's fate of the talk: a withdrawal there stays cancelled in their calendars, a
    talk kept there is not also cancelled (the local side's cancellation goes with the local change)."""
    team = _ann_booked_in_both_clones(tmp_path, "Move me")
    assert lunchlearn(*kept_by_pull, "--no-sync", cwd=team["bob"]).exit_code == 0
    assert lunchlearn(*pushed, cwd=team["ann"]).exit_code == 0
    subprocess.run(["git", "pull", "--no-rebase", "--no-edit"], cwd=team["bob"], capture_output=True, check=False)
    git(team["bob"], "add", "-A")
    git(team["bob"], "commit", "-q", "--no-edit")

    assert lunchlearn("sync", cwd=team["bob"]).exit_code == 1
    assert lunchlearn("sync", cwd=team["ann"]).exit_code == 0

    feed = icalendar.Calendar.from_ical(lunchlearn("calendar", cwd=team["ann"]).stdout)
    statuses = [(str(event["UID"]), str(event["STATUS"])) for event in feed.events]
    assert [status for _, status in statuses] == [ann_on_remote], statuses
    assert lunchlearn("check", cwd=team["bob"]).exit_code == 0
    assert clean_clone(team["bob"])


def test_a_signup_for_a_date_both_clones_freed_is_kept(tmp_path: Path) -> None:
    """Ann's talk left 22 Jan in both clones (moved on the remote, withdrawn here): Cat's sign-up for the date is
    no conflict; only the withdrawal is undone, since the remote moved the talk first."""
    team = _ann_booked_in_both_clones(tmp_path, "Move me")
    assert lunchlearn("move", "2027-01-22", "2027-02-19", cwd=team["ann"]).exit_code == 0
    assert lunchlearn("withdraw", "2027-01-22", "--no-sync", cwd=team["bob"]).exit_code == 0
    assert signup(team["bob"], "2027-01-22", "Cat", "--topic", "Cats", "--no-sync")[0] == 0

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 1, result.stderr
    assert "Cat" not in result.stderr and "Ann's talk" in result.stderr, result.stderr
    on_remote = {t.date.isoformat(): t.presenter for t in remote_rota(team["origin"]).talks}
    assert on_remote == {"2027-01-22": "Cat", "2027-02-19": "Ann"}
    assert presenters(team["bob"]) == on_remote
    assert lunchlearn("check", cwd=team["bob"]).exit_code == 0
    assert clean_clone(team["bob"])


@pytest.mark.parametrize(
    ("pushed", "replayed"),
    [
        (("confirm", "2027-01-22", "--name", "Ann"), ("withdraw", "2027-01-22")),
        (("move", "2027-01-22", "2027-02-19"), ("swap", "2027-01-22", "2027-01-29")),
        (("withdraw", "2027-01-22"), ("swap", "2027-01-22", "2027-01-29")),
    ],
    ids=["confirm-withdraw", "move-swap", "withdraw-swap"],
)
def test_every_commit_sync_puts_on_the_remote_passes_check(
    tmp_path: Path, pushed: tuple[str, ...], replayed: tuple[str, ...]
) -> None:
    """Whoever checks out a commit of the shared history gets a rota that `check` accepts, not only at the tip."""
    team = _ann_booked_in_both_clones(tmp_path, "Move me")
    assert signup(team["ann"], "2027-01-29", "Bob", "--topic", "Bees")[0] == 0
    assert lunchlearn("sync", cwd=team["bob"]).exit_code == 0
    assert signup(team["bob"], "2027-02-05", "Cat", "--topic", "Cats", "--no-sync")[0] == 0
    assert lunchlearn(*replayed, "--no-sync", cwd=team["bob"]).exit_code == 0
    assert signup(team["bob"], "2027-02-12", "Dan", "--topic", "Dogs", "--no-sync")[0] == 0
    pushed_on = {"LUNCHLEARN_TODAY": "2027-01-18"} if pushed[0] == "confirm" else {}
    assert lunchlearn(*pushed, cwd=team["ann"], env=pushed_on).exit_code == 0
    pushed_first = git(team["origin"], "rev-parse", "main").strip()

    synced = lunchlearn("sync", cwd=team["bob"])
    assert synced.exit_code == 1, synced

    reader = tmp_path / "reader"
    git(tmp_path, "clone", "-q", str(team["origin"]), "reader")
    shared = git(reader, "rev-list", "--reverse", f"{pushed_first}..main").split()
    assert len(shared) >= 2, synced
    assert {"Cat", "Dan"} <= {t.presenter for t in remote_rota(team["origin"]).talks}
    for commit in shared:
        git(reader, "checkout", "-q", commit)
        checked = lunchlearn("check", cwd=reader)
        assert checked.exit_code == 0, (git(reader, "log", "-1", "--format=%s"), checked.stderr)


def test_a_move_onto_a_date_the_remote_took_keeps_the_talk_where_it_was(tmp_path: Path) -> None:
    """Bob moved Ann's talk to 29 Jan and signed Cat up for the date it left; Dan took 29 Jan on the remote
    first. The move is undone, so Ann's talk stays on 22 Jan and Cat's sign-up for it is undone too."""
    team = _ann_booked_in_both_clones(tmp_path, "Move me")
    assert lunchlearn("move", "2027-01-22", "2027-01-29", "--no-sync", cwd=team["bob"]).exit_code == 0
    assert signup(team["bob"], "2027-01-22", "Cat", "--topic", "Cats", "--no-sync")[0] == 0
    assert signup(team["ann"], "2027-01-29", "Dan", "--topic", "Dogs")[0] == 0

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 1, result.stderr
    assert "Cat's sign-up for Fri 22 Jan 2027 was undone" in result.stderr, result.stderr
    on_remote = {t.date.isoformat(): t.presenter for t in remote_rota(team["origin"]).talks}
    assert on_remote == {"2027-01-22": "Ann", "2027-01-29": "Dan"}
    assert presenters(team["bob"]) == on_remote
    assert lunchlearn("check", cwd=team["bob"]).exit_code == 0
    assert clean_clone(team["bob"])


@pytest.mark.parametrize("moves", [["2027-01-29"], ["2027-01-29", "2027-02-05"]], ids=["signup-then-move", "two-moves"])
def test_a_local_change_built_on_one_the_remote_overruled_is_not_lost(tmp_path: Path, moves: list[str]) -> None:
    """Bob signed Dee up for 29 Jan, then moved her talk on; Cat took 29 Jan on the remote first. Replayed one by
    one, the move would start from a sign-up the remote never had: Dee's talk ends where Bob put it last."""
    team = make_team(tmp_path, "ann", "bob")
    assert signup(team["bob"], "2027-01-29", "Dee", "--topic", "Ducks", "--no-sync")[0] == 0
    days = ["2027-01-29", *moves[1:], "2027-02-12"]
    for day, target in itertools.pairwise(days):
        assert lunchlearn("move", day, target, "--no-sync", cwd=team["bob"]).exit_code == 0
    assert signup(team["ann"], "2027-01-29", "Cat", "--topic", "Cats")[0] == 0

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 0, result.stderr
    on_remote = {t.date.isoformat(): t.presenter for t in remote_rota(team["origin"]).talks}
    assert on_remote == {"2027-01-29": "Cat", "2027-02-12": "Dee"}
    assert presenters(team["bob"]) == on_remote
    assert lunchlearn("check", cwd=team["bob"]).exit_code == 0
    assert clean_clone(team["bob"])


def _commit_the_merge_with_the_article_on(clone: Path, article: str) -> None:
    """Finish a pull whose driver kept Ann's talk on 22 Jan: git took the remote's move into the article's
    date, which goes back to 22 Jan; the merge is committed once `check` passes."""
    path = clone / article
    path.write_text(path.read_text(encoding="utf-8").replace("date: 2027-02-19", "date: 2027-01-22"))
    git(clone, "add", "-A")
    assert lunchlearn("check", cwd=clone).exit_code == 0
    git(clone, "commit", "-q", "--no-edit")


def test_after_a_pull_that_kept_a_retitle_sync_keeps_the_talk_where_the_remote_moved_it(tmp_path: Path) -> None:
    team = _ann_booked_in_both_clones(tmp_path, "Move me")
    assert lunchlearn("move", "2027-01-22", "2027-02-19", cwd=team["ann"]).exit_code == 0
    assert lunchlearn("topic", "2027-01-22", "Retitled", "--no-sync", cwd=team["bob"]).exit_code == 0
    subprocess.run(["git", "pull", "--no-rebase", "--no-edit"], cwd=team["bob"], capture_output=True, check=False)
    # resolved as the rota says: the driver kept the retitled talk on 22 Jan, with its article
    git(team["bob"], "rm", "-q", "--ignore-unmatch", "talks/2027-01-22-move-me.md", "talks/2027-02-19-move-me.md")
    _commit_the_merge_with_the_article_on(team["bob"], "talks/2027-01-22-retitled.md")

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 1 and "was undone" in result.stderr, result.stderr
    assert "Ann's talk, moved to Fri 19 Feb 2027" in result.stderr, result.stderr  # where it went, not only gone
    assert [(t.date.isoformat(), t.topic) for t in remote_rota(team["origin"]).talks] == [("2027-02-19", "Move me")]
    assert lunchlearn("check", cwd=team["bob"]).exit_code == 0
    assert clean_clone(team["bob"])


def test_a_date_both_clones_unskipped_is_open_to_a_move(tmp_path: Path) -> None:
    team = _ann_booked_in_both_clones(tmp_path, "Move me")
    assert lunchlearn("skip", "2027-02-19", "--reason", "Offsite", cwd=team["ann"]).exit_code == 0
    assert lunchlearn("sync", cwd=team["bob"]).exit_code == 0
    assert lunchlearn("unskip", "2027-02-19", "--no-sync", cwd=team["bob"]).exit_code == 0
    assert lunchlearn("move", "2027-01-22", "2027-02-19", "--no-sync", cwd=team["bob"]).exit_code == 0
    time.sleep(1.1)  # a second later: the two unskips are different commits
    assert lunchlearn("unskip", "2027-02-19", cwd=team["ann"]).exit_code == 0

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 0, result.stderr
    assert [t.date.isoformat() for t in remote_rota(team["origin"]).talks] == ["2027-02-19"]
    assert remote_rota(team["origin"]).skips == ()
    assert clean_clone(team["bob"])


def test_after_a_pull_that_kept_a_skip_where_the_remote_moved_a_talk_sync_shares_the_remotes(tmp_path: Path) -> None:
    """The pull's merge kept Bob's skip of 19 Feb, and Ann's talk on 22 Jan where it was; the remote had moved
    her talk to 19 Feb first. Sync does not stop at the merge: the remote's move stands, the skip is undone."""
    team = _ann_booked_in_both_clones(tmp_path, "Move me")
    assert lunchlearn("move", "2027-01-22", "2027-02-19", cwd=team["ann"]).exit_code == 0
    assert lunchlearn("skip", "2027-02-19", "--reason", "Offsite", "--no-sync", cwd=team["bob"]).exit_code == 0
    subprocess.run(["git", "pull", "--no-rebase", "--no-edit"], cwd=team["bob"], capture_output=True, check=False)
    # resolved as the rota says: the driver kept Ann's talk on 22 Jan, so her article goes back there
    git(team["bob"], "mv", "talks/2027-02-19-move-me.md", "talks/2027-01-22-move-me.md")
    _commit_the_merge_with_the_article_on(team["bob"], "talks/2027-01-22-move-me.md")

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 1 and "Fri 19 Feb 2027 (skipped (Offsite)) was undone" in result.stderr, result.stderr
    assert [t.date.isoformat() for t in remote_rota(team["origin"]).talks] == ["2027-02-19"]
    assert presenters(team["bob"]) == {"2027-02-19": "Ann"}
    assert lunchlearn("check", cwd=team["bob"]).exit_code == 0
    assert clean_clone(team["bob"])
