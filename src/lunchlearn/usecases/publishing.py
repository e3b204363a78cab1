"""The `publish` use case: copy a ready article into the company site, commit there, record it here."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lunchlearn import storage
from lunchlearn.errors import BadInput, Refused, RepositoryError, RotaFileError
from lunchlearn.rota import article_file, checks, model
from lunchlearn.rota.model import FileChange, Rota, Settings, Talk
from lunchlearn.site import generators, links, posts
from lunchlearn.usecases.sessions import Outcome
from lunchlearn.usecases.transaction import transaction
from lunchlearn.usecases.workspace import reading_rota

if TYPE_CHECKING:
    from lunchlearn.git.repo import GitRepo
    from lunchlearn.usecases.sync import SyncReport

PUBLISHABLE = ("ready", "published")


@dataclass(frozen=True)
class Publication:
    """What `publish` did, or with dry_run would do."""

    summary: str
    site: Path
    post_path: str  # relative to the site root
    front_matter: str  # the post's front-matter block as written
    message: str  # the site commit's message
    changes: list[FileChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    next_steps: tuple[str, ...] = ()
    shared: SyncReport | None = None  # what syncing the rota's record with its upstream did


def site_root(rota_root: Path, settings: Settings, option: Path | None) -> Path:
    """--site, else settings.site (relative to the rota folder)."""
    if option is None and not settings.site:
        raise BadInput("no site to publish to: pass --site PATH, or set `site:` under settings in schedule.yaml")
    path = option if option is not None else rota_root / Path(settings.site).expanduser()
    if not path.is_dir():
        raise BadInput(f"the site {path} is not a folder; pass --site with the site's folder")
    return path.resolve()


def choose_talk(root: Path, rota: Rota, day: date | None) -> Talk:
    """The talk on `day`, or the only talk whose article is ready."""
    if day is not None:
        return rota.booked(day)
    ready = [t for t in rota.talks if storage.article_status(root, t) == "ready"]
    if len(ready) == 1:
        return ready[0]
    if not ready:
        raise Refused("no article is ready to publish; pass the DATE of a talk to publish or republish it")
    dates = ", ".join(t.date.isoformat() for t in ready)
    raise Refused(f"{len(ready)} articles are ready ({dates}); pass the DATE of the one to publish")


def _article(root: Path, talk: Talk, force: bool) -> tuple[str, dict[str, Any], str]:
    """The article's text, front matter and body, refused unless it is ready (or `force`)."""
    text = storage.read_text(root, talk.article)
    if text is None:
        raise Refused(f"{talk.article} does not exist; there is nothing to publish")
    article = checks.parse_article(text, talk.article, required=())
    if article.meta is None or article.problems:
        raise RotaFileError(f"{article.problems[0]}; fix the article's front matter and try again")
    meta, body = article.meta, article.body
    status = str(meta.get("status", "draft"))
    if status not in PUBLISHABLE and not force:
        raise Refused(
            f"{talk.article} is {status}, not ready; finish it and mark it ready, "
            "or pass --force to publish it as it is"
        )
    return text, posts.typed_front_matter(meta, article_file.front_matter_values(text)), body


def _open_site(rota_git: GitRepo, folder: Path) -> tuple[GitRepo, generators.Site]:
    """The site's repository and conventions, refused while git is half-way through an operation there."""
    from lunchlearn.git.repo import GitRepo

    site_git = GitRepo.open(folder)
    if site_git.top == rota_git.top:
        raise BadInput(f"the site {folder} is inside the rota's own repository; give the site's repository")
    site_git.refuse_unfinished_operation()  # before the post is built: a rebase may hide the site's files
    return site_git, generators.detect_site(folder)


def publish_article(
    repo: Path | None,
    day: date | None,
    site_option: Path | None,
    force: bool,
    push: bool,
    dry_run: bool,
    share: bool,
) -> Publication:
    """Copy the article into the site and commit it there, then record it in the rota's own commit."""
    from lunchlearn.git.transaction import write_and_commit

    with transaction(repo, share=share and not dry_run) as done:
        rota_git, rota = done.git, done.rota
        root = rota_git.root
        site_git, site = _open_site(rota_git, site_root(root, rota.settings, site_option))
        talk = choose_talk(root, rota, day)
        text, meta, body = _article(root, talk, force)
        post_day = _post_day(meta, talk)
        post, warnings = _build_post(root, rota, site, talk, meta, body, post_day)
        uncommitted = rota_git.not_committed([talk.article, *(asset.source for asset in post.assets)])
        if uncommitted:
            raise Refused(
                f"{', '.join(uncommitted)} is not committed; commit it first, so the site's commit "
                "can name the rota commit it came from"
            )
        warning = generators.future_warning(site, post_day, done.today)
        warnings += [warning] if warning else []
        title = str(meta.get("title") or talk.topic)
        message = f'Publish "{title}" (lunchlearn {(rota_git.head() or "")[:7]})'
        front_matter = posts.render_post(site.front_matter_format, post.front_matter, "")
        previous = meta.get("published_path")
        url = _post_url(site, post, meta, rota.settings.site_url)
        # `stats` measures how long after its talk an article came out: the day of the first publication is
        # kept, and an article published before lunchlearn recorded the day stays without one (unknown).
        first = meta.get("status") != "published" and not model.iso_date(str(meta.get("published_on", "")))
        first_published = done.today if first else None
        record = _Record(post.path, url, first_published)
        _recorded(text, talk.article, record, "0" * 40)  # refuses now a record it could not write later
        with site_git.writing():
            asset_data = {a.source: storage.safe_path(root, a.source).read_bytes() for a in post.assets}
            changes = posts.plan(site, post, asset_data, previous if isinstance(previous, str) else None, force)
            if dry_run:
                return Publication("", site.root, post.path, front_matter, message, changes, warnings, dry_run=True)
            site_commit = write_and_commit(site_git, {c.path: c.after for c in changes}, message) if changes else None
            published_commit = site_git.last_commit_of(post.path) or ""
        rota_commit = _record(rota_git, talk, text, title, record, published_commit, site_commit)
        if push:
            _push(site_git, talk.article, site_commit)
    summary = _summary(title, site.root / post.path, talk.article, site_commit, rota_commit, push)
    steps = () if push or site_commit is None else (_push_advice(site.root),)
    return Publication(
        summary, site.root, post.path, front_matter, message, changes, warnings, next_steps=steps, shared=done.shared
    )


def _build_post(
    root: Path, rota: Rota, site: generators.Site, talk: Talk, meta: dict[str, Any], body: str, day: date
) -> tuple[posts.Post, list[str]]:
    """The talk's post for the site, and warnings about the links it leaves as they are."""
    found = links.local_links(root, body, [t.article for t in rota.talks])
    published = _posts_of(root, site, set(found.articles.values()) - {talk.article})
    post = posts.build_post(site, talk.article, meta, body, day, dict(rota.publish.front_matter), found, published)
    unlinked = [_unlinked_warning(target, rota, article) for target, article in post.unlinked.items()]
    return post, found.warnings + unlinked


def _posts_of(root: Path, site: generators.Site, articles: set[str]) -> dict[str, str]:
    """{article: its post in the site} for those of `articles` whose post the site has, as recorded in each."""
    found = {}
    for article in articles:
        try:
            text = storage.read_text(root, article)
        except RotaFileError:  # not UTF-8: a talk with no readable record of a post
            continue
        meta = article_file.parse_front_matter(text or "", article).meta
        path = posts.published_post(site, article, (meta or {}).get("published_path"))
        if path is not None:
            found[article] = path
    return found


def _unlinked_warning(target: str, rota: Rota, article: str) -> str:
    talk = next(t for t in rota.talks if t.article == article)
    return (
        f"the article links to {target!r}, the article of the talk on {model.format_day(talk.date)} "
        f"({talk.topic}), which has no post in the site yet; link left as it is: "
        "publish that talk, then this one again"
    )


def _post_day(meta: dict[str, Any], talk: Talk) -> date:
    """The article's own date when it has a valid one, else the talk's date from the rota."""
    return model.iso_date(str(meta.get("date", ""))) or talk.date


def _record(
    rota_git: GitRepo,
    talk: Talk,
    text: str,
    title: str,
    record: _Record,
    published_commit: str,
    site_commit: str | None,
) -> str | None:
    """Mark the article published, with where and in which site commit, in its own rota commit."""
    from lunchlearn.git.transaction import write_and_commit

    updated = _recorded(text, talk.article, record, published_commit)
    if updated == text:
        return None
    try:
        return write_and_commit(
            rota_git, {talk.article: updated}, f'Record "{title}" as published (site commit {published_commit[:7]})'
        )
    except RepositoryError as error:
        done = f"the site has the post (commit {site_commit[:7]})" if site_commit else "the site is up to date"
        # The write's "nothing was changed" is about the rota alone: the site has changed.
        failure = error.message.removesuffix("; nothing was changed")
        rota_state = ", and the rota is as it was" if failure != error.message else ""
        raise RepositoryError(
            f"{done}, but recording it in the rota failed: {failure}{rota_state}; run the same publish again to "
            "record it"
        ) from None


@dataclass(frozen=True)
class _Record:
    """What the article records of its publication, besides the site commit."""

    post_path: str
    url: str | None  # None: no address to record
    first_published: date | None  # None: the day of its first publication is recorded already


def _recorded(text: str, article: str, record: _Record, published_commit: str) -> str:
    """The article's text marked published: where, at which address (when known), in which site commit, and
    (the first time) on which day."""
    fields: list[tuple[str, str | date]] = [
        ("status", "published"), ("published_path", record.post_path), ("published_commit", published_commit)
    ]
    fields += [("published_url", record.url)] if record.url is not None else []
    fields += [("published_on", record.first_published)] if record.first_published is not None else []
    for key, value in fields:
        text = article_file.set_front_matter_field(text, key, value, article)
    return text


def _post_url(site: generators.Site, post: posts.Post, meta: dict[str, Any], site_url: str) -> str | None:
    """The post's public address; '' to clear an earlier one no longer known, None when there is none to record."""
    url = posts.public_url(site, post.path, post.front_matter, site_url)
    if url is None and meta.get("published_url"):
        return ""
    return url


def _push(site_git: GitRepo, article: str, site_commit: str | None) -> None:
    """Push the site, saying that the publication itself is done when only the push fails."""
    from lunchlearn.git import transport

    try:
        transport.push(site_git)
    except RepositoryError as error:
        done = "the site has the post"
        if site_commit:
            done = f"the post is committed in the site (commit {site_commit[:7]})"
        raise RepositoryError(f"{done} and recorded in {article}, but not pushed: {error.message}") from None


def _push_advice(site: Path) -> str:
    return (
        f"the site's commit is not pushed yet; push it with `git -C {shlex.quote(str(site))} push` "
        "(or publish with --push next time)"
    )


def _summary(
    title: str,
    post: Path,
    article: str,
    site_commit: str | None,
    rota_commit: str | None,
    pushed: bool,
) -> str:
    if site_commit:
        text = f'Published "{title}" to {post} (site commit {site_commit[:7]}); recorded in {article}'
    elif rota_commit:
        text = f'"{title}" was already in the site at {post}; recorded it as published in {article}'
    else:
        text = f'"{title}" is already published at {post}; nothing changed'
    return text + ("; pushed the site" if pushed else "")


def publish_schedule(repo: Path | None, site_option: Path | None, push: bool, dry_run: bool) -> Outcome:
    """Write the site's "Upcoming talks" page and calendar feed from the rota, in one site commit."""
    from lunchlearn.git.repo import GitRepo
    from lunchlearn.site import schedule_page
    from lunchlearn.usecases.calendar import post_links

    root, rota, today = reading_rota(repo)
    rota_git = GitRepo.open(root)
    site_git, site = _open_site(rota_git, site_root(root, rota.settings, site_option))
    published = _posts_of(root, site, {t.article for t in rota.talks if t.date >= today})
    files = schedule_page.schedule_files(site, rota, today, published, post_links(root, rota))
    message = f"Update the upcoming talks (lunchlearn {(rota_git.head() or '')[:7]})"
    return _commit_site_files(site_git, site, files, message, "the upcoming talks", push, dry_run)


def publish_stats(repo: Path | None, site_option: Path | None, push: bool, dry_run: bool) -> Outcome:
    """Put the `stats --html` page on the site, as a file the generator copies as it is, in one site commit."""
    from lunchlearn.git.repo import GitRepo
    from lunchlearn.site import stats_page
    from lunchlearn.usecases.stats import figures_of

    root, rota, today = reading_rota(repo)
    rota_git = GitRepo.open(root)
    site_git, site = _open_site(rota_git, site_root(root, rota.settings, site_option))
    path = stats_page.page_path(site)
    files: dict[str, str | bytes] = {path: stats_page.stats_page(rota.settings.title, figures_of(root, rota, today))}
    message = f"Update the programme's stats (lunchlearn {(rota_git.head() or '')[:7]})"
    return _commit_site_files(site_git, site, files, message, "the programme's stats", push, dry_run)


def _commit_site_files(
    site_git: GitRepo, site: generators.Site, files: dict[str, str | bytes], message: str, what: str, push: bool,
    dry_run: bool,
) -> Outcome:
    """Write `files` into the site in one commit, refused over changes there that are not committed; the
    first of them is the page the summary names."""
    from lunchlearn.git import transport
    from lunchlearn.git.transaction import write_and_commit

    page, *_ = (generators.site_path(site, path) for path in files)  # its contentDir or staticDir may lead out
    with site_git.writing():
        uncommitted = site_git.not_committed(list(files))
        if uncommitted:
            raise Refused(
                f"{', '.join(uncommitted)} in the site has changes that are not committed; commit or discard "
                "them first, as publish would overwrite them"
            )
        changes = [
            FileChange(path, before, after)
            for path, after in files.items()
            if (before := _site_file(site_git.root, path, after)) != after
        ]
        if dry_run:
            return Outcome("" if changes else f"{page} is up to date; nothing changed", message, changes, dry_run=True)
        commit = write_and_commit(site_git, {c.path: c.after for c in changes}, message) if changes else None
        if push:  # also an earlier publish's commit, as the advice to publish with --push next time promises
            transport.push(site_git)
    if commit is None:
        return Outcome(f"{page} is up to date; nothing changed" + ("; pushed the site" if push else ""), message)
    steps = () if push else (_push_advice(site_git.root),)
    return Outcome(f"Wrote {what} to {page} (site commit {commit[:7]})", message, changes, next_steps=steps)


def _site_file(site: Path, path: str, like: str | bytes) -> str | bytes | None:
    """A file of the site as it is now, as text or bytes like the content that would replace it."""
    target = storage.safe_path(site, path)
    if not target.is_file():
        return None
    data = target.read_bytes()
    return data if isinstance(like, bytes) else data.decode("utf-8", errors="replace")
