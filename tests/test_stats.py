"""`stats`, `stats --html` and `publish --stats`: the programme's figures, worked out by hand, through the CLI."""

from __future__ import annotations

import tomllib
from pathlib import Path

from lunchlearn.rota import article_file
from tests.helpers import lunchlearn
from tests.test_publish import article, commit_all, make_hugo, make_rota_with_article, published


def _recorded(rota: Path, path: str) -> dict[str, object]:
    meta = article_file.parse_front_matter((rota / path).read_text(encoding="utf-8"), path).meta
    assert meta is not None
    return meta


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
