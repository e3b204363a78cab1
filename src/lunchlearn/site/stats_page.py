"""The stats as one self-contained HTML page: inline CSS, bars as CSS widths, no script, no address. No I/O."""

from __future__ import annotations

import posixpath
from html import escape
from typing import TYPE_CHECKING

from lunchlearn.rota.model import format_day
from lunchlearn.rota.stats import Section, Stats, report_sections

if TYPE_CHECKING:
    from lunchlearn.site.generators import Site

PAGE_NAME = "lunchlearn-stats.html"
_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
td { padding: 0.2rem 0.5rem; vertical-align: middle; }
td.bar { width: 35%; }
.bar span { display: block; height: 0.9rem; background: #3a7d44; }
"""


def page_path(site: Site) -> str:
    """Where the page goes in the site, copied as it is: Hugo's static folder, Jekyll's root (no front matter)."""
    return posixpath.join(site.static_dir, PAGE_NAME) if site.generator == "hugo" else PAGE_NAME


def stats_page(title: str, figures: Stats) -> str:
    """The page, with every figure `stats` shows in a terminal."""
    heading = f"{title}: {format_day(figures.since)} to {format_day(figures.today)}"
    body = "".join(_section(section) for section in report_sections(figures))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        # Phones lay the page out at their own width rather than a desktop's, shrunk.
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{escape(heading)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{escape(heading)}</h1>\n{body}</body>\n</html>\n"
    )


def _section(section: Section) -> str:
    title, rows, bars = section
    if not rows:
        return f"<h2>{escape(title)}</h2>\n<p>None yet.</p>\n"
    top = max(bars, default=0) or 1
    lines = []
    for index, row in enumerate(rows):
        cells = [f"<td>{escape(row[0])}</td>"]
        if bars:
            width = round(100 * bars[index] / top)
            cells.append(f'<td class="bar"><span style="width: {width}%"></span></td>')
        cells += [f"<td>{escape(cell)}</td>" for cell in row[1:]]
        lines.append(f"<tr>{''.join(cells)}</tr>\n")
    return f"<h2>{escape(title)}</h2>\n<table>\n{''.join(lines)}</table>\n"
