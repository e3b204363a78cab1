"""Feedback on past talks: giving it, replacing it, the summary, check, and merging it across clones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lunchlearn import storage
from lunchlearn.rota import feedback
from lunchlearn.rota.feedback import Feedback, TalkFeedback, dump_feedback, merge_feedback, parse_feedback
from lunchlearn.rota.model import same_person
from lunchlearn.rota.yamltext import Problem
from tests.helpers import changed_paths, clean_clone, commits, git, lunchlearn, make_rota, make_team, write_files

TALK = "2026-11-27"  # Ray's talk, the day before the tests' today
FILE = f"talks/{TALK}.feedback.yaml"


@pytest.fixture
def past(tmp_path: Path) -> Path:
    """Ray Patel presented on 27 Nov; 20 Nov had no talk; 13 Nov was skipped; Sam presents on 18 Dec."""
    return make_rota(
        tmp_path / "rota",
        talks=[
            {"date": TALK, "presenter": "Ray Patel", "topic": "Colour"},
            {"date": "2026-12-18", "presenter": "Sam"},
        ],
        skipped=[{"date": "2026-11-13", "reason": "All-hands"}],
    )


def give(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = lunchlearn("feedback", *args, cwd=root, env=env)
    return result.exit_code, result.stdout, result.stderr


def entries(root: Path, day: str = TALK) -> tuple[Feedback, ...]:
    return storage.read_all_feedback(root).get(date.fromisoformat(day), ())


def test_feedback_is_committed_beside_the_talk(past: Path) -> None:
    code, out, err = give(past, TALK, "--rating", "4", "--comment", "Loved the worked examples", "--name", "Ana Lopez")

    assert code == 0, err
    assert "Recorded Ana Lopez's feedback on Ray Patel's talk of Fri 27 Nov 2026" in out
    text = (past / FILE).read_text(encoding="utf-8")
    assert text.startswith(
        "# Feedback on the talk of Fri 27 Nov 2026, kept by `lunchlearn feedback`. git records who gave each entry.\n"
        f"talk: {TALK}\nfeedback:\n- by: Ana Lopez\n  rating: 4\n  comment: Loved the worked examples\n  given: "
    )
    assert [(e.by, e.rating, e.comment) for e in entries(past)] == [("Ana Lopez", 4, "Loved the worked examples")]
    assert commits(past)[0] == "Add Ana Lopez's feedback on Fri 27 Nov 2026: Colour"
    assert changed_paths(past) == [".gitattributes", FILE]  # the merge line comes with the first feedback
    assert "talks/*.feedback.yaml merge=lunchlearn" in (past / ".gitattributes").read_text(encoding="utf-8")
    assert git(past, "log", "-1", "--format=%an") == "Test User"  # git records who gave it
    assert clean_clone(past)


def test_a_second_feedback_by_the_same_person_replaces_the_first(past: Path) -> None:
    assert give(past, "--date", TALK, "--rating", "2", "--comment", "Too fast")[0] == 0
    assert give(past, TALK, "--rating", "3", "--name", "Bo")[0] == 0

    code, out, err = give(past, TALK, "--rating", "5", "--comment", "Better on a second look")

    assert code == 0, err
    assert "replaced your earlier feedback" in out
    assert sorted((e.by, e.rating, e.comment) for e in entries(past)) == [
        ("Bo", 3, ""), ("Test User", 5, "Better on a second look")
    ]
    assert commits(past)[0] == "Replace Test User's feedback on Fri 27 Nov 2026: Colour"
    assert changed_paths(past) == [FILE]


@pytest.mark.parametrize(
    ("day", "extra", "message"),
    [
        ("2026-12-18", [], "has not happened yet"),
        ("2027-01-08", [], "Fri 8 Jan 2027 is still to come and has no talk"),
        ("2026-11-20", [], "nobody presented on Fri 20 Nov 2026"),
        ("2026-11-13", [], "was skipped (All-hands)"),
        (TALK, ["--name", "ray patel"], "is ray patel's own"),
    ],
)
def test_feedback_is_refused_without_a_past_talk_to_rate(
    past: Path, day: str, extra: list[str], message: str
) -> None:
    before = commits(past)

    code, _, err = give(past, day, "--rating", "4", *extra)

    assert code == 1 and message in err and err.startswith("error: ")
    assert commits(past) == before and clean_clone(past)


def test_feedback_on_a_public_holiday_is_refused(tmp_path: Path) -> None:
    root = make_rota(tmp_path / "rota", talks=[{"date": "2025-12-26", "presenter": "Ray Patel"}])
    path = root / "schedule.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "holidays:\n  country: GB\n", encoding="utf-8")
    git(root, "commit", "-qam", "Holidays")

    code, _, err = give(root, "2025-12-26", "--rating", "4")

    assert code == 1 and "Fri 26 Dec 2025 was skipped (Boxing Day)" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rating", "0"], "rating 0 is not between 1 and 5"),
        (["--rating", "6"], "rating 6 is not between 1 and 5"),
        (["--rating", "four"], "'four' is not a valid int"),
        (["--rating", "4", "--comment", "bell\x07"], "control character"),
        (["--rating", "4", "--comment", "word " * 1000], "keep it to 2000"),
        ([], "Missing option '--rating'"),
        (["--rating", "4", "--json"], "--json goes with --show"),
        (["--show", "--rating", "4"], "--show only summarises"),
    ],
)
def test_bad_feedback_is_bad_input_and_writes_nothing(past: Path, args: list[str], message: str) -> None:
    before = commits(past)

    code, _, err = give(past, TALK, *args)

    assert code == 2 and message in err and err.count("\n") == 1
    assert commits(past) == before and clean_clone(past)


def test_show_summarises_the_feedback_for_the_presenter(past: Path) -> None:
    for name, rating, comment in (("Ana", "4", "Loved the worked examples"), ("Bo", "5", ""), ("Cy", "4", "More")):
        assert give(past, TALK, "--rating", rating, "--comment", comment, "--name", name)[0] == 0

    code, out, err = give(past, TALK, "--show")
    data = json.loads(give(past, "--date", TALK, "--show", "--json")[1])

    assert code == 0, err
    assert "Feedback on Ray Patel's talk of Fri 27 Nov 2026: Colour" in out
    assert "3 ratings, average 4.3 out of 5" in out
    assert "  4: ## 2" in out and "  1: 0" in out
    assert "  - Loved the worked examples (Ana, 4)" in out and "  - More (Cy, 4)" in out
    assert data["count"] == 3 and data["average"] == 4.3
    assert data["ratings"] == {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}
    assert [(f["by"], f["comment"]) for f in data["feedback"]] == [
        ("Ana", "Loved the worked examples"), ("Bo", None), ("Cy", "More")
    ]


def test_show_without_feedback_says_so(past: Path) -> None:
    code, out, _ = give(past, TALK, "--show")
    assert code == 0 and "No feedback yet." in out


def test_feedback_show_does_not_import_git(past: Path) -> None:
    assert give(past, TALK, "--rating", "4", "--name", "Ana")[0] == 0
    probe = (
        "import sys\nfrom lunchlearn.cli import app\n"
        f"try:\n    app(['feedback', '{TALK}', '--show', '--json'], prog_name='lunchlearn')\n"
        "except SystemExit as e:\n    assert e.code == 0, e.code\n"
        "print('heavy:', sorted(m for m in ('git', 'rich', 'icalendar') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=past, capture_output=True, text=True,
                            env={**os.environ, "NO_COLOR": "1"}, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("heavy: []")


BROKEN = f"talk: {TALK}\nfeedback:\n- by: Ana\n  rating: 4\n- by: ana\n  rating: 9\n"


def test_a_hand_edited_broken_feedback_file_is_reported_and_stops_every_command(past: Path) -> None:
    write_files(past, {FILE: BROKEN})
    git(past, "add", FILE)
    git(past, "commit", "-qm", "Hand edit")

    checked = lunchlearn("check", cwd=past)
    shown = give(past, TALK, "--show")
    written = give(past, TALK, "--rating", "3", "--name", "Bo")

    assert checked.exit_code == 1
    assert f"{FILE}:6:11: rating '9' is not a whole number from 1 to 5" in checked.stdout
    assert shown[0] == 2 and f"{FILE}:6:11: " in shown[2]
    assert written[0] == 2 and f"{FILE}:6:11: " in written[2]
    assert (past / FILE).read_text(encoding="utf-8") == BROKEN
    assert commits(past)[0] == "Hand edit" and clean_clone(past)


@pytest.mark.parametrize(
    ("path", "text", "where", "message"),
    [
        (FILE, f"talk: {TALK}\nfeedback:\n- by: Ana\n  rating: 4\n- by: ANA\n  rating: 2\n", "5:3",
         "ANA gave feedback twice (first at line 3)"),
        (FILE, "talk: 2026-11-20\nfeedback: []\n", "1:7", "does not match the file name"),
        ("talks/2026-11-20.feedback.yaml", "talk: 2026-11-20\nfeedback: []\n", "1:1", "nobody presented that day"),
        ("talks/2026-12-18.feedback.yaml", "talk: 2026-12-18\nfeedback: []\n", "1:1", "has not happened yet"),
        (FILE, f"talk: {TALK}\nfeedback:\n- by: Ana\n  rating: 4\n  given: yesterday\n", "5:10",
         "is not a UTC time"),
        (FILE, f"talk: {TALK}\nfeedback:\n- by: Ana\n  rating: 4\n  comment: {'word ' * 500}\n", "5:12",
         "keep it to 2000"),
    ],
)
def test_check_validates_feedback_files(past: Path, path: str, text: str, where: str, message: str) -> None:
    write_files(past, {path: text})

    result = lunchlearn("check", cwd=past)

    assert result.exit_code == 1
    assert any(line.startswith(f"{path}:{where}: ") and message in line for line in result.stdout.splitlines()), (
        result.stdout
    )


@pytest.mark.parametrize("args", [["stats"], ["feedback", TALK, "--show"], ["feedback", TALK, "--rating", "4"]],
                         ids=" ".join)
def test_a_folder_named_as_a_feedback_file_says_what_to_do(past: Path, args: list[str]) -> None:
    (past / FILE).mkdir()

    result = lunchlearn(*args, "--name", "Bob", cwd=past) if "--rating" in args else lunchlearn(*args, cwd=past)

    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert FILE in result.stderr and "rename or remove that folder" in result.stderr, result.stderr
    assert git(past, "status", "--porcelain") == ""


def test_check_accepts_good_feedback(past: Path) -> None:
    assert give(past, TALK, "--rating", "4", "--name", "Ana")[0] == 0
    result = lunchlearn("check", cwd=past)
    assert result.exit_code == 0, result.stdout


# Several clones of one remote ---------------------------------------------------------------

AFTER = {"LUNCHLEARN_TODAY": "2026-12-19"}  # the day after Ray's talk of 18 Dec
TEAM_TALK = "2026-12-18"
TEAM_FILE = f"talks/{TEAM_TALK}.feedback.yaml"


def team_with_a_past_talk(tmp_path: Path, *clones: str) -> dict[str, Path]:
    team = make_team(tmp_path, "ray", *clones)
    signed = lunchlearn("signup", TEAM_TALK, "--name", "Ray Patel", "--topic", "Colour", cwd=team["ray"])
    assert signed.exit_code == 0, signed.stderr
    for clone in clones:
        assert lunchlearn("sync", cwd=team[clone], env=AFTER).exit_code == 0
    return team


def remote_feedback(remote: Path) -> list[tuple[str, int]]:
    text = git(remote, "show", f"main:{TEAM_FILE}") + "\n"
    parsed, problems = parse_feedback(text, TEAM_FILE)
    assert parsed is not None, problems
    assert "<<<<<<<" not in text
    return sorted((e.by, e.rating) for e in parsed.entries)


def test_different_peoples_feedback_from_several_clones_is_all_kept(tmp_path: Path) -> None:
    team = team_with_a_past_talk(tmp_path, "ann", "bob", "cy")
    for name in ("bob", "cy"):
        assert give(team[name], TEAM_TALK, "--rating", "3", "--name", name, "--no-sync", env=AFTER)[0] == 0
    assert give(team["ann"], TEAM_TALK, "--rating", "5", "--name", "ann", env=AFTER)[0] == 0

    for name in ("bob", "cy"):
        result = lunchlearn("sync", cwd=team[name], env=AFTER)
        assert result.exit_code == 0, result.stderr

    assert remote_feedback(team["origin"]) == [("ann", 5), ("bob", 3), ("cy", 3)]
    assert lunchlearn("check", cwd=team["cy"], env=AFTER).exit_code == 0
    assert clean_clone(team["bob"]) and clean_clone(team["cy"])


def test_the_same_persons_feedback_from_two_clones_counts_once_through_sync(tmp_path: Path) -> None:
    team = team_with_a_past_talk(tmp_path, "laptop", "desktop")
    assert give(team["laptop"], TEAM_TALK, "--rating", "2", "--name", "Ana", "--no-sync", env=AFTER)[0] == 0
    assert give(team["desktop"], TEAM_TALK, "--rating", "4", "--name", "ana", env=AFTER)[0] == 0

    result = lunchlearn("sync", cwd=team["laptop"], env=AFTER)

    assert result.exit_code == 0, result.stderr
    kept = remote_feedback(team["origin"])
    assert len(kept) == 1 and same_person(kept[0][0], "Ana")


def test_the_same_persons_feedback_from_two_clones_counts_once_through_git_pull(tmp_path: Path) -> None:
    team = team_with_a_past_talk(tmp_path, "laptop", "desktop")
    assert give(team["laptop"], TEAM_TALK, "--rating", "2", "--name", "Ana", "--no-sync", env=AFTER)[0] == 0
    assert give(team["laptop"], TEAM_TALK, "--rating", "3", "--name", "Bo", "--no-sync", env=AFTER)[0] == 0
    assert give(team["desktop"], TEAM_TALK, "--rating", "4", "--name", "Ana", env=AFTER)[0] == 0

    pull = subprocess.run(["git", "pull", "--no-rebase", "--no-edit"], cwd=team["laptop"],
                          capture_output=True, text=True, check=False)

    assert pull.returncode == 0, pull.stderr
    text = (team["laptop"] / TEAM_FILE).read_text(encoding="utf-8")
    assert "<<<<<<<" not in text
    merged, problems = parse_feedback(text, TEAM_FILE)
    assert merged is not None, problems
    assert sorted(e.by for e in merged.entries) == ["Ana", "Bo"]
    assert clean_clone(team["laptop"])


@pytest.mark.parametrize("how", ["sync", "pull --rebase", "pull --no-rebase"])
def test_an_older_rota_gets_merge_lines_from_two_clones_without_a_conflict(tmp_path: Path, how: str) -> None:
    team = team_with_a_past_talk(tmp_path, "ann")
    write_files(team["ray"], {".gitattributes": "schedule.yaml merge=lunchlearn\n"})
    git(team["ray"], "commit", "-q", "-am", "A rota from before ideas and feedback")
    git(team["ray"], "push", "-q")
    assert lunchlearn("sync", cwd=team["ann"], env=AFTER).exit_code == 0
    assert give(team["ann"], TEAM_TALK, "--rating", "4", "--name", "Ann", "--no-sync", env=AFTER)[0] == 0
    assert lunchlearn("ideas", "add", "Colour theory", cwd=team["ray"], env=AFTER).exit_code == 0

    if how == "sync":
        result = lunchlearn("sync", cwd=team["ann"], env=AFTER)
        assert result.exit_code == 0, result.stderr
    else:
        pull = subprocess.run(["git", *how.split(), "--no-edit"], cwd=team["ann"],
                              capture_output=True, text=True, check=False)
        assert pull.returncode == 0, pull.stdout + pull.stderr

    lines = (team["ann"] / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert lines == ["schedule.yaml merge=lunchlearn", "ideas.yaml merge=lunchlearn",
                     "talks/*.feedback.yaml merge=lunchlearn"]
    assert clean_clone(team["ann"])


# The merge, by property ----------------------------------------------------------------------

DAY = date(2026, 11, 27)
people = st.sampled_from(["Ana", "ana", "Bo", "Cy", "Dee"])
entry = st.builds(
    Feedback,
    by=people,
    rating=st.integers(1, 5),
    comment=st.sampled_from(["", "Great", "Too fast"]),
    given=st.sampled_from(["2026-11-27T14:00:00Z", "2026-11-27T15:00:00Z", "2026-11-28T09:00:00Z"]),
)


def file_text(items: list[Feedback]) -> str:
    talk = TalkFeedback(DAY)
    for item in items:
        talk = talk.with_entry(item)
    return dump_feedback(talk)


sides = st.lists(entry, max_size=5).map(file_text)
path = feedback.feedback_path(DAY)


@given(base=st.none() | sides, ours=sides, theirs=sides)
def test_the_merge_is_the_same_whichever_side_merges(base: str | None, ours: str, theirs: str) -> None:
    assert merge_feedback(base, ours, theirs, path) == merge_feedback(base, theirs, ours, path)


@given(base=st.none() | sides, ours=sides, theirs=sides)
def test_the_merge_counts_each_person_once_and_parses(base: str | None, ours: str, theirs: str) -> None:
    merged = merge_feedback(base, ours, theirs, path)
    assert isinstance(merged, str) and "<<<<<<<" not in merged
    parsed, problems = parse_feedback(merged, path)
    assert parsed is not None, problems
    names = [e.by for e in parsed.entries]
    assert all(sum(same_person(a, b) for b in names) == 1 for a in names)


@given(base=sides, ours=sides)
def test_a_side_that_changed_nothing_takes_the_other_side(base: str, ours: str) -> None:
    assert merge_feedback(base, ours, base, path) == dump_feedback(parse_feedback(ours, path)[0])  # type: ignore[arg-type]


def test_both_sides_changed_one_person_the_later_entry_wins() -> None:
    base = file_text([Feedback("Ana", 3, "", "2026-11-27T14:00:00Z")])
    early = file_text([Feedback("Ana", 1, "", "2026-11-27T15:00:00Z")])
    late = file_text([Feedback("ana", 5, "Better", "2026-11-28T09:00:00Z")])
    merged = merge_feedback(base, early, late, path)
    assert isinstance(merged, str)
    assert parse_feedback(merged, path)[0] == TalkFeedback(DAY, (Feedback("ana", 5, "Better", "2026-11-28T09:00:00Z"),))


def test_an_entry_removed_on_one_side_and_unchanged_on_the_other_is_removed() -> None:
    ana, bo = Feedback("Ana", 3, "", "2026-11-27T14:00:00Z"), Feedback("Bo", 4, "", "2026-11-27T15:00:00Z")
    merged = merge_feedback(file_text([ana, bo]), file_text([bo]), file_text([ana, bo]), path)
    assert merged == file_text([bo])


def test_a_side_that_does_not_parse_is_a_problem_not_a_merge() -> None:
    good = file_text([Feedback("Ana", 3)])
    merged = merge_feedback(good, good, "talk: [\n", path)
    assert isinstance(merged, Problem) and merged.file == path


def test_the_average_is_rounded_half_up_as_people_round(past: Path) -> None:
    for name, rating in (("Ana", "5"), ("Bo", "4"), ("Cy", "4"), ("Dee", "4")):  # 17 / 4 = 4.25
        assert give(past, TALK, "--rating", rating, "--name", name)[0] == 0

    assert json.loads(give(past, TALK, "--show", "--json")[1])["average"] == 4.3
    assert "4 ratings, average 4.3 out of 5" in give(past, TALK, "--show")[1]


def test_feedback_commits_only_its_file_and_leaves_staged_work_alone(past: Path) -> None:
    article = next(p for p in (past / "talks").glob("*.md") if p.name.startswith(TALK))
    article.write_text(article.read_text(encoding="utf-8") + "\nMy notes.\n", encoding="utf-8")
    git(past, "add", str(article))

    assert give(past, TALK, "--rating", "4", "--name", "Ana")[0] == 0

    assert changed_paths(past) == [".gitattributes", FILE]
    assert git(past, "diff", "--cached", "--name-only") == f"talks/{article.name}"
