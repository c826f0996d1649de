"""Helpers for end-to-end browser tests: find every GET page of the app, fill and submit forms, upload files.

discover_pages() reads the URL resolver, so pages added later are visited without changing the tests.
"""

import itertools
import re

from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

SKIPPED_NAMESPACES = {"admin"}
# URL patterns that answer 404 by design: django-ninja's root of the read API, which it reverses to build its paths.
NOT_PAGES = {"api-root"}
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
# A named group of a re_path() pattern, with at most one level of nested parentheses.
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<regex>[^()]*(?:\([^()]*\)[^()]*)*)\)")


def as_template(pattern, groups):
    """The pattern as a path() style template; the regex of each re_path() group goes into `groups`."""
    if isinstance(pattern, RoutePattern):
        return str(pattern)

    def group(match):
        groups[match["name"]] = match["regex"]
        return f"<re:{match['name']}>"

    text = pattern.regex.pattern.removeprefix("^").removesuffix("\\Z").removesuffix("$")
    return REGEX_GROUP.sub(group, text).replace("\\", "")


def routes(resolver=None, prefix="", groups=None):
    """(route template, name, regex of re_path groups) for every URL pattern outside the skipped namespaces."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        entry_groups = dict(groups or {})
        text = as_template(entry.pattern, entry_groups)
        if isinstance(entry, URLResolver):
            if entry.namespace not in SKIPPED_NAMESPACES:
                yield from routes(entry, prefix + text, entry_groups)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + text, entry.name, entry_groups


def candidate_paths(template, values, groups=None):
    """Every way to fill the template's parameters with `values` ({converter: [values]})."""
    parameters = PARAMETER.findall(template)
    everything = [value for key in ("str", "int") for value in values.get(key, [])]
    choices = [
        [value for value in everything if re.fullmatch(groups[name], str(value))]
        if converter == "re"
        else values.get(converter or "str", [])
        for converter, name in parameters
    ]
    for combination in itertools.product(*choices):
        filled = iter(combination)
        yield PARAMETER.sub(lambda _match, filled=filled: str(next(filled)), template)


def discover_pages(client: Client, values):
    """Sort the app's URL patterns into pages (GET answered with < 400), downloads (files, and redirects to static
    files such as /favicon.ico), and what can't be visited.

    values maps converter names ("str", "int", "slug", "path") to real objects' keys to try in parameters;
    a pattern answered with 404 for every combination is reported in `unresolved`.
    """
    pages, downloads, post_only, unresolved = [], [], [], []
    static_prefix = "/" + settings.STATIC_URL.lstrip("/")
    for template, name, groups in routes():
        if name in NOT_PAGES:
            continue
        for path in candidate_paths(template, values, groups):
            response = client.get(path)
            if response.status_code in (400, 404):  # a value that does not fit the parameter (an API says 400)
                continue
            if response.status_code == 405:
                post_only.append(path)
            elif "attachment" in response.get("Content-Disposition", "") or response.get("Location", "").startswith(
                static_prefix
            ):
                downloads.append((path, response.status_code))
            else:
                pages.append((path, response.status_code))
            break
        else:
            unresolved.append(template)
    return {"pages": pages, "downloads": downloads, "post_only": post_only, "unresolved": unresolved}


def fill_form(page, form_selector, values):
    """Fill a form's fields by name: text, number, date, textarea, select (by value) and checkbox (bool)."""
    form = page.locator(form_selector)
    for name, value in values.items():
        field = form.locator(f"[name='{name}']")
        kind = field.first.evaluate("element => element.tagName.toLowerCase() + ':' + (element.type || '')")
        if kind.startswith("select"):
            field.select_option(str(value))
        elif kind.endswith(":checkbox"):
            field.set_checked(bool(value))
        elif kind.endswith(":file"):
            field.set_input_files(value)
        else:
            field.fill(str(value))


def submit_form(page, form_selector, values=(), button="[type=submit]"):
    """Fill `values` in and submit the form by clicking its submit button; wait for the next page."""
    fill_form(page, form_selector, dict(values))
    with page.expect_navigation():
        page.locator(form_selector).locator(button).first.click()
    page.wait_for_load_state()


def upload_file(page, input_selector, path):
    """Put a real file (pathlib.Path or str) into an <input type=file>, as a user choosing it would."""
    page.set_input_files(input_selector, str(path))
