"""`lunchlearn calendar`: an iCalendar feed that calendar apps can follow as the rota changes."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar  # noqa: TID253  (the tests parse feeds back; the rule guards the CLI start-up)
import pytest

from lunchlearn import storage
from lunchlearn.rota import model, revisions
from lunchlearn.rota.merge import merge_rotas
from lunchlearn.rota.model import Rota, Talk
from lunchlearn.usecases.sessions import commit_changes, schedule_change
from lunchlearn.usecases.transaction import transaction
from tests.helpers import TODAY, commits, git, lunchlearn, make_rota

ANN_DAY = "2026-12-18"
BOB_DAY = "2027-01-08"


@pytest.fixture
def booked(rota: Path) -> Path:
    """A rota in Europe/London with two talks signed up through the CLI."""
    for day, name, topic in ((ANN_DAY, "Ann Lee", "Rust"), (BOB_DAY, "Bob", "Git internals")):
        result = lunchlearn("--repo", str(rota), "signup", day, "--name", name, "--topic", topic)
        assert result.exit_code == 0, result.stderr
    return rota


def feed(rota: Path, *args: str) -> bytes:
    """The feed's bytes as `calendar -o` writes them (beside the rota, not in it)."""
    target = rota.parent / "feed.ics"
    result = lunchlearn("--repo", str(rota), "calendar", "-o", str(target), *args)
    assert result.exit_code == 0, result.stderr
    return target.read_bytes()


def events(data: bytes) -> dict[str, icalendar.Event]:
    """The feed's events by date, parsed back strictly."""
    calendar = icalendar.Calendar.from_ical(data)
    return {event.start.date().isoformat(): event for event in calendar.events}


def test_the_feed_has_one_event_per_talk_in_the_rotas_time_zone(booked: Path) -> None:
    calendar = icalendar.Calendar.from_ical(feed(booked))

    assert [tz["TZID"] for tz in calendar.timezones] == ["Europe/London"]
    by_day = {event.start.date().isoformat(): event for event in calendar.events}
    assert sorted(by_day) == [ANN_DAY, BOB_DAY]
    ann = by_day[ANN_DAY]
    assert ann.start == datetime(2026, 12, 18, 13, 0, tzinfo=ZoneInfo("Europe/London"))
    assert ann["DTSTART"].params["TZID"] == "Europe/London"
    assert ann.duration == timedelta(minutes=45)
    assert ann["LOCATION"] == "Main meeting room"
    assert ann["SUMMARY"] == "Rust (Ann Lee)"
    assert ann["STATUS"] == "CONFIRMED"
    assert ann["UID"] == storage.read_rota(booked).booked(date(2026, 12, 18)).uid
    assert ann["SEQUENCE"] == 0


def test_two_runs_with_no_change_write_the_same_bytes(booked: Path, tmp_path: Path) -> None:
    target = tmp_path / "feeds" / "lunch.ics"
    target.parent.mkdir()

    first = lunchlearn("--repo", str(booked), "calendar", "-o", str(target))
    written = target.read_bytes()
    second = lunchlearn("--repo", str(booked), "calendar", "-o", str(target))

    assert (first.exit_code, second.exit_code) == (0, 0)
    assert f"Wrote {target}" in first.stderr and "is up to date" in second.stderr
    assert target.read_bytes() == written == feed(booked)
    assert written.endswith(b"END:VCALENDAR\r\n")


def test_a_moved_talk_keeps_its_uid(booked: Path) -> None:
    before = events(feed(booked))[ANN_DAY]
    schedule = booked / model.SCHEDULE
    # `move` is another command's work; the rota's date changed by hand is the same change to the feed.
    schedule.write_text(schedule.read_text().replace(f"date: {ANN_DAY}", "date: 2027-01-15"))
    git(booked, "commit", "-qam", "Move Ann")

    after = events(feed(booked))

    assert ANN_DAY not in after
    assert after["2027-01-15"]["UID"] == before["UID"]


def change_topic(rota: Path, day: date, topic: str) -> None:
    """What a command that changes a talk does: one write of schedule.yaml through the transaction."""
    with transaction(rota, share=False) as done:
        talk = done.rota.booked(day)
        changed = done.rota.without_talk(day).with_talk(replace(talk, topic=topic))
        commit_changes(done.git, [schedule_change(rota, done.rota, changed)], f"Retitle {day}", "", dry_run=False)


def test_a_changed_talk_gets_the_next_sequence_and_a_new_stamp(booked: Path) -> None:
    before = events(feed(booked))
    bob_before = feed(booked, "--person", "Bob")

    change_topic(booked, date(2026, 12, 18), "Rust for beginners")
    after = events(feed(booked))

    ann, ann_before = after[ANN_DAY], before[ANN_DAY]
    assert ann["SUMMARY"] == "Rust for beginners (Ann Lee)"
    assert (ann["UID"], ann["SEQUENCE"]) == (ann_before["UID"], 1)
    assert ann["DTSTAMP"].dt >= ann_before["DTSTAMP"].dt
    assert ann["LAST-MODIFIED"].dt == ann["DTSTAMP"].dt
    assert after[BOB_DAY].to_ical() == before[BOB_DAY].to_ical()  # an unchanged talk's event is untouched
    assert feed(booked, "--person", "Bob") == bob_before


def test_a_withdrawn_talk_stays_in_the_feed_cancelled_for_a_while(booked: Path) -> None:
    uid = events(feed(booked))[ANN_DAY]["UID"]

    assert lunchlearn("--repo", str(booked), "withdraw", ANN_DAY).exit_code == 0
    cancelled = events(feed(booked))[ANN_DAY]

    assert (cancelled["UID"], cancelled["STATUS"], cancelled["SEQUENCE"]) == (uid, "CANCELLED", 1)
    assert cancelled["SUMMARY"] == "Cancelled: Rust (Ann Lee)"
    # Weeks after its date, the next write lets it go.
    later = {"LUNCHLEARN_TODAY": "2027-01-22"}
    result = lunchlearn("--repo", str(booked), "signup", "2027-02-12", "--name", "Cy", "--topic", "Go", env=later)
    assert result.exit_code == 0, result.stderr
    assert ANN_DAY not in events(feed(booked))
    assert "cancelled" not in (booked / model.SCHEDULE).read_text()


def test_a_person_feed_has_only_their_talks(booked: Path) -> None:
    data = feed(booked, "--person", "ann  LEE")

    calendar = icalendar.Calendar.from_ical(data)
    assert [event["SUMMARY"] for event in calendar.events] == ["Rust (Ann Lee)"]
    assert calendar["X-WR-CALNAME"] == "Lunch and learn: ann  LEE"


def test_talks_from_before_uids_get_a_stable_one(tmp_path: Path) -> None:
    root = make_rota(tmp_path / "rota", talks=[{"date": ANN_DAY, "presenter": "Ann"}])

    first, second = feed(root), feed(root)

    assert first == second
    assert events(first)[ANN_DAY]["UID"].endswith("@lunchlearn")
    assert events(first)[ANN_DAY]["DTSTAMP"].dt.date() == date(2026, 12, 18)


@pytest.mark.parametrize("command", [["move", ANN_DAY, "2027-01-15"], ["swap", ANN_DAY, BOB_DAY],
                                     ["skip", ANN_DAY, "--reason", "Offsite", "--move-to", "2027-01-15"]])
def test_a_talk_from_before_uids_keeps_its_event_when_it_moves(tmp_path: Path, command: list[str]) -> None:
    root = make_rota(tmp_path / "rota", talks=[{"date": ANN_DAY, "presenter": "Ann", "topic": "Rust"},
                                               {"date": BOB_DAY, "presenter": "Bob", "topic": "Go"}])
    before = {event["SUMMARY"]: event for event in events(feed(root)).values()}

    moved = lunchlearn("--repo", str(root), *command)

    assert moved.exit_code == 0, moved.stderr
    calendar = icalendar.Calendar.from_ical(feed(root))
    assert [event["STATUS"] for event in calendar.events if event.get("STATUS") == "CANCELLED"] == []
    after = {event["SUMMARY"]: event for event in calendar.events}
    assert after.keys() == before.keys()
    for summary, event in after.items():  # the same event, at its new date, one revision on
        assert event["UID"] == before[summary]["UID"]
        if event.start != before[summary].start:
            assert event["SEQUENCE"] == before[summary].get("SEQUENCE", 0) + 1


def test_the_feed_reads_and_never_commits(booked: Path) -> None:
    history = commits(booked)
    feed(booked)
    assert commits(booked) == history
    assert git(booked, "status", "--porcelain") == ""


def test_an_output_of_a_dash_is_the_standard_output(booked: Path) -> None:
    result = lunchlearn("--repo", str(booked), "calendar", "-o", "-", cwd=booked)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == lunchlearn("--repo", str(booked), "calendar").stdout
    assert result.stdout.startswith("BEGIN:VCALENDAR")
    assert not (booked / "-").exists()


def test_an_output_that_is_a_folder_is_bad_input(booked: Path, tmp_path: Path) -> None:
    result = lunchlearn("--repo", str(booked), "calendar", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "is a folder" in result.stderr


@pytest.mark.parametrize("output", [".git/lunchlearn.ics", ".git/hooks/lunchlearn.ics"])
def test_an_output_inside_the_git_folder_is_refused_as_the_readme_promises(booked: Path, output: str) -> None:
    result = lunchlearn("--repo", str(booked), "calendar", "-o", output, cwd=booked)

    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "inside a .git folder" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (booked / output).exists()


def test_a_hand_written_revision_that_does_not_parse_is_located(booked: Path) -> None:
    schedule = booked / model.SCHEDULE
    schedule.write_text(schedule.read_text().replace("changed: '", "changed: 'yesterday ", 1))

    result = lunchlearn("--repo", str(booked), "calendar")

    assert result.exit_code == 2
    assert "schedule.yaml:" in result.stderr and "changed" in result.stderr


def test_the_feed_on_standard_output_is_the_same_bytes(booked: Path) -> None:
    import subprocess
    import sys

    runs = [
        subprocess.run([sys.executable, "-m", "lunchlearn", "--repo", str(booked), "calendar"],
                       capture_output=True, check=False)
        for _ in range(2)
    ]
    assert [run.returncode for run in runs] == [0, 0]
    assert runs[0].stdout == runs[1].stdout == feed(booked)


# The revisions themselves (rota/revisions.py), without the CLI ----------------------------------------

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=ZoneInfo("UTC"))


def talk(day: str, presenter: str, topic: str = "Rust", **revision: object) -> Talk:
    article = f"talks/{day}-{presenter.lower()}.md"
    return Talk(date.fromisoformat(day), presenter, topic, article, **revision)  # type: ignore[arg-type]


def test_a_sequence_someone_else_already_raised_is_not_raised_again() -> None:
    before = Rota(talks=(talk(ANN_DAY, "Ann", uid="a@x", sequence=2),))
    merged = Rota(talks=(talk(ANN_DAY, "Ann", "Go", uid="a@x", sequence=3, changed="2026-11-27T10:00:00Z"),))

    assert revisions.revise(before, merged, NOW, TODAY) == merged


def test_a_change_of_room_is_a_new_revision_of_every_talk() -> None:
    before = Rota(talks=(talk(ANN_DAY, "Ann", uid="a@x"), talk(BOB_DAY, "Bob", uid="b@x", sequence=4)))
    after = replace(before, settings=replace(before.settings, room="Canteen"))

    revised = revisions.revise(before, after, NOW, TODAY)

    stamp = "2026-11-28T09:30:00Z"
    assert [(t.sequence, t.changed) for t in revised.talks] == [(1, stamp), (5, stamp)]


def test_an_old_talk_that_changes_keeps_the_uid_it_had_in_the_feed() -> None:
    old = talk(ANN_DAY, "Ann")
    after = Rota(talks=(replace(old, topic="Go"),))

    (revised,) = revisions.revise(Rota(talks=(old,)), after, NOW, TODAY).talks

    assert (revised.uid, revised.sequence) == (model.event_uid(old), 1)


def test_both_sides_cancellations_survive_a_merge() -> None:
    base = Rota(talks=(talk(ANN_DAY, "Ann", uid="a@x"), talk(BOB_DAY, "Bob", uid="b@x")))
    ours = revisions.revise(base, base.without_talk(date(2026, 12, 18)), NOW, TODAY)
    theirs = revisions.revise(base, base.without_talk(date(2027, 1, 8)), NOW, TODAY)

    merged = merge_rotas(base, ours, theirs)

    assert merged.conflicts == ()
    assert merged.rota.talks == ()
    assert [(c.uid, c.sequence) for c in merged.rota.cancelled] == [("a@x", 1), ("b@x", 1)]


def test_a_kept_feed_is_laid_out_again_whenever_what_it_shows_changes(booked: Path) -> None:
    """The feed is kept under .git/ by what it shows: a hand edit of the rota, a published post's address,
    another person, or a kept copy of another version is never served in its place."""
    first = feed(booked)
    assert feed(booked) == first and (booked / ".git/lunchlearn/lunchlearn.ics").is_file()

    schedule = booked / "schedule.yaml"
    schedule.write_text(schedule.read_text(encoding="utf-8").replace("topic: Rust", "topic: Rusty"), "utf-8")
    assert events(feed(booked))[ANN_DAY]["SUMMARY"] == "Rusty (Ann Lee)"

    article = next((booked / "talks").glob(f"{ANN_DAY}-*.md"))
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("status:", "published_url: https://example.com/rust/\nstatus:", 1), "utf-8")
    assert events(feed(booked))[ANN_DAY]["URL"] == "https://example.com/rust/"

    assert sorted(events(feed(booked, "--person", "Bob"))) == [BOB_DAY]
    assert sorted(events(feed(booked))) == [ANN_DAY, BOB_DAY]

    kept = booked / ".git/lunchlearn/lunchlearn.ics"
    kept.write_bytes(kept.read_bytes().replace(b"0.", b"9.", 1))  # as kept by another lunchlearn
    assert feed(booked) == feed(booked) and b"Rusty (Ann Lee)" in feed(booked)


def test_a_kept_feed_is_laid_out_again_by_a_lunchlearn_whose_layout_changed(booked: Path, tmp_path: Path) -> None:
    """Another build of lunchlearn (same version, a changed feed layout) lays the feed out again."""
    import subprocess
    import sys

    import lunchlearn

    source = tmp_path / "other-build"
    shutil.copytree(Path(lunchlearn.__file__).parent, source / "lunchlearn")

    def feed_of_that_build() -> str:
        result = subprocess.run([sys.executable, "-m", "lunchlearn", "calendar"], cwd=booked, capture_output=True,
                                text=True, env={**os.environ, "PYTHONPATH": str(source)}, check=False)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "PRODID:-//lunchlearn//lunchlearn calendar//EN" in feed_of_that_build()
    layout = source / "lunchlearn/site/calendar.py"
    layout.write_text(layout.read_text(encoding="utf-8").replace("lunchlearn calendar//EN", "feed//EN"), "utf-8")
    assert "PRODID:-//lunchlearn//feed//EN" in feed_of_that_build()


@pytest.mark.parametrize(
    "change",
    [["signup", "2027-01-15", "--name", "Cy", "--topic", "Zig"], ["move", BOB_DAY, "2027-01-15"],
     ["withdraw", ANN_DAY]],
    ids=lambda change: change[0],
)
def test_a_feed_laid_out_again_after_a_change_is_the_one_laid_out_from_nothing(booked: Path, change: list[str]) -> None:
    """Each event laid out for an earlier feed is reused while it shows the same: the feed after a change is
    byte for byte the feed laid out with nothing kept, and what icalendar lays out for that calendar."""
    before = feed(booked)
    changed = lunchlearn("--repo", str(booked), *change)
    assert changed.exit_code == 0, changed.stderr
    after = feed(booked)
    shutil.rmtree(booked / ".git/lunchlearn")
    assert after != before and after == feed(booked)
    assert bytes(icalendar.Calendar.from_ical(after).to_ical()) == after


def test_events_laid_out_before_a_change_of_room_show_the_new_room(booked: Path) -> None:
    feed(booked)
    schedule = booked / "schedule.yaml"
    text = schedule.read_text(encoding="utf-8")
    assert "room: Main meeting room" in text
    schedule.write_text(text.replace("room: Main meeting room", "room: Canteen"), encoding="utf-8")
    after = feed(booked)
    assert {str(event["LOCATION"]) for event in events(after).values()} == {"Canteen"}
    shutil.rmtree(booked / ".git/lunchlearn")
    assert after == feed(booked)
