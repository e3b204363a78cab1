"""Writing commands against the state git and other processes leave a clone in, through the real CLI.

An unfinished merge or rebase, a talk changed in another shell while the editor is open, a stale
lock on the remote, a merge driver this user cannot run, a bare repository, links out of the rota.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from lunchlearn.git.driver import DRIVER_CONFIG_KEY
from lunchlearn.rota import model
from tests.helpers import clean_clone, commits, git, lunchlearn, make_rota, make_team, write_files
from tests.test_articles import WRITTEN, front_matter
from tests.test_publish import make_hugo, make_rota_with_article

TOPIC = "Caching without tears"
ARTICLE = "talks/2026-12-18-caching-without-tears.md"
# An editor that first runs lunchlearn in the same clone (another shell, a real second process),
# then saves the text it was given over the edited file (the last argument).
EDITOR_SCRIPT = """\
import pathlib, subprocess, sys
source, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[-1])
for command in sys.argv[2:-1]:
    subprocess.run([sys.executable, "-m", "lunchlearn", *command.split("|")], check=True, cwd=target.parent)
target.write_bytes(source.read_bytes())
"""


def other_shell_editor(tmp_path: Path, text: str, *commands: list[str]) -> str:
    """A VISUAL value that runs each lunchlearn command line, then saves `text` and exits."""
    script = tmp_path / "other-shell-editor.py"
    script.write_text(EDITOR_SCRIPT, encoding="utf-8")
    source = tmp_path / "saved-text.md"
    source.write_text(text, encoding="utf-8")
    return shlex.join([sys.executable, str(script), str(source), *("|".join(c) for c in commands)])


@pytest.fixture
def signed_up(rota: Path) -> Path:
    """Test User (the git identity) presents on 18 Dec 2026; the article is an untouched stub."""
    result = lunchlearn("signup", "--date", "2026-12-18", "--topic", TOPIC, cwd=rota)
    assert result.exit_code == 0, result.stderr
    return rota


def check_passes(root: Path) -> bool:
    return lunchlearn("check", cwd=root).exit_code == 0


# --- write, save: the talk changed in another shell while the editor was open -----------------


@pytest.mark.parametrize("written", [False, True], ids=["stub", "written-article"])
def test_write_commits_nothing_for_a_talk_withdrawn_while_the_editor_was_open(
    signed_up: Path, tmp_path: Path, written: bool
) -> None:
    if written:
        write_files(signed_up, {ARTICLE: WRITTEN})
        git(signed_up, "commit", "-q", "-am", "Written")
    mine = WRITTEN + "\nTyped while someone withdrew the talk.\n"
    editor = other_shell_editor(tmp_path, mine, ["withdraw", "--date", "2026-12-18"])
    head = git(signed_up, "rev-parse", "HEAD")

    result = lunchlearn("write", "2026-12-18", env={"VISUAL": editor}, cwd=signed_up)

    assert result.exit_code == 1
    assert "withdrawn while the editor was open" in result.stderr
    assert f"your text is kept in {ARTICLE}" in result.stderr
    assert commits(signed_up)[0].startswith("Withdraw Test User")
    assert git(signed_up, "rev-parse", "HEAD~1") == head
    assert (signed_up / ARTICLE).read_text(encoding="utf-8") == mine


def test_write_commits_nothing_for_a_talk_signed_up_by_someone_else_meanwhile(
    signed_up: Path, tmp_path: Path
) -> None:
    editor = other_shell_editor(
        tmp_path,
        WRITTEN,
        ["withdraw", "--date", "2026-12-18"],
        ["signup", "--date", "2026-12-18", "--name", "Ray Moreno", "--topic", TOPIC],
    )

    result = lunchlearn("write", "2026-12-18", env={"VISUAL": editor}, cwd=signed_up)

    assert result.exit_code == 1
    assert "now Ray Moreno's talk" in result.stderr and "nothing was committed" in result.stderr
    assert commits(signed_up)[0].startswith("Sign up Ray Moreno")
    assert (signed_up / ARTICLE).read_text(encoding="utf-8") == WRITTEN


def test_write_commits_nothing_for_a_talk_moved_meanwhile(signed_up: Path, tmp_path: Path) -> None:
    script = tmp_path / "move.py"
    script.write_text(
        "import pathlib, subprocess, sys\n"
        "rota, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[-1])\n"
        "schedule = rota / 'schedule.yaml'\n"
        "schedule.write_text(schedule.read_text().replace('date: 2026-12-18', 'date: 2027-01-08'))\n"
        "subprocess.run(['git', 'commit', '-qam', 'Move the talk'], cwd=rota, check=True)\n"
        f"target.write_text({WRITTEN!r})\n",
        encoding="utf-8",
    )
    editor = shlex.join([sys.executable, str(script), str(signed_up)])

    result = lunchlearn("write", "2026-12-18", env={"VISUAL": editor}, cwd=signed_up)

    assert result.exit_code == 1
    assert "moved to Fri 8 Jan 2027 while the editor was open" in result.stderr
    assert commits(signed_up)[0] == "Move the talk"
    assert (signed_up / ARTICLE).read_text(encoding="utf-8") == WRITTEN


def test_write_does_not_undo_a_commit_another_shell_made_to_the_article_meanwhile(
    signed_up: Path, tmp_path: Path
) -> None:
    write_files(signed_up, {ARTICLE: WRITTEN})
    git(signed_up, "commit", "-q", "-am", "Written")
    mine = WRITTEN + "\nOne more paragraph.\n"  # the editor's buffer still says `status: draft`
    editor = other_shell_editor(tmp_path, mine, ["ready", "2026-12-18"])

    result = lunchlearn("write", "2026-12-18", env={"VISUAL": editor}, cwd=signed_up)

    assert result.exit_code == 1
    assert f"{ARTICLE} was committed by another command while the editor was open" in result.stderr
    assert "Mark article ready" in result.stderr and "git diff" in result.stderr
    assert commits(signed_up)[0].startswith("Mark article ready")
    assert (signed_up / ARTICLE).read_text(encoding="utf-8") == mine


def test_save_refuses_an_article_no_talk_points_to(signed_up: Path) -> None:
    assert lunchlearn("withdraw", "--date", "2026-12-18", cwd=signed_up).exit_code == 0
    write_files(signed_up, {ARTICLE: WRITTEN})  # an editor opened before the withdraw saves now
    head = git(signed_up, "rev-parse", "HEAD")

    result = lunchlearn("save", cwd=signed_up)

    assert result.exit_code == 1
    assert f"{ARTICLE}:1:1: no talk in schedule.yaml points to this article" in result.stderr
    assert git(signed_up, "rev-parse", "HEAD") == head
    assert (signed_up / ARTICLE).read_text(encoding="utf-8") == WRITTEN


def test_save_still_commits_an_article_kept_as_withdrawn(signed_up: Path) -> None:
    write_files(signed_up, {ARTICLE: WRITTEN})
    git(signed_up, "commit", "-q", "-am", "Written")
    assert lunchlearn("withdraw", "--date", "2026-12-18", cwd=signed_up).exit_code == 0
    write_files(signed_up, {ARTICLE: front_matter(status="withdrawn") + "\nNotes for another time.\n"})

    result = lunchlearn("save", cwd=signed_up)

    assert result.exit_code == 0, result.stderr
    assert check_passes(signed_up)


# --- an unfinished git operation: merge, rebase, cherry-pick, revert, bisect ---------------------


def _diverge(root: Path) -> str:
    """A branch `other` and main both changing notes.txt; returns other's commit."""
    write_files(root, {"notes.txt": "base\n"})
    git(root, "add", "notes.txt")
    git(root, "commit", "-q", "-m", "Notes")
    git(root, "switch", "-q", "-c", "other")
    write_files(root, {"notes.txt": "other\n"})
    git(root, "commit", "-q", "-am", "Other notes")
    git(root, "switch", "-q", "main")
    write_files(root, {"notes.txt": "main\n"})
    git(root, "commit", "-q", "-am", "Main notes")
    return git(root, "rev-parse", "other")


def stop_half_way(root: Path, operation: str) -> None:
    """Leave git half-way through `operation`, stopped on a conflict as a user would meet it."""
    other = _diverge(root)
    command = {
        "merge": ["merge", "other"],
        "rebase": ["rebase", "other"],
        "cherry-pick": ["cherry-pick", other],
        "revert": ["revert", "--no-edit", "HEAD~1"],
        "bisect": ["bisect", "start", "HEAD", "HEAD~2"],
        "am": ["am", "--3way", str(root.parent / "other.patch")],
    }[operation]
    if operation == "revert":
        write_files(root, {"notes.txt": "main again\n"})
        git(root, "commit", "-q", "-am", "Main notes again")
    if operation == "am":
        patch = git(root, "format-patch", "-1", "--stdout", other)
        (root.parent / "other.patch").write_text(patch + "\n", encoding="utf-8")
    finished = subprocess.run(["git", *command], cwd=root, capture_output=True, text=True, check=False)
    assert operation == "bisect" or finished.returncode != 0, finished.stdout


def _snapshot(root: Path) -> tuple[str, str, str]:
    return (
        git(root, "rev-parse", "HEAD"),
        git(root, "status", "--porcelain", "--untracked-files=all"),
        (root / model.SCHEDULE).read_text(encoding="utf-8"),
    )


ABORT = {
    "merge": "git merge --abort",
    "rebase": "git rebase --abort",
    "cherry-pick": "git cherry-pick --abort",
    "revert": "git revert --abort",
    "bisect": "git bisect reset",
    "am": "git am --abort",
}


@pytest.mark.parametrize("operation", list(ABORT))
def test_a_no_sync_signup_is_refused_during_any_unfinished_git_operation(rota: Path, operation: str) -> None:
    stop_half_way(rota, operation)
    before = _snapshot(rota)

    result = lunchlearn("signup", "--date", "2026-12-18", "--name", "Ann", "--no-sync", cwd=rota)

    assert result.exit_code == 1
    assert f"a {operation} is in progress in {rota.resolve()};" in result.stderr
    assert ABORT[operation] in result.stderr
    assert _snapshot(rota) == before


@pytest.mark.parametrize(
    "command",
    [
        ["withdraw", "--date", "2026-12-18", "--no-sync"],
        ["save"],
        ["ready", "2026-12-18"],
        ["write", "2026-12-18"],
        ["sync"],
        ["init", "."],
        ["init", "elsewhere"],
    ],
    ids=lambda c: "-".join(c[:2]),
)
def test_every_writing_command_is_refused_during_a_rebase(
    signed_up: Path, tmp_path: Path, command: list[str]
) -> None:
    write_files(signed_up, {ARTICLE: WRITTEN})
    git(signed_up, "commit", "-q", "-am", "Written")
    if command[0] == "init":
        (signed_up / model.SCHEDULE).unlink()
        git(signed_up, "commit", "-q", "-am", "The rota moves out")
    stop_half_way(signed_up, "rebase")
    if command[0] == "save":
        write_files(signed_up, {ARTICLE: WRITTEN + "More.\n"})
    before = _snapshot(signed_up) if command[0] != "init" else git(signed_up, "rev-parse", "HEAD")
    editor = other_shell_editor(tmp_path, WRITTEN + "Edited.\n")

    result = lunchlearn(*command, env={"VISUAL": editor}, cwd=signed_up)

    assert result.exit_code == 1, result.stdout
    assert f"a rebase is in progress in {signed_up.resolve()};" in result.stderr
    assert "git rebase --continue" in result.stderr and "git rebase --abort" in result.stderr
    if command[0] == "init":
        assert git(signed_up, "rev-parse", "HEAD") == before
        assert not (signed_up / model.SCHEDULE).exists() and not (signed_up / "elsewhere").exists()
    else:
        assert _snapshot(signed_up) == before


def test_publish_is_refused_while_the_rota_itself_is_half_way_through_a_rebase(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path)
    site = make_hugo(tmp_path)
    stop_half_way(rota, "rebase")
    before = _snapshot(rota)

    result = lunchlearn("publish", "2026-11-27", "--site", str(site), cwd=rota)

    assert result.exit_code == 1
    assert f"a rebase is in progress in {rota.resolve()};" in result.stderr
    assert _snapshot(rota) == before
    assert commits(site) == ["Site"]


def test_publish_names_the_site_repository_and_how_to_finish_its_cherry_pick(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path)
    site = make_hugo(tmp_path)
    stop_half_way(site, "cherry-pick")
    site_head = git(site, "rev-parse", "HEAD")

    result = lunchlearn("publish", "2026-11-27", "--site", str(site), cwd=rota)

    assert result.exit_code == 1
    assert f"a cherry-pick is in progress in {site.resolve()}" in result.stderr
    assert "git cherry-pick --abort" in result.stderr
    assert git(site, "rev-parse", "HEAD") == site_head and not (site / "content").exists()


def test_reading_commands_still_work_during_a_rebase(signed_up: Path) -> None:
    stop_half_way(signed_up, "rebase")
    for command in (["next"], ["schedule"], ["slots"], ["check"]):
        result = lunchlearn(*command, cwd=signed_up)
        assert result.exit_code == 0, (command, result.stderr)


# --- sharing: a stale lock on the remote, an upstream never fetched ----------------------------


def test_a_stale_lock_on_the_remote_is_named_instead_of_a_race(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann")
    lock = team["origin"] / "refs" / "heads" / "main.lock"
    lock.write_text("", encoding="utf-8")  # left by a push that was killed

    signed = lunchlearn("signup", "--date", "2026-12-18", "--name", "Ann", cwd=team["ann"])
    synced = lunchlearn("sync", cwd=team["ann"])

    for result in (signed, synced):
        assert result.exit_code == 1
        assert "could not lock the branch on origin/main" in result.stderr
        assert str(lock) in result.stderr and "delete that file" in result.stderr
        assert "changed" not in result.stderr and "publishing" not in result.stderr
    assert "Sign up Ann" in commits(team["ann"])[0]
    lock.unlink()
    assert lunchlearn("sync", cwd=team["ann"]).exit_code == 0
    assert "2026-12-18" in git(team["origin"], "show", "main:schedule.yaml")


def test_a_lock_left_in_this_clone_is_not_called_an_unreachable_remote(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    assert lunchlearn("signup", "--date", "2027-01-08", "--name", "Bob", cwd=team["bob"]).exit_code == 0
    lock = team["ann"] / ".git" / "refs" / "remotes" / "origin" / "main.lock"
    lock.write_text("", encoding="utf-8")  # left by a `git fetch` that was killed

    result = lunchlearn("sync", cwd=team["ann"])

    assert result.exit_code == 1
    assert "could not reach" not in result.stderr
    assert f"another git command is using this repository ({lock} exists)" in result.stderr
    assert "then run lunchlearn sync" in result.stderr


def test_publish_push_names_a_stale_lock_on_the_sites_remote(tmp_path: Path) -> None:
    rota, site = make_rota_with_article(tmp_path), make_hugo(tmp_path)
    remote = tmp_path / "site-remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(site, "remote", "add", "origin", str(remote))
    git(site, "push", "-q", "-u", "origin", "main")
    lock = remote / "refs" / "heads" / "main.lock"
    lock.write_text("", encoding="utf-8")

    result = lunchlearn("publish", "2026-11-27", "--push", cwd=rota)

    assert result.exit_code == 1
    assert "the post is committed in the site" in result.stderr
    assert f"could not lock the branch on origin/main: {lock} exists on the remote" in result.stderr
    assert "this repository" not in result.stderr


def test_a_remote_that_keeps_moving_is_reported_as_changing_while_pushing(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann")
    hook = team["origin"] / "hooks" / "pre-receive"
    # Someone else's push lands while each of ours is being received.
    hook.write_text(
        "#!/bin/sh\n"
        "unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES\n"
        "tree=$(git rev-parse 'main^{tree}')\n"
        "git update-ref refs/heads/main $(echo other | git commit-tree $tree -p main)\n",
        encoding="utf-8",
    )
    hook.chmod(0o755)

    result = lunchlearn("signup", "--date", "2026-12-18", "--name", "Ann", cwd=team["ann"])

    assert result.exit_code == 1
    assert "origin/main changed 5 times while pushing" in result.stderr


@pytest.mark.parametrize("command", ["signup", "sync"])
def test_commits_waiting_for_a_remote_never_fetched_are_not_called_nothing(tmp_path: Path, command: str) -> None:
    team = make_team(tmp_path, "ann")
    clone = team["ann"]
    git(clone, "update-ref", "-d", "refs/remotes/origin/main")
    git(clone, "remote", "set-url", "origin", str(tmp_path / "asks-for-credentials.git"))
    if command == "sync":
        assert lunchlearn("signup", "--date", "2026-12-18", "--name", "Ann", "--no-sync", cwd=clone).exit_code == 0
        result = lunchlearn("sync", cwd=clone)
    else:
        result = lunchlearn("signup", "--date", "2026-12-18", "--name", "Ann", cwd=clone)

    assert "nothing of yours is waiting" not in result.stderr
    assert "could not reach origin/main" in result.stderr
    assert "has never been fetched" in result.stderr and "`lunchlearn sync`" in result.stderr, result.stderr
    assert "Ann" in commits(clone)[0]


def test_commits_waiting_are_counted_against_what_was_last_fetched(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann")
    git(team["ann"], "remote", "set-url", "origin", str(tmp_path / "gone.git"))

    result = lunchlearn("signup", "--date", "2026-12-18", "--name", "Ann", cwd=team["ann"])

    assert result.exit_code == 0
    assert "1 local commit saved here but not shared yet" in result.stderr


# --- the merge driver registered by another user ----------------------------------------------


def _driver_program(root: Path) -> str:
    return shlex.split(git(root, "config", "--get", DRIVER_CONFIG_KEY))[0]


@pytest.mark.parametrize(
    "program",
    ["/nonexistent/bin/python3", "/" + "x" * 300 + "/python3", "not-executable"],
    ids=["missing", "name-too-long", "not-executable"],
)
def test_reading_commands_never_fail_because_of_the_merge_driver(signed_up: Path, program: str) -> None:
    if program == "not-executable":
        program = str(signed_up.parent / "python3")
        Path(program).write_text("#!/bin/sh\n", encoding="utf-8")
    git(signed_up, "config", DRIVER_CONFIG_KEY, f"{shlex.quote(program)} -m lunchlearn merge-driver -- %O %A %B %P")

    for command in (["next"], ["schedule"], ["slots"], ["check"]):
        result = lunchlearn(*command, cwd=signed_up)
        assert result.exit_code == 0, (command, result.stderr)


def test_a_writing_command_registers_the_driver_again_when_this_user_cannot_run_it(signed_up: Path) -> None:
    foreign = signed_up.parent / "someone-elses-python3"
    foreign.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    foreign.chmod(0o644)
    git(signed_up, "config", DRIVER_CONFIG_KEY, f"{foreign} -m lunchlearn merge-driver -- %O %A %B %P")

    result = lunchlearn("signup", "--date", "2027-01-08", "--name", "Ann", cwd=signed_up)

    assert result.exit_code == 0, result.stderr
    assert _driver_program(signed_up) == sys.executable


# --- init where no rota can live -----------------------------------------------------------------


@pytest.mark.parametrize("where", [".", "sub"])
def test_init_into_a_bare_repository_says_to_clone_it(tmp_path: Path, where: str) -> None:
    bare = tmp_path / "team.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    before = sorted(p.relative_to(bare).as_posix() for p in bare.rglob("*"))

    result = lunchlearn("init", str(bare / where))

    assert result.exit_code == 1
    assert "is a bare repository" in result.stderr
    assert f"git clone {bare.resolve()} DIR" in result.stderr and "lunchlearn init DIR" in result.stderr
    assert sorted(p.relative_to(bare).as_posix() for p in bare.rglob("*")) == before


@pytest.mark.parametrize("where", [".git", ".git/refs", ".git/new-folder"])
def test_init_inside_a_git_folder_is_refused(tmp_path: Path, where: str) -> None:
    root = make_rota(tmp_path / "work")
    (root / model.SCHEDULE).unlink()
    git(root, "commit", "-q", "-am", "No rota yet")
    head = git(root, "rev-parse", "HEAD")

    result = lunchlearn("init", str(root / where))

    assert result.exit_code == 1
    assert "inside the .git folder" in result.stderr and f"lunchlearn init {root.resolve()}" in result.stderr
    assert not (root / ".git" / model.SCHEDULE).exists() and not (root / ".git" / "new-folder").exists()
    assert git(root, "rev-parse", "HEAD") == head and clean_clone(root)


# --- check: links that lead out of the rota ----------------------------------------------------


def _commit_link(root: Path, path: str, target: Path) -> None:
    link = root / path
    if link.is_dir() and not link.is_symlink():
        git(root, "rm", "-q", "-r", "--", path)
    elif link.exists():
        git(root, "rm", "-q", "--", path)
    link.symlink_to(target)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"Link {path}")


def test_check_reports_a_talks_folder_that_is_a_link_out_of_the_repository(rota: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    _commit_link(rota, "talks", outside)

    result = lunchlearn("check", cwd=rota)

    assert result.exit_code == 1
    assert f"talks: a symbolic link to {outside}, outside the rota folder" in result.stdout
    assert "git rm talks" in result.stdout


def test_check_reports_a_schedule_that_is_a_link_out_of_the_repository(rota: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text((rota / model.SCHEDULE).read_text(encoding="utf-8"), encoding="utf-8")
    _commit_link(rota, model.SCHEDULE, outside)

    result = lunchlearn("check", cwd=rota)

    assert result.exit_code == 1
    assert f"schedule.yaml: a symbolic link to {outside}, outside the rota folder" in result.stdout


def test_check_reports_an_article_link_out_of_the_repository_even_when_dangling(
    signed_up: Path, tmp_path: Path
) -> None:
    _commit_link(signed_up, ARTICLE, tmp_path / "gone.md")

    result = lunchlearn("check", cwd=signed_up)

    assert result.exit_code == 1
    assert f"{ARTICLE}: a symbolic link to {tmp_path / 'gone.md'}, outside the rota folder" in result.stdout
    assert "does not exist" not in result.stdout


def test_check_reports_a_feedback_link_out_once_and_leaves_a_linked_picture_alone(rota: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "diagram.png").write_bytes(b"\x89PNG\r\n")
    (outside / "feedback.yaml").write_text("talk: 2026-11-20\nfeedback: []\n", encoding="utf-8")
    _commit_link(rota, "talks/diagram.png", outside / "diagram.png")  # not an article: not lunchlearn's to read
    _commit_link(rota, "talks/2026-11-20.feedback.yaml", outside / "feedback.yaml")

    result = lunchlearn("check", cwd=rota)

    assert result.exit_code == 1
    assert "diagram.png" not in result.stdout
    reported = [line for line in result.stdout.splitlines() if "2026-11-20.feedback.yaml" in line]
    assert len(reported) == 1 and "outside" in reported[0], result.stdout


def test_check_never_reads_an_article_swapped_for_a_link_out_after_talks_was_listed(
    signed_up: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process replaces a plain article by a link out of the rota between `check` listing talks/
    and reading it: the link is reported, and what it leads to is not read."""
    from lunchlearn.usecases import checking

    outside = tmp_path / "private.md"
    outside.write_text("---\ntitle: [never shown\n---\nPrivate text.\n", encoding="utf-8")
    listing = checking._talks_folder

    def listed_then_swapped(root: Path) -> dict[str, os.DirEntry[str]]:
        entries = listing(root)
        (root / ARTICLE).unlink()
        (root / ARTICLE).symlink_to(outside)
        return entries

    monkeypatch.setattr(checking, "_talks_folder", listed_then_swapped)
    result = lunchlearn("check", cwd=signed_up)

    assert result.exit_code == 1
    assert f"{ARTICLE}:1:1: '{ARTICLE}' points outside {signed_up}; refusing to touch it" in result.stdout
    assert "never shown" not in result.stdout and "title" not in result.stdout


def test_check_reports_a_folder_named_like_a_feedback_file_and_keeps_no_file_open(rota: Path) -> None:
    (rota / "talks" / "2026-11-20.feedback.yaml").mkdir()
    open_before = len(os.listdir("/proc/self/fd"))

    result = lunchlearn("check", cwd=rota)

    assert result.exit_code == 1
    assert "talks/2026-11-20.feedback.yaml:1:1: cannot be read: Is a directory" in result.stdout
    assert len(os.listdir("/proc/self/fd")) == open_before
