"""Plain helpers the test modules share: clients, page parts, admin forms, skips.

Object builders live in tests/factories.py and fixtures in the conftest.py files;
what is here is imported by the modules that need it.
"""

import os
import re
import threading
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.forms import ModelMultipleChoiceField, MultipleChoiceField, MultiWidget
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

IN_CI = os.environ.get("CI", "").lower() == "true"


def require_or_skip(condition, reason):
    """Skip outside CI when something external is missing; in CI a skip is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must not be skipped)")
    pytest.skip(reason)


# Clients


def signed_in(user, **client_options):
    """A test client with `user` signed in."""
    client = Client(**client_options)
    client.force_login(user)
    return client


def token_client(user):
    """An API client sending `user`'s token; anonymous when `user` is None."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def api_detail(article):
    """The content API's address for `article`."""
    return f"/api/v1/articles/{article.slug}/"


# Reading pages


def region(response):
    """The comments region of an explainer page, as HTML."""
    html = response.content.decode()
    start = html.index('<section id="comments"')
    return html[start : html.index("</section>", start)]


def text_of(html):
    """The text of `html` as a reader sees it: tags gone, references decoded, white
    space folded. A tag leaves no space behind, so `<b>Changed</b>:` reads `Changed:`."""
    return " ".join(unescape(re.sub(r"<[^>]*>", "", html)).split())


def assert_explainer_page_cost(client, url, assert_num_queries):
    """An explainer page takes six queries, and one to answer 304 to its ETag.

    They are the article, authors, topics, one UNION for facts, answers, FAQ and
    corrections, related explainers and the comment thread.
    """
    with assert_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200
    with assert_num_queries(1):
        cached = client.get(url, headers={"if-none-match": response["ETag"]})
    assert cached.status_code == 304


# The article admin's change form, posted back as a browser would


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def _field_data(data, bound):
    value = bound.value()
    widget = bound.field.widget
    if isinstance(widget, MultiWidget):
        if isinstance(value, list | tuple):  # a bound form gives back what was posted
            parts = value
        else:
            parts = widget.decompress(value) if value else [None] * len(widget.widgets)
        for i, part in enumerate(parts):
            data[f"{bound.html_name}_{i}"] = "" if part is None else str(part)
        return
    if isinstance(value, bool):
        if value:
            data[bound.html_name] = "on"
        return
    if isinstance(bound.field, MultipleChoiceField | ModelMultipleChoiceField):
        if value:
            data[bound.html_name] = [getattr(v, "pk", v) for v in value]
        return
    if hasattr(value, "pk"):
        value = value.pk
    if value is None or getattr(value, "name", "x") == "":
        value = ""
    data[bound.html_name] = str(value)


def form_data(response):
    """What a browser would post back from an admin change form, as rendered."""
    data = {}
    for bound in response.context["adminform"].form:
        _field_data(data, bound)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for bound in formset.management_form:
            _field_data(data, bound)
        for form in formset.forms:
            for bound in form:
                _field_data(data, bound)
    return data


def set_row(data, prefix, index, **values):
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = value


def add_rows(data, prefix, *items):
    """Fill the extra rows of an inline (adding more as the admin's script would)."""
    start = int(data[f"{prefix}-INITIAL_FORMS"])
    for offset, values in enumerate(items):
        set_row(data, prefix, start + offset, **values)
    data[f"{prefix}-TOTAL_FORMS"] = str(
        max(int(data[f"{prefix}-TOTAL_FORMS"]), start + len(items))
    )


def errors_of(response):
    errors = []
    if response.context and "adminform" in response.context:
        errors.append(dict(response.context["adminform"].form.errors))
        for inline in response.context["inline_admin_formsets"]:
            errors.append(inline.formset.errors)
            errors.append(inline.formset.non_form_errors())
    return errors


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# Embeds in a browser ------------------------------------------------------------

EMBED_SPARE = 40  # the most an oEmbed's advertised height may exceed its card by


class HostSite:
    """Another site on this machine (127.0.0.1, another port) serving given pages.

    A real local server rather than an intercepted route: Chromium's Local Network
    Access checks refuse to let a page of unknown address frame the live server.
    """

    def __init__(self):
        pages = self.pages = {}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                content_type, body = pages.get(self.path, ("text/plain", "missing"))
                self.send_response(200 if self.path in pages else 404)
                self.send_header("Content-Type", content_type)
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def open(self, page, body, script=None):
        """Show `body` (and `script`, served from this site) and return the frame."""
        if script is not None:
            self.pages["/host.js"] = ("text/javascript", script)
            body = f'<script src="/host.js"></script>{body}'
        self.pages["/"] = (
            "text/html",
            f"<!doctype html><html><body>{body}</body></html>",
        )
        page.goto(f"{self.origin}/")
        frame = page.wait_for_selector("iframe[data-newsroom-embed]").content_frame()
        frame.wait_for_load_state("load")
        return frame


def card_metrics(frame):
    return frame.evaluate(
        """() => ({
            scroll: document.documentElement.scrollHeight,
            viewport: document.documentElement.clientHeight,
            card: document.querySelector(".embed-card").getBoundingClientRect().height,
        })"""
    )
