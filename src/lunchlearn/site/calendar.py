"""The rota as an iCalendar (RFC 5545) feed people subscribe to. No I/O; icalendar is imported when used.

Everything in the feed comes from the rota, never from the clock, so a feed built twice from the same
rota is the same bytes, and a calendar app sees an event change only when its talk did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from lunchlearn.rota.model import Rota, Settings, event_uid, same_person

if TYPE_CHECKING:
    from icalendar import Event

PRODUCT_ID = "-//lunchlearn//lunchlearn calendar//EN"
FEED_NAME = "lunchlearn.ics"


@dataclass(frozen=True)
class EventData:
    """One event as the feed shows it, from a booked talk or a cancelled one."""

    uid: str
    day: date
    presenter: str
    topic: str
    sequence: int
    changed: str  # empty for a talk written before revisions were stored
    cancelled: bool
    url: str = ""


def feed_events(rota: Rota, person: str | None, links: Mapping[str, str]) -> list[EventData]:
    """The events of the feed, by date: every talk, and the cancelled ones still kept; `links` by UID."""
    talks = rota.talks if person is None else rota.talks_of(person)
    events = [
        # An old talk's UID is a digest: worked out once, for the event and its link.
        EventData(uid := event_uid(t), t.date, t.presenter, t.topic, t.sequence, t.changed, False, links.get(uid, ""))
        for t in talks
    ]
    events += [EventData(c.uid, c.date, c.presenter, c.topic, c.sequence, c.changed, True) for c in rota.cancelled
               if person is None or same_person(c.presenter, person)]
    return sorted(events, key=lambda e: (e.day, e.cancelled, e.uid))


def feed(rota: Rota, person: str | None = None, links: Mapping[str, str] | None = None) -> bytes:
    """The feed's bytes: the programme's events (one person's with `person`) and their time zone."""
    return feed_of(rota.settings, person, feed_events(rota, person, links or {}))


def feed_of(
    settings: Settings, person: str | None, events: list[EventData], laid_out: Mapping[EventKey, bytes] | None = None
) -> bytes:
    """The feed of `events` (feed_events), laid out by icalendar: all it shows comes from the arguments.

    Each event is laid out on its own, or taken from `laid_out` (event_layouts with the same settings),
    and the feed put together around them: byte for byte what icalendar lays out for the whole calendar,
    where changing one event of thousands would lay out every one again.
    """
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", settings.title if person is None else f"{settings.title}: {person}")
    calendar.add("x-wr-timezone", settings.timezone)
    begin = bytes(calendar.to_ical()).removesuffix(_END)
    layouts = event_layouts(settings, events, {}) if laid_out is None else laid_out
    return begin + _timezone(settings, events) + b"".join(layouts[event_key(e)] for e in events) + _END


_END = b"END:VCALENDAR\r\n"
EventKey = tuple[object, ...]  # an event's data as a tuple: what a kept layout is found by


def event_key(event: EventData) -> EventKey:
    return (event.uid, event.day, event.presenter, event.topic, event.sequence, event.changed, event.cancelled,
            event.url)


def event_layouts(settings: Settings, events: list[EventData], kept: Mapping[EventKey, bytes]) -> dict[EventKey, bytes]:
    """Each event's VEVENT as icalendar lays it out, from `kept` where it is there (laid out by this code
    with these settings): about 0.4 ms an event inside the library otherwise."""
    starts_at = _starts_at(settings)
    layouts = {}
    for event in events:
        key = event_key(event)
        layouts[key] = kept.get(key) or bytes(_event(settings, starts_at, event).to_ical())
    return layouts


def _starts_at(settings: Settings) -> time:
    from zoneinfo import ZoneInfo

    hours, minutes = (int(part) for part in settings.time.split(":"))
    return time(hours, minutes, tzinfo=ZoneInfo(settings.timezone))


def _timezone(settings: Settings, events: list[EventData]) -> bytes:
    """A VTIMEZONE covering every event, so apps without the zone database place them right too."""
    from icalendar import Calendar, Event

    if not events:
        return b""
    calendar = Calendar()
    first = Event()
    first.add("dtstart", datetime.combine(events[0].day, _starts_at(settings)))
    calendar.add_component(first)
    calendar.add_missing_timezones(events[0].day - timedelta(days=366), events[-1].day + timedelta(days=366))
    return b"".join(bytes(zone.to_ical()) for zone in calendar.timezones)


def _event(settings: Settings, starts_at: time, data: EventData) -> Event:
    """The event of `data`, starting at `starts_at` (the programme's time, in its zone) on its day."""
    from icalendar import Event

    event = Event()
    event.add("uid", data.uid)
    event.add("sequence", data.sequence)
    # An event's stamp is when its talk last changed; a talk from before that was stored gets its own
    # date, which is just as stable.
    stamp = (
        datetime.fromisoformat(data.changed)  # stored as STAMP_FORMAT, whose Z is UTC
        if data.changed
        else datetime.combine(data.day, time(), tzinfo=UTC)
    )
    event.add("dtstamp", stamp)
    if data.changed:
        event.add("last-modified", stamp)
    event.add("dtstart", datetime.combine(data.day, starts_at))
    event.add("duration", timedelta(minutes=settings.duration_minutes))
    event.add("summary", f"{'Cancelled: ' if data.cancelled else ''}{data.topic} ({data.presenter})")
    event.add("location", settings.room)
    event.add("description", _description(settings, data))
    event.add("status", "CANCELLED" if data.cancelled else "CONFIRMED")
    if data.url:
        event.add("url", data.url)
    return event


def _description(settings: Settings, data: EventData) -> str:
    if data.cancelled:
        return f"{settings.title}: {data.presenter}'s talk on {data.topic} is cancelled."
    text = f"{settings.title}: {data.presenter} presents {data.topic}."
    return f"{text}\nArticle: {data.url}" if data.url else text
