"""The pure rota rules, checked on examples and on many random rotas and days."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from itertools import islice, pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lunchlearn.errors import BadInput, Refused
from lunchlearn.rota import model
from lunchlearn.rota.model import Rota, Settings, Skip, Talk

TODAY = date(2026, 11, 28)  # Saturday


def talk(day: date, presenter: str = "Ann") -> Talk:
    return Talk(day, presenter, "Topic", f"talks/{day}-topic.md")


@st.composite
def rotas(draw: st.DrawFn) -> tuple[Rota, date]:
    weekday = draw(st.sampled_from(model.WEEKDAYS))
    lead = draw(st.integers(0, 4))
    horizon = draw(st.integers(max(lead, 1), 16))
    limit = draw(st.integers(1, 3))
    settings = Settings(weekday=weekday, lead_weeks=lead, horizon_weeks=horizon, max_upcoming=limit)
    today = draw(st.dates(date(2025, 1, 1), date(2030, 12, 31)))
    candidates = list(islice(model.session_dates(settings, today - timedelta(weeks=4)), 24))
    booked = draw(st.lists(st.sampled_from(candidates), unique=True, max_size=10))
    free = [d for d in candidates if d not in booked]
    skipped = draw(st.lists(st.sampled_from(free), unique=True, max_size=4)) if free else []
    people = st.sampled_from(["Ann", "Bob", "Cy"])
    talks = tuple(sorted((talk(d, draw(people)) for d in booked), key=lambda t: t.date))
    skips = tuple(Skip(d, "holiday") for d in sorted(skipped))
    return Rota(settings, skips, talks), today


@given(rotas(), st.integers(-20, 200), st.sampled_from(["Ann", "Dee"]), st.booleans())
@settings(max_examples=300)
def test_signup_is_accepted_exactly_when_every_rule_holds(
    case: tuple[Rota, date], offset: int, person: str, short_notice: bool
) -> None:
    rota, today = case
    day = today + timedelta(days=offset)
    s = rota.settings
    expected = (
        day.weekday() == s.weekday_number
        and day >= today
        and rota.skip_on(day) is None
        and rota.talk_on(day) is None
        and day <= today + timedelta(weeks=s.horizon_weeks)
        and (short_notice or day >= today + timedelta(weeks=s.lead_weeks))
        and len([t for t in rota.talks if t.presenter == person and t.date >= today]) < s.max_upcoming
    )
    try:
        model.check_signup(rota, day, person, today, short_notice)
        accepted = True
    except Refused:
        accepted = False
    assert accepted == expected


@given(rotas())
@settings(max_examples=200)
def test_first_open_date_is_a_date_the_rules_accept(case: tuple[Rota, date]) -> None:
    rota, today = case
    try:
        day = model.first_open_date(rota, "Dee", today)
    except Refused:
        assert all(s.short_notice for s in model.open_slots(rota, today))
        return
    model.check_signup(rota, day, "Dee", today, short_notice=False)
    earlier = [s for s in model.open_slots(rota, today) if s.date < day]
    assert all(s.short_notice for s in earlier)


@given(rotas(), st.integers(1, 12))
def test_upcoming_sessions_are_consecutive_programme_days(case: tuple[Rota, date], count: int) -> None:
    rota, today = case
    sessions = model.upcoming_sessions(rota, today, count)
    assert len(sessions) == count
    assert sessions[0].date >= today
    assert sessions[0].date - today < timedelta(days=7)
    for earlier, later in pairwise(sessions):
        assert later.date - earlier.date == timedelta(days=7)
    for session in sessions:
        assert session.date.weekday() == rota.settings.weekday_number
        assert (session.state is model.SessionState.BOOKED) == (rota.talk_on(session.date) is not None)


@given(rotas())
def test_open_slots_are_free_and_within_the_horizon(case: tuple[Rota, date]) -> None:
    rota, today = case
    for slot in model.open_slots(rota, today):
        assert rota.talk_on(slot.date) is None and rota.skip_on(slot.date) is None
        assert today <= slot.date <= model.horizon_end(rota.settings, today)
        assert slot.short_notice == (slot.date < model.earliest_signup(rota.settings, today))


def test_refusals_name_the_reason_and_nearby_open_dates() -> None:
    rota = Rota(
        Settings(),
        skips=(Skip(date(2026, 12, 25), "Christmas Day"),),
        talks=(talk(date(2026, 12, 18), "Cole Jensen"),),
    )
    cases = {
        date(2026, 12, 17): "is not a Friday",
        date(2026, 11, 20): "is in the past",
        date(2026, 12, 25): "is skipped (Christmas Day)",
        date(2026, 12, 18): "already taken by Cole Jensen",
        date(2027, 6, 4): "beyond the 12-week horizon",
        date(2026, 12, 4): "less than 2 weeks away",
    }
    for day, reason in cases.items():
        with pytest.raises(Refused) as refused:
            model.check_signup(rota, day, "Ray", TODAY, short_notice=False)
        assert reason in refused.value.message
        nearby = refused.value.message.split("open dates nearby: ")[1].split(", ")
        assert len(nearby) == 3
        for listed in nearby:
            model.check_signup(rota, date.fromisoformat(listed), "Ray", TODAY, short_notice=False)


def test_a_person_at_the_limit_is_told_which_slot_they_hold() -> None:
    rota = Rota(Settings(), talks=(talk(date(2026, 12, 18), "Cole Jensen"),))
    with pytest.raises(Refused, match=r"Cole Jensen already holds 1 upcoming slot.*Fri 18 Dec 2026"):
        model.check_signup(rota, date(2027, 1, 8), "cole jensen", TODAY, short_notice=False)
    with pytest.raises(Refused, match="withdraw one first"):
        model.first_open_date(rota, "Cole Jensen", TODAY)


def test_short_notice_allows_a_close_date() -> None:
    model.check_signup(Rota(), date(2026, 12, 4), "Ray", TODAY, short_notice=True)


@pytest.mark.parametrize(
    ("topic", "slug"),
    [
        ("Marketing opportunities using RSS feeds", "marketing-opportunities-using-rss-feeds"),
        ("Café & crème: 1.10 ÉTÉ!", "cafe-creme-1-10-ete"),
        ("שלום עולם", "talk"),
        ("🎉🎉", "talk"),
    ],
)
def test_slugs_are_short_ascii(topic: str, slug: str) -> None:
    assert model.slugify(topic) == slug


def test_article_paths_do_not_collide_with_existing_files() -> None:
    taken = {"talks/2026-12-04-rss.md", "talks/2026-12-04-rss-2.md"}
    assert model.article_path_for(date(2026, 12, 4), "RSS", taken) == "talks/2026-12-04-rss-3.md"


def test_a_topic_given_again_on_another_date_gets_its_own_slug() -> None:
    taken = {"talks/2026-10-02-intro-to-git.md", "talks/.gitkeep"}
    assert model.article_path_for(date(2027, 1, 8), "Intro to Git", taken) == "talks/2027-01-08-intro-to-git-2.md"


_TOPICS = st.text(st.sampled_from("ab AB-1.éÉ🎉_"), max_size=12)


@settings(max_examples=300)
@given(_TOPICS, st.lists(_TOPICS, max_size=8))
def test_a_new_article_path_clashes_with_no_existing_slug(topic: str, others: list[str]) -> None:
    taken = {f"talks/2026-10-{day:02d}-{other}.md" for day, other in enumerate(others, 1)} | {"talks/.gitkeep"}
    path = model.article_path_for(date(2027, 1, 8), topic, taken)
    assert path.startswith("talks/2027-01-08-") and path not in taken
    assert model.file_slug(path) not in {model.file_slug(name) for name in taken}
    assert model.file_slug(path).startswith(model.slugify(topic))


@pytest.mark.parametrize("text", ["", "  ", "two\nlines", "tab\there", "nul\x00"])
def test_text_must_be_one_non_empty_line(text: str) -> None:
    with pytest.raises(BadInput):
        model.check_text(text, "topic")


def test_settings_validation_names_the_bad_value() -> None:
    with pytest.raises(BadInput, match="unknown weekday 'funday'"):
        model.parse_weekday("funday")
    with pytest.raises(BadInput, match="unknown time zone 'Mars/Olympus'"):
        model.check_timezone("Mars/Olympus")
    with pytest.raises(BadInput, match="not HH:MM"):
        model.check_time("25:00")
    with pytest.raises(BadInput, match="horizon_weeks"):
        model.check_settings(Settings(lead_weeks=4, horizon_weeks=2))
    assert model.parse_weekday("Thu") == "thursday"


@pytest.mark.parametrize("text", ["2026-W53-5", "20261218", "2026-12-4", "2026-02-30", ""])
def test_dates_must_be_written_yyyy_mm_dd(text: str) -> None:
    with pytest.raises(BadInput, match="use YYYY-MM-DD"):
        model.parse_date(text)


@pytest.mark.parametrize("text", ["9999-12-31", "9000-01-01", "1899-12-31", "0001-01-01"])
def test_dates_stay_in_the_range_lunchlearn_handles(text: str) -> None:
    with pytest.raises(BadInput, match=r"outside the dates lunchlearn handles \(1900-01-01 to 8999-12-31\)"):
        model.parse_date(text)
    assert model.iso_date(text) is None


def test_one_person_however_the_name_is_spaced_or_cased() -> None:
    assert model.same_person(" Cole  Jensen ", "cole jensen")
    assert model.same_person("Zoe\u0301", "Zoé")
    assert not model.same_person("Cole Jensen", "Cole Jenson")


def test_lookups_by_date_and_person_answer_as_a_scan_of_the_rota_would() -> None:
    day, other = date(2026, 12, 4), date(2026, 12, 11)
    first, second = talk(day, "Ann Lee"), talk(day, " ann  LEE ")  # a hand edit may leave two on one date
    written, holiday = Skip(other, "office move"), Skip(other, "Boxing Day")
    rota = replace(Rota(talks=(first, second, talk(other, "Bob"))), skips=(written,), public_holidays=(holiday,))
    assert rota.talk_on(day) is first and rota.talk_on(date(2026, 12, 18)) is None
    assert rota.skip_on(other) is written and rota.skip_on(day) is None
    assert rota.talks_of("ANN LEE") == (first, second) and rota.talks_of("Cy") == ()


def test_a_changed_rota_answers_for_its_own_talks_and_skips() -> None:
    day = date(2026, 12, 4)
    rota = Rota(talks=(talk(day, "Ann"),))
    assert rota.talk_on(day) is not None and rota.talks_of("Ann")  # looked up before the changes
    changed = rota.without_talk(day).with_talk(talk(day, "Bob")).with_skip(Skip(day, "office move"))
    assert changed.talk_on(day) == talk(day, "Bob") and changed.talks_of("Ann") == ()
    assert changed.skip_on(day) == Skip(day, "office move") and rota.skip_on(day) is None


# changing plans --------------------------------------------------------------------------------

FIRST, SECOND, OPEN = date(2026, 12, 18), date(2027, 1, 8), date(2027, 1, 22)


def test_article_path_on_changes_only_the_date_prefix() -> None:
    assert model.article_path_on("talks/2026-12-18-colour-2.md", OPEN) == "talks/2027-01-22-colour-2.md"
    assert model.article_path_on("talks/notes.md", OPEN) == "talks/2027-01-22-notes.md"


def test_moved_takes_the_talk_and_its_article_to_the_new_date() -> None:
    rota = Rota(talks=(talk(FIRST), talk(SECOND, "Bob")))
    after = model.moved(rota, FIRST, OPEN)
    assert [t.date for t in after.talks] == [SECOND, OPEN]
    moved = Talk(OPEN, "Ann", "Topic", f"talks/{OPEN}-topic.md", uid=model.event_uid(talk(FIRST)))
    assert after.booked(OPEN) == moved  # its calendar event moves with it, by the UID it had


def test_swapped_exchanges_dates_and_article_names() -> None:
    rota = Rota(talks=(talk(FIRST), talk(SECOND, "Bob")))
    after = model.swapped(rota, FIRST, SECOND)
    assert after.booked(FIRST).presenter == "Bob" and after.booked(FIRST).article == f"talks/{FIRST}-topic.md"
    assert after.booked(SECOND).presenter == "Ann" and after.booked(SECOND).article == f"talks/{SECOND}-topic.md"


@pytest.mark.parametrize(
    ("target", "short_notice", "published", "reason"),
    [
        (OPEN, False, False, None),
        (OPEN, False, True, "a published talk cannot move"),
        (SECOND, False, False, "already taken by Bob"),
        (FIRST, False, False, "already on"),
        (date(2026, 12, 11), False, False, "less than 2 weeks away"),
        (date(2026, 12, 11), True, False, None),
    ],
)
def test_move_refusal(target: date, short_notice: bool, published: bool, reason: str | None) -> None:
    rota = Rota(talks=(talk(FIRST), talk(SECOND, "Bob")))
    refusal = model.move_refusal(rota, talk(FIRST), target, TODAY, short_notice, published)
    assert refusal is None if reason is None else reason in (refusal or "")


def test_swap_refusal_applies_the_move_rules_both_ways() -> None:
    rota = Rota(talks=(talk(date(2026, 12, 11)), talk(SECOND, "Bob")))
    assert "less than 2 weeks away" in (model.swap_refusal(rota, date(2026, 12, 11), SECOND, TODAY, False, set()) or "")
    assert model.swap_refusal(rota, date(2026, 12, 11), SECOND, TODAY, True, set()) is None
    assert "published" in (model.swap_refusal(rota, date(2026, 12, 11), SECOND, TODAY, True, {SECOND}) or "")


@given(rotas())
@settings(max_examples=200, deadline=None)
def test_a_move_the_rules_allow_keeps_every_other_talk(case: tuple[Rota, date]) -> None:
    rota, today = case
    for booked in rota.talks:
        for session in model.open_slots(rota, today):
            if model.move_refusal(rota, booked, session.date, today, True, False) is None:
                after = model.moved(rota, booked.date, session.date)
                assert {t.date for t in after.talks} == {t.date for t in rota.talks} - {booked.date} | {session.date}
                assert after.booked(session.date).presenter == booked.presenter


@pytest.mark.parametrize(
    ("days", "said"),
    [(0, "today"), (1, "yesterday"), (4, "4 days ago"), (7, "1 week ago"), (20, "2 weeks ago")],
)
def test_time_ago_reads_as_a_person_says_it(days: int, said: str) -> None:
    assert model.time_ago(TODAY - timedelta(days=days), TODAY) == said
