"""No 500 for malformed input, anywhere: every URL of the URLconf and every admin of the
admin registry is walked (so a new page is covered without editing this file) and sent
NUL bytes, Unicode digits such as '²', over-long and non-numeric ids, as a path segment,
as each query parameter its list page uses (filters, search, ordering, paging) and as
the selected rows of every admin action; every autocomplete field gets a NUL search term
and every add form NUL bytes in each field. Each request must answer with a 4xx or a
normal page (2xx/3xx), never a 5xx. Runs on SQLite and, with DATABASE_URL, PostgreSQL
(which refuses NUL characters in text, where SQLite stores them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from central.web.admin_site import site
from tests.central.admin_world import build_admin_world, form_data
from tests.central.helpers import build_world

# Each kind of bad value the issue names, as it arrives (the test client percent-encodes).
BAD_VALUES = ["\x00", "²", "9" * 40, "abc"]
# Query parameters pages read beyond those harvested from their own links.
COMMON_PARAMS = ["q", "o", "p", "e", "all", "_to_field", "_popup", "_changelist_filters"]
CUSTOM_PARAMS = ["counter", "service_point", "sp", "lang", "next", "language", "province"]
CUSTOM_PARAMS += ["district", "term", "app_label", "model_name", "field_name", "page"]


@pytest.fixture(scope="module")
def aw(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_admin_world(build_world())
            world.users["central"].is_superuser = True  # every admin page and action
            world.users["central"].save()
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def boss(aw, db) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(aw.users["central"])
    return client


@pytest.fixture
def staff(aw, db) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(aw.users["owner"])
    return client


class Failures(list):
    def check(self, response, what: str) -> None:
        if response.status_code >= 500:
            self.append(f"{response.status_code} {what}")


def _routes(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


def _valid_ids() -> dict[str, str]:
    """``app/model`` -> the pk of an existing row, for the admin's object URLs."""
    ids = {}
    for model in site._registry:
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            ids[f"{model._meta.app_label}/{model._meta.model_name}"] = str(obj.pk)
    return ids


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def concrete_urls(bad: str | None) -> list[str]:
    """Every route of the URLconf with its path parameters filled in: valid ids (bad is
    None) or ``bad``. Regex routes: the admin's app index per app label, else skipped
    (the catch-alls)."""
    ids = _valid_ids()
    codes = {"code": "ID_RENEW"}
    urls = []
    for route, _pattern in _routes(get_resolver().url_patterns):
        if "^" in route or "(?P" in route:
            if "app_label" in route:
                labels = {m._meta.app_label for m in site._registry}
                urls += [f"/admin/{label}/" for label in sorted(labels)]
            continue

        def fill(match, route=route):
            name = match.group(2)
            if bad is not None:
                return quote(bad, safe="")
            if name == "object_id":
                key = "/".join(route.split("/")[1:3])
                return ids.get(key, "1")
            return codes.get(name, "1")

        urls.append("/" + PARAM.sub(fill, route))
    return sorted(set(urls))


def _query_params(html: str, path: str) -> set[str]:
    """Names of the query parameters in the page's own links and GET forms."""
    names = set()
    for href in re.findall(r'href="([^"]*\?[^"]*)"', html):
        parts = urlsplit(unescape(href))
        if parts.path in ("", path):
            names |= {k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    for form in re.findall(r'<form[^>]*method="get"[^>]*>(.*?)</form>', html, re.S | re.I):
        names |= set(re.findall(r'name="([^"]+)"', form))
    return names


def _html(response) -> str:
    if getattr(response, "streaming", False) or "html" not in response.get("Content-Type", ""):
        return ""
    return response.content.decode("utf-8", "replace")


@pytest.mark.slow
def test_every_url_with_bad_path_parameters(aw, db, boss, staff) -> None:
    failures = Failures()
    anon = Client(raise_request_exception=False)
    for url in concrete_urls(None):
        for who, client in (("central", boss), ("agency", staff), ("anon", anon)):
            failures.check(client.get(url), f"{who} GET {url!r}")
    for bad in BAD_VALUES:
        for url in concrete_urls(bad):
            for who, client in (("central", boss), ("anon", anon)):
                failures.check(client.get(url), f"{who} GET {url!r}")
            if "/api/" not in url:
                failures.check(boss.post(url, {"x": bad}), f"POST {url!r}")
    assert not failures, "\n".join(failures)


LIST_PAGE = re.compile(r"^/admin/\w+/\w+/(export\.csv)?$")
# Parameters the project's own views read as numbers: '²' passes str.isdigit().
INT_PARAMS = ["counter", "service_point", "sp", "p", "page", "province", "district"]


@pytest.mark.slow
def test_every_page_with_bad_query_parameters(aw, db, boss) -> None:
    """Every page with every parameter it reads (its own links' filter, search, sort and
    page parameters, and the common and custom ones) set to each bad value at once; then
    on the list pages and exports, each parameter alone with a number too large for any
    column (and '²' for those read as numbers), as one filter can hide another's error."""
    failures = Failures()
    for url in concrete_urls(None):
        if "/api/" in url or url.endswith(("/delete/", "/logout/", "/history/")):
            continue
        page = boss.get(url)
        failures.check(page, f"GET {url!r}")
        own = _query_params(_html(page), url)
        names = own | set(COMMON_PARAMS) | set(CUSTOM_PARAMS)
        for bad in BAD_VALUES:
            response = boss.get(url, {name: bad for name in names})
            failures.check(response, f"GET {url!r} with every parameter = {bad[:20]!r}")
        if not LIST_PAGE.match(url):
            continue
        for name in sorted(own | set(INT_PARAMS) | {"q", "o"}):
            for bad in ["9" * 40, "²"] if name in INT_PARAMS else ["9" * 40]:
                response = boss.get(url, {name: bad})
                failures.check(response, f"GET {url!r} ?{name}={bad[:20]!r}")
    assert not failures, "\n".join(failures)


def test_every_admin_action_with_bad_selected_rows(aw, db, boss) -> None:
    failures = Failures()
    for model, model_admin in site._registry.items():
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        request = boss.get(url).wsgi_request
        actions = model_admin.get_actions(request) or {}
        for action in [*actions, "no-such-action", "\x00"]:
            for bad in ["abc", "\x00", "²", "9" * 40, ""]:
                data = {"action": action, "index": "0", "_selected_action": [bad, "1"]}
                failures.check(boss.post(url, data), f"action {action!r} on {url} with {bad!r}")
                data["post"] = "yes"  # the confirmation step of delete_selected
                failures.check(boss.post(url, data), f"confirmed {action!r} on {url} {bad!r}")
        for bad in ["abc", "\x00"]:
            data = {"action": "delete_selected", "index": bad, "select_across": bad}
            failures.check(boss.post(url, data), f"index/select_across {bad!r} on {url}")
    assert not failures, "\n".join(failures)


def test_every_autocomplete_with_bad_terms(aw, db, boss) -> None:
    failures = Failures()
    targets = [("no", "such", "field"), ("\x00", "\x00", "\x00")]
    for model, model_admin in site._registry.items():
        for field_name in model_admin.autocomplete_fields:
            targets.append((model._meta.app_label, model._meta.model_name, field_name))
    for app_label, model_name, field_name in targets:
        for term in [*BAD_VALUES, "%", "_"]:
            params = {
                "app_label": app_label,
                "model_name": model_name,
                "field_name": field_name,
                "term": term,
            }
            for page in ["1", "²", "\x00"]:
                response = boss.get("/admin/autocomplete/", {**params, "page": page})
                failures.check(response, f"autocomplete {params} page={page!r}")
    assert not failures, "\n".join(failures)


def test_every_add_form_with_nul_bytes_in_each_field(aw, db, boss) -> None:
    failures = Failures()
    for model in site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"
        page = boss.get(url)
        if page.status_code != 200 or page.context is None or "adminform" not in page.context:
            continue
        data = form_data(page)
        for key in list(data):
            if key.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")):
                continue
            for bad in ["a\x00b", "²", "9" * 40]:
                failures.check(boss.post(url, {**data, key: bad}), f"POST {url} {key}={bad!r}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", ["/services/%00", "/services/%00/", "/services/ID_RENEW?sp=%00"])
def test_the_issues_examples_are_4xx_or_a_page(aw, path) -> None:
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code < 500
