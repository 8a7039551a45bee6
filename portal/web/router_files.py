"""Render a gateway's router pages (templates/router/) into the files its hotspot keeps.

The files carry RouterOS's ``$(…)`` placeholders, which the router fills in when it
serves them; Jinja fills in the village's content now. Two rules keep the two apart:

* every value Jinja writes passes `_no_router_variables`: a ``$`` becomes ``&#36;``, so
  text an admin or a feed wrote (``Harga $(link-orig)``) can never become a RouterOS
  variable, which the router would substitute raw (unescaped) into the page;
* the files are rendered in Indonesian with every phrase of the page in both languages
  (`_both`): ``<span class="i">…</span><span class="e" lang="en">…</span>``, switched
  by CSS ``:target`` (``#en``) with no JavaScript and no second request.

The same content gives the same bytes (no clock, no random), so the version hash
(`router_pages.pages_version`) changes only when what residents see changes.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from functools import lru_cache

from babel.support import Translations
from flask import Flask, current_app, url_for
from jinja2 import Environment
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from portal.domain.access import router_pages
from portal.domain.access.router_pages import FILES, RouterPagesContent
from portal.i18n import TRANSLATIONS
from portal.models import Gateway
from portal.web import context, formatting

_ENV = "wifidesa.router_env"
#: Which template renders which file: flogin.html (after a failed login) is login.html.
TEMPLATES = {name: f"router/{name}" for name in FILES} | {"flogin.html": "router/login.html"}


@lru_cache(maxsize=1)
def _english() -> Translations:
    return Translations.load(str(TRANSLATIONS), ["en"])


def _no_router_variables(value: object) -> object:
    """Jinja's finalize: the value as markup with ``$`` written ``&#36;`` (see above)."""
    if value is None:
        return ""
    text = value if isinstance(value, Markup) else escape(value)
    # The text is escaped markup already; replacing "$" adds no markup of its own.
    return Markup(str(text).replace("$", "&#36;"))  # noqa: S704


def _both(message: str, **values: object) -> Markup:
    """A phrase in Indonesian and English, for the CSS language switch."""
    english = _english().gettext(message)
    indonesian = escape(message % values if values else message)
    translated = escape(english % values if values else english)
    return Markup('<span class="i">%s</span><span class="e" lang="en">%s</span>') % (
        indonesian,
        translated,
    )


def _environment(app: Flask) -> Environment:
    env = app.extensions.get(_ENV)
    if env is None:
        env = app.jinja_env.overlay(finalize=_no_router_variables, autoescape=True)
        app.extensions[_ENV] = env
    return env


def render_files(
    content: RouterPagesContent, *, bulletin_url: str, terms_url: str
) -> dict[str, bytes]:
    """Every file of `FILES` for one gateway, as UTF-8 bytes; needs an app context.

    ``bulletin_url`` and ``terms_url`` are the village's public pages on the portal
    (in the walled garden): the RFC 8908 venue-info-url and the long texts' home.
    """
    env = _environment(current_app._get_current_object())  # type: ignore[attr-defined]

    def local_date(moment: datetime) -> str:
        return formatting.local_moment(moment, content.timezone)

    context = {
        "c": content,
        "_": _both,
        "bulletin_url": bulletin_url,
        "terms_url": terms_url,
        "local_date": local_date,
        "data_size": formatting.data_size,
    }
    files = {}
    for name in FILES:
        text = env.get_template(TEMPLATES[name]).render(context)
        files[name] = text.encode("utf-8")
    return files


def current_files(session: Session, gateway: Gateway) -> tuple[dict[str, bytes], str]:
    """``gateway``'s files as of the installation's now, and their version (needs an
    app context: the village's public pages are linked by their portal URLs)."""
    content = router_pages.gather(
        session, gateway, master_key=context.master_key(), now=context.now()
    )
    slug = gateway.village.slug
    files = render_files(
        content,
        bulletin_url=context.public_url(url_for("splash.bulletin", key=slug)),
        terms_url=context.public_url(url_for("splash.terms", key=slug)),
    )
    return files, router_pages.pages_version(files)


#: How long the console may show a computed current version (seconds): a page of a
#: province's gateways would otherwise render every gateway's files on each visit.
VERSION_TTL = 60.0
_VERSIONS = "wifidesa.router_versions"
_versions_lock = threading.Lock()


def recent_version(session: Session, gateway: Gateway) -> str:
    """``gateway``'s current version, computed at most once a `VERSION_TTL` per process
    (for the console; the heartbeat always computes it afresh). Kept per application."""
    _versions: dict[int, tuple[float, str]] = current_app.extensions.setdefault(_VERSIONS, {})
    moment = time.monotonic()
    cached = _versions.get(gateway.id)
    if cached is not None and moment - cached[0] < VERSION_TTL:
        return cached[1]
    version = current_files(session, gateway)[1]
    with _versions_lock:
        if len(_versions) > 10_000:
            _versions.clear()
        _versions[gateway.id] = (moment, version)
    return version
