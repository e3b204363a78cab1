"""Public holidays: a rota that names a region skips its holidays on the programme's weekday.

Expected dates come from the `holidays` package itself, so a data update does not break the suite.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.helpers import TODAY, git, lunchlearn, make_rota

HORIZON_WEEKS = 20  # from TODAY past Easter 2027, so Good Friday is in view
REGIONS = [("GB-ENG", "GB", "ENG"), ("DE", "DE", None), ("US-NY", "US", "NY")]


def _package_holidays(country: str, subdiv: str | None, years: range, language: str = "en_US") -> dict[date, str]:
    import holidays  # as the code under test does: only when a rota names a region

    return dict(holidays.country_holidays(country, subdiv=subdiv, years=years, language=language))


def _fridays_off(country: str, subdiv: str | None) -> dict[str, str]:
    """The region's holidays on Fridays from TODAY to the horizon, by ISO date, as the package names them."""
    end = TODAY + timedelta(weeks=HORIZON_WEEKS)
    calendar = _package_holidays(country, subdiv, range(TODAY.year, end.year + 1))
    return {day.isoformat(): name for day, name in calendar.items() if TODAY <= day <= end and day.weekday() == 4}


def _new_rota(tmp_path: Path, region: str, *options: str) -> Path:
    root = tmp_path / "rota"
    result = lunchlearn("init", str(root), "--holidays", region, "--horizon-weeks", str(HORIZON_WEEKS), *options)
    assert result.exit_code == 0, result.stderr
    return root


@pytest.mark.parametrize(("region", "country", "subdiv"), REGIONS)
def test_slots_and_schedule_show_the_regions_holidays_as_skipped(
    tmp_path: Path, region: str, country: str, subdiv: str | None
) -> None:
    root = _new_rota(tmp_path, region)
    off = _fridays_off(country, subdiv)
    assert {"2026-12-25", "2027-01-01"} <= off.keys()  # the weeks this issue is about

    slots = lunchlearn("--repo", str(root), "slots", "--json")
    assert slots.exit_code == 0, slots.stderr
    offered = {entry["date"] for entry in json.loads(slots.stdout)}
    assert not offered & off.keys()
    end = TODAY + timedelta(weeks=HORIZON_WEEKS)
    fridays = {(TODAY + timedelta(days=d)).isoformat() for d in range((end - TODAY).days + 1)
               if (TODAY + timedelta(days=d)).weekday() == 4}
    assert offered == fridays - off.keys()

    schedule = lunchlearn("--repo", str(root), "schedule", "--json")
    assert schedule.exit_code == 0, schedule.stderr
    skipped = {entry["date"]: entry["reason"] for entry in json.loads(schedule.stdout) if entry["state"] == "skipped"}
    assert skipped == off


def test_good_friday_is_never_offered(tmp_path: Path) -> None:
    root = _new_rota(tmp_path, "GB-ENG")
    good_friday = next(day for day, name in _fridays_off("GB", "ENG").items() if name == "Good Friday")
    slots = lunchlearn("--repo", str(root), "slots")
    assert good_friday not in slots.stdout
    refused = lunchlearn("--repo", str(root), "signup", "--name", "Ann", "--date", good_friday)
    assert refused.exit_code == 1
    assert "Good Friday" in refused.stderr


def test_next_shows_a_holiday_as_skipped_with_its_name(tmp_path: Path) -> None:
    root = _new_rota(tmp_path, "GB-ENG")
    result = lunchlearn("--repo", str(root), "next", "--json", env={"LUNCHLEARN_TODAY": "2026-12-20"})
    assert result.exit_code == 0, result.stderr
    sessions = json.loads(result.stdout)
    assert sessions[0]["date"] == "2026-12-25"
    assert sessions[0]["state"] == "skipped"
    assert sessions[0]["reason"] == _package_holidays("GB", "ENG", range(2026, 2027))[date(2026, 12, 25)]


def test_a_bare_signup_skips_christmas_and_new_year(tmp_path: Path) -> None:
    root = _new_rota(tmp_path, "GB-ENG")
    assert lunchlearn("--repo", str(root), "signup", "--name", "Ann", "--date", "2026-12-18").exit_code == 0
    result = lunchlearn("--repo", str(root), "signup", "--name", "Bo")
    assert result.exit_code == 0, result.stderr
    assert "Fri 8 Jan 2027" in result.stdout
    assert "holidays:\n  country: GB\n  subdiv: ENG\n" in (root / "schedule.yaml").read_text(encoding="utf-8")


def test_signup_on_a_holiday_is_refused_with_open_dates_nearby(tmp_path: Path) -> None:
    root = _new_rota(tmp_path, "GB-ENG")
    head = git(root, "rev-parse", "HEAD")
    result = lunchlearn("--repo", str(root), "signup", "--name", "Ann", "--date", "2026-12-25")
    assert result.exit_code == 1
    assert "is skipped (Christmas Day)" in result.stderr
    assert "open dates nearby: 2026-12-18, 2027-01-08, 2027-01-15" in result.stderr
    assert git(root, "rev-parse", "HEAD") == head


def test_init_holidays_writes_the_region(tmp_path: Path) -> None:
    root = tmp_path / "rota"
    assert lunchlearn("init", str(root), "--holidays", "gb-eng").exit_code == 0
    text = (root / "schedule.yaml").read_text(encoding="utf-8")
    assert "holidays:\n  country: GB\n  subdiv: ENG\n" in text
    assert lunchlearn("--repo", str(root), "check").exit_code == 0


@pytest.mark.parametrize(
    ("region", "message"),
    [
        ("XX", "unknown holiday country 'XX'; use an ISO 3166 code such as GB, DE or US"),
        ("GB-XYZ", "GB has no holiday subdivision 'XYZ'; its subdivisions are: "),
    ],
)
def test_init_refuses_an_unknown_region(tmp_path: Path, region: str, message: str) -> None:
    root = tmp_path / "rota"
    result = lunchlearn("init", str(root), "--holidays", region)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {message}")
    assert result.stderr.count("\n") == 1
    assert not root.exists()


@pytest.mark.parametrize(
    ("section", "where", "message"),
    [
        ("holidays: {country: ZZ}\n", "3:21", "unknown holiday country 'ZZ'"),
        ("holidays:\n  country: DE\n  subdiv: Narnia\n", "5:11", "DE has no holiday subdivision 'Narnia'"),
        ("holidays:\n  subdiv: ENG\n", "4:3", "holidays has no country"),
    ],
)
def test_a_hand_written_unknown_region_is_reported_at_its_place(
    tmp_path: Path, section: str, where: str, message: str
) -> None:
    root = make_rota(tmp_path / "rota")
    text = (root / "schedule.yaml").read_text(encoding="utf-8")
    (root / "schedule.yaml").write_text(text.replace("settings:\n", f"{section}settings:\n", 1), encoding="utf-8")
    result = lunchlearn("--repo", str(root), "slots")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {root / 'schedule.yaml'}:{where}: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def _with_holidays(root: Path, region: str) -> None:
    """Name a region in a committed rota by hand, as a person would."""
    country, _, subdiv = region.partition("-")
    section = f"holidays:\n  country: {country}\n" + (f"  subdiv: {subdiv}\n" if subdiv else "")
    text = (root / "schedule.yaml").read_text(encoding="utf-8")
    (root / "schedule.yaml").write_text(text.replace("skipped:", f"{section}skipped:", 1), encoding="utf-8")
    git(root, "commit", "-q", "-am", "Take public holidays off")


def test_check_flags_a_talk_booked_on_a_holiday(tmp_path: Path) -> None:
    root = make_rota(tmp_path / "rota", talks=[{"date": "2026-12-25", "presenter": "Ann"}])
    _with_holidays(root, "DE")
    result = lunchlearn("--repo", str(root), "check")
    assert result.exit_code == 1
    name = _package_holidays("DE", None, range(2026, 2027))[date(2026, 12, 25)]
    assert f"talk on 2026-12-25 is on a public holiday ({name}); move the talk or withdraw it" in result.stdout


def test_a_talk_whose_week_became_a_holiday_does_not_use_up_the_turn(tmp_path: Path) -> None:
    root = make_rota(tmp_path / "rota", talks=[{"date": "2026-12-25", "presenter": "Ann"}])
    _with_holidays(root, "GB-ENG")
    result = lunchlearn("--repo", str(root), "signup", "--name", "Ann", "--date", "2027-01-08")
    assert result.exit_code == 0, result.stderr


def test_a_skip_written_in_the_rota_keeps_its_own_reason(tmp_path: Path) -> None:
    root = make_rota(tmp_path / "rota", skipped=[{"date": "2026-12-25", "reason": "Office closed"}])
    _with_holidays(root, "GB-ENG")
    result = lunchlearn("--repo", str(root), "schedule", "--json")
    reasons = [entry["reason"] for entry in json.loads(result.stdout) if entry["date"] == "2026-12-25"]
    assert reasons == ["Office closed"]


@pytest.mark.parametrize("written_skip", [False, True])
def test_unskip_of_a_public_holiday_is_refused_and_the_dry_run_says_so(tmp_path: Path, written_skip: bool) -> None:
    if written_skip:  # a skip written by hand on the holiday, lifted: the holiday is still there
        root = make_rota(tmp_path / "rota", skipped=[{"date": "2026-12-25", "reason": "Party"}])
        _with_holidays(root, "GB-ENG")
        lifted = lunchlearn("--repo", str(root), "unskip", "2026-12-25")
        assert lifted.exit_code == 0, lifted.stderr
        assert "Dropped the skip of Fri 25 Dec 2026 (Party); it stays a public holiday (Christmas Day)" in lifted.stdout
        assert "signup" not in lifted.stdout  # nothing to claim
    else:
        root = _new_rota(tmp_path, "GB-ENG")
    head = git(root, "rev-parse", "HEAD")
    for dry_run in (["--dry-run"], [], []):
        result = lunchlearn("--repo", str(root), "unskip", "2026-12-25", *dry_run)
        assert result.exit_code == 1, result.stdout
        assert "Fri 25 Dec 2026 is a public holiday (Christmas Day) of the holidays: region GB-ENG" in result.stderr
        assert "git" not in result.stderr
    assert git(root, "rev-parse", "HEAD") == head
    assert git(root, "status", "--porcelain") == ""


def test_holiday_names_are_the_same_whatever_the_readers_language(tmp_path: Path) -> None:
    """The package names holidays in the language of the environment unless told one: the names would
    then depend on who read the rota first, kept for everyone after."""
    root = _new_rota(tmp_path, "DE")
    expected = {day: name for day, name in _package_holidays("DE", None, range(2026, 2028), "en_US").items()
                if day.weekday() == 4 and day >= TODAY}
    for language in ("de", "en_US", "fr"):
        env = {**os.environ, "LANGUAGE": language, "LUNCHLEARN_TODAY": TODAY.isoformat()}
        shown = subprocess.run([sys.executable, "-m", "lunchlearn", "schedule", "--json"], cwd=root, env=env,
                               capture_output=True, text=True, check=True)
        entries = json.loads(shown.stdout)
        skipped = {date.fromisoformat(e["date"]): e["reason"] for e in entries if e["state"] == "skipped"}
        assert skipped == {day: name for day, name in expected.items() if day in skipped}
        assert skipped[date(2026, 12, 25)] == "Christmas Day"


def _loaded_after_reading(root: Path, forget_kept: bool = False) -> str:
    probe = (
        "import sys\nfrom lunchlearn.cli import app\n"
        "for args in (['next'], ['schedule', '--json'], ['slots'], ['check']):\n"
        "    try:\n        app(args, prog_name='lunchlearn')\n    except SystemExit as e:\n"
        "        assert e.code == 0, e.code\n"
        "print('holidays loaded:', 'holidays' in sys.modules)\n"
    )
    assert lunchlearn("--repo", str(root), "next").exit_code == 0  # the first run registers the merge driver
    if forget_kept:  # what the first run kept, the region's holidays among it
        shutil.rmtree(root / ".git" / "lunchlearn")
    result = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True,
                            env={**os.environ, "NO_COLOR": "1"}, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_reading_a_rota_without_holidays_does_not_import_the_package(tmp_path: Path) -> None:
    assert _loaded_after_reading(make_rota(tmp_path / "plain")) == "holidays loaded: False"
    assert _loaded_after_reading(_new_rota(tmp_path, "GB-ENG"), forget_kept=True) == "holidays loaded: True"


def test_a_region_whose_holidays_are_kept_is_read_without_the_package_even_after_an_edit(tmp_path: Path) -> None:
    root = _new_rota(tmp_path, "GB-ENG")
    schedule = root / "schedule.yaml"
    schedule.write_text(schedule.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")
    assert _loaded_after_reading(root) == "holidays loaded: False"


def test_a_region_added_by_a_merge_is_written_as_its_own_lines() -> None:
    from dataclasses import replace

    from lunchlearn.rota.model import HolidayRegion
    from lunchlearn.rota.schedule_file import edit_rota, parse_rota

    text = "# our rota\nsettings:\n  room: Canteen  # the big one\nskipped: []\ntalks: []\n"
    before, _ = parse_rota(text)
    assert before is not None
    edited = edit_rota(text, replace(before, holidays=HolidayRegion("DE", "BY")))
    assert edited == (
        "# our rota\nsettings:\n  room: Canteen  # the big one\nholidays:\n  country: DE\n  subdiv: BY\n"
        "skipped: []\ntalks: []\n"
    )
    assert edit_rota(edited, before) == text


def test_next_past_the_horizon_still_skips_holidays(tmp_path: Path) -> None:
    root = _new_rota(tmp_path, "GB-ENG", "--weekday", "monday")  # England's bank holidays are mostly Mondays
    result = lunchlearn("--repo", str(root), "next", "--count", "60", "--json")
    assert result.exit_code == 0, result.stderr
    shown = {entry["date"]: entry for entry in json.loads(result.stdout)}
    beyond = TODAY + timedelta(weeks=HORIZON_WEEKS)
    mondays_off = [
        day for day in _package_holidays("GB", "ENG", range(2027, 2029))
        if day.weekday() == 0 and day > beyond and day.isoformat() in shown
    ]
    assert mondays_off
    assert all(shown[day.isoformat()]["state"] == "skipped" for day in mondays_off)
