"""`lunchlearn publish` against real git repositories holding Hugo and Jekyll site skeletons.

The generators themselves run in test_publish_sites.py; here the sites are only their configuration.
"""

from __future__ import annotations

import json
import math
import subprocess
import tomllib
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lunchlearn.rota import article_file, schedule_file, yamltext
from lunchlearn.site import links, posts
from lunchlearn.site.generators import Site
from tests.helpers import changed_paths, commits, git, lunchlearn, make_rota, write_files

ARTICLE = "talks/2026-11-27-rss-feeds.md"
TITLE = "Marketing opportunities using RSS feeds"
PNG = b"\x89PNG\r\n\x1a\n fake image bytes"
BODY = (
    "\nFeeds never went away.\n\n![How a feed travels](diagram.png)\n\n"
    "Read [the spec](https://www.rssboard.org/rss-specification) and [my notes](#notes).\n"
)
HUGO_CONFIG = "baseURL = 'https://example.org/'\ntitle = 'Company'\n"
TOML_ARCHETYPE = "+++\ndate = '{{ .Date }}'\ndraft = true\ntitle = '{{ .File.ContentBaseName }}'\n+++\n"


def article(status: str = "ready", body: str = BODY, **extra: object) -> str:
    meta = {
        "title": TITLE,
        "presenter": "Cole Jensen",
        "date": "2026-11-27",
        "status": status,
        "tags": ["rss", "marketing"],
        "summary": "Why feeds still matter.",
        **extra,
    }
    return f"---\n{yamltext.dump_yaml(meta)}---\n{body}"


def make_site(root: Path, files: dict[str, str | bytes]) -> Path:
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    write_files(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Site")
    return root


def make_hugo(tmp_path: Path, files: dict[str, str | bytes] | None = None) -> Path:
    defaults: dict[str, str | bytes] = {"hugo.toml": HUGO_CONFIG, "archetypes/default.md": TOML_ARCHETYPE}
    return make_site(tmp_path / "site", {**defaults, **(files or {})})


def make_jekyll(tmp_path: Path, config: str = "title: Company\n") -> Path:
    return make_site(tmp_path / "site", {"_config.yml": config, "_posts/.gitkeep": ""})


def make_rota_with_article(
    tmp_path: Path, text: str | None = None, day: str = "2026-11-27", extra: dict[str, str | bytes] | None = None
) -> Path:
    return make_rota(
        tmp_path / "rota",
        talks=[{"date": day, "presenter": "Cole Jensen", "topic": TITLE, "article": ARTICLE}],
        settings={"site": "../site"},
        files={ARTICLE: text or article(), "talks/diagram.png": PNG, **(extra or {})},
    )


def commit_all(repo: Path, message: str = "Edit") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def published(rota: Path, *args: str) -> tuple[int, str, str]:
    result = lunchlearn("publish", *args, cwd=rota)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def hugo(tmp_path: Path) -> tuple[Path, Path]:
    return make_rota_with_article(tmp_path), make_hugo(tmp_path)


def test_publish_commits_the_post_and_its_image_to_the_site_and_records_it(hugo: tuple[Path, Path]) -> None:
    rota, site = hugo
    source = git(rota, "rev-parse", "--short=7", "HEAD")

    code, stdout, stderr = published(rota, "2026-11-27")

    assert code == 0, stderr
    bundle = "content/posts/rss-feeds"
    assert commits(site)[0] == f'Publish "{TITLE}" (lunchlearn {source})'
    assert changed_paths(site) == [f"{bundle}/diagram.png", f"{bundle}/index.md"]
    assert (site / bundle / "diagram.png").read_bytes() == PNG
    post = (site / bundle / "index.md").read_text(encoding="utf-8")
    assert post.startswith("+++\n")  # the site's archetype uses TOML
    meta = tomllib.loads(post.split("+++\n")[1])
    assert meta["title"] == TITLE
    assert meta["author"] == "Cole Jensen"
    assert meta["tags"] == ["rss", "marketing"]
    assert meta["summary"] == "Why feeds still matter."
    assert meta["lunchlearn_source"] == ARTICLE
    assert "status" not in meta
    assert "![How a feed travels](diagram.png)" in post
    site_head = git(site, "rev-parse", "HEAD")
    assert commits(rota)[0] == f'Record "{TITLE}" as published (site commit {site_head[:7]})'
    assert changed_paths(rota) == [ARTICLE]
    recorded = article_file.parse_front_matter((rota / ARTICLE).read_text(encoding="utf-8"), ARTICLE).meta
    assert recorded is not None
    assert recorded["status"] == "published"
    assert recorded["published_path"] == f"{bundle}/index.md"
    assert recorded["published_commit"] == site_head
    assert f"{bundle}/index.md" in stdout


def test_a_record_the_rota_refuses_is_reported_without_claiming_nothing_changed(hugo: tuple[Path, Path]) -> None:
    rota, site = hugo
    hook = rota / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    rota_head = git(rota, "rev-parse", "HEAD")

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 1
    site_head = git(site, "rev-parse", "--short=7", "HEAD")
    assert f"the site has the post (commit {site_head})" in stderr
    assert "nothing was changed" not in stderr  # the site was: only the rota is as it was
    assert "and the rota is as it was; run the same publish again to record it" in stderr, stderr
    assert git(rota, "rev-parse", "HEAD") == rota_head and git(rota, "status", "--porcelain") == ""


def test_publishing_twice_changes_nothing(hugo: tuple[Path, Path]) -> None:
    rota, site = hugo
    assert published(rota)[0] == 0  # the only ready article
    site_commits, rota_commits = commits(site), commits(rota)

    code, stdout, _ = published(rota, "2026-11-27")

    assert code == 0
    assert "nothing changed" in stdout
    assert commits(site) == site_commits
    assert commits(rota) == rota_commits
    assert git(site, "status", "--porcelain") == ""


def test_a_changed_article_updates_the_post(hugo: tuple[Path, Path]) -> None:
    rota, site = hugo
    published(rota, "2026-11-27")
    text = (rota / ARTICLE).read_text(encoding="utf-8")
    (rota / ARTICLE).write_text(text.replace("Feeds never went away.", "Feeds are back."), encoding="utf-8")
    commit_all(rota)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 0, stderr
    assert "Feeds are back." in (site / "content/posts/rss-feeds/index.md").read_text(encoding="utf-8")
    assert changed_paths(site) == ["content/posts/rss-feeds/index.md"]
    assert len(commits(site)) == 3
    assert f"published_commit: {git(site, 'rev-parse', 'HEAD')}" in (rota / ARTICLE).read_text(encoding="utf-8")


def test_a_post_edited_in_the_site_is_replaced_only_with_force(hugo: tuple[Path, Path]) -> None:
    rota, site = hugo
    published(rota, "2026-11-27")
    post = site / "content/posts/rss-feeds/index.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nA fix made on the site.\n", encoding="utf-8")
    commit_all(site, "Fix a typo")
    (rota / ARTICLE).write_text(article(body=BODY + "\nMore.\n", status="published"), encoding="utf-8")
    commit_all(rota)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 1
    assert "edited in the site" in stderr and "--force" in stderr
    assert "A fix made on the site." in post.read_text(encoding="utf-8")
    assert commits(site)[0] == "Fix a typo"

    code, _, stderr = published(rota, "2026-11-27", "--force")

    assert code == 0, stderr
    assert "A fix made on the site." not in post.read_text(encoding="utf-8")
    assert "More." in post.read_text(encoding="utf-8")


def test_an_article_that_gains_an_image_moves_into_a_page_bundle(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path, article(body="\nNo images yet.\n"))
    site = make_hugo(tmp_path)
    assert published(rota, "2026-11-27")[0] == 0
    assert (site / "content/posts/rss-feeds.md").is_file()
    text = (rota / ARTICLE).read_text(encoding="utf-8")
    (rota / ARTICLE).write_text(text.replace("No images yet.", "![A diagram](diagram.png)"), encoding="utf-8")
    commit_all(rota)

    assert published(rota, "2026-11-27")[0] == 0

    assert git(site, "ls-files", "content").splitlines() == [
        "content/posts/rss-feeds/diagram.png",
        "content/posts/rss-feeds/index.md",
    ]
    assert git(site, "status", "--porcelain") == ""
    assert "published_path: content/posts/rss-feeds/index.md" in (rota / ARTICLE).read_text(encoding="utf-8")


def test_site_option_names_the_site_and_it_must_be_its_own_repository(tmp_path: Path) -> None:
    rota = make_rota(
        tmp_path / "rota",
        talks=[{"date": "2026-11-27", "presenter": "Cole Jensen", "topic": TITLE, "article": ARTICLE}],
        files={ARTICLE: article(body="\nText.\n"), "web/hugo.toml": HUGO_CONFIG},
    )
    site = make_hugo(tmp_path)

    assert published(rota, "--site", str(site))[0] == 0
    assert (site / "content/posts/rss-feeds.md").is_file()

    code, _, stderr = published(rota, "2026-11-27", "--site", str(rota / "web"))
    assert code == 2
    assert "inside the rota's own repository" in stderr


def test_a_draft_is_refused_unless_forced(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path, article(status="draft"))
    site = make_hugo(tmp_path)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 1
    assert stderr == (
        f"error: {ARTICLE} is draft, not ready; finish it and mark it ready, or pass --force to publish it as it is\n"
    )
    assert commits(site) == ["Site"]
    assert not (site / "content").exists()

    assert published(rota, "2026-11-27", "--force")[0] == 0
    assert (site / "content/posts/rss-feeds/index.md").is_file()


def _conflict(site: Path, operation: str) -> None:
    """Leave the site half-way through a merge or rebase that stopped on a conflict."""
    git(site, "checkout", "-q", "-b", "other")
    write_files(site, {"hugo.toml": HUGO_CONFIG + "title = 'Other'\n"})
    commit_all(site, "Other title")
    git(site, "checkout", "-q", "main")
    write_files(site, {"hugo.toml": HUGO_CONFIG + "title = 'Main'\n"})
    commit_all(site, "Main title")
    command = ["merge", "other"] if operation == "merge" else ["rebase", "other"]
    assert subprocess.run(["git", *command], cwd=site, capture_output=True, check=False).returncode != 0


@pytest.mark.parametrize("operation", ["merge", "rebase"])
def test_a_site_in_the_middle_of_a_merge_or_rebase_is_refused(tmp_path: Path, operation: str) -> None:
    rota = make_rota_with_article(tmp_path)
    site = make_hugo(tmp_path)
    _conflict(site, operation)
    rota_commits = commits(rota)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 1
    assert f"a {operation} is in progress in {site.resolve()}" in stderr
    assert not (site / "content").exists()
    assert commits(rota) == rota_commits


@pytest.mark.parametrize(
    ("config", "outside"),
    [
        (HUGO_CONFIG + "contentDir = '../elsewhere'\n", "elsewhere"),
        (HUGO_CONFIG + "contentDir = '{absolute}'\n", "absolute"),
        (HUGO_CONFIG, "linked"),
    ],
    ids=["dot-dot", "absolute", "symlink"],
)
def test_a_target_outside_the_site_is_refused(tmp_path: Path, config: str, outside: str) -> None:
    rota = make_rota_with_article(tmp_path)
    target = tmp_path / outside
    target.mkdir()
    site = make_hugo(tmp_path, {"hugo.toml": config.format(absolute=target)})
    if outside == "linked":
        (site / "content").mkdir()
        (site / "content/posts").symlink_to(target)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 1
    assert "outside the site" in stderr and "nothing was written" in stderr
    assert list(target.rglob("*")) == []
    assert commits(site) == ["Site"]


@pytest.mark.parametrize(
    ("existing", "named"),
    [
        ("---\ntitle: Our own post\n---\nWritten by hand.\n", "that lunchlearn did not publish"),
        ("---\ntitle: RSS\nlunchlearn_source: talks/2025-01-03-rss-feeds.md\n---\nOld.\n", "talks/2025-01-03"),
    ],
    ids=["hand-written", "another-article"],
)
def test_a_post_of_another_article_is_refused(tmp_path: Path, existing: str, named: str) -> None:
    rota = make_rota_with_article(tmp_path, article(body="\nNo images here.\n"))
    site = make_hugo(tmp_path, {"content/posts/rss-feeds.md": existing})

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 1
    assert "content/posts/rss-feeds.md already exists in the site and belongs to another article" in stderr
    assert named in stderr
    assert (site / "content/posts/rss-feeds.md").read_text(encoding="utf-8") == existing
    assert commits(site) == ["Site"]


def test_only_the_published_files_go_into_the_site_commit(hugo: tuple[Path, Path]) -> None:
    rota, site = hugo
    write_files(site, {"staged.md": "staged work\n", "hugo.toml": HUGO_CONFIG + "# unsaved thought\n"})
    git(site, "add", "staged.md")

    assert published(rota, "2026-11-27")[0] == 0

    assert changed_paths(site) == ["content/posts/rss-feeds/diagram.png", "content/posts/rss-feeds/index.md"]
    status = git(site, "status", "--porcelain")
    assert "A  staged.md" in status and "M hugo.toml" in status  # still staged, and still unstaged


def test_dry_run_shows_the_target_front_matter_and_diff_and_writes_nothing(hugo: tuple[Path, Path]) -> None:
    rota, site = hugo

    code, stdout, _ = published(rota, "2026-11-27", "--dry-run")

    assert code == 0
    assert "Post: content/posts/rss-feeds/index.md" in stdout
    assert f'title = "{TITLE}"\nauthor = "Cole Jensen"\n' in stdout
    assert "+++ b/content/posts/rss-feeds/index.md" in stdout
    assert "+Feeds never went away." in stdout
    assert "create content/posts/rss-feeds/diagram.png" in stdout
    assert not (site / "content").exists()
    assert commits(site) == ["Site"]
    assert "status: ready" in (rota / ARTICLE).read_text(encoding="utf-8")


def test_dry_run_of_a_changed_article_shows_a_diff_against_the_site(hugo: tuple[Path, Path]) -> None:
    rota, _ = hugo
    published(rota, "2026-11-27")
    text = (rota / ARTICLE).read_text(encoding="utf-8")
    (rota / ARTICLE).write_text(text.replace("Feeds never went away.", "Feeds are back."), encoding="utf-8")
    commit_all(rota)

    stdout = published(rota, "2026-11-27", "--dry-run")[1]

    assert "--- a/content/posts/rss-feeds/index.md" in stdout
    assert "-Feeds never went away.\n+Feeds are back.\n" in stdout


def test_a_future_post_is_published_with_a_warning(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path, article(date="2026-12-04"), day="2026-12-04")
    make_hugo(tmp_path)

    code, _, stderr = published(rota, "2026-12-04")

    assert code == 0
    assert "warning: the post is dated Fri 4 Dec 2026, in the future: Hugo hides it" in stderr


def test_no_warning_when_the_site_builds_future_posts(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path, article(date="2026-12-04"), day="2026-12-04")
    make_hugo(tmp_path, {"hugo.toml": HUGO_CONFIG + "buildFuture = true\n"})

    code, _, stderr = published(rota, "2026-12-04")

    assert code == 0
    assert "warning" not in stderr


def test_jekyll_gets_a_dated_post_with_layout_and_assets(tmp_path: Path) -> None:
    body = BODY + '\n<a href="extra/slides.pdf">Slides</a> and ![lost](missing.png)\n'
    rota = make_rota_with_article(tmp_path, article(body=body), extra={"talks/extra/slides.pdf": b"%PDF-1.4"})
    site = make_jekyll(tmp_path)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 0, stderr
    assert "warning: the article links to 'missing.png' but there is no such file" in stderr
    assert "<a href=\"{{ '/assets/2026-11-27-rss-feeds/extra/slides.pdf' | relative_url }}\">" in (
        site / "_posts/2026-11-27-rss-feeds.md"
    ).read_text(encoding="utf-8")
    assert (site / "assets/2026-11-27-rss-feeds/extra/slides.pdf").read_bytes() == b"%PDF-1.4"
    post = (site / "_posts/2026-11-27-rss-feeds.md").read_text(encoding="utf-8")
    front = article_file.parse_front_matter(post, "post")
    meta, body = front.meta, front.body
    assert meta is not None
    assert meta["layout"] == "post"
    assert meta["author"] == "Cole Jensen"
    assert meta["description"] == "Why feeds still matter."
    assert "![How a feed travels]({{ '/assets/2026-11-27-rss-feeds/diagram.png' | relative_url }})" in body
    assert (site / "assets/2026-11-27-rss-feeds/diagram.png").read_bytes() == PNG


def test_jekyll_defaults_that_set_the_layout_are_respected(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path)
    config = "defaults:\n  - scope:\n      path: ''\n      type: posts\n    values:\n      layout: article\n"
    site = make_jekyll(tmp_path, config)

    assert published(rota, "2026-11-27")[0] == 0

    assert "layout:" not in (site / "_posts/2026-11-27-rss-feeds.md").read_text(encoding="utf-8")


def test_hugo_yaml_posts_custom_content_folder_and_section_are_followed(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path, article(body="\nNo images here.\n"))
    config = "baseURL: https://example.org/\ncontentDir: pages\nparams:\n  mainSections: [blog]\n"
    site = make_site(tmp_path / "site", {"hugo.yaml": config, "pages/blog/older.md": "---\ntitle: Older\n---\nHi.\n"})

    assert published(rota, "2026-11-27")[0] == 0

    post = (site / "pages/blog/rss-feeds.md").read_text(encoding="utf-8")
    assert post.startswith(f"---\ntitle: {TITLE}\nauthor: Cole Jensen\ndate: '2026-11-27'\n")


def test_the_front_matter_override_map_in_schedule_yaml_renames_keys(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path)
    schedule = (rota / "schedule.yaml").read_text(encoding="utf-8")
    schedule = schedule.replace(
        "skipped:", "publish:\n  front_matter:\n    summary: description\n    presenter: writer\n    tags:\nskipped:"
    )
    (rota / "schedule.yaml").write_text(schedule, encoding="utf-8")
    commit_all(rota)
    site = make_hugo(tmp_path)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 0, stderr
    meta = tomllib.loads((site / "content/posts/rss-feeds/index.md").read_text(encoding="utf-8").split("+++\n")[1])
    assert meta["description"] == "Why feeds still matter."
    assert meta["writer"] == "Cole Jensen"
    assert {"summary", "author", "tags"}.isdisjoint(meta)


def test_the_publish_section_round_trips_and_unknown_keys_are_located() -> None:
    text = "settings:\n  title: T\npublish:\n  front_matter:\n    summary: description\n    presenter: ''\n"
    rota, problems = schedule_file.parse_rota(text)
    assert problems == []
    assert rota is not None
    assert rota.publish.front_matter == (("summary", ("description",)), ("presenter", ()))
    again, _ = schedule_file.parse_rota(schedule_file.dump_rota(rota))
    assert again == rota
    assert "publish:" not in schedule_file.dump_rota(schedule_file.parse_rota("settings:\n  title: T\n")[0])  # type: ignore[arg-type]

    _, problems = schedule_file.parse_rota("publish:\n  theme: x\n")
    assert [str(p) for p in problems] == ["schedule.yaml:2:10: unknown key 'theme' in publish; expected front_matter"]


def test_push_sends_the_site_commit_upstream_and_nothing_leaves_without_it(hugo: tuple[Path, Path]) -> None:
    rota, site = hugo
    remote = site.parent / "remote.git"
    git(site.parent, "init", "-q", "--bare", str(remote))
    git(site, "remote", "add", "origin", str(remote))
    git(site, "push", "-q", "-u", "origin", "main")

    assert published(rota, "2026-11-27")[0] == 0
    assert git(remote, "rev-parse", "main") != git(site, "rev-parse", "HEAD")

    code, stdout, _ = published(rota, "2026-11-27", "--push")

    assert code == 0
    assert "pushed the site" in stdout
    assert git(remote, "rev-parse", "main") == git(site, "rev-parse", "HEAD")


def test_an_uncommitted_article_is_refused(hugo: tuple[Path, Path]) -> None:
    rota, site = hugo
    (rota / ARTICLE).write_text(article(body=BODY + "\nUnsaved.\n"), encoding="utf-8")

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 1
    assert f"{ARTICLE} is not committed" in stderr
    assert commits(site) == ["Site"]
    assert "Unsaved." in (rota / ARTICLE).read_text(encoding="utf-8")


def test_a_link_out_of_talks_is_refused(tmp_path: Path) -> None:
    body = "\n![secret](../schedule.yaml)\n"
    rota = make_rota_with_article(tmp_path, article(body=body))
    site = make_hugo(tmp_path)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 1
    assert "links to '../schedule.yaml', which is outside talks/" in stderr
    assert commits(site) == ["Site"]


def test_without_a_site_the_command_says_how_to_name_one(tmp_path: Path) -> None:
    rota = make_rota(tmp_path / "rota", talks=[{"date": "2026-11-27", "presenter": "Cole Jensen"}])

    result = lunchlearn("publish", "2026-11-27", cwd=rota)

    assert result.exit_code == 2
    assert "pass --site PATH" in result.stderr


def test_a_folder_that_is_no_site_is_refused(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path)
    make_site(tmp_path / "site", {"README.md": "not a site\n"})

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 1
    assert "is not a Hugo site" in stderr


# Front-matter round trip: whatever keys and text an article has, the site's post reads back the same.

_keys = st.text(min_size=1, max_size=12).filter(
    lambda k: k not in (*posts.ROTA_ONLY_KEYS, posts.SOURCE_KEY, posts.DIGEST_KEY, "date", "presenter", "slug")
)
_values = st.recursive(
    st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    meta=st.dictionaries(_keys, _values, max_size=6),
    body=st.text(max_size=200),
    front_matter_format=st.sampled_from(["yaml", "toml", "json"]),
)
@example(meta={}, body="\r\n", front_matter_format="yaml")  # a CRLF body is not an edit made in the site
def test_front_matter_round_trips_through_the_site_post(
    meta: dict[str, object], body: str, front_matter_format: str
) -> None:
    site = Site(Path("/site"), "hugo", "content/posts", front_matter_format)
    day = date(2026, 11, 27)

    post = posts.build_post(site, ARTICLE, meta, body, day, {"summary": ["summary"]}, links.Links(), {})
    read, read_body = posts.read_post(post.text)

    kept = {k: v for k, v in meta.items() if v not in ("", [], {})}
    assert read is not None
    stamps = {posts.SOURCE_KEY: ARTICLE, posts.DIGEST_KEY: read[posts.DIGEST_KEY]}
    assert read == {**kept, "date": "2026-11-27", **stamps}
    assert read_body == body
    assert not posts.edited_since_stamped(post.text)


@given(
    edit=st.text(min_size=1, max_size=5),
    where=st.integers(min_value=0),
    front_matter_format=st.sampled_from(["yaml", "toml", "json"]),
)
def test_any_edit_to_a_post_is_recognised(edit: str, where: int, front_matter_format: str) -> None:
    site = Site(Path("/site"), "hugo", "content/posts", front_matter_format)
    post = posts.build_post(site, ARTICLE, {"title": TITLE}, BODY, date(2026, 11, 27), {}, links.Links(), {})
    at = where % len(post.text)
    edited = post.text[:at] + edit + post.text[at:]
    assert posts.edited_since_stamped(edited)


@pytest.mark.parametrize("front_matter_format", ["yaml", "toml", "json"])
def test_a_comma_or_space_anywhere_on_the_digest_line_is_an_edit(front_matter_format: str) -> None:
    """Found by Hypothesis: a comma after the JSON digest's closing quote went unnoticed."""
    site = Site(Path("/site"), "hugo", "content/posts", front_matter_format)
    post = posts.build_post(site, ARTICLE, {"title": TITLE}, BODY, date(2026, 11, 27), {}, links.Links(), {})
    line_start = post.text.index("lunchlearn_digest") - (3 if front_matter_format == "json" else 0)
    line_end = post.text.index("\n", line_start) + 1
    assert not posts.edited_since_stamped(post.text)
    for at in range(line_start, line_end + 1):
        for edit in (",", " ", "\t"):
            assert posts.edited_since_stamped(post.text[:at] + edit + post.text[at:]), (at, edit)


def test_a_broken_site_configuration_is_reported_in_one_line(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path)
    site = make_hugo(tmp_path, {"hugo.toml": "title = 'unclosed\n"})

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 2
    assert stderr.startswith(f"error: {site / 'hugo.toml'}: ") and stderr.count("\n") == 1
    assert "fix the site's configuration first" in stderr


def test_dry_run_of_a_published_article_says_nothing_would_change(hugo: tuple[Path, Path]) -> None:
    rota, _ = hugo
    published(rota, "2026-11-27")

    stdout = published(rota, "2026-11-27", "--dry-run")[1]

    assert "already has this version of the post; nothing would change" in stdout
    assert "Post: content/posts/rss-feeds/index.md" in stdout


def test_recording_a_crlf_article_keeps_its_line_endings_and_changes_only_the_lines_it_sets(tmp_path: Path) -> None:
    crlf = article(body="\nWritten on Windows.\n").replace("\n", "\r\n").encode("utf-8")
    rota = make_rota_with_article(tmp_path, extra={ARTICLE: crlf})
    make_hugo(tmp_path)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 0, stderr
    recorded = (rota / ARTICLE).read_bytes()
    assert recorded.count(b"\n") == recorded.count(b"\r\n")
    # status changed; published_path, published_commit and published_on added
    assert git(rota, "diff", "--numstat", "HEAD~1", "HEAD").split("\t")[:2] == ["4", "1"]
    assert recorded.replace(b"status: published\r\n", b"status: ready\r\n").startswith(crlf.split(b"---\r\n\r\n")[0])


TYPED = (
    "published: false\ndraft: false\nweight: 10\nratio: 1.5\nsubtitle: null\nsubtitle2:\n"
    "lastmod: 2026-11-30\nextra:\n  pinned: true\n  ranks: [1, two]\n"
)


@pytest.mark.parametrize("generator", ["hugo", "jekyll"])
def test_custom_front_matter_keeps_its_yaml_types_and_known_keys_stay_text(tmp_path: Path, generator: str) -> None:
    text = article(body="\nText.\n", title="No").replace("status: ready\n", "status: ready\n" + TYPED)
    rota = make_rota_with_article(tmp_path, text)
    site = make_hugo(tmp_path) if generator == "hugo" else make_jekyll(tmp_path)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 0, stderr
    if generator == "hugo":
        meta = tomllib.loads((site / "content/posts/rss-feeds.md").read_text(encoding="utf-8").split("+++\n")[1])
        assert meta["lastmod"] == date(2026, 11, 30)
    else:
        meta = yaml.safe_load((site / "_posts/2026-11-27-rss-feeds.md").read_text(encoding="utf-8").split("---\n")[1])
        assert meta["lastmod"] == date(2026, 11, 30)
    assert meta["published"] is False and meta["draft"] is False
    assert meta["weight"] == 10 and meta["ratio"] == 1.5
    assert meta["extra"] == {"pinned": True, "ranks": [1, "two"]}
    assert "subtitle" not in meta and "subtitle2" not in meta
    assert meta["title"] == "No" and meta["date"] == "2026-11-27" and meta["tags"] == ["rss", "marketing"]


def test_a_slug_in_the_front_matter_names_the_post(tmp_path: Path) -> None:
    again = "talks/2026-12-04-rss-feeds.md"
    rota = make_rota(
        tmp_path / "rota",
        talks=[
            {"date": "2026-11-27", "presenter": "Cole Jensen", "topic": TITLE, "article": ARTICLE},
            {"date": "2026-12-04", "presenter": "Ann Lee", "topic": TITLE, "article": again},
        ],
        settings={"site": "../site"},
        files={ARTICLE: article(body="\nOne.\n"), again: article(body="\nTwo.\n", slug="rss-feeds-again")},
    )
    site = make_hugo(tmp_path)
    assert published(rota, "2026-11-27")[0] == 0

    code, _, stderr = published(rota, "2026-12-04")

    assert code == 0, stderr
    assert "Two." in (site / "content/posts/rss-feeds-again.md").read_text(encoding="utf-8")
    assert "One." in (site / "content/posts/rss-feeds.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("slug", ["../escape", "Two Words", "a/b"])
def test_a_slug_that_is_not_one_safe_path_segment_is_refused(tmp_path: Path, slug: str) -> None:
    rota = make_rota_with_article(tmp_path, article(slug=slug))
    site = make_hugo(tmp_path)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 2
    assert f"slug {slug!r}" in stderr and "lowercase letters, digits and hyphens" in stderr
    assert commits(site) == ["Site"]


CODE_BODY = """
Inline `![inline](diagram.png)` and ``<img src="gone.png">`` stay code.

```markdown
![fenced](diagram.png)
[ref]: missing.png
```

~~~
<img src="tilde.png">
~~~

    ![indented](indented.png)
"""


def test_links_inside_code_are_left_alone(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path, article(body=CODE_BODY))
    site = make_hugo(tmp_path)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 0, stderr
    assert stderr == ""
    assert not (site / "content/posts/rss-feeds").exists()  # no page bundle: code links are no images
    assert (site / "content/posts/rss-feeds.md").read_text(encoding="utf-8").endswith(CODE_BODY)


def test_a_link_in_a_list_item_is_published_though_indented(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path, article(body="\n- A step\n\n    ![Step](diagram.png)\n"))
    site = make_hugo(tmp_path)

    assert published(rota, "2026-11-27")[0] == 0

    assert (site / "content/posts/rss-feeds/diagram.png").read_bytes() == PNG


def test_rewritten_links_keep_their_fragment_and_query(tmp_path: Path) -> None:
    body = "\n![A](diagram.png#part) and [B](<diagram.png?v=2>) and <img src='diagram.png#x'>\n"
    rota = make_rota_with_article(tmp_path, article(body=body))
    site = make_jekyll(tmp_path)

    assert published(rota, "2026-11-27")[0] == 0

    post = (site / "_posts/2026-11-27-rss-feeds.md").read_text(encoding="utf-8")
    url = "{{ '/assets/2026-11-27-rss-feeds/diagram.png' | relative_url }}"
    assert f"![A]({url}#part) and [B](<{url}?v=2>) and <img src='{url}#x'>" in post


def test_files_published_with_a_post_go_when_the_article_drops_them(hugo: tuple[Path, Path]) -> None:
    rota, site = hugo
    assert published(rota, "2026-11-27")[0] == 0
    write_files(site, {"content/posts/rss-feeds/notes.txt": "added by hand\n"})
    commit_all(site, "Notes")
    text = (rota / ARTICLE).read_text(encoding="utf-8")
    (rota / ARTICLE).write_text(text.replace("![How a feed travels](diagram.png)", "No picture."), encoding="utf-8")
    commit_all(rota)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 0, stderr
    assert git(site, "ls-files", "content").splitlines() == [
        "content/posts/rss-feeds.md",
        "content/posts/rss-feeds/notes.txt",
    ]
    assert git(site, "show", "--name-status", "--no-renames", "--format=").splitlines() == [
        "A\tcontent/posts/rss-feeds.md",
        "D\tcontent/posts/rss-feeds/diagram.png",
        "D\tcontent/posts/rss-feeds/index.md",
    ]
    assert git(site, "status", "--porcelain") == ""


@pytest.mark.parametrize("main_file", ["hugo.toml", "config.yaml"])
def test_a_hugo_site_configured_in_a_config_directory_is_followed(tmp_path: Path, main_file: str) -> None:
    rota = make_rota_with_article(tmp_path, article(body="\nNo images here.\n"))
    main = "baseURL = 'https://example.org/'\ncontentDir = 'pages'\n"
    if main_file.endswith(".yaml"):
        main = "baseURL: https://example.org/\ncontentDir: pages\n"
    files = {f"config/_default/{main_file}": main, "config/_default/params.toml": "mainSections = ['blog']\n"}
    site = make_site(tmp_path / "site", files)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 0, stderr
    assert (site / "pages/blog/rss-feeds.md").is_file()


def test_push_from_a_branch_without_upstream_says_how_to_push(hugo: tuple[Path, Path]) -> None:
    rota, site = hugo
    remote = site.parent / "remote.git"
    git(site.parent, "init", "-q", "--bare", str(remote))
    git(site, "remote", "add", "origin", str(remote))

    code, _, stderr = published(rota, "2026-11-27", "--push")

    assert code == 1
    head = git(site, "rev-parse", "--short=7", "HEAD")
    assert stderr == (
        f"error: the post is committed in the site (commit {head}) and recorded in {ARTICLE}, but not pushed: "
        f"the branch main of {site} has no upstream; push it once with `git push -u origin main`\n"
    )
    assert commits(site)[0].startswith("Publish ")
    assert commits(rota)[0].startswith("Record ")


_typed = st.recursive(
    st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.dates() | st.text(max_size=8),
    lambda inner: st.lists(inner, min_size=1, max_size=3) | st.dictionaries(_keys, inner, min_size=1, max_size=3),
    max_leaves=5,
)


def as_json(value: object) -> object:
    """`value` as JSON front matter holds it: JSON has no dates and no infinity, so they are text."""
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return str(value) if isinstance(value, float) and math.isinf(value) else value


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(meta=st.dictionaries(_keys.filter(lambda k: k not in posts.TEXT_KEYS), _typed, max_size=4))
def test_typed_front_matter_values_keep_their_type_in_every_format(meta: dict[str, object]) -> None:
    day = date(2026, 11, 27)
    kept = {k: v for k, v in meta.items() if v not in ("", [], {})}
    for front_matter_format in ("toml", "yaml", "json"):
        site = Site(Path("/site"), "hugo", "content/posts", front_matter_format)
        text = posts.build_post(site, ARTICLE, meta, "", day, {}, links.Links(), {}).text
        if front_matter_format == "json":
            read = json.loads(text)
            expected = {k: as_json(v) for k, v in kept.items()}
        else:
            block = text.split("+++\n" if front_matter_format == "toml" else "---\n")[1]
            read = tomllib.loads(block) if front_matter_format == "toml" else yaml.safe_load(block)
            expected = kept
        assert {k: read[k] for k in kept} == expected


def test_the_publication_record_is_shared_with_the_rotas_upstream(hugo: tuple[Path, Path], tmp_path: Path) -> None:
    rota, site = hugo
    remote = tmp_path / "rota-origin.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(rota, "remote", "add", "origin", str(remote))
    git(rota, "push", "-q", "-u", "origin", "main")

    code, out, err = published(rota)

    assert code == 0, err
    assert "Pushed to origin/main" in out
    shared = git(remote, "show", f"main:{ARTICLE}")
    assert "status: published" in shared and "published_commit:" in shared
    assert git(site, "log", "-1", "--format=%s").startswith(f'Publish "{TITLE}"')


def test_publishing_leaves_the_sites_git_configuration_alone(hugo: tuple[Path, Path]) -> None:
    rota, site = hugo
    before = (site / ".git" / "config").read_text()
    assert published(rota)[0] == 0
    assert (site / ".git" / "config").read_text() == before
    assert "lunchlearn" in git(rota, "config", "--get", "merge.lunchlearn.driver")


def test_a_site_checked_out_with_crlf_line_endings_is_not_an_edit(hugo: tuple[Path, Path]) -> None:
    rota, site = hugo
    assert published(rota)[0] == 0
    git(site, "config", "core.autocrlf", "true")
    post = site / "content/posts/rss-feeds/index.md"
    post.unlink()
    git(site, "checkout", "--", "content/posts/rss-feeds/index.md")  # now with CRLF, as on Windows
    assert b"\r\n" in post.read_bytes()
    site_commits = commits(site)

    code, stdout, stderr = published(rota, "2026-11-27")

    assert code == 0, stderr
    assert "nothing changed" in stdout and commits(site) == site_commits


def test_an_image_whose_name_has_parentheses_is_copied(tmp_path: Path) -> None:
    text = article(body="\n![The diagram](diagram(v2).png)\n")
    rota = make_rota_with_article(tmp_path, text, extra={"talks/diagram(v2).png": PNG})
    site = make_hugo(tmp_path)

    code, _, stderr = published(rota)

    assert code == 0, stderr
    assert (site / "content/posts/rss-feeds/diagram(v2).png").read_bytes() == PNG
    assert "no such file" not in stderr



def test_a_multilingual_hugo_site_gets_the_post_in_its_default_languages_content(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path, article(body="\nJust text.\n"))
    config = (
        'title = "Company"\ndefaultContentLanguage = "de"\n'
        '[languages.en]\n  contentDir = "content/en"\n[languages.de]\n  contentDir = "content/de"\n'
    )
    site = make_site(tmp_path / "site", {"hugo.toml": config})

    code, _, stderr = published(rota)

    assert code == 0, stderr
    assert (site / "content/de/posts/rss-feeds.md").is_file()


# Links to another talk's article, and front matter in the site's own format.

COLOURS = "talks/2026-11-20-colours.md"
LINKS_BODY = (
    "\nSee [the colours talk](2026-11-20-colours.md#palette), [from the rota](/talks/2026-11-20-colours.md) "
    'and <a href="talks/2026-11-20-colours.md">the same</a>.\n'
)


def make_rota_with_two_talks(tmp_path: Path, body: str = LINKS_BODY, colours_body: str = "\nRed.\n") -> Path:
    """The RSS talk, whose article links to the colours talk a week before it."""
    return make_rota(
        tmp_path / "rota",
        talks=[
            {"date": "2026-11-20", "presenter": "Ann Lee", "topic": "Colours", "article": COLOURS},
            {"date": "2026-11-27", "presenter": "Cole Jensen", "topic": TITLE, "article": ARTICLE},
        ],
        settings={"site": "../site"},
        files={
            COLOURS: article(title="Colours", date="2026-11-20", body=colours_body),
            ARTICLE: article(body=body),
            "talks/diagram.png": PNG,
        },
    )


@pytest.mark.parametrize(
    ("generator", "link"),
    [("hugo", '{{< relref "/posts/colours.md" >}}'), ("jekyll", "{% post_url 2026-11-20-colours %}")],
)
def test_a_link_to_a_published_talks_article_becomes_a_link_to_its_post(
    tmp_path: Path, generator: str, link: str
) -> None:
    rota = make_rota_with_two_talks(tmp_path)
    site = make_hugo(tmp_path) if generator == "hugo" else make_jekyll(tmp_path)
    assert published(rota, "2026-11-20")[0] == 0

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 0, stderr
    assert stderr == ""
    path = "content/posts/rss-feeds.md" if generator == "hugo" else "_posts/2026-11-27-rss-feeds.md"
    post = (site / path).read_text(encoding="utf-8")
    assert f"[the colours talk]({link}#palette), [from the rota]({link}) and <a href=\"{link}\">" in post
    assert "2026-11-20-colours.md" not in post


def test_a_link_to_an_unpublished_talks_article_is_left_with_a_warning(tmp_path: Path) -> None:
    rota = make_rota_with_two_talks(tmp_path)
    site = make_hugo(tmp_path)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 0, stderr
    assert stderr.count("warning: ") == 3
    assert (
        "warning: the article links to '2026-11-20-colours.md#palette', the article of the talk on "
        "Fri 20 Nov 2026 (Colours), which has no post in the site yet; link left as it is: "
        "publish that talk, then this one again\n"
    ) in stderr
    assert "'/talks/2026-11-20-colours.md'" in stderr and "'talks/2026-11-20-colours.md'" in stderr
    assert LINKS_BODY in (site / "content/posts/rss-feeds.md").read_text(encoding="utf-8")


def test_a_link_to_a_markdown_file_that_is_no_talks_article_is_named_in_a_warning(tmp_path: Path) -> None:
    body = "\nSee [notes](notes.md), [the readme](../README.md) and the site's own [guide](/docs/guide.md).\n"
    rota = make_rota_with_two_talks(tmp_path, body=body)
    make_hugo(tmp_path)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 0, stderr
    assert stderr.count("warning: ") == 2
    assert "warning: the article links to 'notes.md', which is no talk's article in the rota" in stderr
    assert "warning: the article links to '../README.md', which is no talk's article in the rota" in stderr


def test_a_link_to_the_article_itself_becomes_a_link_to_its_own_post(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path, article(body="\nBack to [the top](2026-11-27-rss-feeds.md#top).\n"))
    site = make_jekyll(tmp_path)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 0, stderr
    assert stderr == ""
    post = (site / "_posts/2026-11-27-rss-feeds.md").read_text(encoding="utf-8")
    assert "[the top]({% post_url 2026-11-27-rss-feeds %}#top)" in post


def test_a_hugo_site_whose_posts_use_json_front_matter_gets_json(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path)
    site = make_hugo(tmp_path, {"content/posts/older.md": '{\n  "title": "Older"\n}\nHi.\n'})

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 0, stderr
    post = (site / "content/posts/rss-feeds/index.md").read_text(encoding="utf-8")
    meta, end = json.JSONDecoder().raw_decode(post)
    assert meta["title"] == TITLE and meta["author"] == "Cole Jensen" and meta["tags"] == ["rss", "marketing"]
    assert meta["lunchlearn_source"] == ARTICLE and meta["lunchlearn_files"] == ["content/posts/rss-feeds/diagram.png"]
    assert post[end:] == "\n" + BODY
    site_commits = commits(site)
    assert "nothing changed" in published(rota, "2026-11-27")[1]
    assert commits(site) == site_commits

    (site / "content/posts/rss-feeds/index.md").write_text(post.replace("Feeds never", "Feeds never ever"))
    commit_all(site, "Edit on the site")
    code, _, stderr = published(rota, "2026-11-27")
    assert code == 1 and "edited in the site since lunchlearn published it" in stderr


def test_a_json_archetype_gives_json_front_matter(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path, article(body="\nText.\n"))
    site = make_hugo(tmp_path, {"archetypes/default.md": '{\n  "title": "{{ .File.ContentBaseName }}"\n}\n'})

    assert published(rota, "2026-11-27")[0] == 0

    assert (site / "content/posts/rss-feeds.md").read_text(encoding="utf-8").startswith('{\n  "title": ')


def test_a_post_that_opens_with_a_shortcode_says_nothing_of_the_front_matter_format(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path, article(body="\nText.\n"))
    site = make_hugo(tmp_path, {"content/posts/older.md": '{{< youtube "w7Ft2ymGmfc" >}}\n'})

    assert published(rota, "2026-11-27")[0] == 0

    assert (site / "content/posts/rss-feeds.md").read_text(encoding="utf-8").startswith("+++\n")  # the archetype's


def test_one_article_key_can_become_several_site_keys(tmp_path: Path) -> None:
    rota = make_rota_with_article(tmp_path)
    schedule = (rota / "schedule.yaml").read_text(encoding="utf-8")
    mapping = "publish:\n  front_matter:\n    summary: [summary, description]\n    presenter: [writer]\nskipped:"
    (rota / "schedule.yaml").write_text(schedule.replace("skipped:", mapping), encoding="utf-8")
    commit_all(rota)
    site = make_hugo(tmp_path)

    code, _, stderr = published(rota, "2026-11-27")

    assert code == 0, stderr
    meta = tomllib.loads((site / "content/posts/rss-feeds/index.md").read_text(encoding="utf-8").split("+++\n")[1])
    assert meta["summary"] == meta["description"] == "Why feeds still matter."
    assert meta["writer"] == "Cole Jensen" and "author" not in meta


def test_a_list_of_site_keys_round_trips_and_its_mistakes_are_located() -> None:
    text = "publish:\n  front_matter:\n    summary: [summary, description]\n    presenter: writer\n    tags: ''\n"
    rota, problems = schedule_file.parse_rota(text)
    assert problems == []
    assert rota is not None
    assert rota.publish.front_matter == (
        ("summary", ("summary", "description")),
        ("presenter", ("writer",)),
        ("tags", ()),
    )
    assert schedule_file.parse_rota(schedule_file.dump_rota(rota))[0] == rota
    expected = "summary:\n    - summary\n    - description\n    presenter: writer\n    tags: ''\n"
    assert expected in schedule_file.dump_rota(rota)

    mistakes = (
        "publish:\n  front_matter:\n    summary: [summary, summary]\n    tags: [x, '']\n    date: [lunchlearn_files]\n"
    )
    _, problems = schedule_file.parse_rota(mistakes)
    assert [str(p) for p in problems] == [
        "schedule.yaml:3:24: 'summary' is listed twice in publish.front_matter.summary",
        "schedule.yaml:4:15: publish.front_matter.tags lists an empty key; leave the value empty to leave the key out",
        "schedule.yaml:5:12: 'lunchlearn_files' is lunchlearn's own stamp on a post; rename date to another key",
    ]
