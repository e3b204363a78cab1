"""`lunchlearn check` through the real CLI: every problem kind located as file:line:col."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.helpers import lunchlearn, lunchlearn_process, make_rota, write_files

COLE = "talks/2026-12-04-cole-jensen.md"
RAY = "talks/2026-12-11-ray-moreno.md"
ORPHAN = "talks/2026-12-18-old-idea.md"
REPOSITORY = Path(__file__).resolve().parents[1]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_rota(
        tmp_path / "rota",
        talks=[
            {"date": "2026-12-04", "presenter": "Cole Jensen", "topic": "RSS feeds"},
            {"date": "2026-12-11", "presenter": "Ray Moreno", "topic": "Colours"},
        ],
    )


def edit(root: Path, path: str, old: str, new: str, count: int = 1) -> None:
    text = (root / path).read_text(encoding="utf-8")
    assert old in text
    (root / path).write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(root: Path, path: str, fragment: str) -> int:
    lines = (root / path).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if fragment in line)


def orphan_article(status: str) -> str:
    meta = f"title: Old idea\npresenter: Cole Jensen\ndate: 2026-12-18\nstatus: {status}\n"
    return f"---\n{meta}---\nText\n"


# Each case breaks the repository one way and names where `check` must point and what it must say.
Case = Callable[[Path], tuple[str, str]]


def unknown_key(root: Path) -> tuple[str, str]:
    edit(root, "schedule.yaml", "  topic: RSS feeds\n", "  topic: RSS feeds\n  room: Canteen\n")
    where = line_of(root, "schedule.yaml", "room: Canteen")
    return f"schedule.yaml:{where}:9", "unknown key 'room'"


def duplicate_key(root: Path) -> tuple[str, str]:
    edit(root, "schedule.yaml", "  topic: Colours\n", "  topic: Colours\n  topic: Shades\n")
    where = line_of(root, "schedule.yaml", "topic: Shades")
    return f"schedule.yaml:{where}:3", "duplicate key 'topic' in a talk"


def wrong_weekday(root: Path) -> tuple[str, str]:
    edit(root, "schedule.yaml", "date: 2026-12-11", "date: 2026-12-10")
    where = line_of(root, "schedule.yaml", "date: 2026-12-10")
    return f"schedule.yaml:{where}:9", "talk on 2026-12-10 is on a Thursday"


def two_talks_one_date(root: Path) -> tuple[str, str]:
    edit(root, "schedule.yaml", "date: 2026-12-11", "date: 2026-12-04")
    where = line_of(root, "schedule.yaml", "presenter: Ray Moreno") - 1
    return f"schedule.yaml:{where}:", "a second talk on 2026-12-04"


def missing_article(root: Path) -> tuple[str, str]:
    (root / RAY).unlink()
    return f"schedule.yaml:{line_of(root, 'schedule.yaml', RAY)}:12", f"{RAY} does not exist"


def orphaned_article(root: Path) -> tuple[str, str]:
    write_files(root, {ORPHAN: orphan_article("draft")})
    return f"{ORPHAN}:1:1", "no talk in schedule.yaml points to this article"


def date_disagrees(root: Path) -> tuple[str, str]:
    edit(root, COLE, "date: 2026-12-04", "date: 2026-12-05")
    return f"{COLE}:4:7", "date 2026-12-05 disagrees with the rota"


def presenter_disagrees(root: Path) -> tuple[str, str]:
    edit(root, COLE, "presenter: Cole Jensen", "presenter: Ray Moreno")
    return f"{COLE}:3:12", "presenter 'Ray Moreno' disagrees with the rota"


def invalid_status(root: Path) -> tuple[str, str]:
    edit(root, RAY, "status: draft", "status: done")
    return f"{RAY}:5:9", "status 'done' is not one of draft, ready, published, withdrawn"


def duplicate_slug(root: Path) -> tuple[str, str]:
    edit(root, COLE, "status: draft", "status: draft\nslug: feeds")
    edit(root, RAY, "status: draft", "status: draft\nslug: feeds")
    return f"{RAY}:6:7", f"slug 'feeds' is already used by {COLE}"


def shared_article(root: Path) -> tuple[str, str]:
    edit(root, "schedule.yaml", f"article: {RAY}", f"article: {COLE}")
    where = line_of(root, "schedule.yaml", "presenter: Ray Moreno") + 2
    return f"schedule.yaml:{where}:12", f"points to {COLE}, the article of the talk on 2026-12-04"


def broken_front_matter(root: Path) -> tuple[str, str]:
    edit(root, RAY, "tags: []", "tags: [colour")
    return f"{RAY}:", "not valid YAML"


def duplicate_front_matter_key(root: Path) -> tuple[str, str]:
    edit(root, RAY, "status: draft\n", "status: draft\nstatus: ready\n")
    return f"{RAY}:6:1", "duplicate key 'status' in front matter (first at line 5)"


def missing_title(root: Path) -> tuple[str, str]:
    edit(root, RAY, "title: Colours\n", "")
    return f"{RAY}:1:1", "title is missing"


def not_utf8(root: Path) -> tuple[str, str]:
    (root / RAY).write_bytes((root / RAY).read_bytes() + b"\n\ncaf\xe9\n")
    return f"{RAY}:", "not UTF-8 text"


@pytest.mark.parametrize(
    "break_it",
    [
        unknown_key,
        duplicate_key,
        wrong_weekday,
        two_talks_one_date,
        missing_article,
        orphaned_article,
        date_disagrees,
        presenter_disagrees,
        invalid_status,
        duplicate_slug,
        shared_article,
        broken_front_matter,
        duplicate_front_matter_key,
        missing_title,
        not_utf8,
    ],
)
def test_check_locates_each_kind_of_problem(root: Path, break_it: Case) -> None:
    where, message = break_it(root)

    result = lunchlearn("check", cwd=root)

    assert result.exit_code == 1
    assert any(
        line.startswith(where) and message in line for line in result.stdout.splitlines()
    ), result.stdout
    assert "problems in" in result.stderr or "problem in" in result.stderr


def test_check_passes_a_clean_repository(root: Path) -> None:
    write_files(root, {ORPHAN: orphan_article("withdrawn")})  # withdrawn articles lose their talk

    result = lunchlearn("check", cwd=root)

    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""
    assert "Checked schedule.yaml and 3 articles: no problems" in result.stderr


def test_check_lists_every_problem_at_once(root: Path) -> None:
    date_disagrees(root)
    missing_article(root)
    orphaned_article(root)

    result = lunchlearn("check", cwd=root)

    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 3
    assert "error: Checked schedule.yaml and 2 articles: 3 problems in 3 files" in result.stderr


def test_check_json_lists_file_line_column_and_message(root: Path) -> None:
    date_disagrees(root)

    result = lunchlearn("--repo", "rota", "check", "--json", cwd=root.parent)

    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {
            "file": f"rota/{COLE}",
            "line": 4,
            "column": 7,
            "message": "date 2026-12-05 disagrees with the rota (schedule.yaml line 17 has this "
            "talk on 2026-12-04); make them the same",
            "severity": "error",
        }
    ]
    from_talks = lunchlearn("check", "--json", cwd=root / "talks")
    assert json.loads(from_talks.stdout)[0]["file"] == f"../{COLE}"
    clean = lunchlearn("check", "--json", cwd=make_rota(root.parent / "clean"))
    assert (clean.exit_code, json.loads(clean.stdout)) == (0, [])


def test_check_reads_without_loading_git_or_rich(root: Path) -> None:
    invalid_status(root)
    lunchlearn("check", cwd=root)  # the first run in a clone registers the merge driver, with git
    probe = (
        "import sys\n"
        "from lunchlearn.cli import main\n"
        "sys.argv = ['lunchlearn', 'check']\n"
        "try:\n    main()\n"
        "except SystemExit as done:\n"
        "    heavy = {'git', 'rich', 'lunchlearn.git.repo', 'lunchlearn.git.transaction',\n"
        "             'lunchlearn.git.transport', 'lunchlearn.git.plumbing'} & set(sys.modules)\n"
        "    print('loaded:', sorted(heavy), 'exit:', done.code)\n"
    )

    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=False
    )

    assert "loaded: [] exit: 1" in run.stdout, run.stderr


def test_the_pre_commit_hook_runs_check(root: Path) -> None:
    hooks = yaml.safe_load((REPOSITORY / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    command = shlex.split(hook["entry"])
    assert command[0] == "lunchlearn"
    assert hook["pass_filenames"] is False
    invalid_status(root)

    result = lunchlearn_process(*command[1:], cwd=root)

    assert result.returncode == 1
    assert f"{RAY}:5:9: status 'done'" in result.stdout


def test_the_example_ci_job_checks_pull_requests_that_touch_the_rota() -> None:
    path = REPOSITORY / "examples/ci/github-actions-lunchlearn-check.yml"
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))

    trigger = workflow[True]  # YAML 1.1 reads GitHub's `on:` key as true
    assert trigger["pull_request"]["paths"] == ["schedule.yaml", "talks/**"]
    assert workflow["jobs"]["check"]["steps"][-1] == {"run": "lunchlearn check"}


def test_signing_up_twice_on_one_topic_keeps_check_clean(tmp_path: Path) -> None:
    root = make_rota(tmp_path / "r", settings={"max_upcoming": 2})
    for day in ("2026-12-18", "2027-01-08"):
        result = lunchlearn("--repo", str(root), "signup", "--date", day, "--name", "A", "--topic", "Intro to Git")
        assert result.exit_code == 0, result.stderr
    assert (root / "talks" / "2027-01-08-intro-to-git-2.md").exists()
    checked = lunchlearn("--repo", str(root), "check")
    assert checked.exit_code == 0, checked.stdout


def test_check_reports_a_talk_on_a_skipped_date_and_a_withdrawn_article_still_booked(tmp_path: Path) -> None:
    root = make_rota(
        tmp_path / "r",
        talks=[{"date": "2026-12-18", "presenter": "Ann"}, {"date": "2027-01-08", "presenter": "Bob"}],
        skipped=[{"date": "2026-12-18", "reason": "Office closed"}],
    )
    article = root / "talks/2027-01-08-bob.md"
    article.write_text(article.read_text().replace("status: draft", "status: withdrawn"))

    result = lunchlearn("check", cwd=root)

    assert result.exit_code == 1
    assert "talk on 2026-12-18 is on a skipped date (Office closed)" in result.stdout
    assert "talks/2027-01-08-bob.md:5:9: the article is marked withdrawn" in result.stdout


@pytest.mark.parametrize("slug", ["Bad Slug!", "../../x"])
def test_check_reports_a_slug_publish_would_refuse(tmp_path: Path, slug: str) -> None:
    root = make_rota(tmp_path / "r", talks=[{"date": "2026-12-18", "presenter": "Ann"}])
    article = root / "talks/2026-12-18-ann.md"
    article.write_text(article.read_text().replace("status: draft", f"status: draft\nslug: '{slug}'"))

    result = lunchlearn("check", cwd=root)

    assert result.exit_code == 1
    assert "talks/2026-12-18-ann.md:6:7: slug" in result.stdout and "lowercase letters" in result.stdout
