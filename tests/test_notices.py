"""confirm, remind and announce through the real CLI in real git repositories (today is Sat 28 Nov 2026)."""

from __future__ import annotations

import email
import email.policy
import json
import mailbox
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lunchlearn.rota import article_file, model, schedule_file
from lunchlearn.rota.merge import merge_rotas
from lunchlearn.rota.model import Rota, Settings, Skip, Talk
from tests.helpers import changed_paths, clean_clone, commits, git, lunchlearn, make_rota

ME = "Test User"  # git user.name in every test


def _talk(day: str, presenter: str, topic: str, address: str = "", confirmed: date | bool = False) -> Talk:
    return Talk(date.fromisoformat(day), presenter, topic, f"talks/{day}-{topic.lower().replace(' ', '-')}.md",
                address, confirmed=confirmed)


def _article(talk: Talk, status: str = "draft", summary: str = "") -> str:
    text = article_file.article_stub(talk).replace("status: draft", f"status: {status}")
    return text.replace("summary: ''", f"summary: {summary}") if summary else text


def _team_rota(
    root: Path,
    talks: list[Talk],
    statuses: dict[str, str] | None = None,
    skips: tuple[Skip, ...] = (),
    settings: dict[str, Any] | None = None,
    summaries: dict[str, str] | None = None,
) -> Path:
    """A committed rota with these talks (e-mails and confirmations kept) and their articles."""
    rota = Rota(settings=Settings(**(settings or {})), skips=skips, talks=tuple(talks))
    files = {model.SCHEDULE: schedule_file.dump_rota(rota)}
    for talk in talks:
        day = talk.date.isoformat()
        files[talk.article] = _article(talk, (statuses or {}).get(day, "draft"), (summaries or {}).get(day, ""))
    return make_rota(root, files=files)


def _remind(root: Path, *args: str) -> tuple[int, str, str]:
    result = lunchlearn("--repo", str(root), "remind", *args)
    return result.exit_code, result.stdout, result.stderr


# confirm ---------------------------------------------------------------------------------------


def test_confirm_records_the_day_on_your_next_talk_in_one_commit(tmp_path: Path) -> None:
    root = _team_rota(tmp_path / "rota", [_talk("2026-12-04", ME, "Forms"), _talk("2026-12-11", "Ray", "Colour")])
    before = (root / "schedule.yaml").read_text()
    assert json.loads(lunchlearn("--repo", str(root), "next", "--json").stdout)[0]["confirmed"] is False

    result = lunchlearn("--repo", str(root), "confirm")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Confirmed {ME}'s talk on Fri 4 Dec 2026: Forms")
    after = (root / "schedule.yaml").read_text()
    forms = after.index("topic: Forms")
    assert after[forms:].splitlines()[2] == "  confirmed: 2026-11-28"
    assert after.replace("  confirmed: 2026-11-28\n", "", 1) == before  # one line added, nothing else touched
    assert commits(root)[0] == f"Confirm {ME}'s talk on Fri 4 Dec 2026: Forms"
    assert changed_paths(root) == ["schedule.yaml"] and clean_clone(root)
    sessions = json.loads(lunchlearn("--repo", str(root), "next", "--json").stdout)
    assert [s.get("confirmed") for s in sessions[:2]] == [True, False]


@pytest.mark.parametrize("spelling", [["2026-12-04"], ["--date", "2026-12-04"]])
def test_confirm_takes_the_date_either_way_and_someone_elses_talk_with_name(
    tmp_path: Path, spelling: list[str]
) -> None:
    root = _team_rota(tmp_path / "rota", [_talk("2026-12-04", "Ray Patel", "Colour")])
    result = lunchlearn("--repo", str(root), "confirm", *spelling, "--name", "ray patel")
    assert result.exit_code == 0, result.stderr
    assert "  confirmed: 2026-11-28\n" in (root / "schedule.yaml").read_text()


def test_confirming_twice_commits_nothing_the_second_time(tmp_path: Path) -> None:
    root = _team_rota(tmp_path / "rota", [_talk("2026-12-04", ME, "Forms")])
    assert lunchlearn("--repo", str(root), "confirm").exit_code == 0
    count = len(commits(root))
    result = lunchlearn("--repo", str(root), "confirm", "2026-12-04")
    assert result.exit_code == 0
    assert "already confirmed; nothing to commit" in result.stdout
    assert len(commits(root)) == count


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2026-12-04"], "is Ray's, not Test User's; to confirm it for them, pass --name 'Ray'"),
        (["2026-12-04", "--name", "Amy"], "the talk on Fri 4 Dec 2026 is Ray's, not Amy's"),
        (["2026-11-27", "--name", "Sam"], "the talk on Fri 27 Nov 2026 is in the past"),
        (["2026-12-11"], "is more than 7 days away; confirm it from Fri 4 Dec 2026 (`lunchlearn confirm 2026-12-11`)"),
        (["2026-12-18"], "nobody is signed up for Fri 18 Dec 2026"),
        (["--name", "Ray"], None),  # Ray's next talk is his: confirmed
        (["--name", "Nobody"], "Nobody has no upcoming talk to confirm"),
    ],
)
def test_confirm_refuses_what_is_not_yours_past_or_too_early(
    tmp_path: Path, args: list[str], message: str | None
) -> None:
    talks = [_talk("2026-11-27", "Sam", "Forms"), _talk("2026-12-04", "Ray", "Colour"),
             _talk("2026-12-11", ME, "Maps")]
    root = _team_rota(tmp_path / "rota", talks)
    before, count = (root / "schedule.yaml").read_text(), len(commits(root))
    result = lunchlearn("--repo", str(root), "confirm", *args)
    if message is None:
        assert result.exit_code == 0, result.stderr
        return
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and message in result.stderr, result.stderr
    assert (root / "schedule.yaml").read_text() == before and len(commits(root)) == count
    assert clean_clone(root)


def test_a_hand_written_confirmation_is_read_and_a_bad_one_reported_with_its_place(tmp_path: Path) -> None:
    root = _team_rota(tmp_path / "rota", [_talk("2026-12-04", ME, "Forms")])
    text = (root / "schedule.yaml").read_text()
    (root / "schedule.yaml").write_text(text + "  confirmed: true\n")
    assert json.loads(lunchlearn("--repo", str(root), "next", "--json").stdout)[0]["confirmed"] is True
    (root / "schedule.yaml").write_text(text + "  confirmed: soon\n")
    result = lunchlearn("--repo", str(root), "next")
    assert result.exit_code == 2
    line = len(text.splitlines()) + 1
    assert f"schedule.yaml:{line}:14: confirmed 'soon' must be the day the talk was confirmed" in result.stderr


def test_a_confirmation_merges_with_a_change_to_another_date() -> None:
    forms, colour = _talk("2026-12-04", ME, "Forms"), _talk("2026-12-11", "Ray", "Colour")
    base = Rota(talks=(forms,))
    ours = Rota(talks=(Talk(forms.date, ME, "Forms", forms.article, confirmed=date(2026, 11, 28)),))
    merged = merge_rotas(base, ours, base.with_talk(colour))
    assert merged.conflicts == ()
    assert [t.confirmed for t in merged.rota.talks] == [date(2026, 11, 28), False]


# remind ----------------------------------------------------------------------------------------


@pytest.fixture
def busy(tmp_path: Path) -> Path:
    """Amy's unconfirmed draft next Friday, an open date the week after, Sam's article unpublished since 13 Nov."""
    talks = [_talk("2026-11-13", "Sam", "Forms", "sam@example.com"), _talk("2026-11-20", "Lee", "Done"),
             _talk("2026-12-04", "Amy Chen", "RSS feeds", "amy@example.com"), _talk("2026-12-18", "Ray", "Colour")]
    statuses = {"2026-11-20": "published", "2026-12-18": "ready"}
    return _team_rota(tmp_path / "busy", talks, statuses, settings={"announce_to": "all@example.com"})


def test_remind_lists_what_is_due_with_commands_and_exits_1(busy: Path) -> None:
    code, out, err = _remind(busy)
    assert code == 1, err
    assert out.splitlines()[:3] == [
        "Lunch and learn: what needs doing (Sat 28 Nov 2026, next 14 days)",
        "",
        "Next session: Fri 4 Dec 2026 13:00 (UTC): Amy Chen, RSS feeds (not confirmed yet)",
    ]
    assert out.splitlines()[4:] == [
        "- Amy Chen has not confirmed the talk on Fri 4 Dec 2026 (RSS feeds)",
        "  lunchlearn confirm 2026-12-04",
        "- Amy Chen's article for Fri 4 Dec 2026 (RSS feeds) is still draft",
        "  lunchlearn write 2026-12-04",
        "- nobody presents on Fri 11 Dec 2026 yet",
        "  lunchlearn signup --date 2026-12-11 --short-notice",
        "- Sam's article for Fri 13 Nov 2026 (Forms) is not published 15 days after the talk (it is draft)",
        "  lunchlearn ready 2026-11-13",
    ]


def test_remind_exits_0_when_nothing_is_due(tmp_path: Path) -> None:
    talks = [_talk("2026-12-04", "Amy", "RSS", confirmed=date(2026, 11, 27)), _talk("2026-12-11", "Ray", "Colour")]
    root = _team_rota(tmp_path / "rota", talks, {"2026-12-04": "ready", "2026-12-11": "ready"})
    code, out, err = _remind(root)
    assert (code, err) == (0, "")
    assert out.splitlines()[2:] == ["Next session: Fri 4 Dec 2026 13:00 (UTC): Amy, RSS (confirmed)", "",
                                    "Nothing needs doing."]
    assert json.loads(_remind(root, "--json")[1])["needs_attention"] is False
    assert _remind(root, "--days", "21")[0] == 1  # Fri 18 Dec is open


def test_remind_waits_for_unpublished_after_days(tmp_path: Path) -> None:
    talks = [_talk("2026-11-13", "Sam", "Forms")]
    root = _team_rota(tmp_path / "rota", talks, settings={"unpublished_after_days": 30})
    code, out, _ = _remind(root, "--days", "1")
    assert code == 0 and "Forms" not in out


def test_remind_markdown_and_json(busy: Path) -> None:
    code, out, _ = _remind(busy, "--format", "markdown")
    assert code == 1
    assert out.startswith("## Lunch and learn: what needs doing")
    assert "- nobody presents on Fri 11 Dec 2026 yet: `lunchlearn signup --date 2026-12-11 --short-notice`" in out
    code, out, _ = _remind(busy, "--json")
    data = json.loads(out)
    assert code == 1 and data["needs_attention"] is True
    assert data["next"] == {"date": "2026-12-04", "state": "booked", "presenter": "Amy Chen",
                            "topic": "RSS feeds", "confirmed": False}
    assert [(d["kind"], d["date"]) for d in data["due"]] == [
        ("unconfirmed", "2026-12-04"), ("draft", "2026-12-04"), ("open", "2026-12-11"), ("unpublished", "2026-11-13")
    ]
    assert data["due"][0]["email"] == "amy@example.com"


def test_remind_email_writes_one_parseable_message_per_address(busy: Path, tmp_path: Path) -> None:
    code, out, err = _remind(busy, "--format", "email")
    assert code == 1 and err == ""
    box = tmp_path / "out.mbox"
    box.write_text(out)
    messages = {m["To"]: m for m in mailbox.mbox(box)}
    assert set(messages) == {"Amy Chen <amy@example.com>", "Sam <sam@example.com>", "all@example.com"}
    amy = email.message_from_string(str(messages["Amy Chen <amy@example.com>"]), policy=email.policy.default)
    assert amy["From"].addresses[0].addr_spec == "all@example.com"
    assert amy["Subject"] == "Lunch and learn: 2 reminders"
    assert amy["Date"].datetime.tzinfo is not None and amy["Message-ID"]
    body = amy.get_content()
    assert "lunchlearn confirm 2026-12-04" in body and "lunchlearn write 2026-12-04" in body
    assert "Sam" not in body
    assert "lunchlearn ready 2026-11-13" in messages["Sam <sam@example.com>"].get_payload(decode=True).decode()


def test_remind_email_warns_about_presenters_without_an_address_and_needs_a_sender(tmp_path: Path) -> None:
    sender = {"email_from": "rota@example.com"}
    root = _team_rota(tmp_path / "rota", [_talk("2026-12-04", "Amy", "RSS")], settings=sender)
    code, out, err = _remind(root, "--format", "email", "--days", "7")
    assert (code, out) == (1, "")
    assert "warning: not sent by e-mail (Amy has no e-mail in the rota): Amy has not confirmed" in err
    bare = _team_rota(tmp_path / "bare", [_talk("2026-12-04", "Amy", "RSS", "amy@example.com")])
    code, out, err = _remind(bare, "--format", "email")
    assert (code, out) == (1, "")
    assert err.startswith("error: e-mails need a sender: add `email_from: rota@example.com`")


# announce --------------------------------------------------------------------------------------


@pytest.fixture
def programme(tmp_path: Path) -> Path:
    settings = {"title": "Brown bag", "timezone": "Europe/London", "room": "Loft",
                "announce_to": "everyone@example.com", "calendar_url": "https://example.com/talks.ics"}
    return _team_rota(
        tmp_path / "programme",
        [_talk("2026-12-04", "Amy Chen", "RSS feeds", "amy@example.com")],
        skips=(Skip(date(2026, 12, 11), "Office party"),),
        settings=settings,
        summaries={"2026-12-04": "Feeds that bring readers back."},
    )


def _announce(root: Path, *args: str) -> tuple[int, str, str]:
    result = lunchlearn("--repo", str(root), "announce", *args)
    return result.exit_code, result.stdout, result.stderr


def test_announce_the_next_session_as_text(programme: Path) -> None:
    code, out, err = _announce(programme)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Brown bag: Fri 4 Dec 2026", "", "Amy Chen: RSS feeds", "13:00–13:45 (Europe/London), Loft", "",
        "Feeds that bring readers back.", "", "Calendar: https://example.com/talks.ics",
    ]


def test_announce_a_skipped_and_an_open_week(programme: Path) -> None:
    code, out, _ = _announce(programme, "2026-12-11")
    assert code == 0 and "There is no session this week: Office party." in out
    code, out, _ = _announce(programme, "--date", "2026-12-18", "--format", "markdown")
    assert code == 0
    assert out.startswith("## Brown bag: Fri 18 Dec 2026\n")
    assert "Would you like to? Claim the date with `lunchlearn signup --date 2026-12-18`" in out
    code, _, err = _announce(programme, "2026-12-17")
    assert code == 1 and "Thu 17 Dec 2026 is not a Friday" in err


def test_announce_json_for_each_kind_of_week(programme: Path) -> None:
    booked = json.loads(_announce(programme, "--format", "json")[1])
    assert booked == {"title": "Brown bag", "date": "2026-12-04", "time": "13:00", "end_time": "13:45",
                      "timezone": "Europe/London", "room": "Loft", "state": "booked",
                      "link": "https://example.com/talks.ics", "presenter": "Amy Chen", "topic": "RSS feeds",
                      "summary": "Feeds that bring readers back.", "confirmed": False,
                      "article_url": None}
    assert json.loads(_announce(programme, "2026-12-11", "--format", "json")[1])["reason"] == "Office party"
    assert json.loads(_announce(programme, "2026-12-18", "--format", "json")[1])["claim"] == (
        "lunchlearn signup --date 2026-12-18"
    )


@pytest.mark.parametrize("day", ["2026-12-04", "2026-12-11", "2026-12-18"])
def test_announce_email_is_one_rfc_5322_message_to_the_list(programme: Path, day: str) -> None:
    code, out, err = _announce(programme, day, "--format", "email")
    assert (code, err) == (0, "")
    message = email.message_from_string(out, policy=email.policy.default)
    assert message.defects == []
    assert message["To"].addresses[0].addr_spec == "everyone@example.com"
    assert "Brown bag" in message["Subject"] and "Fri " in message["Subject"]
    assert message["Date"].datetime.utcoffset() is not None
    body = message.get_content()
    assert body.strip() == _announce(programme, day)[1].strip()


def test_announce_email_needs_a_list_address(tmp_path: Path) -> None:
    root = _team_rota(tmp_path / "rota", [_talk("2026-12-04", "Amy", "RSS")])
    code, out, err = _announce(root, "--format", "email")
    assert (code, out) == (1, "")
    assert err.startswith("error: no list to announce to: add `announce_to: everyone@example.com`")


def test_bad_notice_settings_are_reported_where_they_are(tmp_path: Path) -> None:
    root = make_rota(tmp_path / "rota")
    text = (root / "schedule.yaml").read_text().replace("  sync: auto\n", "  sync: auto\n  announce_to: everyone\n")
    (root / "schedule.yaml").write_text(text)
    result = lunchlearn("--repo", str(root), "announce")
    assert result.exit_code == 2
    assert "e-mail address 'everyone' does not look like name@example.com" in result.stderr


def test_remind_and_announce_do_not_import_git(busy: Path) -> None:
    probe = (
        "import sys\nfrom lunchlearn.cli import app\n"
        "for args in (['remind'], ['announce', '--format', 'email'], ['remind', '--format', 'email']):\n"
        "    try:\n        app(args, prog_name='lunchlearn')\n    except SystemExit as e:\n"
        "        assert e.code in (0, 1), e.code\n"
        "unused = ('git', 'rich', 'lunchlearn.git.repo', 'lunchlearn.git.transaction', 'lunchlearn.usecases.sync')\n"
        "print('heavy:', sorted(m for m in unused if m in sys.modules))\n"
    )
    assert lunchlearn("--repo", str(busy), "next").exit_code == 0  # registers the merge driver first
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "-c", probe], cwd=busy, capture_output=True, text=True, env=env,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("heavy: []")
    assert git(busy, "status", "--porcelain") == ""


def test_remind_days_come_from_the_settings_and_confirmations_from_the_coming_week(tmp_path: Path) -> None:
    talks = [_talk("2026-12-04", "Amy", "RSS", "amy@example.com")]
    root = _team_rota(tmp_path / "rota", talks, settings={"remind_days": 3})
    code, out, _ = _remind(root)
    assert code == 1 and "next 3 days" in out.splitlines()[0]
    assert [d["kind"] for d in json.loads(_remind(root, "--json")[1])["due"]] == ["unconfirmed"]
    assert "remind_days: 3" in (root / "schedule.yaml").read_text()
    assert "remind_days" not in (make_rota(tmp_path / "plain") / "schedule.yaml").read_text()


def test_a_bad_remind_days_is_reported_with_its_place(tmp_path: Path) -> None:
    root = make_rota(tmp_path / "rota")
    text = (root / "schedule.yaml").read_text().replace("  sync: auto\n", "  sync: auto\n  remind_days: 0\n")
    (root / "schedule.yaml").write_text(text)
    result = lunchlearn("--repo", str(root), "remind")
    assert result.exit_code == 2
    line = text.splitlines().index("  remind_days: 0") + 1
    assert f"schedule.yaml:{line}:16: settings: remind_days must be a whole number from 1 to 366" in result.stderr
