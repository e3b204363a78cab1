"""Talks as calendar events that update in place: stable identities and revisions. No I/O.

Calendar apps match an event by its UID and take a copy with a higher SEQUENCE as the newer one, so
every write to the rota passes through `revise`: what changed in what a talk's event shows gets the
next sequence number and the time of the change, and a talk that goes is kept as cancelled a while.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from lunchlearn.rota.model import Cancelled, Rota, Settings, Talk, event_uid

# How long after its date a cancelled talk stays in the feed, so every subscriber's calendar sees it go.
CANCELLED_KEPT_WEEKS = 4
STAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def _shown(talk: Talk, settings: Settings) -> tuple[object, ...]:
    """What a talk's calendar event shows: a change to any of it is a new revision."""
    return (talk.date, talk.presenter, talk.topic, *_shown_of_every_talk(settings))


def _shown_of_every_talk(settings: Settings) -> tuple[object, ...]:
    return settings.title, settings.time, settings.duration_minutes, settings.room, settings.timezone


def revise(before: Rota, after: Rota, now: datetime, today: date) -> Rota:
    """`after` with the revisions of what changed since `before`: sequences, change times, cancellations.

    A talk keeps its UID (and an old talk gets its derived one written) once it changes; a sequence a
    writer already raised (a merge of someone else's change) is not raised again.
    """
    stamp = now.strftime(STAMP_FORMAT)
    # A talk the write left as it was (the same object in both) shows what it showed, unless the settings
    # every event shows changed: only the others are compared, a few among a long history's thousands
    # (so a UID that a hand edit gave two talks is matched only among the touched ones).
    same_settings = _shown_of_every_talk(before.settings) == _shown_of_every_talk(after.settings)
    left_as_they_were = {id(t) for t in after.talks} & {id(t) for t in before.talks} if same_settings else set()
    touched = [t for t in before.talks if id(t) not in left_as_they_were]
    uids = [event_uid(t) for t in touched]
    previous = dict(zip(uids, touched, strict=True))
    by_article = dict(zip((t.article for t in touched), uids, strict=True))
    talks = []
    kept = set()
    for talk in after.talks:
        if id(talk) in left_as_they_were:
            talks.append(talk)
            continue
        uid = talk.uid or by_article.get(talk.article) or event_uid(talk)
        old = previous.get(uid)
        if old is None:
            talk = replace(talk, uid=uid, changed=talk.changed or stamp)
        elif talk.sequence <= old.sequence and _shown(talk, after.settings) != _shown(old, before.settings):
            talk = replace(talk, uid=uid, sequence=old.sequence + 1, changed=stamp)
        talks.append(talk)
        kept.add(event_uid(talk))
    gone = [
        Cancelled(uid, t.date, t.presenter, t.topic, t.sequence + 1, stamp)
        for uid, t in previous.items()
        if uid not in kept
    ]
    oldest = today - timedelta(weeks=CANCELLED_KEPT_WEEKS)
    cancelled = [c for c in (*after.cancelled, *gone) if c.date >= oldest and c.uid not in kept]
    if cancelled:  # a talk the write left as it was is not cancelled either (a hand edit or a merge could say so)
        still_there = {event_uid(t) for t in after.talks if id(t) in left_as_they_were}
        cancelled = [c for c in cancelled if c.uid not in still_there]
    return replace(after, talks=tuple(talks), cancelled=tuple(sorted(cancelled, key=lambda c: (c.date, c.uid))))
