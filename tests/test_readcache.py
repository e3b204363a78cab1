"""The parsed rota kept under .git/lunchlearn/ is never stale, and reading commands load no heavy library.

An entry is trusted only once schedule.yaml is older than it by more than a timestamp tick (the racy
rule), so each test first ages the file, as any rota not edited in the last seconds is, and reads once:
from then on a read with a stale entry would show the old rota.
"""

from __future__ import annotations

import ast
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from lunchlearn.rota.model import Rota
from tests.helpers import FRIDAYS, git, lunchlearn, lunchlearn_process, make_rota, make_team

ENTRY = Path(".git/lunchlearn/rota.pickle")


def _aged(root: Path) -> None:
    """schedule.yaml last modified a minute ago, and its files settled."""
    path = root / "schedule.yaml"
    modified = path.stat().st_mtime_ns - 60_000_000_000
    os.utime(path, ns=(modified, modified))
    _settle()


def _settle() -> None:
    """Past the timestamp tick of the files' change times, which no utime can set back: only then does
    lunchlearn keep what it read of them."""
    time.sleep(2.1)


def _warm(root: Path) -> None:
    """The rota read once with the file aged, so its entry is kept and trusted."""
    _aged(root)
    result = lunchlearn_process("next", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / ENTRY).is_file()


def _topics(root: Path) -> list[str]:
    result = lunchlearn_process("schedule", "--json", cwd=root)
    assert result.returncode == 0, result.stderr
    return [entry["topic"] for entry in json.loads(result.stdout) if entry.get("topic")]


def _holiday_rota(tmp_path: Path) -> Path:
    root = make_rota(tmp_path / "rota", talks=[{"date": FRIDAYS[0], "presenter": "Ann", "topic": "Topic AAAA"}])
    text = (root / "schedule.yaml").read_text(encoding="utf-8")
    (root / "schedule.yaml").write_text(text.replace("skipped:", "holidays:\n  country: GB\nskipped:", 1), "utf-8")
    git(root, "commit", "-q", "-am", "Take public holidays off")
    return root


def _same_size_edit(root: Path, old: str, new: str) -> None:
    """Change `old` to `new` (as long) in place, then put the modification time back as it was."""
    path = root / "schedule.yaml"
    before = path.stat()
    with path.open("r+b") as handle:
        data = handle.read()
        handle.seek(0)
        handle.write(data.replace(old.encode(), new.encode()))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_ino == before.st_ino


def test_a_hand_edit_keeping_the_size_and_the_modification_time_is_seen(tmp_path: Path) -> None:
    root = _holiday_rota(tmp_path)
    _warm(root)
    assert _topics(root) == ["Topic AAAA"]
    _same_size_edit(root, "Topic AAAA", "Topic BBBB")
    assert _topics(root) == ["Topic BBBB"]


def test_an_edit_within_the_same_timestamp_tick_as_the_last_read_is_seen(tmp_path: Path) -> None:
    root = _holiday_rota(tmp_path)
    _warm(root)
    (root / "schedule.yaml").write_text(
        (root / "schedule.yaml").read_text(encoding="utf-8").replace("AAAA", "CCCC"), encoding="utf-8"
    )
    assert _topics(root) == ["Topic CCCC"]  # read (and perhaps kept) within the tick of the edit
    _same_size_edit(root, "Topic CCCC", "Topic DDDD")
    assert _topics(root) == ["Topic DDDD"]


def test_a_modification_time_put_back_does_not_make_an_edit_look_settled(tmp_path: Path) -> None:
    """Where timestamps have whole seconds, a second same-size edit within the second, its modification time
    put back again, leaves the size, inode and both times as the first left them: nothing may be kept from
    a read until the file's change time, which no one can put back, is a tick old."""
    root = _holiday_rota(tmp_path)
    _warm(root)
    kept = (root / ENTRY).read_bytes()
    _same_size_edit(root, "Topic AAAA", "Topic BBBB")
    assert _topics(root) == ["Topic BBBB"]
    assert (root / ENTRY).read_bytes() == kept  # nothing kept from the read of the unsettled file


def _schedule_diff(root: Path) -> list[str]:
    diff = git(root, "diff", "-U0", "HEAD~1", "HEAD", "--", "schedule.yaml")
    return [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_a_write_from_the_kept_rota_changes_only_its_entries(tmp_path: Path) -> None:
    root = make_rota(tmp_path / "rota", talks=[
        {"date": FRIDAYS[0], "presenter": "Ann", "topic": "Topic AAAA"},
        {"date": FRIDAYS[3], "presenter": "Cole", "topic": "Topic CCCC"},
    ])
    _warm(root)
    signed = lunchlearn_process("signup", FRIDAYS[2], "--name", "Bob", "--topic", "Topic BBBB", cwd=root)
    assert signed.returncode == 0, signed.stderr
    added = _schedule_diff(root)
    assert added[:4] == [f"+- date: {FRIDAYS[2]}", "+  presenter: Bob", "+  topic: Topic BBBB",
                         f"+  article: talks/{FRIDAYS[2]}-topic-bbbb.md"]
    assert all(line.startswith("+  ") for line in added[4:])
    assert _topics(root) == ["Topic AAAA", "Topic BBBB", "Topic CCCC"]
    _warm(root)
    before = (root / "schedule.yaml").read_text(encoding="utf-8")
    withdrawn = lunchlearn_process("withdraw", FRIDAYS[3], cwd=root)
    assert withdrawn.returncode == 0, withdrawn.stderr
    # Cole's entry, the last, gives way to the cancelled section that tells calendars the talk is off.
    kept = before[: before.index(f"- date: {FRIDAYS[3]}")]
    after = (root / "schedule.yaml").read_text(encoding="utf-8")
    assert after.startswith(kept + "cancelled:\n") and "date: " + FRIDAYS[3] in after[len(kept):]
    assert _topics(root) == ["Topic AAAA", "Topic BBBB"]


@pytest.mark.parametrize("same_size", [True, False])
def test_a_hand_edit_just_before_a_write_is_kept(tmp_path: Path, same_size: bool) -> None:
    root = _holiday_rota(tmp_path)
    _warm(root)
    if same_size:
        _same_size_edit(root, "Topic AAAA", "Topic HAND")
    else:
        path = root / "schedule.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("Topic AAAA", "Topic by hand"), encoding="utf-8")
    git(root, "commit", "-q", "-am", "A topic changed by hand")
    signed = lunchlearn_process("signup", FRIDAYS[3], "--name", "Bob", "--topic", "Topic BBBB", cwd=root)
    assert signed.returncode == 0, signed.stderr
    assert _topics(root) == ["Topic HAND" if same_size else "Topic by hand", "Topic BBBB"]


def test_a_checkout_of_another_version_is_seen(tmp_path: Path) -> None:
    root = _holiday_rota(tmp_path)
    _same_size_edit(root, "Topic AAAA", "Topic EEEE")
    git(root, "commit", "-q", "-am", "Another topic of the same length")
    _warm(root)
    assert _topics(root) == ["Topic EEEE"]
    modified = (root / "schedule.yaml").stat().st_mtime_ns
    git(root, "checkout", "-q", "HEAD~1", "--", "schedule.yaml")
    os.utime(root / "schedule.yaml", ns=(modified, modified))
    assert _topics(root) == ["Topic AAAA"]


def test_a_pull_is_seen(tmp_path: Path) -> None:
    team = make_team(tmp_path, "ann", "bob")
    _warm(team["ann"])
    assert _topics(team["ann"]) == []
    signed = lunchlearn("--repo", str(team["bob"]), "signup", FRIDAYS[0], "--name", "Bob", "--topic", "Caching")
    assert signed.exit_code == 0, signed.stderr
    git(team["ann"], "pull", "-q", "--no-rebase")
    assert _topics(team["ann"]) == ["Caching"]


def test_a_file_replaced_by_rename_is_seen(tmp_path: Path) -> None:
    root = _holiday_rota(tmp_path)
    _warm(root)
    path = root / "schedule.yaml"
    before = path.stat()
    replacement = root / "schedule.yaml.new"
    replacement.write_text(path.read_text(encoding="utf-8").replace("AAAA", "FFFF"), encoding="utf-8")
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(replacement, path)
    assert _topics(root) == ["Topic FFFF"]


@pytest.mark.parametrize("written_by", ["another version", "other classes"])
def test_an_entry_written_by_another_lunchlearn_is_not_used(tmp_path: Path, written_by: str) -> None:
    root = _holiday_rota(tmp_path)
    _warm(root)
    key = json.loads((root / ENTRY).read_bytes().split(b"\n", 1)[0])
    key[0 if written_by == "another version" else 1] = "what an older lunchlearn wrote"
    (root / ENTRY).write_bytes(json.dumps(key).encode() + b"\n" + pickle.dumps(Rota()))
    assert _topics(root) == ["Topic AAAA"]


def test_an_entry_naming_a_class_that_is_not_part_of_a_rota_is_not_used(tmp_path: Path) -> None:
    root = _holiday_rota(tmp_path)
    _warm(root)
    key_line, digest_line, _ = (root / ENTRY).read_bytes().split(b"\n", 2)
    (root / ENTRY).write_bytes(key_line + b"\n" + digest_line + b"\n" + pickle.dumps(Path("elsewhere")))
    assert _topics(root) == ["Topic AAAA"]


@pytest.mark.parametrize("args", [["next"], ["schedule", "--json"], ["stats", "--json"]], ids=" ".join)
def test_an_entry_naming_a_module_that_does_not_exist_is_not_used(tmp_path: Path, args: list[str]) -> None:
    root = _holiday_rota(tmp_path)
    _warm(root)
    expected = lunchlearn_process(*args, cwd=root)
    key_line, digest_line, _ = (root / ENTRY).read_bytes().split(b"\n", 2)
    damaged = b"clunchlearn.rota.no_such_module\nTalk\n."  # pickle's GLOBAL opcode, as a damaged entry could say
    (root / ENTRY).write_bytes(key_line + b"\n" + digest_line + b"\n" + damaged)
    result = lunchlearn_process(*args, cwd=root)
    assert (result.returncode, result.stdout, result.stderr) == (expected.returncode, expected.stdout, "")


def test_a_rota_outside_a_git_clone_is_read_and_nothing_is_kept(tmp_path: Path) -> None:
    root = _holiday_rota(tmp_path)
    git(root, "rev-parse", "HEAD")
    import shutil

    shutil.rmtree(root / ".git")
    _aged(root)
    assert _topics(root) == ["Topic AAAA"]
    assert not (root / ".git").exists()


READING = [["next"], ["schedule", "--json"], ["slots"], ["remind"], ["announce"], ["check"], ["--help"], ["stats"],
           ["suggest"], ["ideas", "list"], ["standby", "--list"]]
PROBE = """
import runpy, sys
sys.argv = ["lunchlearn", *sys.argv[1:]]
try:
    runpy.run_module("lunchlearn", run_name="__main__")
except SystemExit:
    pass
print("\\nloaded:", sorted(name for name in ("git", "icalendar", "holidays", "yaml") if name in sys.modules))
"""


def _loaded(root: Path, args: list[str]) -> list[str]:
    """The libraries among git, icalendar, holidays and yaml that `lunchlearn ARGS` loaded in `root`."""
    result = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=root, capture_output=True, text=True,
                            env={**os.environ, "NO_COLOR": "1"}, check=False)
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("loaded: "), result.stderr
    return list(ast.literal_eval(last.removeprefix("loaded: ")))


@pytest.mark.parametrize("args", READING, ids=" ".join)
def test_reading_commands_load_neither_gitpython_icalendar_nor_holidays(tmp_path: Path, args: list[str]) -> None:
    root = _holiday_rota(tmp_path)
    _warm(root)  # the first read in a clone registers the merge driver, and keeps the rota and the holidays
    assert not {"git", "icalendar", "holidays"} & set(_loaded(root, args))


@pytest.mark.parametrize("args", [["next"], ["schedule", "--json"], ["slots"], ["schedule", "--past"], ["announce"],
                                  ["remind"], ["suggest"], ["calendar"], ["standby", "--list"], ["stats"]],
                         ids=" ".join)
def test_reading_a_rota_unchanged_since_it_was_kept_loads_no_yaml_parser(tmp_path: Path, args: list[str]) -> None:
    two_years_ago = date.fromisoformat(_friday_years_ago(2))
    history = [{"date": (two_years_ago + timedelta(weeks=week)).isoformat(), "presenter": f"Person {week}"}
               for week in range(20)]  # talks the kept rota keeps apart from the last year's
    root = make_rota(tmp_path / "rota", talks=[*history, {"date": FRIDAYS[0], "presenter": "Bob"}])
    _warm(root)  # the articles settled with the rota, so their status is kept too
    lunchlearn_process(*args, cwd=root)  # keeps the status of the articles it shows
    assert "yaml" not in _loaded(root, args)
    (root / "schedule.yaml").write_text((root / "schedule.yaml").read_text() + "# edited\n")
    assert "yaml" in _loaded(root, args)  # an edited rota is parsed again


def test_a_merge_driver_removed_from_the_config_is_registered_again(tmp_path: Path) -> None:
    root = _holiday_rota(tmp_path)
    assert lunchlearn_process("next", cwd=root).returncode == 0  # registers the driver
    config = root / ".git" / "config"
    a_minute_ago = config.stat().st_mtime_ns - 60_000_000_000
    os.utime(config, ns=(a_minute_ago, a_minute_ago))
    _settle()
    assert lunchlearn_process("next", cwd=root).returncode == 0  # finds it, and remembers the config it saw
    assert (root / ".git/lunchlearn/merge-driver.json").is_file()
    git(root, "config", "--unset", "merge.lunchlearn.driver")
    os.utime(config, ns=(a_minute_ago, a_minute_ago))
    assert lunchlearn_process("next", cwd=root).returncode == 0
    assert "merge-driver" in git(root, "config", "--get", "merge.lunchlearn.driver")


def test_an_article_edited_keeping_its_size_and_modification_time_shows_its_new_status(tmp_path: Path) -> None:
    root = _holiday_rota(tmp_path)
    article = next((root / "talks").glob("*.md"))
    a_minute_ago = article.stat().st_mtime_ns - 60_000_000_000
    os.utime(article, ns=(a_minute_ago, a_minute_ago))
    _settle()

    def status() -> str:
        result = lunchlearn_process("schedule", "--json", cwd=root)
        assert result.returncode == 0, result.stderr
        return str(json.loads(result.stdout)[0]["article_status"])

    assert status() == "draft"
    assert list((root / ".git/lunchlearn").glob("articles-*.json"))
    article.write_text(article.read_text(encoding="utf-8").replace("status: draft", "status: ready"), "utf-8")
    os.utime(article, ns=(a_minute_ago, a_minute_ago))
    assert status() == "ready"


def _skipped_reasons(root: Path) -> dict[str, str]:
    result = lunchlearn_process("schedule", "--json", cwd=root)
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)
    return {entry["date"]: entry.get("reason", "") for entry in entries if entry["state"] == "skipped"}


def test_holidays_kept_for_another_version_of_the_package_are_not_used(tmp_path: Path) -> None:
    root = _holiday_rota(tmp_path)
    _warm(root)
    kept_file = root / ".git/lunchlearn/holidays.json"
    (key, years), = json.loads(kept_file.read_text(encoding="utf-8")).items()
    assert _skipped_reasons(root)["2026-12-25"] == "Christmas Day"
    made_up = {**years, "2027": [["2027-01-08", "Made-up Day"]]}
    kept_file.write_text(json.dumps({key: made_up}), encoding="utf-8")
    assert _skipped_reasons(root).get("2027-01-08") == "Made-up Day"  # what is kept for this version is used
    kept_file.write_text(json.dumps({key.split("@")[0] + "@0.0-older": made_up}), encoding="utf-8")
    assert "2027-01-08" not in _skipped_reasons(root)


def test_a_rota_edited_since_it_was_kept_is_parsed_without_the_holidays_package_for_a_region_checked_before(
    tmp_path: Path,
) -> None:
    root = _holiday_rota(tmp_path)
    _warm(root)
    schedule = root / "schedule.yaml"
    schedule.write_text(schedule.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert _loaded(root, ["next"]) == ["yaml"]  # parsed again; GB was checked with this version of the package
    assert _skipped_reasons(root)["2026-12-25"] == "Christmas Day"
    schedule.write_text(schedule.read_text(encoding="utf-8").replace("country: GB", "country: XX"), encoding="utf-8")
    refused = lunchlearn_process("next", cwd=root)
    assert refused.returncode == 2 and "unknown holiday country 'XX'" in refused.stderr, refused.stderr


def _friday_years_ago(years: int) -> str:
    day = date.today() - timedelta(days=365 * years)
    return (day - timedelta(days=(day.weekday() - 4) % 7)).isoformat()


def test_a_kept_rota_shows_old_talks_to_a_command_that_looks_back_to_them(tmp_path: Path) -> None:
    """The kept rota loads the last year's talks first; a day further back loads the rest."""
    old, older = _friday_years_ago(2), _friday_years_ago(3)
    root = make_rota(tmp_path / "rota", talks=[
        {"date": older, "presenter": "Ann", "topic": "Topic OLDER"},
        {"date": old, "presenter": "Bob", "topic": "Topic OLD"},
        {"date": FRIDAYS[0], "presenter": "Cole", "topic": "Topic NEW"},
    ])
    _warm(root)
    three_days_before = (date.fromisoformat(old) - timedelta(days=3)).isoformat()
    for args in (["next", "--json"], ["schedule", "--json"], ["slots", "--json"]):
        fresh = lunchlearn_process(*args, cwd=root, env={"LUNCHLEARN_TODAY": three_days_before})
        assert fresh.returncode == 0, fresh.stderr
        if args[0] != "slots":
            assert '"topic": "Topic OLD"' in fresh.stdout and "Topic OLDER" not in fresh.stdout
        shutil.rmtree(root / ".git/lunchlearn")
        parsed = lunchlearn_process(*args, cwd=root, env={"LUNCHLEARN_TODAY": three_days_before})
        assert parsed.stdout == fresh.stdout
        _warm(root)
    announced = lunchlearn_process("announce", "--date", old, "--format", "json", cwd=root)
    assert announced.returncode == 0 and "Topic OLD" in announced.stdout, announced.stderr
    assert [t["topic"] for t in json.loads(lunchlearn_process("schedule", "--past", "--json", cwd=root).stdout)] \
        == ["Topic OLD", "Topic OLDER"]
    assert _topics(root) == ["Topic NEW"]


def test_a_kept_rota_whose_older_talks_fill_several_pickles_loads_them_all_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The talks before the last year are kept a few to a pickle (a thousand in use; three here): a command
    that looks back sees each one, in the rota's order, as parsing the file shows them, and a write on the
    kept rota leaves every one of them in the file."""
    from lunchlearn.git import readcache

    monkeypatch.setattr(readcache, "OLDER_CHUNK", 3)
    first = date.fromisoformat(_friday_years_ago(3))
    old = [{"date": (first + timedelta(weeks=n)).isoformat(), "presenter": f"Person {n}", "topic": f"Old topic {n}"}
           for n in range(8)]
    root = make_rota(tmp_path / "rota", talks=[*old, {"date": FRIDAYS[0], "presenter": "Cole", "topic": "New"}])
    _aged(root)
    parsed = lunchlearn("schedule", "--past", "--json", cwd=root)
    assert parsed.exit_code == 0, parsed.stderr
    assert [t["topic"] for t in json.loads(parsed.stdout)] == [t["topic"] for t in reversed(old)]
    with (root / ENTRY).open("rb") as entry:  # what the test is about: eight older talks, three to a pickle
        entry.readline(), entry.readline()
        readcache.OwnUnpickler(entry).load()
        assert readcache.OwnUnpickler(entry).load() == 3
    kept = lunchlearn("schedule", "--past", "--json", cwd=root)
    assert kept.stdout == parsed.stdout
    signed = lunchlearn("signup", FRIDAYS[4], "--name", "Dee", "--topic", "Another", "--no-sync", cwd=root)
    assert signed.exit_code == 0, signed.stderr
    text = (root / "schedule.yaml").read_text(encoding="utf-8")
    assert all(f"topic: Old topic {n}\n" in text for n in range(8))
    after = lunchlearn("schedule", "--past", "--json", cwd=root)
    assert after.stdout == parsed.stdout


def _friday_weeks_ahead(weeks: int) -> str:
    day = date.today() + timedelta(weeks=weeks)
    return (day + timedelta(days=(4 - day.weekday()) % 7)).isoformat()


def _without_revisions(text: str) -> str:
    """schedule.yaml without the lines a write stamps with a new UID or the time: the rest must be the same."""
    lines = text.splitlines(keepends=True)
    return "".join(line for line in lines if not line.lstrip().startswith(("uid:", "changed:")))


def _uid_copied(text: str) -> str:
    """An old talk's entry copied by hand, UID and all, into an upcoming talk's."""
    for topic in ("Old 0", "Upcoming 3"):
        text = text.replace(f"topic: {topic}\n", f"topic: {topic}\n  uid: copied@lunchlearn\n")
    return text


def _skipped_in_five_weeks(text: str) -> str:
    return text.replace("skipped: []\n", f"skipped:\n- date: {_friday_weeks_ahead(5)}\n  reason: Offsite\n")


def _no_cancellations_before_the_talks(text: str) -> str:
    """An empty `cancelled:` written by hand above the talks: the first cancellation goes there."""
    return text.replace("skipped: []\n", "cancelled: []\nskipped: []\n")


def _old_talks_wide(text: str) -> str:
    """The old talks' entries written with their keys four columns in, the recent ones as lunchlearn writes."""
    head, key, talks = text.partition("talks:\n")
    entries = talks.replace("\n- ", "\n\0- ").split("\0")
    wide = [entry.replace("- ", "-   ", 1).replace("\n  ", "\n    ") if "topic: Old" in entry else entry
            for entry in entries]
    return head + key + "".join(wide)


def _indented(text: str) -> str:
    """The whole document indented by two spaces, top-level keys and all."""
    return "".join(f"  {line}" if line.strip() else line for line in text.splitlines(keepends=True))


@pytest.mark.parametrize(("args", "edit", "weeks"), [
    (["signup", "--date", _friday_weeks_ahead(9), "--name", "Dee", "--topic", "After the last"], None, (3, 6)),
    (["signup", "--name", "Dee", "--topic", "The first open date, before every talk kept as recent"], None, (3, 6)),
    (["withdraw", _friday_weeks_ahead(3)], None, (3, 6)),
    (["move", _friday_weeks_ahead(6), _friday_weeks_ahead(8)], None, (3, 6)),
    (["withdraw", _friday_weeks_ahead(4)], None, (3, 6)),  # nobody's: refused, naming every booked date
    (["withdraw", _friday_weeks_ahead(3)], _uid_copied, (3, 6)),  # not cancelled: an old talk still holds its UID
    (["confirm", _friday_weeks_ahead(0), "--name", "Cy"], None, (0, 3, 6)),
    (["confirm", "--name", "Cy"], None, (0, 3, 6)),
    (["confirm", _friday_weeks_ahead(4), "--name", "Cy"], None, (0, 3, 6)),  # nobody's
    (["topic", _friday_weeks_ahead(6), "Renamed"], None, (3, 6)),
    (["swap", _friday_weeks_ahead(3), _friday_weeks_ahead(6)], None, (3, 6)),
    (["skip", _friday_weeks_ahead(4), "--reason", "Offsite"], None, (3, 6)),
    (["skip", _friday_weeks_ahead(3), "--reason", "Offsite", "--move-to", _friday_weeks_ahead(8)], None, (3, 6)),
    (["skip", _friday_weeks_ahead(6), "--reason", "Offsite", "--withdraw"], None, (3, 6)),
    (["skip", _friday_weeks_ahead(6), "--reason", "Offsite"], None, (3, 6)),  # refused: say what happens to it
    (["unskip", _friday_weeks_ahead(5)], _skipped_in_five_weeks, (3, 6)),
    (["unskip", _friday_weeks_ahead(4)], _skipped_in_five_weeks, (3, 6)),  # not skipped: refused
    (["withdraw", _friday_weeks_ahead(3)], _no_cancellations_before_the_talks, (3, 6)),
    (["withdraw", _friday_weeks_ahead(6)], _indented, (3, 6)),
    (["signup", "--date", _friday_weeks_ahead(9), "--name", "Dee", "--topic", "After the last"], _old_talks_wide,
     (3, 6)),
], ids=["signup-after", "signup-first", "withdraw", "move", "withdraw-unbooked", "withdraw-uid-copied", "confirm",
        "confirm-next", "confirm-unbooked", "topic", "swap", "skip", "skip-move", "skip-withdraw", "skip-refused",
        "unskip", "unskip-refused", "withdraw-cancelled-above", "withdraw-indented",
        "signup-old-talks-wide"])
def test_a_write_from_a_kept_rota_with_years_of_history_does_what_a_write_from_the_file_does(
    tmp_path: Path, args: list[str], edit: Callable[[str], str] | None, weeks: tuple[int, ...]
) -> None:
    """A write that looks from today on loads only the kept rota's recent talks (the older ones when its
    edit needs them): the commit, the messages and the refusals are those of a write that parsed the file."""
    first = date.fromisoformat(_friday_years_ago(3))
    old = [{"date": (first + timedelta(weeks=n)).isoformat(), "presenter": f"Person {n}", "topic": f"Old {n}"}
           for n in range(3)]
    names = {0: "Cy", 3: "Amy", 6: "Ben"}
    recent = [{"date": _friday_weeks_ahead(n), "presenter": names[n], "topic": f"Upcoming {n}"} for n in weeks]
    kept = make_rota(tmp_path / "kept", talks=[*old, *recent])
    if edit is not None:
        schedule = kept / "schedule.yaml"
        schedule.write_text(edit(schedule.read_text(encoding="utf-8")), encoding="utf-8")
        git(kept, "commit", "-q", "-am", "Edit the rota by hand")
    parsed = tmp_path / "parsed"
    shutil.copytree(kept, parsed, symlinks=True)
    _warm(kept)
    today = {"LUNCHLEARN_TODAY": date.today().isoformat()}

    results = [lunchlearn(*args, "--no-sync", cwd=root, env=today) for root in (kept, parsed)]

    assert results[0] == results[1]
    texts = [(root / "schedule.yaml").read_text(encoding="utf-8") for root in (kept, parsed)]
    assert _without_revisions(texts[0]) == _without_revisions(texts[1])
    assert git(kept, "status", "--porcelain") == git(parsed, "status", "--porcelain") == ""
    assert git(kept, "show", "--stat", "--format=%s", "HEAD") == git(parsed, "show", "--stat", "--format=%s", "HEAD")
    if results[0].exit_code and "booked dates" in results[0].stderr:
        assert all(t["date"] in results[0].stderr for t in [*old, *recent])


def test_an_article_that_leads_out_of_the_rota_is_unreadable_however_it_is_reached(tmp_path: Path) -> None:
    weeks = [(date.fromisoformat(_friday_years_ago(2)) + timedelta(weeks=n)).isoformat() for n in range(3)]
    root = make_rota(tmp_path / "rota", talks=[
        {"date": weeks[0], "presenter": "Ann", "article": "talks/a.md"},
        {"date": weeks[1], "presenter": "Bob", "article": "talks/b.md"},  # a link out of the rota
        {"date": weeks[2], "presenter": "Cole", "article": "talks/c.md"},  # a link to Ann's article
    ])
    published = (root / "talks/a.md").read_text(encoding="utf-8").replace("status: draft", "status: published")
    (tmp_path / "b.md").write_text(published, encoding="utf-8")
    for name, target in (("b.md", "../../b.md"), ("c.md", "a.md")):
        (root / "talks" / name).unlink()
        (root / "talks" / name).symlink_to(target)
    for article in (root / "talks").glob("*.md"):
        os.utime(article, ns=(article.lstat().st_mtime_ns - 60_000_000_000,) * 2, follow_symlinks=False)
    _aged(root)
    for _ in range(2):  # as read, then as kept
        result = lunchlearn_process("schedule", "--past", "--json", cwd=root)
        assert result.returncode == 0, result.stderr
        statuses = {entry["presenter"]: entry["article_status"] for entry in json.loads(result.stdout)}
        assert statuses == {"Ann": "draft", "Bob": "unreadable", "Cole": "draft"}
    ready = (root / "talks/a.md").read_text(encoding="utf-8").replace("status: draft", "status: ready")
    (root / "talks/a.md").write_text(ready, encoding="utf-8")  # seen through Cole's link too
    result = lunchlearn_process("schedule", "--past", "--json", cwd=root)
    statuses = {entry["presenter"]: entry["article_status"] for entry in json.loads(result.stdout)}
    assert statuses == {"Ann": "ready", "Bob": "unreadable", "Cole": "ready"}
