"""Hostile HTML and Markdown, and a checker that parses what came out."""

import json
import re
from html.parser import HTMLParser

# Ways to write "javascript:" that browsers (or careless sanitizers) accept.
_JS_SPELLINGS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\rscript:alert(1)",
    "java\x00script:alert(1)",
    "\x01javascript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "&#0000106&#0000097vascript:alert(1)",
    "javascript&colon;alert(1)",
    "javascript&#58;alert(1)",
    "javas&#x09;cript:alert(1)",
    "jav&#x0A;ascript:alert(1)",
    "javascript%3Aalert(1)",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    "livescript:alert(1)",
]

_URL_VECTORS = []
for _url in _JS_SPELLINGS:
    _URL_VECTORS += [
        f'<a href="{_url}">html link</a>',
        f"[markdown link]({_url})",
    ]
_URL_VECTORS += [
    f'<img src="{_url}" alt="x">' for _url in _JS_SPELLINGS[:8] + _JS_SPELLINGS[17:23]
]
_URL_VECTORS += [
    "![markdown image](javascript:alert(1))",
    "![x](data:text/html,<script>alert(1)</script>)",
    '[title link](javascript:alert(1) "title")',
    "[ref link][evil]\n\n[evil]: javascript:alert(1)",
    "[ref img]\n\n![ref img][bad]\n\n[bad]: vbscript:msgbox(1)",
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "[a](<javascript:alert(1)>)",
    "[a](javascript&#58;alert(1))",
    "[a](&#x6A;avascript:alert(1))",
    "[a]( javascript:alert(1) )",
]

_MARKUP_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt >alert(1)</sCrIpT >",
    "<script src=//evil.example/x.js></script>",
    "<script\n>alert(1)</script\n>",
    "<script/x>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "<script>alert(1)",
    "</script><script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" ONERROR="alert(1)">',
    "<img src=x onerror\n=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    "<body onload=alert(1)>",
    '<div onmouseover="alert(1)">hover</div>',
    '<p onclick="alert(1)" title="x">click</p>',
    '<a href="https://example.org" onfocus="alert(1)" autofocus>focus</a>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg><use href="data:image/svg+xml,<svg id=x onload=alert(1)>#x"/></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)">',
    '<math href="javascript:alert(1)">click</math>',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="https://evil.example"><input name=p></form>',
    '<button formaction="javascript:alert(1)">go</button>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<style>@import 'https://evil.example/x.css';</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="position:fixed;top:0;left:0;width:100%;height:100%">cover</div>',
    '<span style="expression(alert(1))">ie</span>',
    "<p>unclosed <b>bold <i>italic <a href='https://x.example'>link",
    "<div><p></div></p><table><td>broken",
    "<img src=x onerror=alert(1)//",
    "<a href='https://ok.example' <script>alert(1)</script>>x</a>",
    "<!-- <script>alert(1)</script> -->",
    "<!--><script>alert(1)</script>-->",
    "<!-- --!><img src=x onerror=alert(1)> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<?xml version='1.0'?><script>alert(1)</script>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    '<textarea></textarea><img src=x onerror="alert(1)">',
    "<title><img src=x onerror=alert(1)></title>",
    '<a href="https://ok.example" target="_blank">tab</a>',
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "    <script>alert(1)</script>",
    "> <script>alert(1)</script> quoted",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | <img src=x onerror=alert(1)> |",
    "Term\n: <img src=x onerror=alert(1)>",
    "Footnote[^1]\n\n[^1]: <script>alert(1)</script>",
    "*[HTML]: <script>alert(1)</script>\n\nHTML",
    "## Heading {: onclick=alert(1) }",
    "{{ 7*7 }} {{ request.user }}",
    "{% load static %}{% debug %}",
    "{{ settings.SECRET_KEY }}",
    "${7*7} #{7*7} <%= 7*7 %>",
    "\x00<script>alert(1)</script>",
    "\u202e<script>alert(1)</script>",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    '<img src="x"\x0bonerror=alert(1)>',
    '<a href="https://ok.example"\x0conclick=alert(1)>ff</a>',
]

VECTORS = _URL_VECTORS + _MARKUP_VECTORS

# Short ones, for fields with a length limit.
SHORT_VECTORS = [v for v in VECTORS if len(v) <= 120]

TEMPLATE_MARKER = "{{ 7*7 }}"


def chunks(vectors, limit):
    """Join vectors with blank lines into pieces no longer than `limit`."""
    piece = ""
    for vector in vectors:
        vector = vector[:limit]
        candidate = f"{piece}\n\n{vector}" if piece else vector
        if len(candidate) > limit:
            yield piece
            candidate = vector
        piece = candidate
    if piece:
        yield piece


# Checker --------------------------------------------------------------------

FORBIDDEN_TAGS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "style",
    "base",
    "template",
    "noscript",
    "xml",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "data",
    "background",
    "cite",
    "srcset",
    "ping",
}
# What a browser's URL parser ignores (WHATWG URL: tab and newlines anywhere, C0
# controls and spaces at either end); an inner space makes the "scheme" a path.
UNSAFE_ATTRIBUTES = {"style", "srcdoc", "formaction"}
_IGNORED_INSIDE = re.compile(r"[\t\n\r]+")
_EDGES = "".join(chr(c) for c in range(0x21))
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:text")


def dangerous_url(value):
    squashed = _IGNORED_INSIDE.sub("", (value or "").strip(_EDGES)).lower()
    if squashed.startswith(DANGEROUS_SCHEMES):
        return True
    return squashed.startswith("data:") and squashed not in {"data:,"}


class _Checker(HTMLParser):
    def __init__(self, *, allow_scripts, allow_iframe_src):
        super().__init__(convert_charrefs=True)
        self.allow_scripts = allow_scripts
        self.allow_iframe_src = allow_iframe_src
        self.problems = []
        self.in_json = False
        self.json_text = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        where = self.getpos()
        if tag == "iframe" and self.allow_iframe_src:
            if not (attributes.get("src") or "").startswith(self.allow_iframe_src):
                self.problems.append(f"{where} iframe to {attributes.get('src')!r}")
        elif tag in FORBIDDEN_TAGS:
            self.problems.append(f"{where} <{tag}>")
        if tag == "script":
            kind = attributes.get("type")
            src = attributes.get("src") or ""
            if self.allow_scripts and kind == "application/ld+json" and not src:
                self.in_json = True
                self.json_text = []
            elif not (
                self.allow_scripts and src.startswith("/") and not src.startswith("//")
            ):
                self.problems.append(f"{where} <script {attributes}>")
        if tag == "meta" and "http-equiv" in attributes:
            self.problems.append(f"{where} <meta http-equiv>")
        if tag == "form":
            action = attributes.get("action") or ""
            if not (action == "" or action.startswith("/") or action.startswith("?")):
                self.problems.append(f"{where} form posting to {action!r}")
        for name, value in attrs:
            if re.fullmatch(r"on\w+", name) or name in UNSAFE_ATTRIBUTES:
                self.problems.append(f"{where} <{tag} {name}=>")
            elif name in URL_ATTRIBUTES and dangerous_url(value):
                self.problems.append(f"{where} <{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        if self.in_json:
            self.json_text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self.in_json:
            self.in_json = False
            text = "".join(self.json_text)
            try:
                json.loads(text)
            except ValueError:
                self.problems.append(f"{self.getpos()} JSON-LD block is not JSON")


def html_problems(html, *, page=False, iframe_src=None):
    """What is executable in `html`; `page` allows the site's own script tags."""
    checker = _Checker(allow_scripts=page, allow_iframe_src=iframe_src)
    checker.feed(html)
    checker.close()
    return checker.problems


def assert_safe_html(html, what="", **kwargs):
    problems = html_problems(html, **kwargs)
    assert not problems, f"{what}: {problems[:10]}"


def html_values(data, path="$"):
    """Yield (path, value) for every string under an HTML-bearing key of JSON data."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str) and key.endswith("html"):
                yield f"{path}.{key}", value
            else:
                yield from html_values(value, f"{path}.{key}")
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from html_values(item, f"{path}[{i}]")
