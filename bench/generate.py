"""Realistic rota repositories for the benchmark, built with git itself (history through `git fast-import`).

Every size is a real clone: schedule.yaml, one article per talk and a history of commits. The files are
written as text here rather than through lunchlearn, so a change to lunchlearn never changes what is measured.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

TODAY = date(2026, 11, 28)  # a Saturday: every run sees the same "today" (LUNCHLEARN_TODAY)
FIRST_FRIDAY_AHEAD = TODAY + timedelta(days=6)
BOOKED_AHEAD_WEEKS = 6  # talks are booked this many Fridays ahead; later Fridays are open


@dataclass(frozen=True)
class Size:
    name: str
    fridays: int  # weeks of programme up to BOOKED_AHEAD_WEEKS ahead
    daily_past: int  # talks on every day before today as well (more talks than Fridays since 1900)
    every_nth_free: int  # one Friday in this many has no talk (0: every Friday has one)
    commits: int  # commits of history
    paragraphs: int  # paragraphs of body per article

    @property
    def description(self) -> str:
        days = f" and {self.daily_past} days" if self.daily_past else ""
        return f"{self.fridays} Fridays{days}, {len(talk_dates(self))} talks, {self.commits} commits"


SIZES = {
    "small": Size("small", 52, 0, 4, 60, 6),
    "large": Size("large", 520, 0, 8, 5000, 8),
    "huge": Size("huge", 6, 9_994, 0, 200, 2),
    # The large rota with ten times its history: what no command may pay for.
    "long": Size("long", 520, 0, 8, 50_000, 8),
}

PRESENTERS = tuple(f"{first} {last}" for first in ("Amara", "Lena", "Sam", "Ray", "Noor", "Jonas", "Priya", "Tom")
                   for last in ("Okafor", "Fischer", "Whitfield", "Patel", "Haddad"))
WORDS = (
    "review", "team", "change", "context", "customer", "software", "release", "test", "design", "measure",
    "budget", "plan", "story", "feedback", "deploy", "metric", "incident", "learning", "habit", "process",
    "quality", "security", "archive", "search", "query", "performance", "contract", "invoice", "market",
    "audience", "campaign", "colour", "layout", "accessible", "form", "caching",
)


def talk_dates(size: Size) -> list[date]:
    last = FIRST_FRIDAY_AHEAD + timedelta(weeks=BOOKED_AHEAD_WEEKS - 1)
    fridays = [last - timedelta(weeks=week) for week in range(size.fridays)][::-1]
    past = [TODAY - timedelta(days=back) for back in range(size.daily_past, 0, -1)]
    return past + [day for index, day in enumerate(fridays) if not size.every_nth_free or index % size.every_nth_free]


def topic(index: int) -> str:
    words = [WORDS[(index * 7 + step * 3) % len(WORDS)] for step in range(4)]
    return f"{words[0].capitalize()} and {words[1]}: {words[2]} for {words[3]} (part {index})"


def article_name(day: date, index: int) -> str:
    return f"talks/{day}-{topic(index).lower().replace(' ', '-').replace(':', '').replace('(', '').replace(')', '')}.md"


def paragraph(seed: int) -> str:
    words = [WORDS[(seed * 13 + step * 5 + step * step) % len(WORDS)] for step in range(90)]
    sentences = [" ".join(words[start : start + 15]).capitalize() + "." for start in range(0, 90, 15)]
    return " ".join(sentences)


def article(day: date, index: int, size: Size, revision: int) -> str:
    status = "published" if day < TODAY else "draft"
    sections = range(size.paragraphs)
    body = "".join(f"\n## Section {part + 1}\n\n{paragraph(index + part + revision)}\n" for part in sections)
    return (
        f"---\ntitle: '{topic(index)}'\npresenter: {PRESENTERS[index % len(PRESENTERS)]}\ndate: {day}\n"
        f"status: {status}\ntags: [engineering, {WORDS[index % len(WORDS)]}]\nsummary: 'A talk about "
        f"{topic(index).lower()}.'\n---\n{body}"
    )


SCHEDULE_HEAD = (
    "# The lunch-and-learn rota.\n"
    "settings:\n  title: Friday lunch and learn\n  weekday: friday\n  time: '13:30'\n  room: Canteen\n"
    "  timezone: Europe/London\n  sync: auto\n"
    "holidays:\n  country: GB\n  subdiv: ENG\n"
    "skipped: []\n"
)


def schedule(talks: list[tuple[date, int]]) -> str:
    """schedule.yaml with these talks, in lunchlearn's canonical layout; future presenters are all different."""
    entries = []
    for day, index in talks:
        presenter = PRESENTERS[index % len(PRESENTERS)]
        entries.append(
            f"- date: {day}\n  presenter: {presenter}\n  topic: '{topic(index)}'\n"
            f"  article: {article_name(day, index)}\n"
        )
    return SCHEDULE_HEAD + ("talks:\n" + "".join(entries) if entries else "talks: []\n")


def build(size: Size, folder: Path) -> Path:
    """A clone at `folder` holding the rota of `size`, its history streamed through git fast-import."""
    folder.mkdir(parents=True)
    git = ["git", "-C", str(folder)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    for key, value in (("user.name", "Bench Person"), ("user.email", "bench@example.com"),
                       ("commit.gpgsign", "false"), ("gc.auto", "0")):
        subprocess.run([*git, "config", key, value], check=True)
    talks = [(day, index) for index, day in enumerate(talk_dates(size))]
    stream = _history(size, talks)
    subprocess.run([*git, "fast-import", "--quiet"], input=stream, check=True)
    subprocess.run([*git, "reset", "-q", "--hard", "main"], check=True)
    subprocess.run([*git, "gc", "-q"], check=True)
    return folder


def _history(size: Size, talks: list[tuple[date, int]]) -> bytes:
    """`size.commits` commits: the talks signed up one per commit (in batches when there are more talks
    than commits), then articles edited, ending at the full rota."""
    chunks: list[bytes] = []
    sign_ups = min(len(talks), max(size.commits // 2, 1))
    batch = -(-len(talks) // sign_ups)
    moment = 1_500_000_000
    commit = 0

    def emit(message: str, files: dict[str, str]) -> None:
        nonlocal moment, commit
        commit += 1
        moment += 3600
        data = message.encode()
        chunks.append(f"commit refs/heads/main\nmark :{commit}\n".encode())
        chunks.append(f"committer Bench Person <bench@example.com> {moment} +0000\ndata {len(data)}\n".encode() + data)
        if commit > 1:
            chunks.append(f"\nfrom :{commit - 1}\n".encode())
        else:
            chunks.append(b"\n")
        for path, text in files.items():
            blob = text.encode()
            chunks.append(f"M 100644 inline {path}\ndata {len(blob)}\n".encode() + blob + b"\n")
        chunks.append(b"\n")

    for start in range(0, len(talks), batch):
        added = talks[start : start + batch]
        files = {article_name(day, index): article(day, index, size, 0) for day, index in added}
        files["schedule.yaml"] = schedule(talks[: start + batch])
        emit(f"Sign up {len(added)} talk(s)", files)
    revision = 0
    while commit < size.commits:
        revision += 1
        day, index = talks[(revision * 37) % len(talks)]
        emit(f"Edit the article for {day}", {article_name(day, index): article(day, index, size, revision)})
    return b"".join(chunks)
