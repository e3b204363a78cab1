"""The rota commands through the real CLI in real git repositories."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from tests.helpers import changed_paths, commits, git, lunchlearn, lunchlearn_process, make_rota

RSS = "Marketing opportunities using RSS feeds"


def signup(root: Path, *args: str) -> tuple[int, str, str]:
    result = lunchlearn("--repo", str(root), "signup", *args)
    return result.exit_code, result.stdout, result.stderr


# init ------------------------------------------------------------------------------------------


def test_init_writes_the_settings_given(tmp_path: Path) -> None:
    root = tmp_path / "talks-rota"
    result = lunchlearn(
        "init", str(root), "--title", "Brown bag", "--weekday", "Thu", "--time", "12:15",
        "--timezone", "America/New_York", "--room", "Loft", "--lead-weeks", "3", "--horizon-weeks", "20",
    )
    assert result.exit_code == 0, result.stderr
    text = (root / "schedule.yaml").read_text()
    for line in ("title: Brown bag", "weekday: thursday", "time: '12:15'", "timezone: America/New_York",
                 "room: Loft", "lead_weeks: 3", "horizon_weeks: 20"):
        assert f"  {line}\n" in text
    assert commits(root) == ["Start the Brown bag rota"]
    assert git(root, "status", "--porcelain") == ""


def test_init_refuses_an_existing_rota(rota: Path) -> None:
    before = (rota / "schedule.yaml").read_text()
    result = lunchlearn("init", str(rota))
    assert result.exit_code == 1
    assert "already has a rota" in result.stderr
    assert (rota / "schedule.yaml").read_text() == before
    assert len(commits(rota)) == 1


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [("--weekday", "Funday", "unknown weekday"), ("--timezone", "Mars/Base", "unknown time zone"),
     ("--time", "1pm", "not HH:MM"), ("--lead-weeks", "-1", "lead_weeks must be a whole number from 0 to 520")],
)
def test_init_rejects_bad_settings(tmp_path: Path, option: str, value: str, message: str) -> None:
    result = lunchlearn("init", str(tmp_path / "r"), option, value)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "r").exists()


def test_init_inside_an_existing_repository_commits_only_its_own_files(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "notes.txt").write_text("mine\n")
    git(tmp_path, "add", "notes.txt")
    result = lunchlearn("init", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert changed_paths(tmp_path) == [".gitattributes", "schedule.yaml", "talks/.gitkeep"]
    assert git(tmp_path, "status", "--porcelain") == "A  notes.txt"


# signup ----------------------------------------------------------------------------------------


def test_signup_commits_the_entry_and_the_article_in_one_commit(rota: Path) -> None:
    code, out, err = signup(rota, "--date", "2026-12-18", "--name", "Cole Jensen", "--topic", RSS)
    assert code == 0, err
    article = "talks/2026-12-18-marketing-opportunities-using-rss-feeds.md"
    assert article in out
    assert commits(rota)[0] == f"Sign up Cole Jensen for Fri 18 Dec 2026: {RSS}"
    assert len(commits(rota)) == 2
    assert changed_paths(rota) == ["schedule.yaml", article]
    stub = (rota / article).read_text()
    assert stub.startswith(f"---\ntitle: {RSS}\npresenter: Cole Jensen\ndate: 2026-12-18\nstatus: draft\n")
    assert "## What you will learn" in stub
    assert git(rota, "status", "--porcelain") == ""


def test_a_signup_diff_touches_only_its_own_entry(rota: Path) -> None:
    assert signup(rota, "--date", "2027-01-08", "--name", "Ann")[0] == 0
    assert signup(rota, "--date", "2027-01-22", "--name", "Cy")[0] == 0
    assert signup(rota, "--date", "2027-01-15", "--name", "Bob", "--topic", "Middle")[0] == 0
    diff = git(rota, "diff", "-U0", "HEAD~1", "HEAD", "--", "schedule.yaml")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed[:4] == [
        "+- date: 2027-01-15",
        "+  presenter: Bob",
        "+  topic: Middle",
        "+  article: talks/2027-01-15-middle.md",
    ]
    assert [line.split(":")[0] for line in changed[4:]] == ["+  uid", "+  changed"]  # its calendar identity


def test_signup_without_a_date_takes_the_first_slot_with_enough_notice(rota: Path) -> None:
    code, out, err = signup(rota)  # presenter from git user.name
    assert code == 0, err
    assert "Signed up Test User for Fri 18 Dec 2026" in out  # 2026-12-11 is under two weeks away


def test_signup_honours_lunchlearn_today(rota: Path) -> None:
    result = lunchlearn("--repo", str(rota), "signup", env={"LUNCHLEARN_TODAY": "2027-03-01"})
    assert result.exit_code == 0, result.stderr
    assert "Fri 19 Mar 2027" in result.stdout


def test_a_repo_that_names_a_file_says_so_instead_of_advising_init_there(tmp_path: Path) -> None:
    notes = tmp_path / "notes.yaml"
    notes.write_text("a: 1\n", encoding="utf-8")
    result = lunchlearn("--repo", str(notes), "next")
    assert result.exit_code == 1
    assert result.stderr == f"error: {notes} is a file; --repo names the rota's folder (the one with schedule.yaml)\n"


@pytest.mark.parametrize(
    ("date", "reason", "nearby"),
    [
        ("2026-12-17", "is not a Friday", "2026-12-18, 2027-01-01, 2027-01-15"),
        ("2026-11-20", "is in the past", "2026-12-18, 2027-01-01, 2027-01-15"),
        ("2026-12-25", "is skipped (Christmas Day)", "2026-12-18, 2027-01-01, 2027-01-15"),
        ("2027-01-08", "already taken by Cole Jensen (RSS)", "2027-01-01, 2027-01-15, 2027-01-22"),
        ("2027-06-04", "beyond the 12-week horizon; the last date open to sign up for is Fri 19 Feb 2027",
         "2027-02-05, 2027-02-12, 2027-02-19"),
        ("2026-12-04", "less than 2 weeks away", "2026-12-18, 2027-01-01, 2027-01-15"),
    ],
)
def test_signup_refusals_explain_and_suggest_dates(
    tmp_path: Path, date: str, reason: str, nearby: str
) -> None:
    root = make_rota(
        tmp_path / "r",
        talks=[{"date": "2027-01-08", "presenter": "Cole Jensen", "topic": "RSS"}],
        skipped=[{"date": "2026-12-25", "reason": "Christmas Day"}],
    )
    before = commits(root)
    code, _, err = signup(root, "--date", date, "--name", "Ray")
    assert code == 1
    assert reason in err and f"open dates nearby: {nearby}" in err
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert commits(root) == before and git(root, "status", "--porcelain") == ""


def test_short_notice_allows_a_close_date(rota: Path) -> None:
    assert signup(rota, "--date", "2026-12-04", "--name", "Ray", "--short-notice")[0] == 0


def test_signup_refuses_a_person_holding_max_upcoming(rota: Path) -> None:
    assert signup(rota, "--date", "2026-12-18", "--name", "Ray Moreno")[0] == 0
    code, _, err = signup(rota, "--date", "2027-01-08", "--name", "ray moreno")
    assert code == 1
    assert "Ray Moreno already holds 1 upcoming slot (Fri 18 Dec 2026)" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "04/12/2026"], "is not a date"),
        (["--date", "2026-12-18", "--name", ""], "name is empty"),
        (["--date", "2026-12-18", "--topic", "two\nlines"], "line break"),
        (["--date", "2026-12-18", "--email", "not-an-address"], "does not look like"),
    ],
)
def test_signup_bad_input_exits_2(rota: Path, args: list[str], message: str) -> None:
    code, _, err = signup(rota, *args)
    assert code == 2 and message in err
    assert len(commits(rota)) == 1


TRICKY = ["No", "null", "yes", "1.10", "2026-12-04", "Colon: yes", "It's \"quoted\" # not a comment",
          "🎉 Ünïcödé", "שלום עולם"]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_names_and_topics_are_kept_exactly(rota: Path, text: str) -> None:
    code, _, err = signup(rota, "--date", "2026-12-18", "--name", text, "--topic", text)
    assert code == 0, err
    result = lunchlearn("--repo", str(rota), "next", "--json")
    booked = [s for s in json.loads(result.stdout) if s["state"] == "booked"]
    assert (booked[0]["presenter"], booked[0]["topic"]) == (text, text)
    assert commits(rota)[0] == f"Sign up {text} for Fri 18 Dec 2026: {text}"
    meta_line = (rota / booked[0]["article"]).read_text().splitlines()[1]
    import yaml

    assert yaml.safe_load(meta_line) == {"title": text}  # any YAML reader sees the same text


def test_dry_run_shows_the_change_and_writes_nothing(rota: Path) -> None:
    code, out, _ = signup(rota, "--date", "2026-12-18", "--name", "Ann", "--topic", "Dry", "--dry-run")
    assert code == 0
    assert "Would commit: Sign up Ann for Fri 18 Dec 2026: Dry" in out
    assert "create talks/2026-12-18-dry.md" in out and "+  presenter: Ann" in out
    assert "+++ b/talks/2026-12-18-dry.md" in out and "+## What you will learn" in out
    assert len(commits(rota)) == 1 and git(rota, "status", "--porcelain") == ""


@pytest.mark.parametrize("staged", [True, False], ids=["staged work", "nothing staged"])
def test_a_users_other_work_is_left_exactly_as_it_was(rota: Path, staged: bool) -> None:
    # With staged work lunchlearn makes git's partial commit; with none, a plain commit of its own files.
    (rota / "notes.txt").write_text("v1\n")
    git(rota, "add", "notes.txt")
    git(rota, "commit", "-q", "-m", "notes")
    if staged:
        (rota / "staged.txt").write_text("staged\n")
        git(rota, "add", "staged.txt")
    (rota / "notes.txt").write_text("v2 unstaged\n")
    (rota / "scratch.txt").write_text("untracked\n")
    status_before = git(rota, "status", "--porcelain")
    assert signup(rota, "--date", "2026-12-18", "--name", "Ann")[0] == 0
    assert changed_paths(rota) == ["schedule.yaml", "talks/2026-12-18-topic-to-be-announced.md"]
    assert git(rota, "status", "--porcelain") == status_before
    assert git(rota, "show", "HEAD:notes.txt") == "v1"
    assert (rota / "notes.txt").read_text() == "v2 unstaged\n"


def test_a_staged_submodule_update_that_git_status_is_told_to_ignore_stays_staged(rota: Path, tmp_path: Path) -> None:
    library = tmp_path / "library"
    git(tmp_path, "init", "-q", str(library))
    git(library, "commit", "-q", "--allow-empty", "-m", "v1")
    git(rota, "-c", "protocol.file.allow=always", "submodule", "add", "-q", "--", str(library), "library")
    git(rota, "commit", "-q", "-m", "library")
    git(rota / "library", "commit", "-q", "--allow-empty", "-m", "v2")
    git(rota, "add", "library")
    git(rota, "config", "submodule.library.ignore", "all")  # `git status` hides the update, git commit would not
    staged = git(rota, "diff", "--cached", "--ignore-submodules=none", "--name-only")
    assert staged == "library"
    assert signup(rota, "--date", "2026-12-18", "--name", "Ann")[0] == 0
    assert changed_paths(rota) == ["schedule.yaml", "talks/2026-12-18-topic-to-be-announced.md"]
    assert git(rota, "diff", "--cached", "--ignore-submodules=none", "--name-only") == staged


def test_a_rejected_commit_puts_everything_back(rota: Path) -> None:
    hook = rota / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'policy: no commits today' >&2\nexit 1\n")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    (rota / "staged.txt").write_text("staged\n")
    git(rota, "add", "staged.txt")
    schedule_before = (rota / "schedule.yaml").read_bytes()
    code, _, err = signup(rota, "--date", "2026-12-18", "--name", "Ann")
    assert code == 1
    assert "policy: no commits today" in err and "nothing was changed" in err
    assert (rota / "schedule.yaml").read_bytes() == schedule_before
    assert sorted(p.name for p in (rota / "talks").iterdir()) == [".gitkeep"]
    assert git(rota, "status", "--porcelain") == "A  staged.txt"
    assert len(commits(rota)) == 1


def test_without_a_git_identity_nothing_is_written(rota: Path, isolated: Path) -> None:
    (isolated / ".gitconfig").write_text("[user]\n\tuseConfigOnly = true\n")
    code, _, err = signup(rota, "--date", "2026-12-18")
    assert code == 2 and "pass --name or set `git config user.name`" in err
    code, _, err = signup(rota, "--date", "2026-12-18", "--name", "Ann")
    assert code == 1 and "git has no identity" in err
    assert git(rota, "status", "--porcelain") == ""


def test_uncommitted_edits_to_the_rota_are_not_swept_into_a_commit(rota: Path) -> None:
    path = rota / "schedule.yaml"
    path.write_text(path.read_text().replace("room: Main meeting room", "room: Attic"))
    code, _, err = signup(rota, "--date", "2026-12-18", "--name", "Ann")
    assert code == 1 and "schedule.yaml has uncommitted changes" in err
    assert "room: Attic" in path.read_text() and len(commits(rota)) == 1


def test_a_broken_rota_is_reported_with_its_position_and_nothing_is_written(rota: Path) -> None:
    path = rota / "schedule.yaml"
    path.write_text(path.read_text() + "talks:\n- date: 2026-12-18\n")
    git(rota, "commit", "-qam", "hand edit")
    for command in (["next"], ["signup", "--date", "2026-12-18", "--name", "Ann"]):
        result = lunchlearn("--repo", str(rota), *command)
        assert result.exit_code == 2
        assert re.search(r"schedule\.yaml:\d+:\d+: duplicate key 'talks'", result.stderr)
        assert "Traceback" not in result.stderr
    assert len(commits(rota)) == 2 and git(rota, "status", "--porcelain") == ""


# withdraw --------------------------------------------------------------------------------------


def test_withdraw_removes_an_untouched_stub(rota: Path) -> None:
    signup(rota, "--date", "2026-12-18", "--name", "Ann", "--topic", "Plans")
    result = lunchlearn("--repo", str(rota), "withdraw", "--date", "2026-12-18")
    assert result.exit_code == 0, result.stderr
    assert commits(rota)[0] == "Withdraw Ann from Fri 18 Dec 2026: Plans"
    assert changed_paths(rota) == ["schedule.yaml", "talks/2026-12-18-plans.md"]
    assert not (rota / "talks/2026-12-18-plans.md").exists()
    schedule = (rota / "schedule.yaml").read_text()
    assert "2026-12-18" not in schedule.partition("cancelled:")[0]  # only its calendar event, cancelled, stays


def test_withdraw_keeps_a_written_article_marked_withdrawn(rota: Path) -> None:
    signup(rota, "--date", "2026-12-18", "--name", "Ann", "--topic", "Plans")
    article = rota / "talks/2026-12-18-plans.md"
    written = article.read_text().replace("TODO: Say what the talk is about", "Real words")
    article.write_text(written)
    git(rota, "commit", "-qam", "Write")
    assert lunchlearn("--repo", str(rota), "withdraw", "--date", "2026-12-18").exit_code == 0
    assert article.read_text() == written.replace("status: draft", "status: withdrawn")
    assert git(rota, "status", "--porcelain") == ""


def test_withdraw_refuses_a_free_or_past_date(tmp_path: Path) -> None:
    root = make_rota(tmp_path / "r", talks=[{"date": "2026-11-20", "presenter": "Old"}])
    result = lunchlearn("--repo", str(root), "withdraw", "--date", "2026-12-18")
    assert result.exit_code == 1 and "nobody is signed up for Fri 18 Dec 2026" in result.stderr
    result = lunchlearn("--repo", str(root), "withdraw", "--date", "2026-11-20")
    assert result.exit_code == 1 and "in the past" in result.stderr


def test_withdraw_dry_run_writes_nothing(rota: Path) -> None:
    signup(rota, "--date", "2026-12-18", "--name", "Ann", "--topic", "Plans")
    result = lunchlearn("--repo", str(rota), "withdraw", "--date", "2026-12-18", "--dry-run")
    assert result.exit_code == 0 and "delete talks/2026-12-18-plans.md" in result.stdout
    assert (rota / "talks/2026-12-18-plans.md").exists() and len(commits(rota)) == 2


# reading ---------------------------------------------------------------------------------------


@pytest.fixture
def busy(tmp_path: Path) -> Path:
    return make_rota(
        tmp_path / "busy",
        talks=[
            {"date": "2026-11-27", "presenter": "Sam", "topic": "Forms"},
            {"date": "2026-12-04", "presenter": "Cole Jensen", "topic": RSS},
        ],
        skipped=[{"date": "2026-12-11", "reason": "Office party"}],
    )


def test_next_json_shape(busy: Path) -> None:
    result = lunchlearn("--repo", str(busy), "next", "--json")
    assert result.exit_code == 0
    sessions = json.loads(result.stdout)
    assert [s["date"] for s in sessions] == ["2026-12-04", "2026-12-11", "2026-12-18", "2026-12-25"]
    where = {"time": "13:00", "timezone": "UTC", "room": "Main meeting room"}
    assert sessions[0] == {
        "date": "2026-12-04", "state": "booked", "days_to_go": 6, "presenter": "Cole Jensen",
        "topic": RSS, "article": "talks/2026-12-04-cole-jensen.md", "article_status": "draft",
        "needs_attention": True, "confirmed": False, **where,
    }
    assert sessions[1] == {
        "date": "2026-12-11", "state": "skipped", "days_to_go": 13, "reason": "Office party", **where
    }
    assert sessions[2]["state"] == "open" and sessions[2]["claim"] == "lunchlearn signup --date 2026-12-18"


def test_next_plain_text_is_uncoloured_and_tells_how_to_claim(busy: Path) -> None:
    result = lunchlearn("--repo", str(busy), "next", "--count", "3")
    header, *lines = result.stdout.splitlines()
    assert header == "Lunch and learn · Fridays 13:00–13:45 (UTC) · Main meeting room"
    assert len(lines) == 3 and "\x1b" not in result.stdout
    assert "Cole Jensen" in lines[0] and "in 6 days" in lines[0] and "draft" in lines[0]
    assert "skipped" in lines[1] and "Office party" in lines[1]
    assert "lunchlearn signup --date 2026-12-18" in lines[2]


def test_schedule_shows_upcoming_or_past(busy: Path) -> None:
    upcoming = json.loads(lunchlearn("--repo", str(busy), "schedule", "--json").stdout)
    assert [(s["date"], s["state"]) for s in upcoming] == [("2026-12-04", "booked"), ("2026-12-11", "skipped")]
    past = json.loads(lunchlearn("--repo", str(busy), "schedule", "--past", "--json").stdout)
    assert [s["presenter"] for s in past] == ["Sam"]
    assert "Forms" in lunchlearn("--repo", str(busy), "schedule", "--past").stdout


def test_slots_lists_open_dates_within_the_horizon(busy: Path) -> None:
    slots = json.loads(lunchlearn("--repo", str(busy), "slots", "--json").stdout)
    dates = [s["date"] for s in slots]
    assert dates[0] == "2026-12-18" and dates[-1] == "2027-02-19" and len(dates) == 10
    assert all(s["state"] == "open" for s in slots)


def test_the_rota_is_found_from_a_subfolder_or_named_explicitly(busy: Path, tmp_path: Path) -> None:
    assert "Cole Jensen" in lunchlearn("next", cwd=busy / "talks").stdout
    assert "Cole Jensen" in lunchlearn("next", cwd=tmp_path, env={"LUNCHLEARN_REPO": str(busy)}).stdout


def test_outside_a_rota_the_error_suggests_init(tmp_path: Path) -> None:
    result = lunchlearn("next", cwd=tmp_path)
    assert result.exit_code == 1
    assert "not inside a lunchlearn rota" in result.stderr and "lunchlearn init" in result.stderr


def test_a_bad_lunchlearn_today_is_bad_input(busy: Path) -> None:
    result = lunchlearn("--repo", str(busy), "next", env={"LUNCHLEARN_TODAY": "tomorrow"})
    assert result.exit_code == 2 and "LUNCHLEARN_TODAY" in result.stderr


def test_reading_commands_do_not_import_git(busy: Path) -> None:
    probe = (
        "import sys\nfrom lunchlearn.cli import app\n"
        "for args in (['next'], ['schedule', '--json'], ['slots'], ['stats'], ['stats', '--html', 'stats.html'],\n"
        "             ['suggest']):\n"
        "    try:\n        app(args, prog_name='lunchlearn')\n    except SystemExit as e:\n"
        "        assert e.code == 0, e.code\n"
        "unused = ('git', 'rich', 'lunchlearn.git.repo', 'lunchlearn.git.transaction',\n"
        "          'lunchlearn.git.transport', 'lunchlearn.git.plumbing', 'lunchlearn.usecases.articles',\n"
        "          'lunchlearn.usecases.publishing', 'lunchlearn.usecases.sync', 'markdown_it', 'icalendar',\n"
        "          'holidays')\n"
        "heavy = sorted(m for m in unused if m in sys.modules)\n"
        "print('heavy:', heavy)\n"
    )
    import subprocess
    import sys

    assert lunchlearn("next", cwd=busy).exit_code == 0  # the first run in a clone registers the merge driver
    result = subprocess.run([sys.executable, "-c", probe], cwd=busy, capture_output=True, text=True,
                            env={**os.environ, "NO_COLOR": "1"}, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("heavy: []")


def test_reading_commands_do_not_import_the_site_front_matter_libraries(busy: Path) -> None:
    probe = (
        "import sys\nfrom lunchlearn.cli import app\n"
        "for args in (['next'], ['schedule', '--json'], ['slots'], ['check'], ['stats'], ['suggest']):\n"
        "    try:\n        app(args, prog_name='lunchlearn')\n    except SystemExit as e:\n"
        "        assert e.code == 0, e.code\n"
        "unused = ('frontmatter', 'tomli_w', 'lunchlearn.publish', 'lunchlearn.site.formats')\n"
        "print('loaded:', sorted(m for m in unused if m in sys.modules))\n"
    )
    import subprocess
    import sys

    assert lunchlearn("next", cwd=busy).exit_code == 0  # the first run in a clone registers the merge driver
    result = subprocess.run([sys.executable, "-c", probe], cwd=busy, capture_output=True, text=True,
                            env={**os.environ, "NO_COLOR": "1"}, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("loaded: []")


def test_version_help_and_module_entry_point(tmp_path: Path) -> None:
    from lunchlearn import __version__

    assert lunchlearn("--version").stdout.strip() == f"lunchlearn {__version__}"
    process = lunchlearn_process("--help", cwd=tmp_path)
    assert process.returncode == 0
    for command in ("init", "signup", "withdraw", "next", "schedule", "slots"):
        assert command in process.stdout



def test_an_existing_file_name_gets_a_numbered_article(rota: Path) -> None:
    (rota / "talks" / "2026-12-18-plans.md").write_text("someone else's notes\n")
    result = lunchlearn("--repo", str(rota), "signup", "--date", "2026-12-18", "--name", "Ann", "--topic", "Plans")
    assert result.exit_code == 0, result.stderr
    assert "talks/2026-12-18-plans-2.md" in result.stdout
    assert (rota / "talks" / "2026-12-18-plans.md").read_text() == "someone else's notes\n"
    assert git(rota, "status", "--porcelain") == "?? talks/2026-12-18-plans.md"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nxt"], "No such command 'nxt'"),
        (["signup", "--bogus"], "No such option: --bogus"),
        (["withdraw"], "Missing argument 'DATE' (or --date DATE)."),
        (["next", "--count", "0"], "Invalid value for '--count'"),
        (["next", "--count", "100000"], "Invalid value for '--count'"),
    ],
)
def test_a_wrong_command_line_is_one_line_of_error(busy: Path, args: list[str], message: str) -> None:
    result = lunchlearn("--repo", str(busy), *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {message}") and result.stderr.count("\n") == 1
    assert "--help` for usage." in result.stderr and "..." not in result.stderr
    assert ". run `" not in result.stderr, "a sentence starts with a capital"


def test_a_closed_pipe_ends_quietly(busy: Path) -> None:
    import subprocess
    import sys

    reader = subprocess.Popen(["head", "-n", "1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    writer = subprocess.run(
        [sys.executable, "-m", "lunchlearn", "--repo", str(busy), "next", "--count", "520"],
        stdout=reader.stdin, stderr=subprocess.PIPE, text=True, check=False,
    )
    assert reader.stdin is not None
    reader.stdin.close()
    reader.wait()
    assert "error" not in writer.stderr and "Traceback" not in writer.stderr


def test_hand_edited_extremes_are_errors_not_tracebacks(rota: Path) -> None:
    path = rota / "schedule.yaml"
    path.write_text(path.read_text().replace("horizon_weeks: 12", "horizon_weeks: 999999"))
    result = lunchlearn("--repo", str(rota), "slots")
    assert result.exit_code == 2 and "horizon_weeks must be a whole number from 1 to 520" in result.stderr
    git(rota, "checkout", "--", "schedule.yaml")
    result = lunchlearn("--repo", str(rota), "next", env={"LUNCHLEARN_TODAY": "9999-12-25"})
    assert result.exit_code == 2 and "LUNCHLEARN_TODAY" in result.stderr


@pytest.mark.parametrize("date", ["2026-W53-5", "20270108"])
def test_only_yyyy_mm_dd_dates_are_accepted(rota: Path, date: str) -> None:
    code, _, err = signup(rota, "--date", date, "--name", "Ann")
    assert code == 2 and "use YYYY-MM-DD" in err


def test_withdraw_keeps_crlf_line_endings_and_comments(rota: Path) -> None:
    signup(rota, "--date", "2026-12-18", "--name", "Ann", "--topic", "Plans")
    article = rota / "talks/2026-12-18-plans.md"
    text = article.read_text().replace("status: draft", "status: draft  # my note") + "Real words.\n"
    article.write_bytes(text.replace("\n", "\r\n").encode())
    git(rota, "commit", "-qam", "Write")
    assert lunchlearn("--repo", str(rota), "withdraw", "--date", "2026-12-18").exit_code == 0
    expected = text.replace("status: draft  # my note", "status: withdrawn  # my note").replace("\n", "\r\n")
    assert article.read_bytes() == expected.encode()


def test_the_same_person_cannot_dodge_the_limit_with_spacing(rota: Path) -> None:
    assert signup(rota, "--date", "2026-12-18", "--name", "Cole Jensen")[0] == 0
    code, _, err = signup(rota, "--date", "2027-01-08", "--name", " cole  JENSEN ")
    assert code == 1 and "already holds" in err


def test_a_symlink_out_of_the_rota_is_refused_with_exit_1(rota: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (rota / "talks").rename(tmp_path / "old-talks")
    (rota / "talks").symlink_to(outside)
    result = lunchlearn("--repo", str(rota), "signup", "--date", "2026-12-18", "--name", "Ann")
    assert result.exit_code == 1 and "points outside" in result.stderr
    assert list(outside.iterdir()) == []


def test_withdraw_keeps_an_article_without_front_matter_as_written(rota: Path) -> None:
    signup(rota, "--date", "2026-12-18", "--name", "Ann", "--topic", "Plans")
    article = rota / "talks/2026-12-18-plans.md"
    article.write_text("Just my notes, no front matter.\n")
    git(rota, "commit", "-qam", "Notes")
    result = lunchlearn("--repo", str(rota), "withdraw", "--date", "2026-12-18")
    assert result.exit_code == 0, result.stderr
    assert "the article is kept in talks/2026-12-18-plans.md" in result.stdout
    assert article.read_text() == "Just my notes, no front matter.\n"
    assert changed_paths(rota) == ["schedule.yaml"]


def test_init_refuses_to_sweep_in_uncommitted_gitattributes(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitattributes").write_text("*.png binary\n")
    git(tmp_path, "add", ".gitattributes")
    git(tmp_path, "commit", "-qm", "attributes")
    (tmp_path / ".gitattributes").write_text("*.png binary\nmy-unstaged-line\n")
    result = lunchlearn("init", str(tmp_path))
    assert result.exit_code == 1 and ".gitattributes has uncommitted changes" in result.stderr
    assert (tmp_path / ".gitattributes").read_text() == "*.png binary\nmy-unstaged-line\n"
    assert not (tmp_path / "schedule.yaml").exists() and not (tmp_path / "talks").exists()
    assert commits(tmp_path) == ["attributes"]


def test_a_failed_init_leaves_no_trace(tmp_path: Path, isolated: Path) -> None:
    (isolated / ".gitconfig").write_text("[user]\n\tuseConfigOnly = true\n")
    result = lunchlearn("init", str(tmp_path / "new"))
    assert result.exit_code == 1 and "git has no identity" in result.stderr
    assert not (tmp_path / "new").exists()

    git(tmp_path, "init", "-q")
    result = lunchlearn("init", str(tmp_path))
    assert result.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [".git"]


def test_article_status_in_json_is_one_of_the_documented_values(rota: Path) -> None:
    signup(rota, "--date", "2026-12-18", "--name", "Ann", "--topic", "T")
    article = rota / "talks/2026-12-18-t.md"
    for written, shown in (("done", "unreadable"), ("Draft", "unreadable"), ("withdrawn", "withdrawn")):
        article.write_text(article.read_text().replace(article.read_text().splitlines()[4], f"status: {written}"))
        sessions = json.loads(lunchlearn("--repo", str(rota), "next", "--json").stdout)
        assert [s["article_status"] for s in sessions if s["state"] == "booked"] == [shown]


def test_init_accepts_an_unpadded_hour(tmp_path: Path) -> None:
    assert lunchlearn("init", str(tmp_path / "r"), "--time", "9:30").exit_code == 0
    assert "  time: 09:30\n" in (tmp_path / "r" / "schedule.yaml").read_text()


def test_repo_may_name_the_schedule_file_itself(busy: Path) -> None:
    result = lunchlearn("--repo", str(busy / "schedule.yaml"), "next", "--json")
    assert result.exit_code == 0 and "Cole Jensen" in result.stdout


def test_a_rota_that_is_not_utf8_is_located(rota: Path) -> None:
    path = rota / "schedule.yaml"
    path.write_bytes(path.read_bytes().replace(b"Main meeting room", b"Caf\xe9"))
    result = lunchlearn("--repo", str(rota), "next")
    assert result.exit_code == 2 and re.search(r"schedule\.yaml:8:12: not UTF-8 text", result.stderr)


def test_an_article_that_is_not_utf8_is_located_alike_by_check_and_by_a_write(busy: Path) -> None:
    article = busy / "talks/2026-12-04-cole-jensen.md"
    article.write_bytes(article.read_bytes().replace(b"status: draft", b"status: draft\n# caf\xe9"))
    git(busy, "commit", "-qam", "An article in Latin-1")
    located = "2026-12-04-cole-jensen.md:6:6: not UTF-8 text; save it as UTF-8"

    checked = lunchlearn("--repo", str(busy), "check")
    withdrawn = lunchlearn("--repo", str(busy), "withdraw", "--date", "2026-12-04")

    assert checked.exit_code == 1 and checked.stdout.strip().endswith(located)
    assert withdrawn.exit_code == 2 and f"error: talks/{located}" in withdrawn.stderr
    assert git(busy, "status", "--porcelain") == ""


def test_a_hook_that_fixes_and_stages_files_leaves_the_index_in_step(rota: Path) -> None:
    hook = rota / ".git" / "hooks" / "pre-commit"
    hook.write_text(
        '#!/bin/sh\nfor f in $(git diff --cached --name-only); do echo "# fmt" >> "$f"; git add "$f"; done\n'
    )
    hook.chmod(0o755)

    assert lunchlearn("signup", "--date", "2026-12-18", "--name", "Ann", "--topic", "A", cwd=rota).exit_code == 0

    assert git(rota, "status", "--porcelain") == ""
    second = lunchlearn("signup", "--date", "2027-01-08", "--name", "Bob", "--topic", "B", cwd=rota)
    assert second.exit_code == 0, second.stderr
