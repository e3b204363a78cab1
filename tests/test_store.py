"""schedule.yaml and article files: exact text round-trips, strict parsing with positions."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lunchlearn import storage
from lunchlearn.errors import UnsafePath
from lunchlearn.rota import article_file, model, schedule_file
from lunchlearn.rota.model import Rota, Settings, Skip, Talk

TRICKY = [
    "No", "no", "yes", "ON", "off", "null", "~", "NULL", "1.10", "1_000", "0x1F", "012", "1e3",
    "2026-12-04", "12:30", "1:20:30", "a: b", "#hashtag", "x # not a comment", "'quoted'", '"dq"',
    "- dash", "? question", "@at", "`tick`", "%percent", "!tag", "&anchor", "*alias", "[list]",
    "{map}", "🎉 Party", "שלום עולם", "مرحبا بالعالم", "Zoë Ångström", ".inf", "-.NaN", "=",
    "<<", "trailing\\backslash", "€100", "\u200fRTL mark", "0o17", "1e3", "+12", ".5", "007",
]

one_line_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\ufeff"),
    min_size=1,
    max_size=40,
).map(str.strip).filter(bool)


def rota_with(presenter: str, topic: str, reason: str = "Holiday") -> Rota:
    return Rota(
        Settings(title=topic),
        skips=(Skip(date(2026, 12, 25), reason),),
        talks=(Talk(date(2026, 12, 4), presenter, topic, "talks/2026-12-04-x.md"),),
    )


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_text_survives_a_round_trip(text: str) -> None:
    rota = rota_with(text, text, text)
    parsed, problems = schedule_file.parse_rota(schedule_file.dump_rota(rota))
    assert problems == []
    assert parsed == rota


@given(one_line_text, one_line_text, one_line_text)
def test_any_one_line_text_survives_a_round_trip(presenter: str, topic: str, reason: str) -> None:
    rota = rota_with(presenter, topic, reason)
    assert schedule_file.parse_rota(schedule_file.dump_rota(rota)) == (rota, [])


def test_the_canonical_form_is_stable_and_says_who_maintains_it() -> None:
    text = schedule_file.dump_rota(rota_with("Cole Jensen", "RSS"))
    assert text.startswith("# ") and "maintained by lunchlearn" in text.splitlines()[0]
    assert text.endswith("\n")
    parsed, _ = schedule_file.parse_rota(text)
    assert parsed is not None
    assert schedule_file.dump_rota(parsed) == text


def test_hand_written_unquoted_values_are_read_as_typed() -> None:
    text = "talks:\n- date: 2026-12-04\n  presenter: No\n  topic: 1.10\n  article: talks/a.md\n"
    rota, problems = schedule_file.parse_rota(text)
    assert problems == [] and rota is not None
    assert (rota.talks[0].presenter, rota.talks[0].topic) == ("No", "1.10")


def test_a_missing_settings_section_takes_the_defaults() -> None:
    rota, problems = schedule_file.parse_rota("talks: []\n")
    assert problems == [] and rota == Rota()


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("talks:\n- date: 2026-12-04\n  date: 2026-12-11\n", "schedule.yaml:3:3", "duplicate key 'date'"),
        ("settings:\n  weekday: friday\nsettings: {}\n", "schedule.yaml:3:1", "duplicate key 'settings'"),
        ("talks: [\n", "schedule.yaml:2:1", "not valid YAML"),
        ("- just\n- a list\n", "schedule.yaml:1:1", "must be a mapping"),
        ("settings:\n  weekday: funday\n", "schedule.yaml:2:12", "unknown weekday 'funday'"),
        ("settings:\n  timezone: Nowhere/Here\n", "schedule.yaml:2:13", "unknown time zone"),
        ("settings:\n  lead_weeks: ²\n", "schedule.yaml:2:15", "lead_weeks must be a whole number"),
        ("settings:\n  horizon_weeks: 999999\n", "schedule.yaml:2:18", "from 1 to 520"),
        ("settings:\n  sync: sometimes\n", "schedule.yaml:2:9", "sync must be one of auto, manual"),
        ("settings:\n  lead_weeks: 9\n  horizon_weeks: 4\n", "schedule.yaml:2:3", "no date could ever"),
        ("talks:\n- {date: 2026-W51-5, presenter: A, topic: T, article: talks/a.md}\n", "schedule.yaml:2:10",
         "not a date"),
        ("talks:\n- {date: 2026-12-04, presenter: '', topic: T, article: talks/a.md}\n", "schedule.yaml:2:33",
         "presenter is empty"),
        ("settings:\n  lead_weeks: two\n", "schedule.yaml:2:15", "must be a whole number"),
        ("settings:\n  colour: red\n", "schedule.yaml:2:11", "unknown key 'colour' in settings"),
        ("talk: []\n", "schedule.yaml:1:7", "unknown key 'talk'"),
        (
            "talks:\n- {date: 2026-12-04, presenter: A, topic: T, article: ../../etc/passwd}\n",
            "schedule.yaml:2:55",
            "must be a file talks/<name>.md",
        ),
        (
            "talks:\n- {date: 2026-13-04, presenter: A, topic: T, article: talks/a.md}\n",
            "schedule.yaml:2:10",
            "not a date",
        ),
        (
            "talks:\n- {date: 2026-12-04, presenter: A, topic: T, article: talks/a.md}\n"
            "- {date: 2026-12-04, presenter: B, topic: U, article: talks/b.md}\n",
            "schedule.yaml:3:3",
            "a second talk on 2026-12-04",
        ),
        ("talks:\n- {date: 2026-12-04, topic: T, article: talks/a.md}\n", "schedule.yaml:2:3", "no presenter"),
        (
            'talks:\n- {date: 2026-12-04, presenter: A, topic: T, article: "talks/a\\0b.md"}\n',
            "schedule.yaml:2:55",
            "contains a line break or control character",
        ),
    ],
)
def test_problems_are_located_by_line_and_column(text: str, where: str, message: str) -> None:
    rota, problems = schedule_file.parse_rota(text)
    assert rota is None
    assert any(str(p).startswith(where) and message in str(p) for p in problems), problems


def test_front_matter_edits_change_only_their_own_line() -> None:
    text = "---\ntitle: No\nzebra: 1\nstatus: draft   \nalpha: [b, a]\n---\n\nBody  \n\n\n"
    changed = article_file.set_front_matter_field(text, "status", "withdrawn", "a.md")
    assert changed == text.replace("status: draft   ", "status: withdrawn   ")
    front = article_file.parse_front_matter(changed, "a.md")
    assert front.problems == [] and front.meta is not None
    assert list(front.meta) == ["title", "zebra", "status", "alpha"]
    assert front.meta["title"] == "No" and front.body == "\nBody  \n\n\n"


def test_safe_path_refuses_escapes(tmp_path: pytest.TempPathFactory) -> None:
    from pathlib import Path

    root = Path(str(tmp_path))
    (root / "talks").mkdir()
    (root / "talks" / "evil.md").symlink_to("/etc/passwd")
    for relative in ("../outside.md", "/etc/passwd", "talks/evil.md"):
        with pytest.raises(UnsafePath, match="outside"):
            storage.safe_path(root, relative)
    assert storage.safe_path(root, "talks/fine.md") == root.resolve() / "talks" / "fine.md"


def test_an_unknown_setting_is_one_problem_in_words() -> None:
    _, problems = schedule_file.parse_rota("settings:\n  colour: red\n")
    assert [str(p) for p in problems] == [
        "schedule.yaml:2:11: unknown key 'colour' in settings; expected " + ", ".join(model.SETTING_NAMES)
    ]


@pytest.mark.parametrize("text", ["0o17", "1e3", "+12", ".5", "1_000", "true", "Null"])
def test_text_a_yaml_1_2_reader_would_misread_is_quoted(text: str) -> None:
    assert f"presenter: '{text}'\n" in schedule_file.dump_rota(rota_with(text, "Topic"))


def test_emoji_are_written_as_themselves() -> None:
    assert "presenter: 🎉 Party\n" in schedule_file.dump_rota(rota_with("🎉 Party", "Topic"))


def test_front_matter_after_a_byte_order_mark_is_read_and_kept() -> None:
    text = "\ufeff---\ntitle: Hi\nstatus: draft\n---\nBody\n"
    front = article_file.parse_front_matter(text, "a.md")
    assert front.problems == [] and front.meta == {"title": "Hi", "status": "draft"} and front.body == "Body\n"
    assert article_file.set_front_matter_field(text, "status", "ready", "a.md") == text.replace("draft", "ready")


def test_unclosed_front_matter_says_so() -> None:
    problems = article_file.parse_front_matter("---\ntitle: Hi\n\nBody\n", "a.md").problems
    assert [str(p) for p in problems] == ["a.md:1:1: front matter is not closed: add a line --- after it"]


def test_a_front_matter_rename_onto_a_lunchlearn_stamp_is_a_problem() -> None:
    _, problems = schedule_file.parse_rota("publish:\n  front_matter:\n    presenter: lunchlearn_digest\n")
    assert [str(p) for p in problems] == [
        "schedule.yaml:3:16: 'lunchlearn_digest' is lunchlearn's own stamp on a post; rename presenter to another key"
    ]


def test_a_control_character_is_located() -> None:
    _, problems = schedule_file.parse_rota("settings:\n  room: Can\x1bteen\n")
    assert [str(p) for p in problems] == [
        "schedule.yaml:2:12: the character U+001B is not allowed in YAML; remove it"
    ]
