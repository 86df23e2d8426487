"""The HTTPS pull: every page of a source since a cursor, each page retried with back-off.

The exchange (docs/opgroeipunt-sync.md): ``GET <address>?since=<cursor>&page=1`` answers
``{"records": [...], "next": <address or null>, "cursor": "<since of the next run>"}``; the
client follows ``next`` (same scheme, host and port only) until it is null. All pages are
fetched before anything is applied; a page that still fails after the configured attempts makes
the whole pull fail (``SourceDown``), with what happened in its log.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from django.conf import settings
from django.utils.translation import gettext as _

from kglijn.opgroeipunt.sync.records import MAX_RECORDS, RawRecord, json_object

MAX_PAGES = 1_000
MAX_PAGE_BYTES = 10 * 1024 * 1024
MAX_CURSOR_LENGTH = 100
MAX_BACKOFF_SECONDS = 60.0
MAX_LOG_ENTRIES = 200
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# Worth another attempt: the source is busy, restarting or behind a failing proxy.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class SourceDown(RuntimeError):
    """The source could not be read completely; nothing of it may be applied."""

    def __init__(self, message: str, *, log: list[dict[str, Any]], attempts: int) -> None:
        super().__init__(message)
        self.log = log
        self.attempts = attempts


class _PageFailed(Exception):
    def __init__(self, problem: str, *, retry: bool) -> None:
        super().__init__(problem)
        self.problem = problem
        self.retry = retry


@dataclass
class Pulled:
    records: list[RawRecord]
    cursor: str
    attempts: int
    log: list[dict[str, Any]] = field(default_factory=list)


def address_check(url: str) -> None:
    """ValueError unless ``url`` is an https address (http only to localhost when allowed)."""
    parts = urlsplit(url)
    if len(url) > 500 or not parts.hostname or parts.username or parts.password:
        raise ValueError(_("'%(url)s' is not a usable address") % {"url": url[:100]})
    if parts.scheme == "https":
        return
    local = parts.hostname in LOCAL_HOSTS
    if parts.scheme == "http" and local and settings.KGLIJN_OPGROEIPUNT_SYNC_ALLOW_LOCAL_HTTP:
        return
    raise ValueError(_("'%(url)s': the source must be an https:// address") % {"url": url[:100]})


def _first_page(url: str, since: str) -> str:
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key not in ("since", "page")]
    if since:
        query.append(("since", since))
    query.append(("page", "1"))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _same_origin(a: str, b: str) -> bool:
    one, two = urlsplit(a), urlsplit(b)
    return (one.scheme, one.hostname, one.port) == (two.scheme, two.hostname, two.port)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Follow no redirect: in a pull it could lead to plain http or another host (the source
    must answer itself); for the outgoing webhook it would turn the POST into a GET whose 2xx
    says nothing about the event."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _opener() -> urllib.request.OpenerDirector:
    """No redirects; TLS verified against the system's trust store, or against
    KGLIJN_OPGROEIPUNT_SYNC_CA_FILE when the source's certificate comes from the government's own
    certificate authority."""
    cafile = settings.KGLIJN_OPGROEIPUNT_SYNC_CA_FILE or None
    context = ssl.create_default_context(cafile=cafile)
    return urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))


def _fetch(url: str, *, token: str) -> dict[str, Any]:
    headers = {"Accept": "application/json", "User-Agent": "kglijn-sync/1"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    # The scheme is checked: address_check on the first page, the same origin on every next.
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    timeout = settings.KGLIJN_OPGROEIPUNT_SYNC_TIMEOUT
    try:
        with _opener().open(request, timeout=timeout) as response:
            body = response.read(MAX_PAGE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        retry = exc.code in RETRY_STATUSES
        raise _PageFailed(f"HTTP {exc.code}", retry=retry) from exc
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if isinstance(reason, ssl.SSLCertVerificationError):  # permanent: no use retrying
            raise _PageFailed(
                _("the source's certificate is not trusted: %(error)s")
                % {"error": str(reason.verify_message or reason)[:200]},
                retry=False,
            ) from exc
        if isinstance(reason, socket.timeout | TimeoutError):
            raise _PageFailed(_("no answer within %(s)g s") % {"s": timeout}, retry=True) from exc
        raise _PageFailed(
            _("connection failed: %(error)s")
            % {"error": str(reason)[:200] or type(reason).__name__},
            retry=True,
        ) from exc
    if len(body) > MAX_PAGE_BYTES:
        raise _PageFailed(
            _("the page is larger than %(size)d MB") % {"size": MAX_PAGE_BYTES // (1024 * 1024)},
            retry=False,
        )
    try:
        page = json_object(body)
    except ValueError as exc:  # also a body cut off by a dropped connection
        raise _PageFailed(
            _("not valid JSON: %(error)s") % {"error": str(exc)[:200]}, retry=True
        ) from exc
    if not isinstance(page, dict) or not isinstance(page.get("records"), list):
        raise _PageFailed(_("the page is not an object with a list of records"), retry=False)
    return page


def _page_with_retries(
    url: str, *, number: int, token: str, log: list[dict[str, Any]], attempts: list[int]
) -> dict[str, Any]:
    tries = max(1, settings.KGLIJN_OPGROEIPUNT_SYNC_ATTEMPTS)
    delay = settings.KGLIJN_OPGROEIPUNT_SYNC_BACKOFF
    for attempt in range(1, tries + 1):
        attempts[0] += 1
        try:
            page = _fetch(url, token=token)
        except _PageFailed as exc:
            _log(log, {"page": number, "attempt": attempt, "outcome": exc.problem})
            if not exc.retry or attempt == tries:
                raise SourceDown(
                    _("page %(page)d: %(problem)s after %(attempts)d attempt(s)")
                    % {"page": number, "problem": exc.problem, "attempts": attempt},
                    log=log,
                    attempts=attempts[0],
                ) from exc
            time.sleep(min(delay * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS))
            continue
        _log(
            log,
            {"page": number, "attempt": attempt, "outcome": "ok", "records": len(page["records"])},
        )
        return page
    raise AssertionError("unreachable")  # pragma: no cover


def _log(log: list[dict[str, Any]], entry: dict[str, Any]) -> None:
    if len(log) < MAX_LOG_ENTRIES:
        log.append(entry)


def pull_all(*, url: str, since: str, token: str = "") -> Pulled:
    """Fetch every page since ``since``; SourceDown when a page cannot be had or is malformed."""
    log: list[dict[str, Any]] = []
    attempts = [0]
    records: list[RawRecord] = []
    cursor: str | None = None
    page_url: str | None = _first_page(url, since)
    number = 0

    def down(message: str) -> SourceDown:
        return SourceDown(message, log=log, attempts=attempts[0])

    while page_url is not None:
        number += 1
        if number > MAX_PAGES:
            raise down(_("more than %(count)d pages") % {"count": MAX_PAGES})
        page = _page_with_retries(page_url, number=number, token=token, log=log, attempts=attempts)
        for item in page["records"]:
            if len(records) >= MAX_RECORDS:
                raise down(_("more than %(count)d records in one run") % {"count": MAX_RECORDS})
            line = len(records) + 1
            if isinstance(item, dict):
                records.append(RawRecord(line, item))
            else:
                records.append(RawRecord(line, None, _("a record must be a JSON object")))
        value = page.get("cursor")
        if value is not None:
            if not isinstance(value, str) or len(value) > MAX_CURSOR_LENGTH or "\x00" in value:
                raise down(
                    _("page %(page)d: the cursor must be a text of at most %(n)d characters")
                    % {"page": number, "n": MAX_CURSOR_LENGTH}
                )
            cursor = value
        following = page.get("next")
        if following is None:
            page_url = None
        elif isinstance(following, str) and len(following) <= 2_000:
            page_url = urljoin(page_url, following)
            if not _same_origin(page_url, url):
                raise down(
                    _("page %(page)d: the next page lies on another server") % {"page": number}
                )
        else:
            raise down(_("page %(page)d: next must be an address or null") % {"page": number})
    if cursor is None:
        raise down(_("the last page has no cursor"))
    return Pulled(records=records, cursor=cursor, attempts=attempts[0], log=log)
