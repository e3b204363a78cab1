"""What a person writes in schedule.yaml (comments, blank lines, layout) survives lunchlearn's writes and merges."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lunchlearn import storage
from lunchlearn.rota import article_file, model, schedule_file
from lunchlearn.rota.model import Cancelled, PublishOptions, Rota, Settings, Skip, Talk
from tests.helpers import git, lunchlearn, make_rota, make_team, remote_rota, write_files

COMMENTED = """\
# Our lunch-and-learn rota. Ask Dee before changing the settings.
settings:
  title: Friday lunch and learn
  weekday: friday          # the programme's day
  time: '13:30'            # after the stand-up
  timezone: Europe/London

  lead_weeks: 2            # minimum notice
skipped:
- date: 2026-12-25
  reason: Christmas Day    # office closed
talks:
# December
- date: 2026-12-04
  presenter: Cole Jensen   # confirmed by mail
  topic: RSS feeds
  article: talks/2026-12-04-rss-feeds.md

# January
- date: 2027-01-15
  presenter: Ann
  topic: Git
  article: talks/2027-01-15-git.md
# Ask Dee for the room key.
"""
BOB_ON_8_JANUARY = """\
- date: 2027-01-08
  presenter: Bob
  topic: Rust
  article: talks/2027-01-08-rust.md
"""
ANN_ON_15_JANUARY = """\
- date: 2027-01-15
  presenter: Ann
  topic: Git
  article: talks/2027-01-15-git.md
"""


def commented_rota(root: Path, text: str = COMMENTED) -> Path:
    """A committed rota whose schedule.yaml is `text`, as a person wrote it."""
    make_rota(root, talks=[
        {"date": "2026-12-04", "presenter": "Cole Jensen", "article": "talks/2026-12-04-rss-feeds.md"},
        {"date": "2027-01-15", "presenter": "Ann", "article": "talks/2027-01-15-git.md"},
    ])
    (root / model.SCHEDULE).write_bytes(text.encode("utf-8"))
    git(root, "commit", "-q", "-am", "Comments by hand")
    return root


def bob_on_8_january(root: Path) -> str:
    """Bob's entry as signup writes it, with the calendar identity it gave the talk."""
    talk = storage.read_rota(root).booked(date(2027, 1, 8))
    return f"{BOB_ON_8_JANUARY}  uid: {talk.uid}\n  changed: '{talk.changed}'\n"


def ann_cancelled(root: Path) -> str:
    """The `cancelled:` section withdrawing Ann's talk adds, so calendars drop it (rota/revisions.py)."""
    (gone,) = storage.read_rota(root).cancelled
    assert (gone.date, gone.presenter, gone.topic, gone.sequence) == (date(2027, 1, 15), "Ann", "Git", 1)
    return (
        f"cancelled:\n- uid: {gone.uid}\n  date: 2027-01-15\n  presenter: Ann\n  topic: Git\n  sequence: 1\n"
        f"  changed: '{gone.changed}'\n"
    )


def changed_lines(root: Path) -> list[str]:
    diff = git(root, "diff", "-U0", "HEAD~1", "HEAD", "--", model.SCHEDULE)
    return [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_a_signup_keeps_every_comment_and_adds_only_its_entry(tmp_path: Path) -> None:
    root = commented_rota(tmp_path / "rota")

    result = lunchlearn("--repo", str(root), "signup", "--date", "2027-01-08", "--name", "Bob", "--topic", "Rust")

    assert result.exit_code == 0, result.stderr
    bob = bob_on_8_january(root)
    expected = COMMENTED.replace("rss-feeds.md\n\n# January", f"rss-feeds.md\n{bob}\n# January")
    assert (root / model.SCHEDULE).read_text(encoding="utf-8") == expected
    assert changed_lines(root) == ["+" + line for line in bob.splitlines()]


def test_a_withdrawal_removes_only_the_lines_of_its_entry(tmp_path: Path) -> None:
    root = commented_rota(tmp_path / "rota")

    result = lunchlearn("--repo", str(root), "withdraw", "2027-01-15")

    assert result.exit_code == 0, result.stderr
    cancelled = ann_cancelled(root)
    # The new `cancelled:` section follows the talks section, which now ends where Ann's entry did.
    expected = COMMENTED.replace(ANN_ON_15_JANUARY, cancelled)
    assert (root / model.SCHEDULE).read_text(encoding="utf-8") == expected
    assert "\n# January\n" in expected and expected.endswith("# Ask Dee for the room key.\n")


def test_a_crlf_schedule_with_a_bom_keeps_both(tmp_path: Path) -> None:
    root = commented_rota(tmp_path / "rota", "\ufeff" + COMMENTED.replace("\n", "\r\n"))

    assert lunchlearn("--repo", str(root), "signup", "--date", "2027-01-08", "--name", "Bob", "--topic", "Rust")\
        .exit_code == 0
    assert lunchlearn("--repo", str(root), "withdraw", "2027-01-15").exit_code == 0

    data = (root / model.SCHEDULE).read_bytes()
    bob = bob_on_8_january(root)
    expected = COMMENTED.replace("rss-feeds.md\n\n# January", f"rss-feeds.md\n{bob}\n# January")
    expected = expected.replace(ANN_ON_15_JANUARY, ann_cancelled(root))
    assert data == ("\ufeff" + expected.replace("\n", "\r\n")).encode("utf-8")


@pytest.mark.parametrize(
    "merge",
    [("git", "pull", "--no-rebase"), ("git", "pull", "--rebase"), ("lunchlearn", "sync")],
    ids=["git-pull-merge", "git-pull-rebase", "lunchlearn-sync"],
)
def test_both_clones_comments_survive_a_merge_of_their_signups(tmp_path: Path, merge: tuple[str, ...]) -> None:
    team = make_team(tmp_path, "ann", "bob")
    ann, bob = team["ann"], team["bob"]
    stubs = {t.article: article_file.article_stub(t) for t in _talks(COMMENTED)}
    write_files(ann, {model.SCHEDULE: COMMENTED, **stubs})
    git(ann, "add", "-A")
    git(ann, "commit", "-q", "-m", "Comments by hand")
    git(ann, "push", "-q")
    git(bob, "pull", "-q")
    # Each writes a comment of their own, then signs up for a date next to the other's.
    _edit(ann, "skipped:\n", "# Ann: the canteen is booked until March\nskipped:\n")
    assert lunchlearn("signup", "--date", "2026-12-18", "--name", "Dee", cwd=ann).exit_code == 0
    _edit(bob, "  time: '13:30'            # after the stand-up\n", "  time: '13:30'            # Bob: or 14:00?\n")
    bob_signup = lunchlearn("signup", "--date", "2027-01-08", "--name", "Bob", "--topic", "Rust", "--no-sync", cwd=bob)
    assert bob_signup.exit_code == 0

    if merge[0] == "git":
        git(bob, *merge[1:])
    else:
        assert lunchlearn(*merge[1:], cwd=bob).exit_code == 0, "sync failed"

    text = (bob / model.SCHEDULE).read_text(encoding="utf-8")
    for comment in ("# Ann: the canteen is booked until March\nskipped:", "# Bob: or 14:00?", "# December",
                    "# January", "# Ask Dee for the room key.\n", "# office closed", "# confirmed by mail",
                    "# the programme's day", "# minimum notice", "Ask Dee before changing the settings."):
        assert comment in text
    assert text.endswith("# Ask Dee for the room key.\n")
    rota = storage.read_rota(bob)
    assert {t.date.isoformat(): t.presenter for t in rota.talks} == {
        "2026-12-04": "Cole Jensen", "2026-12-18": "Dee", "2027-01-08": "Bob", "2027-01-15": "Ann"
    }
    assert "<<<<<<<" not in text and git(bob, "status", "--porcelain") == ""
    if merge[0] == "lunchlearn":
        assert remote_rota(team["origin"]) == rota


def _edit(clone: Path, old: str, new: str) -> None:
    path = clone / model.SCHEDULE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    git(clone, "commit", "-q", "-am", "A comment by hand")


def _talks(text: str) -> tuple[Talk, ...]:
    rota, problems = schedule_file.parse_rota(text)
    assert rota is not None, problems
    return rota.talks


# The editor itself, on layouts people write and on random rotas ---------------------------------------


def test_a_changed_setting_replaces_only_its_value() -> None:
    rota, _ = schedule_file.parse_rota(COMMENTED)
    assert rota is not None
    changed = replace(rota, settings=replace(rota.settings, weekday="thursday", time="12:00", site="../site"))

    text = schedule_file.edit_rota(COMMENTED, changed)

    assert text == COMMENTED.replace("weekday: friday", "weekday: thursday").replace("'13:30'", "'12:00'").replace(
        "# minimum notice\n", "# minimum notice\n  site: ../site\n"
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (  # a list indented under its key keeps that indentation for a new entry
            "talks:\n  -   date: 2026-12-04  # first\n      presenter: Cy\n      topic: T\n      article: talks/t.md\n",
            "talks:\n  -   date: 2026-12-04  # first\n      presenter: Cy\n      topic: T\n      article: talks/t.md\n"
            "  -   date: 2026-12-11\n      presenter: Bob\n      topic: Rust\n"
            "      article: talks/2026-12-11-rust.md\n",
        ),
        (  # an entry in flow style that changes is written afresh in block style; the rest stays
            "talks:  # all of them\n- {date: 2026-12-04, presenter: Cy, topic: T, article: talks/t.md}  # Cy's\n",
            "talks:  # all of them\n- date: 2026-12-04\n  presenter: Cyd\n  topic: T\n  article: talks/t.md\n"
            "- date: 2026-12-11\n  presenter: Bob\n  topic: Rust\n  article: talks/2026-12-11-rust.md\n",
        ),
        (  # an empty list gets its entries below the key, keeping the key's comment
            "# mine\ntalks: []   # none yet\n# end\n",
            "# mine\ntalks:   # none yet\n- date: 2026-12-11\n  presenter: Bob\n  topic: Rust\n"
            "  article: talks/2026-12-11-rust.md\n# end\n",
        ),
        (  # a missing list is created after the keys before it, before the comments that follow them
            "settings:\n  title: Lunch  # ours\n# end",
            "settings:\n  title: Lunch  # ours\ntalks:\n- date: 2026-12-11\n  presenter: Bob\n  topic: Rust\n"
            "  article: talks/2026-12-11-rust.md\n# end",
        ),
    ],
    ids=["indented-list", "flow-entry", "empty-list", "missing-list"],
)
def test_hand_layouts_are_kept_around_an_edit(written: str, expected: str) -> None:
    rota, problems = schedule_file.parse_rota(written)
    assert rota is not None, problems
    cyd = tuple(replace(t, presenter="Cyd") for t in rota.talks) if "{" in written else rota.talks
    new = replace(rota, talks=cyd).with_talk(Talk(date(2026, 12, 11), "Bob", "Rust", "talks/2026-12-11-rust.md"))

    assert schedule_file.edit_rota(written, new) == expected


def test_an_empty_file_gets_the_canonical_form() -> None:
    rota = Rota().with_talk(Talk(date(2026, 12, 11), "Bob", "Rust", "talks/2026-12-11-rust.md"))
    assert schedule_file.edit_rota("", rota) == schedule_file.dump_rota(rota)
    assert schedule_file.edit_rota("# only a comment\n", rota).startswith("# only a comment\nsettings:\n")


DAYS = [date(2026, 12, 4) + timedelta(weeks=week) for week in range(8)]
TEXTS = st.sampled_from(["Ann", "Bob Stone", "No", "null", "1.10", "a: b", "#tag", "Zoë Ångström", "🎉 Party"])


@st.composite
def rotas(draw: st.DrawFn) -> Rota:
    settings = Settings(
        title=draw(TEXTS),
        weekday=draw(st.sampled_from(model.WEEKDAYS)),
        time=draw(st.sampled_from(["13:00", "09:30"])),
        lead_weeks=draw(st.integers(0, 3)),
        site=draw(st.sampled_from(["", "../site"])),
        sync=draw(st.sampled_from(model.SYNC_MODES)),
    )
    talk_days = draw(st.lists(st.sampled_from(DAYS), unique=True, max_size=5))
    skip_days = draw(st.lists(st.sampled_from([d for d in DAYS if d not in talk_days]), unique=True, max_size=3))
    talks = tuple(
        Talk(day, draw(TEXTS), draw(TEXTS), draw(st.sampled_from([f"talks/{day}-a.md", f"talks/{day}-b.md"])),
             draw(st.sampled_from(["", "ann@example.com"])))
        for day in sorted(talk_days)
    )
    skips = tuple(Skip(day, draw(TEXTS)) for day in sorted(skip_days))
    publish = draw(
        st.sampled_from(
            [
                PublishOptions(),
                PublishOptions((("summary", ("description",)),)),
                PublishOptions((("summary", ("summary", "description")),)),
            ]
        )
    )
    return Rota(settings, skips, talks, publish)


@st.composite
def commented(draw: st.DrawFn, rota: Rota) -> tuple[str, list[str]]:
    """The rota's canonical text with comments and blank lines a person might add, and the comments
    on lines of their own that no entry owns (so that any edit must keep them)."""
    lines, kept, section = [], [], ""
    for number, line in enumerate(schedule_file.dump_rota(rota).splitlines()):
        if not line.startswith(" "):
            section = line.split(":")[0]
        if draw(st.booleans()) and (not line.startswith(" ") or section == "settings"):
            kept.append(f"# note {number}")
            lines.append(("  " if line.startswith(" ") else "") + kept[-1])
        if draw(st.booleans()):
            lines.append("")
        lines.append(line + (f"  # tail {number}" if draw(st.booleans()) else ""))
    kept.append("# the end")
    return "\n".join([*lines, kept[-1], ""]), kept


@given(st.data(), rotas(), rotas(), st.booleans())
def test_any_edit_of_a_commented_rota_says_exactly_the_new_rota(
    data: st.DataObject, before: Rota, after: Rota, crlf: bool
) -> None:
    text, comments = data.draw(commented(before))
    if crlf:
        text = text.replace("\n", "\r\n")

    edited = schedule_file.edit_rota(text, after)

    assert schedule_file.parse_rota(edited) == (after, [])
    positions = [edited.find(comment) for comment in comments]
    assert -1 not in positions and positions == sorted(positions)
    if crlf:
        assert edited.count("\n") == edited.count("\r\n")
    if before == after:
        assert edited == text


@st.composite
def talks_come_and_go(draw: st.DrawFn, before: Rota) -> Rota:
    """`before` with some talks gone, some added on free days, now and then one changed in place, and now and
    then a date skipped or held again."""
    kept = [talk for talk in before.talks if draw(st.booleans())]
    taken = {talk.date for talk in before.talks} | {skip.date for skip in before.skips}
    free = [day for day in DAYS if day not in taken]
    days = draw(st.lists(st.sampled_from(free), unique=True, max_size=3)) if free else []
    added = [Talk(day, draw(TEXTS), draw(TEXTS), f"talks/{day}-new.md", draw(st.sampled_from(["", "b@example.com"])),
                  uid=draw(st.sampled_from(["", f"{day}@lunchlearn"])), changed="2026-12-01T10:00:00Z")
             for day in days]
    if kept and draw(st.booleans()):  # one changed in place: retitled, confirmed or revised for calendars
        at = draw(st.integers(0, len(kept) - 1))
        kept[at] = draw(st.sampled_from([
            replace(kept[at], topic=kept[at].topic + " (retitled)"),
            replace(kept[at], confirmed=date(2026, 11, 30)),
            replace(kept[at], email="new@example.com", uid=f"{kept[at].date}@lunchlearn", sequence=2,
                    changed="2026-12-02T10:00:00Z"),
        ]))
    gone = [talk for talk in before.talks if talk not in kept and draw(st.booleans())]  # as calendars see it
    cancelled = tuple(Cancelled(f"{t.date}@lunchlearn", t.date, t.presenter, t.topic, 1, "2026-12-01T10:00:00Z")
                      for t in gone)
    skips = [skip for skip in before.skips if draw(st.booleans())]  # now and then a date skipped, or held again
    still_free = [day for day in free if day not in days]
    if still_free and draw(st.booleans()):
        skips.append(Skip(draw(st.sampled_from(still_free)), draw(TEXTS)))
    return replace(before, talks=tuple(sorted([*kept, *added], key=lambda t: t.date)),
                   skips=tuple(sorted(skips, key=lambda s: s.date)), cancelled=before.cancelled + cancelled)


def _indented(text: str) -> str:
    return "".join(f"  {line}" if line.strip() else line for line in text.splitlines(keepends=True))


def _talks_indented(text: str) -> str:
    head, key, rest = text.partition("\ntalks:\n")
    lines = rest.splitlines(keepends=True)
    end = next((n for n, line in enumerate(lines) if line.strip() and not line.startswith(("- ", " ", "#"))), None)
    return head + key + _indented("".join(lines[:end])) + "".join(lines[end:] if end is not None else [])


def _wide_before(text: str, since: date) -> str:
    """The entries of the talks before `since` with their keys four columns in, the others as lunchlearn
    writes them (as when the older talks were written by hand, or by another tool)."""
    head, key, talks = text.partition("\ntalks:\n")
    entries = talks.replace("\n- ", "\n\0- ").split("\0")
    wide = [entry.replace("- ", "-   ", 1).replace("\n  ", "\n    ") if entry.startswith("- date: ")
            and date.fromisoformat(entry[8:18]) < since else entry for entry in entries]
    return head + key + "".join(wide)


LAYOUTS = {  # ways people write the sections around the talks
    "canonical": lambda text: text,
    "talks list indented under its key": _talks_indented,
    "whole document indented": _indented,
    "an empty cancelled: above the talks": lambda text: text if "\ncancelled:" in text else text.replace(
        "\ntalks:", "\ncancelled: []\ntalks:", 1),
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), rotas(), st.sampled_from(sorted(LAYOUTS)), st.booleans())
def test_an_edit_from_the_kept_parse_is_the_full_edit_byte_for_byte(
    data: st.DataObject, before: Rota, layout: str, hand_written: bool
) -> None:
    text = data.draw(commented(before))[0] if hand_written else schedule_file.dump_rota(before)
    text = LAYOUTS[layout](text)
    parsed, problems = schedule_file.parse_rota(text)
    assert problems == [] and parsed == before
    after = data.draw(talks_come_and_go(before))

    edited = schedule_file.edit_rota(text, after, parsed)

    assert edited == schedule_file.edit_rota(text, after)
    assert schedule_file.parse_rota(edited) == (after, [])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), rotas(), st.booleans(), st.booleans(), st.sampled_from(DAYS), st.sampled_from(sorted(LAYOUTS)),
       st.booleans())
def test_an_edit_of_a_rota_loaded_from_a_day_on_is_the_whole_rotas_edit_byte_for_byte(
    data: st.DataObject, whole: Rota, cancelled_lately: bool, cancellations_expire: bool, since: date, layout: str,
    older_wide: bool,
) -> None:
    """A write that loaded only the talks from a day on (a kept rota's recent part) writes what the edit of
    the whole rota writes: in place when it can, else with the older talks loaded (as the use cases do)."""
    if cancelled_lately:  # a `cancelled:` section there already, which the edit keeps, adds to or empties
        gone = Cancelled("gone@lunchlearn", DAYS[0], "Zoe", "Gone", 1, "2026-12-01T10:00:00Z")
        whole = replace(whole, cancelled=(gone,))
    text = LAYOUTS[layout](schedule_file.dump_rota(whole))
    if older_wide:
        text = _wide_before(text, since)
    parsed, problems = schedule_file.parse_rota(text)
    assert problems == [] and parsed == whole
    part = replace(parsed, talks=tuple(t for t in parsed.talks if t.date >= since), talks_since=since)
    changed = data.draw(talks_come_and_go(part))
    # The write's own days, and so the talks it adds, are from `since` on; cancellations in order, as revised.
    changed = replace(changed, talks=tuple(t for t in changed.talks if t.date >= since),
                      cancelled=tuple(sorted(changed.cancelled, key=lambda c: (c.date, c.uid))))
    if cancellations_expire:  # four weeks after their dates
        changed = replace(changed, cancelled=())

    try:
        edited = schedule_file.edit_rota(text, changed, part)
    except schedule_file.PartOfRota:
        edited = schedule_file.edit_rota(text, changed.with_older_talks(parsed), parsed)

    assert edited == schedule_file.edit_rota(text, changed.with_older_talks(parsed))
    assert schedule_file.parse_rota(edited) == (changed.with_older_talks(parsed), [])


def test_a_rota_loaded_from_a_day_on_is_never_written_as_the_whole_rota() -> None:
    whole = Rota(talks=tuple(Talk(day, "Ann", "Git", f"talks/{day}-git.md") for day in (DAYS[0], DAYS[1], DAYS[3])))
    text = schedule_file.dump_rota(whole)
    parsed, _ = schedule_file.parse_rota(text)
    assert parsed is not None
    part = replace(parsed, talks=parsed.talks[2:], talks_since=DAYS[2])

    with pytest.raises(schedule_file.PartOfRota):  # more than talks changed: the whole file is edited
        schedule_file.edit_rota(text, replace(part, settings=replace(part.settings, room="Attic")), part)
    with pytest.raises(schedule_file.PartOfRota):  # a talk that goes after one left out
        schedule_file.edit_rota(text, part.with_talk(Talk(DAYS[2], "Bob", "Rust", "talks/r.md")), part)
    with pytest.raises(schedule_file.PartOfRota):  # no kept parse to edit in place from
        schedule_file.edit_rota(text, part.with_talk(Talk(DAYS[4], "Bob", "Rust", "talks/r.md")))


def test_a_signup_from_the_kept_parse_reads_only_the_entries_it_touches() -> None:
    before = Rota(talks=tuple(Talk(day, "Ann", "Git", f"talks/{day}-git.md") for day in DAYS[::2]))
    text = schedule_file.dump_rota(before)
    parsed, _ = schedule_file.parse_rota(text)
    after = before.with_talk(Talk(DAYS[3], "Bob", "Rust", f"talks/{DAYS[3]}-rust.md"))
    # Entries the signup neither removes nor writes next to may say anything: they are not read again.
    far = text.replace(f"talks/{DAYS[6]}-git.md", f"talks/{DAYS[6]}-gitx.md")

    assert schedule_file.edit_rota(far, after, parsed) == schedule_file.edit_rota(text, after).replace(
        f"talks/{DAYS[6]}-git.md", f"talks/{DAYS[6]}-gitx.md"
    )


def test_a_key_left_empty_is_an_empty_list_that_a_signup_fills(tmp_path: Path) -> None:
    root = commented_rota(tmp_path / "rota", "settings:\n  timezone: Europe/London\nskipped:\ntalks:    # none yet\n")

    result = lunchlearn("--repo", str(root), "signup", "--date", "2027-01-08", "--name", "Bob", "--topic", "Rust")

    assert result.exit_code == 0, result.stderr
    assert (root / model.SCHEDULE).read_text(encoding="utf-8") == (
        f"settings:\n  timezone: Europe/London\nskipped:\ntalks:    # none yet\n{bob_on_8_january(root)}"
    )
