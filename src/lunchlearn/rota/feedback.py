"""Feedback on a talk that happened: one rating (and a comment) per person, kept beside the talk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lunchlearn.rota.schedule_file import TALKS_DIR

RATINGS = range(1, 6)


@dataclass(frozen=True)
class Feedback:
    by: str  # who gave it, as they named themselves; git records the commit's author too
    rating: int  # 1 to 5
    comment: str = ""
    given: str = ""  # when, UTC, ISO 8601 (`2026-12-04T14:30:00Z`): the later of two entries by one person wins


def feedback_path(day: date) -> str:
    """Where the feedback on the talk of `day` is kept: beside the talks' articles."""
    return f"{TALKS_DIR}/{day.isoformat()}.feedback.yaml"
