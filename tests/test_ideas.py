"""Topic ideas through the real CLI, in real repositories: each command and refusal, and clones of one remote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lunchlearn import storage
from lunchlearn.rota.ideas import IDEAS, dump_ideas, parse_ideas
from tests.helpers import (
    FRIDAYS,
    changed_paths,
    clean_clone,
    commits,
    git,
    lunchlearn,
    make_rota,
    make_team,
    write_files,
)


def add(clone: Path, text: str, *extra: str) -> str:
    """Add an idea and return its ID."""
    result = lunchlearn("ideas", "add", text, *extra, cwd=clone)
    assert result.exit_code == 0, result.stderr
    return result.stdout.split("Added idea ", 1)[1].split(":", 1)[0]


def listed(clone: Path, *extra: str) -> list[dict[str, object]]:
    result = lunchlearn("ideas", "list", "--json", *extra, cwd=clone)
    assert result.exit_code == 0, result.stderr
    data: list[dict[str, object]] = json.loads(result.stdout)
    return data


def votes(clone: Path) -> dict[object, object]:
    return {idea["text"]: idea["votes"] for idea in listed(clone)}


def state(repo: Path) -> tuple[str, str, str]:
    """HEAD, the index and the work tree, to show a refused command changed nothing."""
    return git(repo, "rev-parse", "HEAD"), git(repo, "ls-files", "-s"), git(repo, "status", "--porcelain")


def test_add_commits_only_ideas_yaml_and_lists_it(rota: Path) -> None:
    idea = add(rota, "Rust for Python developers", "--tags", "rust,languages")

    assert len(idea) == 6
    assert commits(rota)[0] == f"Add idea {idea}: Rust for Python developers"
    assert changed_paths(rota) == [IDEAS]
    assert listed(rota) == [
        {
            "id": idea,
            "text": "Rust for Python developers",
            "by": "Test User",
            "added": "2026-11-28",
            "tags": ["rust", "languages"],
            "votes": [],
            "taken": None,
        }
    ]
    assert (rota / IDEAS).read_text(encoding="utf-8").startswith("# Topic ideas")
    assert clean_clone(rota)


def test_the_same_text_gets_the_same_id_in_any_clone_and_is_refused_twice(rota: Path, tmp_path: Path) -> None:
    other = make_rota(tmp_path / "other")
    first = add(rota, "Rust for Python developers")
    assert add(other, "rust  for python DEVELOPERS", "--by", "Bob") == first
    before = state(rota)

    result = lunchlearn("ideas", "add", "RUST for python developers", cwd=rota)

    assert result.exit_code == 1
    assert f"already listed as {first}" in result.stderr and f"lunchlearn ideas vote {first}" in result.stderr
    assert state(rota) == before


def test_list_ranks_by_votes_then_oldest_then_id(rota: Path) -> None:
    newer = lunchlearn("ideas", "add", "Accessible forms", cwd=rota, env={"LUNCHLEARN_TODAY": "2026-11-30"})
    assert newer.exit_code == 0, newer.stderr
    older, popular = add(rota, "Colour theory"), add(rota, "Database indexes")
    assert lunchlearn("ideas", "vote", popular, "--name", "Bob", cwd=rota).exit_code == 0

    assert [idea["text"] for idea in listed(rota)] == ["Database indexes", "Colour theory", "Accessible forms"]
    plain = lunchlearn("ideas", "list", cwd=rota).stdout.splitlines()
    assert plain[0].split() == ["ID", "Votes", "Idea", "Tags", "By"]
    assert plain[1].startswith(f"{popular}  1 ") and plain[2].startswith(older)


def test_one_vote_per_person_and_undo(rota: Path) -> None:
    idea = add(rota, "Accessible forms")
    assert lunchlearn("ideas", "vote", idea[:4], "--name", "Ana Lopez", cwd=rota).exit_code == 0
    before = state(rota)

    again = lunchlearn("ideas", "vote", idea, "--name", "  ana   LOPEZ ", cwd=rota)

    assert again.exit_code == 1 and "already voted" in again.stderr
    assert state(rota) == before
    undone = lunchlearn("ideas", "vote", idea, "--undo", "--name", "ana lopez", cwd=rota)
    assert undone.exit_code == 0, undone.stderr
    assert votes(rota) == {"Accessible forms": []}
    assert commits(rota)[0] == f"Take back ana lopez's vote for idea {idea}: Accessible forms"
    nothing = lunchlearn("ideas", "vote", idea, "--undo", "--name", "Ana Lopez", cwd=rota)
    assert nothing.exit_code == 1 and "has not voted" in nothing.stderr


def test_the_voter_defaults_to_the_git_user(rota: Path) -> None:
    idea = add(rota, "Accessible forms")
    assert lunchlearn("ideas", "vote", idea, cwd=rota).exit_code == 0
    assert votes(rota) == {"Accessible forms": ["Test User"]}


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("vote", "zz"), 2, "not an idea ID"),
        (("vote", "abc"), 2, "4 or more"),
        (("vote", "abcd"), 1, "lunchlearn ideas list"),
        (("drop", "abcd"), 1, "lunchlearn ideas list"),
        (("add", "   "), 2, "empty"),
        (("add", "Ok", "--tags", "a,,b"), 2, "empty tag"),
        (("add", "Ok", "--tags", "a,A"), 2, "twice"),
        (("add", "two\nlines"), 2, "line break"),
    ],
)
def test_bad_input_and_unknown_ideas_are_refused_and_change_nothing(
    rota: Path, args: tuple[str, ...], code: int, words: str
) -> None:
    add(rota, "Accessible forms")
    before = state(rota)

    result = lunchlearn("ideas", *args, cwd=rota)

    assert (result.exit_code, result.stdout) == (code, "")
    assert result.stderr.startswith("error: ") and words in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert state(rota) == before


def test_drop_removes_the_idea_in_one_commit(rota: Path) -> None:
    idea = add(rota, "Accessible forms")
    kept = add(rota, "Colour theory")

    result = lunchlearn("ideas", "drop", idea, cwd=rota)

    assert result.exit_code == 0, result.stderr
    assert [i["id"] for i in listed(rota, "--all")] == [kept]
    assert commits(rota)[0] == f"Drop idea {idea}: Accessible forms"
    assert changed_paths(rota) == [IDEAS]


def test_signup_with_an_idea_takes_its_text_and_tags_in_one_commit(rota: Path) -> None:
    idea = add(rota, "Rust for Python developers", "--tags", "rust,languages")

    result = lunchlearn("signup", FRIDAYS[0], "--idea", idea[:4], "--name", "Ana", cwd=rota)

    assert result.exit_code == 0, result.stderr
    talk = storage.read_rota(rota).talks[0]
    assert talk.topic == "Rust for Python developers"
    article = (rota / talk.article).read_text(encoding="utf-8")
    assert "tags:\n- rust\n- languages\n" in article
    assert changed_paths(rota) == sorted(["schedule.yaml", talk.article, IDEAS])
    assert commits(rota)[0].endswith(f"(idea {idea})")
    assert listed(rota) == []
    assert listed(rota, "--all")[0]["taken"] == FRIDAYS[0]
    before = state(rota)
    again = lunchlearn("signup", FRIDAYS[1], "--idea", idea, "--name", "Bob", cwd=rota)
    assert again.exit_code == 1 and "is taken by the talk on Fri 18 Dec 2026" in again.stderr
    dropped = lunchlearn("ideas", "drop", idea, cwd=rota)
    assert dropped.exit_code == 1 and "withdrawn" in dropped.stderr
    assert state(rota) == before


def test_a_withdrawn_talk_frees_its_idea(rota: Path) -> None:
    idea = add(rota, "Rust for Python developers")
    assert lunchlearn("signup", FRIDAYS[0], "--idea", idea, "--name", "Ana", cwd=rota).exit_code == 0

    assert lunchlearn("withdraw", FRIDAYS[0], cwd=rota).exit_code == 0

    assert [i["id"] for i in listed(rota)] == [idea]
    assert lunchlearn("signup", FRIDAYS[1], "--idea", idea, "--name", "Bob", cwd=rota).exit_code == 0


@pytest.mark.parametrize("retitled", [False, True], ids=["as signed up", "retitled by hand in the rota"])
def test_an_untouched_stub_goes_with_its_withdrawn_talk_whatever_its_tags_and_title(rota: Path, retitled: bool) -> None:
    """The README: an untouched article stub goes with its talk (one from an idea has the idea's tags)."""
    idea = add(rota, "Fuzzing for fun", "--tags", "testing,security")
    assert lunchlearn("signup", FRIDAYS[0], "--idea", idea, "--name", "Ana", cwd=rota).exit_code == 0
    if retitled:  # a topic changed in schedule.yaml by hand: the stub still has the old title
        schedule = rota / "schedule.yaml"
        schedule.write_text(schedule.read_text(encoding="utf-8").replace("Fuzzing for fun", "Fuzzing"), "utf-8")
        git(rota, "commit", "-qam", "Shorter topic")
    article = next((rota / "talks").glob(f"{FRIDAYS[0]}-*.md"))

    withdrawn = lunchlearn("withdraw", FRIDAYS[0], cwd=rota)

    assert withdrawn.exit_code == 0, withdrawn.stderr
    assert not article.exists() and "kept" not in withdrawn.stdout
    assert clean_clone(rota)


def test_an_idea_stays_taken_when_its_talk_moves_or_is_retitled(rota: Path) -> None:
    idea = add(rota, "Rust for Python developers")
    assert lunchlearn("signup", FRIDAYS[0], "--idea", idea, "--name", "Ana", cwd=rota).exit_code == 0

    moved = lunchlearn("move", FRIDAYS[0], "--to", FRIDAYS[2], cwd=rota)
    assert moved.exit_code == 0, moved.stderr
    assert listed(rota) == []
    assert listed(rota, "--all")[0]["taken"] == FRIDAYS[2]
    retitled = lunchlearn("topic", FRIDAYS[2], "Rust for Pythonistas", cwd=rota)
    assert retitled.exit_code == 0, retitled.stderr
    assert listed(rota) == []
    again = lunchlearn("signup", FRIDAYS[1], "--idea", idea, "--name", "Bob", cwd=rota)
    assert again.exit_code == 1 and "is taken by the talk on" in again.stderr


def test_signup_refuses_an_idea_with_a_topic(rota: Path) -> None:
    idea = add(rota, "Rust for Python developers")
    before = state(rota)
    result = lunchlearn("signup", FRIDAYS[0], "--idea", idea, "--topic", "Other", cwd=rota)
    assert result.exit_code == 2 and "--topic or --idea" in result.stderr
    assert state(rota) == before


def test_a_hand_edited_ideas_file_that_does_not_parse_is_reported_and_nothing_is_written(rota: Path) -> None:
    add(rota, "Accessible forms")
    broken = (rota / IDEAS).read_text(encoding="utf-8").replace("  by: Test User\n", "  by: [Test\n")
    write_files(rota, {IDEAS: broken})
    git(rota, "commit", "-qam", "A hand edit")
    before = state(rota)

    for args in (("ideas", "add", "Colour"), ("ideas", "list"), ("ideas", "vote", "abcd")):
        result = lunchlearn(*args, cwd=rota)
        assert result.exit_code == 2, args
        assert result.stderr.startswith("error: ideas.yaml:7:8: not valid YAML")
        assert len(result.stderr.splitlines()) == 1
    assert state(rota) == before
    check = lunchlearn("check", cwd=rota)
    assert check.exit_code == 1 and check.stdout.startswith("ideas.yaml:7:8:")


def test_check_reports_what_is_wrong_in_ideas_yaml(rota: Path) -> None:
    write_files(
        rota,
        {
            IDEAS: "ideas:\n"
            "- {id: abc123, text: One, by: Ann, added: 2026-11-01, votes: [Bob, bob]}\n"
            "- {id: abc123, text: Two, by: Ann, added: 2026-11-01, taken: soon}\n"
            "- {id: def456, text: Three, by: Ann, added: 2026-11-01}\n"
            "- {id: def457, text: three, by: Ann, added: 2026-11-01}\n"
        },
    )

    result = lunchlearn("check", cwd=rota)

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith("ideas.yaml:2:") and "'bob' is listed twice in votes" in line for line in lines)
    assert any(line.startswith("ideas.yaml:3:") and "taken" in line for line in lines)
    assert any(line.startswith("ideas.yaml:5:") and "is here twice" in line for line in lines)


def test_the_first_idea_in_an_older_rota_adds_the_missing_merge_lines(tmp_path: Path) -> None:
    old = make_rota(tmp_path / "old", files={".gitattributes": "schedule.yaml merge=lunchlearn\n"})

    add(old, "Accessible forms")

    assert changed_paths(old) == [".gitattributes", IDEAS]
    assert (old / ".gitattributes").read_text(encoding="utf-8") == (
        "schedule.yaml merge=lunchlearn\nideas.yaml merge=lunchlearn\ntalks/*.feedback.yaml merge=lunchlearn\n"
    )
    add(old, "Colour theory")
    assert changed_paths(old) == [IDEAS]


def test_uncommitted_changes_to_ideas_yaml_are_not_swept_in(rota: Path) -> None:
    add(rota, "Accessible forms")
    write_files(rota, {IDEAS: (rota / IDEAS).read_text(encoding="utf-8") + "# my note\n"})
    before = state(rota)

    result = lunchlearn("ideas", "add", "Colour theory", cwd=rota)

    assert result.exit_code == 1 and "uncommitted changes" in result.stderr
    assert state(rota) == before


def test_an_untracked_hand_written_ideas_yaml_is_not_swept_in(rota: Path) -> None:
    mine = "ideas:\n- id: abcd12\n  text: My draft\n  by: Ann\n  added: 2026-11-20\n# my private notes\n"
    write_files(rota, {IDEAS: mine})
    before = state(rota)

    result = lunchlearn("ideas", "add", "Colour theory", cwd=rota)

    assert result.exit_code == 1 and "ideas.yaml has uncommitted changes" in result.stderr
    assert state(rota) == before and (rota / IDEAS).read_text(encoding="utf-8") == mine


def test_check_warns_when_an_upcoming_topic_looks_like_a_past_talk(tmp_path: Path) -> None:
    root = make_rota(
        tmp_path / "rota",
        talks=[
            {"date": "2026-10-02", "presenter": "Ana Lopez", "topic": "Rust for Python developers"},
            {"date": "2026-12-18", "presenter": "Bob", "topic": "Python developers learning Rust"},
            {"date": "2026-12-25", "presenter": "Cy", "topic": "Accessible forms"},
        ],
    )

    result = lunchlearn("check", cwd=root)

    assert result.exit_code == 0, result.stdout
    [warning] = result.stdout.splitlines()
    assert warning.startswith("schedule.yaml:") and ": warning: the talk on 2026-12-18" in warning
    assert "Ana Lopez gave on 2026-10-02 ('Rust for Python developers')" in warning
    assert "developer, python, rust" in warning
    assert "1 warning" in result.stderr
    as_json = json.loads(lunchlearn("check", "--json", cwd=root).stdout)
    assert [entry["severity"] for entry in as_json] == ["warning"]


def test_tags_in_the_articles_count_toward_the_resemblance(tmp_path: Path) -> None:
    root = make_rota(
        tmp_path / "rota",
        talks=[
            {"date": "2026-10-02", "presenter": "Ana", "topic": "Ownership and borrowing"},
            {"date": "2026-12-18", "presenter": "Bob", "topic": "Borrowing explained"},
        ],
    )
    assert lunchlearn("check", cwd=root).stdout == ""  # 1 word of 3 in common
    for article in (root / "talks").glob("*.md"):
        text = article.read_text(encoding="utf-8").replace("tags: []", "tags: [rust, ownership]")
        article.write_text(text, encoding="utf-8")

    result = lunchlearn("check", cwd=root)

    assert "borrowing, ownership, rust" in result.stdout


def test_languages_spelled_with_symbols_are_not_taken_for_one_another(tmp_path: Path) -> None:
    root = make_rota(
        tmp_path / "rota",
        talks=[
            {"date": "2026-10-02", "presenter": "Ana", "topic": "C++ for beginners"},
            {"date": "2026-10-09", "presenter": "Cy", "topic": "Intro to C#"},
            {"date": "2026-12-18", "presenter": "Bob", "topic": "C# for beginners"},
            {"date": "2026-12-25", "presenter": "Dee", "topic": "C# intro"},
        ],
    )

    result = lunchlearn("check", cwd=root)

    [warning] = result.stdout.splitlines()  # C# is not C++
    assert "the talk on 2026-12-25 ('C# intro')" in warning and "Cy gave on 2026-10-09" in warning
    assert "both are about c#, intro" in warning


# Clones of one remote ----------------------------------------------------------------------------


def test_one_persons_vote_from_two_clones_counts_once(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    idea = add(team["ann"], "Accessible forms")
    assert lunchlearn("sync", cwd=team["bob"]).exit_code == 0
    # Ana votes from her laptop while offline, then from another clone
    assert lunchlearn("ideas", "vote", idea, "--name", "Ana", "--no-sync", cwd=team["bob"]).exit_code == 0
    assert lunchlearn("ideas", "vote", idea, "--name", "ana", cwd=team["ann"]).exit_code == 0

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 0, result.stderr
    assert lunchlearn("sync", cwd=team["ann"]).exit_code == 0
    assert votes(team["ann"]) == votes(team["bob"]) == {"Accessible forms": ["Ana"]}
    assert "<<<<<<<" not in (team["bob"] / IDEAS).read_text(encoding="utf-8")
    assert clean_clone(team["ann"]) and clean_clone(team["bob"])


def test_concurrent_ideas_and_votes_from_several_clones_merge_by_auto_sync(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob", "cy")
    shared = add(team["ann"], "Accessible forms")
    for name in ("bob", "cy"):
        assert lunchlearn("sync", cwd=team[name]).exit_code == 0
    # Offline work in each clone, shared one after the other by sync-on-write
    assert lunchlearn("ideas", "vote", shared, "--name", "Bob", "--no-sync", cwd=team["bob"]).exit_code == 0
    add(team["bob"], "Colour theory", "--no-sync")
    assert lunchlearn("ideas", "vote", shared, "--name", "Cy", "--no-sync", cwd=team["cy"]).exit_code == 0
    add(team["cy"], "Colour  THEORY", "--by", "Cy", "--no-sync")  # the same idea, typed differently
    add(team["cy"], "Database indexes", "--no-sync")

    for name in ("bob", "cy", "ann", "bob"):
        result = lunchlearn("sync", cwd=team[name])
        assert result.exit_code == 0, result.stderr

    expected = {"Accessible forms": ["Bob", "Cy"], "Colour theory": [], "Database indexes": []}
    for name in ("ann", "bob", "cy"):
        if name == "cy":
            assert lunchlearn("sync", cwd=team[name]).exit_code == 0
        got = {str(text).casefold(): v for text, v in votes(team[name]).items()}
        assert got == {text.casefold(): v for text, v in expected.items()}
        text = (team[name] / IDEAS).read_text(encoding="utf-8")
        ideas, problems = parse_ideas(text)
        assert ideas is not None, problems
        assert text == dump_ideas(ideas)  # canonical: no conflict markers
        assert clean_clone(team[name])


@pytest.mark.parametrize("mode", ["--rebase", "--no-rebase"])
def test_git_pull_merges_ideas_with_the_merge_driver(tmp_path: Path, mode: str) -> None:
    team = make_team(tmp_path, "ann", "bob")
    idea = add(team["ann"], "Accessible forms")
    assert lunchlearn("sync", cwd=team["bob"]).exit_code == 0
    assert lunchlearn("ideas", "vote", idea, "--name", "Bob", "--no-sync", cwd=team["bob"]).exit_code == 0
    add(team["bob"], "Colour theory", "--no-sync")
    assert lunchlearn("ideas", "vote", idea, "--name", "Ann", cwd=team["ann"]).exit_code == 0
    add(team["ann"], "Database indexes")

    git(team["bob"], "pull", "-q", mode, "--no-edit")

    assert votes(team["bob"]) == {"Accessible forms": ["Ann", "Bob"], "Colour theory": [], "Database indexes": []}
    text = (team["bob"] / IDEAS).read_text(encoding="utf-8")
    ideas, _ = parse_ideas(text)
    assert ideas is not None and text == dump_ideas(ideas)
    assert clean_clone(team["bob"])


def test_reading_ideas_does_not_import_git_or_rich(rota: Path) -> None:
    import os
    import subprocess
    import sys

    add(rota, "Accessible forms")
    probe = (
        "import sys\nfrom lunchlearn.cli import app\n"
        "for args in (['ideas', 'list'], ['ideas', 'list', '--json', '--all'], ['check']):\n"
        "    try:\n        app(args, prog_name='lunchlearn')\n    except SystemExit as e:\n"
        "        assert e.code == 0, e.code\n"
        "unused = ('git', 'rich', 'icalendar', 'holidays', 'lunchlearn.git.repo',\n"
        "          'lunchlearn.git.transaction', 'lunchlearn.usecases.sync')\n"
        "print('heavy:', sorted(m for m in unused if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=rota, capture_output=True, text=True,
        env={**os.environ, "NO_COLOR": "1"}, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("heavy: []")


@pytest.mark.parametrize("how", ["sync", "pull --rebase", "pull --no-rebase"])
def test_the_first_ideas_from_two_clones_merge_when_neither_had_the_file(tmp_path: Path, how: str) -> None:
    team = make_team(tmp_path, "ann", "bob")
    add(team["bob"], "Colour theory", "--no-sync")
    add(team["ann"], "Accessible forms")

    if how == "sync":
        assert lunchlearn("sync", cwd=team["bob"]).exit_code == 0
    else:
        git(team["bob"], *how.split(), "-q", "--no-edit")

    assert set(votes(team["bob"])) == {"Accessible forms", "Colour theory"}
    assert clean_clone(team["bob"])


@pytest.mark.parametrize("how", ["sync", "pull --rebase", "pull --no-rebase"])
def test_an_idea_a_talk_took_survives_a_drop_from_another_clone(tmp_path: Path, how: str) -> None:
    team = make_team(tmp_path, "ann", "bob")
    idea = add(team["ann"], "Rust for Python developers")
    assert lunchlearn("sync", cwd=team["bob"]).exit_code == 0
    dropped = lunchlearn("ideas", "drop", idea, "--no-sync", cwd=team["bob"])
    assert dropped.exit_code == 0, dropped.stderr
    signed = lunchlearn("signup", FRIDAYS[0], "--idea", idea, "--name", "Ann", cwd=team["ann"])
    assert signed.exit_code == 0, signed.stderr

    if how == "sync":
        assert lunchlearn("sync", cwd=team["bob"]).exit_code == 0
    else:
        git(team["bob"], *how.split(), "-q", "--no-edit")

    [kept] = listed(team["bob"], "--all")
    assert kept["id"] == idea and kept["taken"] == FRIDAYS[0]  # the record of where the talk came from
    assert clean_clone(team["bob"])


def test_a_signup_with_an_idea_that_lost_its_date_in_sync_leaves_the_idea_open(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    idea = add(team["ann"], "Rust for Python developers")
    assert lunchlearn("sync", cwd=team["bob"]).exit_code == 0
    bob = lunchlearn("signup", FRIDAYS[0], "--idea", idea, "--name", "Bob", "--no-sync", cwd=team["bob"])
    assert bob.exit_code == 0, bob.stderr
    ann = lunchlearn("signup", FRIDAYS[0], "--topic", "Colour", "--name", "Ann", cwd=team["ann"])
    assert ann.exit_code == 0, ann.stderr

    result = lunchlearn("sync", cwd=team["bob"])

    assert result.exit_code == 1 and "undone" in result.stderr
    assert [i["id"] for i in listed(team["bob"])] == [idea]  # free to claim again
    assert storage.read_rota(team["bob"]).talks[0].presenter == "Ann"
    assert clean_clone(team["bob"])
