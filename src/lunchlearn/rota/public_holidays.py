"""A region's public holidays, from the `holidays` package: data, not I/O.

The package is imported only when a rota names a region, so reading a rota without one never loads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import cache

from lunchlearn.errors import BadInput
from lunchlearn.rota.model import HolidayRegion, Rota, Skip, horizon_end

FIND_CODES = (
    "the supported codes are listed at https://holidays.readthedocs.io "
    "or by `python3 -c 'import holidays; print(holidays.list_supported_countries())'`"
)


def parse_region(text: str) -> HolidayRegion:
    """`GB-ENG` or `DE`: a country code, optionally a dash and a subdivision code."""
    country, _, subdiv = text.strip().partition("-")
    return check_region(country, subdiv)


NAMES_LANGUAGE = "en_US"  # the holidays' names, where the package has them in it

# Regions the package accepted in an earlier run with the same version of it (see remember_valid).
_VALID: set[HolidayRegion] = set()


def remember_valid(region: HolidayRegion) -> None:
    """Take `region` as valid without asking the package, whose country list alone takes a tenth of a second
    to load: for a region it accepted before, in the same version."""
    _VALID.add(region)


def check_country(country: str) -> str:
    """The country code as the package spells it, or BadInput saying how to find valid codes."""
    code = country.strip().upper()
    if code not in {region.country for region in _VALID} and code not in _country_codes():
        raise BadInput(f"unknown holiday country {country!r}; use an ISO 3166 code such as GB, DE or US: {FIND_CODES}")
    return code


def check_region(country: str, subdiv: str = "") -> HolidayRegion:
    """The region in the package's own spelling, or BadInput naming the valid choices."""
    code = check_country(country)
    wanted = subdiv.strip()
    remembered = next((r for r in _VALID if r.country == code and r.subdiv.casefold() == wanted.casefold()), None)
    if remembered is not None:
        return remembered
    if not wanted:
        return HolidayRegion(code)
    subdivisions = _subdivisions(code)
    spelled = next((name for name in subdivisions if name.casefold() == wanted.casefold()), None)
    if spelled is None:
        known = ", ".join(subdivisions) or "none"
        raise BadInput(f"{code} has no holiday subdivision {subdiv!r}; its subdivisions are: {known}")
    return HolidayRegion(code, spelled)


@cache
def _country_codes() -> frozenset[str]:
    """The codes list_supported_countries() gives, read from the package's registry: listing them
    through it loads all of its 250 country modules, a tenth of a second."""
    try:
        from holidays.registry import EntityLoader

        return frozenset(EntityLoader.get_country_codes(include_aliases=True))
    except (ImportError, AttributeError):  # a release that moved its registry
        import holidays

        return frozenset(holidays.list_supported_countries())


@cache
def _subdivisions(code: str) -> list[str]:
    import holidays

    return list(getattr(holidays, code).subdivisions)


@cache
def holidays_in(region: HolidayRegion, year: int) -> tuple[tuple[date, str], ...]:
    """The region's public holidays in one year, by date: one lookup per year per process."""
    import holidays

    calendar = holidays.country_holidays(
        region.country, subdiv=region.subdiv or None, years=year, language=_names_language(region.country)
    )
    return tuple(sorted(calendar.items()))


def _names_language(country: str) -> str | None:
    """English where the package has it, like the rest of lunchlearn, else the region's own language: told
    none, the package follows the reader's locale, and a rota's holidays would read differently by reader."""
    import holidays

    entity = getattr(holidays, country)
    return NAMES_LANGUAGE if NAMES_LANGUAGE in entity.supported_languages else entity.default_language


HolidayLookup = Callable[[HolidayRegion, int], tuple[tuple[date, str], ...]]


def with_public_holidays(
    rota: Rota,
    today: date,
    until: date | None = None,
    since: date | None = None,
    lookup: HolidayLookup = holidays_in,
) -> Rota:
    """`rota` knowing its region's holidays on its weekday: from today (or `since`, when earlier) to the
    horizon (or `until`, when later) and on every talk's date. `lookup` gives a region's holidays in a year."""
    if rota.holidays is None:
        return rota
    last = max(horizon_end(rota.settings, today), until or today)
    years = set(range(min(today, since or today).year, last.year + 1))
    years |= {talk.date.year for talk in rota.talks}
    closed = tuple(
        Skip(day, name)
        for year in sorted(years)
        for day, name in lookup(rota.holidays, year)
        if day.weekday() == rota.settings.weekday_number
    )
    return replace(rota, public_holidays=closed)
