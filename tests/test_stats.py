"""`stats`, `stats --html` and `publish --stats`: the programme's figures, worked out by hand, through the CLI."""

from __future__ import annotations

import json
import tomllib
from datetime import date
from pathlib import Path

import pytest

from lunchlearn.rota import article_file, model, schedule_file, yamltext
from lunchlearn.rota.feedback import Feedback, TalkFeedback, dump_feedback
from lunchlearn.rota.model import HolidayRegion, Rota, Settings, Skip, Talk
from tests.helpers import git, lunchlearn, make_rota, write_files
from tests.test_publish import article, commit_all, make_hugo, make_rota_with_article, published

# The hand-built rota (Fridays; GB-ENG holidays: Christmas Day is Fri 25 Dec 2026, New Year's Day Fri 1 Jan 2027),
# seen on TODAY, itself a Friday with a talk. (day, presenter, tags, article status, published_on)
TODAY = "2027-01-22"
TALKS = [
    ("2026-11-06", "Ann", ["python", "testing"], "published", "2026-11-09"),
    ("2026-11-13", "Bob", ["python"], "published", None),  # published before the day was recorded
    ("2026-11-27", "Ann", ["rust"], "published", "2026-12-07"),
    ("2026-12-11", "Cy", ["python"], "draft", None),
    ("2026-12-18", "bob", [], "published", "2026-12-19"),  # Bob, spelt another way
    ("2026-12-25", "Dee", ["python"], "published", "2026-12-26"),  # Christmas Day: not held
    ("2027-01-22", "Eve", ["testing"], "draft", None),  # today: held
    ("2027-02-05", "Ann", [], "draft", None),  # upcoming
]
SKIPS = [("2026-11-20", "Office party"), ("2027-01-08", "All-hands")]
# Ratings by talk; the one on Christmas Day is on a talk that was not held.
FEEDBACK = {"2026-11-06": [5, 4], "2026-11-27": [3], "2026-11-13": [2, 5], "2026-12-11": [4, 4, 5], "2026-12-25": [1]}


def _article_text(day: str, presenter: str, tags: list[str], status: str, published_on: str | None) -> str:
    meta: dict[str, object] = {"title": f"Talk of {day}", "presenter": presenter, "date": day, "status": status,
                               "tags": tags, "summary": "A summary."}
    if published_on:
        meta["published_on"] = date.fromisoformat(published_on)
    return f"---\n{yamltext.dump_yaml(meta)}---\n\nText.\n"


def _feedback_text(day: str, ratings: list[int]) -> str:
    entries = tuple(Feedback(f"Rater {n}", r, given="2027-01-01T12:00:00Z") for n, r in enumerate(ratings))
    return dump_feedback(TalkFeedback(date.fromisoformat(day), entries))


def make_programme(root: Path) -> Path:
    rota = Rota(
        settings=Settings(),
        skips=tuple(Skip(date.fromisoformat(day), reason) for day, reason in SKIPS),
        talks=tuple(Talk(date.fromisoformat(t[0]), t[1], f"Talk of {t[0]}", f"talks/{t[0]}-talk.md") for t in TALKS),
        holidays=HolidayRegion("GB", "ENG"),
        people=("Ann", "Fay"),
        standby=("Gus", "fay"),
    )
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    files: dict[str, str | bytes] = {model.SCHEDULE: schedule_file.dump_rota(rota)}
    files |= {f"talks/{t[0]}-talk.md": _article_text(*t) for t in TALKS}
    files |= {f"talks/{day}.feedback.yaml": _feedback_text(day, ratings) for day, ratings in FEEDBACK.items()}
    write_files(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Hand-built rota")
    return root


@pytest.fixture
def programme(tmp_path: Path) -> Path:
    return make_programme(tmp_path / "rota")


def stats_json(rota: Path, *args: str) -> dict[str, object]:
    result = lunchlearn("stats", "--json", *args, cwd=rota, env={"LUNCHLEARN_TODAY": TODAY})
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_stats_figures_match_the_ones_worked_out_by_hand(programme: Path) -> None:
    data = stats_json(programme)

    # Since the earliest talk, Fri 6 Nov 2026, to today, Fri 22 Jan 2027: 12 Fridays.
    assert (data["since"], data["today"]) == ("2026-11-06", TODAY)
    assert data["sessions"] == {
        "total": 12,
        # 6 Nov, 13 Nov, 27 Nov, 11 Dec, 18 Dec, 22 Jan: 6 / 12 = 50.0 %
        "held": {"count": 6, "percent": 50.0},
        # 20 Nov and 8 Jan: 2 / 12 = 16.7 %
        "skipped": {"count": 2, "percent": 16.7},
        # 25 Dec (with Dee's talk on it) and 1 Jan: 2 / 12 = 16.7 %
        "public_holidays": {"count": 2, "percent": 16.7},
        # 4 Dec and 15 Jan: 2 / 12 = 16.7 %
        "open": {"count": 2, "percent": 16.7},
    }
    people = {p["name"]: p for p in data["people"]}  # type: ignore[attr-defined]
    # Most talks first, then by name; one entry per person however spelt, named as people: or the latest talk does.
    assert list(people) == ["Ann", "bob", "Cy", "Eve", "Dee", "Fay", "Gus"]
    # Ann: 6 Nov and 27 Nov; 27 Nov to 22 Jan is 56 days, 8 weeks; ratings 5, 4, 3: 12 / 3 = 4.0; 5 Feb upcoming.
    assert people["Ann"] == {"name": "Ann", "talks_given": 2, "last_talk": "2026-11-27", "weeks_since": 8,
                             "feedback_average": 4.0, "ratings": 3, "upcoming": 1}
    # Bob: 13 Nov and 18 Dec; 18 Dec to 22 Jan is 35 days, 5 weeks; ratings 2, 5: 7 / 2 = 3.5.
    assert people["bob"] == {"name": "bob", "talks_given": 2, "last_talk": "2026-12-18", "weeks_since": 5,
                             "feedback_average": 3.5, "ratings": 2, "upcoming": 0}
    # Cy: 11 Dec; 42 days, 6 weeks; ratings 4, 4, 5: 13 / 3 = 4.33.
    assert people["Cy"]["feedback_average"] == 4.33 and people["Cy"]["weeks_since"] == 6
    # Eve presents today: held, 0 weeks ago, no ratings yet.
    assert people["Eve"] == {"name": "Eve", "talks_given": 1, "last_talk": TODAY, "weeks_since": 0,
                             "feedback_average": None, "ratings": 0, "upcoming": 0}
    # Dee's only talk fell on Christmas Day: not given, and its rating of 1 is not counted.
    assert people["Dee"] == {"name": "Dee", "talks_given": 0, "last_talk": None, "weeks_since": None,
                             "feedback_average": None, "ratings": 0, "upcoming": 0}
    # Held talks' tags: python on 6 Nov, 13 Nov, 11 Dec; testing on 6 Nov, 22 Jan; rust on 27 Nov.
    assert data["tags"] == [{"tag": "python", "talks": 3}, {"tag": "testing", "talks": 2}, {"tag": "rust", "talks": 1}]
    # Published among the 6 held talks: 6 Nov (3 days later), 13 Nov (day unknown), 27 Nov (10), 18 Dec (1):
    # 4 published, 1 unknown; delays 1, 3, 10: median 3, longest 10.
    assert data["articles"] == {"held_talks": 6, "published": 4, "delay_unknown": 1, "median_days": 3,
                                "longest_days": 10}


def test_since_counts_from_the_given_date(programme: Path) -> None:
    data = stats_json(programme, "--since", "2026-12-01")

    # 4 Dec to 22 Jan: 8 Fridays; held 11 Dec, 18 Dec, 22 Jan; skipped 8 Jan; holidays 25 Dec, 1 Jan;
    # open 4 Dec, 15 Jan.
    assert data["sessions"] == {
        "total": 8,
        "held": {"count": 3, "percent": 37.5},
        "skipped": {"count": 1, "percent": 12.5},
        "public_holidays": {"count": 2, "percent": 25.0},
        "open": {"count": 2, "percent": 25.0},
    }
    # Delays of the articles since: 18 Dec's, 1 day.
    assert data["articles"] == {"held_talks": 3, "published": 1, "delay_unknown": 0, "median_days": 1,
                                "longest_days": 1}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--since", "2027-13-01"], 2, "is not a date"),
        (["--since", "2027-02-01"], 2, "is after today"),
        (["--html", "."], 2, "is a folder"),
        (["--html", ".git/stats.html"], 2, "inside a .git folder"),
        (["--html", "stats.html", "--json"], 2, "give one of them"),
    ],
)
def test_stats_refuses_bad_input_and_writes_nothing(programme: Path, args: list[str], code: int, message: str) -> None:
    result = lunchlearn("stats", *args, cwd=programme, env={"LUNCHLEARN_TODAY": TODAY})

    assert result.exit_code == code
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (programme / ".git" / "stats.html").exists()
    assert git(programme, "status", "--porcelain") == ""


def test_html_to_a_dash_prints_the_page_as_other_tools_take_it(programme: Path) -> None:
    result = lunchlearn("stats", "--html", "-", cwd=programme, env={"LUNCHLEARN_TODAY": TODAY})

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("<!DOCTYPE html>") and result.stdout.rstrip().endswith("</html>")
    assert not (programme / "-").exists()
    assert git(programme, "status", "--porcelain") == ""


def test_an_unwritable_html_path_is_refused(programme: Path) -> None:
    result = lunchlearn("stats", "--html", "schedule.yaml/stats.html", cwd=programme)

    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert git(programme, "status", "--porcelain") == ""


def test_stats_of_an_empty_rota(rota: Path) -> None:
    result = lunchlearn("stats", cwd=rota)

    assert result.exit_code == 0, result.stderr
    assert "Sessions (0)" in result.stdout and "none yet" in result.stdout


def test_with_only_future_talks_the_stats_count_from_today(rota: Path) -> None:
    assert lunchlearn("signup", "2026-12-18", "--name", "Ann", "--no-sync", cwd=rota).exit_code == 0

    result = lunchlearn("stats", "--json", cwd=rota)  # today is Sat 28 Nov 2026

    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["since"], data["today"], data["sessions"]["total"]) == ("2026-11-28", "2026-11-28", 0)
    assert data["people"][0]["upcoming"] == 1


def test_piped_stats_are_plain_text_with_every_figure(programme: Path) -> None:
    result = lunchlearn("stats", cwd=programme, env={"LUNCHLEARN_TODAY": TODAY})

    assert result.exit_code == 0, result.stderr
    assert "\x1b[" not in result.stdout and "█" not in result.stdout
    for text in ("held            6  50%", "public holiday  2  16.7%", "Ann", "last Fri 27 Nov 2026, 8 weeks ago",
                 "rated 4.33 (3 ratings)", "python   3 talks", "4 of 6 held talks have a published article",
                 "published 3 days after the talk (median), 10 at the longest",
                 "1 article published before lunchlearn recorded the day: delay unknown"):
        assert text in result.stdout, text


def test_publish_records_the_day_it_first_published_and_keeps_it_on_a_republish(tmp_path: Path) -> None:
    rota, site = make_rota_with_article(tmp_path), make_hugo(tmp_path)
    path = "talks/2026-11-27-rss-feeds.md"

    assert published(rota, "2026-11-27")[0] == 0  # LUNCHLEARN_TODAY is 2026-11-28

    assert _recorded(rota, path)["published_on"] == "2026-11-28"
    post = (site / "content/posts/rss-feeds/index.md").read_text(encoding="utf-8")
    assert "published_on" not in tomllib.loads(post.split("+++\n")[1])
    (rota / path).write_text((rota / path).read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    commit_all(rota)

    result = lunchlearn("publish", "2026-11-27", cwd=rota, env={"LUNCHLEARN_TODAY": "2026-12-09"})

    assert result.exit_code == 0, result.stderr
    assert "One more line." in (site / "content/posts/rss-feeds/index.md").read_text(encoding="utf-8")
    assert _recorded(rota, path)["published_on"] == "2026-11-28"


def test_an_article_published_before_the_day_was_recorded_keeps_no_day_on_a_republish(tmp_path: Path) -> None:
    path = "talks/2026-11-27-rss-feeds.md"
    rota = make_rota_with_article(tmp_path, article("published", published_path="content/posts/rss-feeds/index.md"))
    make_hugo(tmp_path)

    assert published(rota, "2026-11-27")[0] == 0

    assert _recorded(rota, path)["status"] == "published"
    assert "published_on" not in _recorded(rota, path)


def _recorded(rota: Path, path: str) -> dict[str, object]:
    meta = article_file.parse_front_matter((rota / path).read_text(encoding="utf-8"), path).meta
    assert meta is not None
    return meta


@pytest.mark.parametrize("columns", [60, 120])
def test_stats_in_a_terminal_are_bar_charts_that_fit(programme: Path, columns: int) -> None:
    from tests.test_terminal import in_terminal, plain

    shown = plain(in_terminal(programme, "stats", columns=columns, env={"LUNCHLEARN_TODAY": TODAY}))

    lines = shown.splitlines()
    assert all(len(line.rstrip()) <= columns for line in lines), shown
    held = next(line for line in lines if line.startswith("held "))
    assert "█" in held and held.split()[-2:] == ["6", "50%"]
    for name, given in (("Ann", "2 talks"), ("bob", "2 talks"), ("Dee", "0 talks")):
        row = next(line for line in lines if line.startswith(f"{name} "))
        assert given in row and ("last Fri" in row or "no talk in this period" in row), row
    assert "4 of 6 held talks have a published article" in shown
    if columns == 120:
        assert "rated 4.33 (3 ratings)" in shown and "1 upcoming" in shown


def test_a_tag_spelt_in_another_case_counts_as_the_same_tag(tmp_path: Path) -> None:
    talks = [("2026-11-06", "Ann", ["Python", "testing"]), ("2026-11-13", "Bob", ["python", "PYTHON"]),
             ("2026-11-20", "Cy", ["python"])]
    root = make_rota(
        tmp_path / "rota",
        talks=[{"date": day, "presenter": name, "article": f"talks/{day}-talk.md"} for day, name, _ in talks],
        files={f"talks/{day}-talk.md": _article_text(day, name, tags, "draft", None) for day, name, tags in talks},
    )

    data = stats_json(root)

    # Three held talks carry python however it is spelt (Bob's twice over); it is named as the latest talk spells it.
    assert data["tags"] == [{"tag": "python", "talks": 3}, {"tag": "testing", "talks": 1}]


def test_with_since_a_person_whose_talks_came_before_it_is_not_said_to_have_none_yet(programme: Path) -> None:
    result = lunchlearn("stats", "--since", "2026-12-19", cwd=programme, env={"LUNCHLEARN_TODAY": TODAY})

    assert result.exit_code == 0, result.stderr
    ann = next(line for line in result.stdout.splitlines() if line.strip().startswith("Ann "))
    # Ann gave two talks in November, before --since: none in the period counted, which is not "no talk yet".
    assert "0 talks" in ann and "no talk in this period" in ann and "yet" not in ann, ann


def test_shares_and_averages_round_half_up_as_worked_out_by_hand(tmp_path: Path) -> None:
    root = make_rota(
        tmp_path / "rota",
        talks=[{"date": "2026-10-09", "presenter": "Ann"}],
        files={"talks/2026-10-09.feedback.yaml": _feedback_text("2026-10-09", [5, 5, 5, 5, 5, 4, 2, 2])},
    )

    data = stats_json(root, "--since", "2026-10-09")

    # 9 Oct to 22 Jan: 16 Fridays, one held: 1 / 16 = 6.25 %, to one decimal 6.3; 15 / 16 = 93.75 %, 93.8.
    assert data["sessions"]["held"] == {"count": 1, "percent": 6.3}  # type: ignore[index]
    assert data["sessions"]["open"] == {"count": 15, "percent": 93.8}  # type: ignore[index]
    # Ratings 5 * 5 + 4 + 2 * 2 = 33 over 8: 4.125, to two decimals 4.13.
    assert data["people"][0]["feedback_average"] == 4.13  # type: ignore[index]


def test_an_article_whose_front_matter_does_not_parse_is_reported_not_counted_as_unpublished(programme: Path) -> None:
    article_path = programme / "talks/2026-11-27-talk.md"  # Ann's published article, with tags [rust]
    article_path.write_text(article_path.read_text(encoding="utf-8").replace("- rust", "- [rust"), encoding="utf-8")

    result = lunchlearn("stats", cwd=programme, env={"LUNCHLEARN_TODAY": TODAY})

    assert result.exit_code == 2, result.stdout
    assert result.stderr.startswith("error: talks/2026-11-27-talk.md:") and "fix the file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""


def test_an_article_published_the_day_after_its_talk_is_one_day_not_one_days(tmp_path: Path) -> None:
    root = make_rota(
        tmp_path / "rota",
        talks=[{"date": "2027-01-15", "presenter": "Ann", "article": "talks/2027-01-15-talk.md"}],
        files={"talks/2027-01-15-talk.md": _article_text("2027-01-15", "Ann", [], "published", "2027-01-16")},
    )

    result = lunchlearn("stats", cwd=root, env={"LUNCHLEARN_TODAY": TODAY})

    assert result.exit_code == 0, result.stderr
    assert "published 1 day after the talk (median), 1 at the longest" in result.stdout, result.stdout
