"""Example payloads for the OpenAPI schema: one explainer about grid frequency, as
each endpoint shows it.

`schema.postprocess_schema_examples` attaches them to every operation by the name
of the component a body refers to, and errors by status code;
tests/api/test_schema_examples.py validates each against its schema.
"""

SITE = "https://news.example.org"
API = f"{SITE}/api/v1"


def _pick(item, *names):
    return {name: item[name] for name in names if name in item}


# Resources -------------------------------------------------------------------

ENERGY = {
    "id": 7,
    "name": "Energy",
    "slug": "energy",
    "url": f"{SITE}/topics/energy/",
}
BYLINE = {
    "id": 12,
    "name": "Ines Okafor",
    "slug": "ines-okafor",
    "url": f"{SITE}/authors/ines-okafor/",
}
TOPIC = {
    **ENERGY,
    "description": "Where our power comes from, what it costs and how it reaches us.",
    "article_count": 14,
    "updated_at": "2026-11-30T16:05:12Z",
}
AUTHOR = {
    **BYLINE,
    "bio": "Energy and infrastructure reporter; formerly a substation engineer.",
    "article_count": 9,
    "updated_at": "2026-11-02T09:41:00Z",
}

SLUG = "how-the-power-grid-keeps-time"
PAGE = f"{SITE}/explainers/{SLUG}/"
HERO = {
    "url": f"{SITE}/media/heroes/2026/11/substation-at-dusk.jpg",
    "width": 1600,
    "height": 900,
    "alt": "Transformers and overhead lines at a substation at dusk.",
    "credit": "Photo: Marta Lindqvist for Newsroom",
}
ARTICLE = {
    "id": 318,
    "slug": SLUG,
    "url": PAGE,
    "title": "How the power grid keeps time",
    "dek": (
        "Every big generator on the network turns in step, fifty times a second. "
        "When demand outruns supply that beat slows, and operators have seconds "
        "to act."
    ),
    "status": "published",
    "published_at": "2026-11-18T06:00:00Z",
    "updated_at": "2026-11-19T10:12:44Z",
    "authors": [BYLINE],
    "topics": [ENERGY],
    "body": (
        "## The beat\n\n"
        "Alternating current swings back and forth 50 times a second in Europe "
        "and 60 times in North America. Every large generator on the grid spins "
        "in step with it.\n\n"
        "## When it slips\n\n"
        "If we use more power than is being made, the shortfall is drawn from "
        "the spinning mass of the turbines and they slow down a little. That is "
        "why operators watch the frequency: it is the grid's fuel gauge.\n"
    ),
    "body_html": (
        '<h2 id="the-beat">The beat</h2>\n'
        "<p>Alternating current swings back and forth 50 times a second in Europe "
        "and 60 times in North America. Every large generator on the grid spins "
        "in step with it.</p>\n"
        '<h2 id="when-it-slips">When it slips</h2>\n'
        "<p>If we use more power than is being made, the shortfall is drawn from "
        "the spinning mass of the turbines and they slow down a little. That is "
        "why operators watch the frequency: it is the grid's fuel gauge.</p>"
    ),
    "background": (
        "Grids grew up around coal, gas and hydro plants whose heavy turbines "
        "resist sudden change. Wind and solar farms connect through electronics "
        "and bring no such mass unless it is added on purpose."
    ),
    "background_html": (
        "<p>Grids grew up around coal, gas and hydro plants whose heavy turbines "
        "resist sudden change. Wind and solar farms connect through electronics "
        "and bring no such mass unless it is added on purpose.</p>"
    ),
    "key_facts": [
        {
            "id": 902,
            "fact_id": "3f1c2a9e-6b7d-4e21-9a5f-1c8e2d4b7a60",
            "label": "Target",
            "text": "50.00 Hz in Europe, 60.00 Hz in North America.",
            "anchor": "fact-target",
            "sources": [
                {
                    "url": "https://example.org/grid-operator/frequency-quality-2025",
                    "title": "Frequency quality report 2025",
                    "publisher": "Example Grid Operator",
                    "accessed": "2026-11-18",
                    "quote": "The nominal frequency is 50 Hz.",
                }
            ],
        },
        {
            "id": 903,
            "fact_id": "8a4e6c1b-2d3f-4b5a-8c7d-9e0f1a2b3c4d",
            "label": "Last resort",
            "text": (
                "Near 49 Hz, automatic relays start cutting off blocks of "
                "customers to save the rest of the network."
            ),
            "anchor": "fact-last-resort",
            "sources": [],
        },
        {
            "id": 904,
            "fact_id": "c5d6e7f8-1a2b-4c3d-9e8f-0a1b2c3d4e5f",
            "label": "Fastest help",
            "text": "Batteries can answer a dip in well under a second.",
            "anchor": "fact-fastest-help",
            "sources": [],
        },
    ],
    "quick_answers": [
        {
            "id": 511,
            "question": "Why does the frequency matter?",
            "answer": (
                "Motors, clocks and protection equipment are built for it; a grid "
                "far from its target is a grid close to shutting itself down."
            ),
            "anchor": "answer-why-does-the-frequency-matter",
            "sources": [],
        }
    ],
    "faqs": [
        {
            "id": 277,
            "question": "Can one power station tripping cause a blackout?",
            "answer": (
                "Rarely on its own. Operators keep *reserve* ready for the loss of "
                "the largest single unit; trouble starts when a second failure "
                "follows before that reserve is back."
            ),
            "answer_html": (
                "<p>Rarely on its own. Operators keep <em>reserve</em> ready for the "
                "loss of the largest single unit; trouble starts when a second "
                "failure follows before that reserve is back.</p>"
            ),
            "anchor": "faq-can-one-power-station-tripping-cause-a-blackout",
            "sources": [],
        }
    ],
    "source": {
        "url": "https://example.org/grid-operator/frequency-quality-2025",
        "title": "Frequency quality report 2025",
        "publisher": "Example Grid Operator",
    },
    "corrections": [
        {
            "id": 41,
            "kind": "correction",
            "note": (
                "An earlier version gave North America's frequency as 50 Hz; "
                "it is 60 Hz."
            ),
            "created_at": "2026-11-19T10:12:44Z",
            "anchor": "correction-41",
        }
    ],
    "comments_open": True,
    "comments_mode": "open",
    "comment_count": 2,
    "hero_image": HERO,
    "seo": {
        "title": "How the power grid keeps time at 50 Hz",
        "description": (
            "What grid frequency is, why it dips when demand outruns supply, and "
            "how operators and batteries pull it back."
        ),
    },
    "created_at": "2026-11-12T14:03:27Z",
}
# Just created: a draft, nothing published yet.
CREATED_ARTICLE = {
    **ARTICLE,
    "status": "draft",
    "published_at": None,
    "updated_at": ARTICLE["created_at"],
    "corrections": [],
    "comment_count": 0,
    "hero_image": None,
}
# A writer's change to a live explainer waits in its working copy.
STAGED_ARTICLE = {
    **ARTICLE,
    "dek": "Fifty turns a second keep the lights on; a slip of one turn is an alarm.",
    "working_copy": {
        "status": "review",
        "updated_at": "2026-11-20T08:15:00Z",
        "publish_at": None,
        "message": (
            "Saved as unpublished changes, waiting for an editor's review; readers "
            "see the published version until then."
        ),
    },
}

# The comment is about one Key Fact (docs/comments.md); its reply is too.
ON_FACT = {
    "kind": "key_facts",
    "anchor": "fact-target",
    "quote": "Target: 50.00 Hz in Europe, 60.00 Hz in North America.",
    "url": f"/explainers/{SLUG}/facts/fact-target/",
}
REPLY = {
    "id": 5611,
    "parent": 5604,
    "annotation": ON_FACT,
    "author": {"name": "Ines Okafor", "is_staff": True},
    "body_html": (
        "<p>Quite likely. Clocks that count mains cycles run slow while the "
        "frequency sits low, and catch up when operators run it a touch fast "
        "afterwards.</p>"
    ),
    "status": "published",
    "is_featured": False,
    "is_deleted": False,
    "created_at": "2026-11-18T09:02:10Z",
    "edited_at": None,
    "url": f"/explainers/{SLUG}/#comment-5611",
}
COMMENT = {
    "id": 5604,
    "parent": None,
    "annotation": ON_FACT,
    "author": {"name": "Tomasz K.", "is_staff": False},
    "body_html": "<p>Is this why the clock on my oven drifted last winter?</p>",
    "status": "published",
    "is_featured": True,
    "is_deleted": False,
    "created_at": "2026-11-18T08:47:31Z",
    "edited_at": None,
    "url": f"/explainers/{SLUG}/#comment-5604",
    "replies": [REPLY],
}

CHANGES = {
    "results": [
        {
            "id": 1832,
            "kind": "published",
            "explainer": {"id": ARTICLE["id"], "slug": SLUG, "url": PAGE},
            "time": ARTICLE["published_at"],
        },
        {
            "id": 1840,
            "kind": "updated",
            "explainer": {"id": ARTICLE["id"], "slug": SLUG, "url": PAGE},
            "time": ARTICLE["updated_at"],
        },
    ],
    "cursor": 1840,
    "next": f"{API}/changes/?after=1840&limit=2",
}

OEMBED = {
    "type": "rich",
    "version": "1.0",
    "title": ARTICLE["title"],
    "provider_name": "Newsroom",
    "provider_url": f"{SITE}/",
    "author_name": BYLINE["name"],
    "width": 480,
    "height": 262,
    "html": (
        f'<iframe src="{SITE}/embed/{SLUG}/key-facts/" width="480" height="262" '
        f'title="Key facts: {ARTICLE["title"]}" loading="lazy" '
        f'data-newsroom-embed="{SLUG}"></iframe>'
    ),
    "thumbnail_url": HERO["url"],
    "thumbnail_width": HERO["width"],
    "thumbnail_height": HERO["height"],
}


def api_index():
    # Built when asked: the addresses come from the URLconf, which imports us.
    from django.urls import reverse

    from .index import RESOURCES

    return {
        "version": "v1",
        "resources": {
            name: {"url": f"{SITE}{reverse(route)}", "about": about}
            for name, route, about in RESOURCES
        },
    }


# The example explainer's annotations as resources of their own (/api/v1/key-facts/).
EXPLAINER_REF = _pick(ARTICLE, "id", "slug", "title", "url")
ANNOTATION_WORDS = {"key_facts": "facts", "quick_answers": "answers", "faqs": "faq"}


def _annotation_item(list_name):
    item = ARTICLE[list_name][0]
    return {
        **item,
        "url": f"{PAGE}{ANNOTATION_WORDS[list_name]}/{item['anchor']}/",
        "updated_at": ARTICLE["updated_at"],
        "explainer": EXPLAINER_REF,
    }


KEY_FACT_ITEM = _annotation_item("key_facts")
QUICK_ANSWER_ITEM = _annotation_item("quick_answers")
FAQ_ITEM = _annotation_item("faqs")


# Response bodies by component name: (summary, value or a function making it).
# `Paginated<Name>List` is a page of <Name>'s example; see `page`.
# Its published versions: the first, and the edit that added the correction.
ARTICLE_VERSION = {
    "number": 2,
    "time": ARTICLE["updated_at"],
    "kind": "updated",
    "note": ARTICLE["corrections"][0]["note"],
    "url": f"{API}/articles/{SLUG}/versions/2/",
}
ARTICLE_VERSIONS = {
    "slug": SLUG,
    "changes_url": f"{PAGE}changes/",
    "results": [
        ARTICLE_VERSION,
        {
            "number": 1,
            "time": ARTICLE["published_at"],
            "kind": "published",
            "note": "",
            "url": f"{API}/articles/{SLUG}/versions/1/",
        },
    ],
}
ARTICLE_AS_IT_WAS = {
    **{name: value for name, value in ARTICLE.items() if name != "comment_count"},
    "version": ARTICLE_VERSION,
}


RESPONSES = {
    "Article": ("An explainer", ARTICLE),
    "StagedArticle": ("Unpublished changes, waiting for review", STAGED_ARTICLE),
    "Topic": ("A topic", TOPIC),
    "Author": ("An author", AUTHOR),
    "Comment": ("A comment with its reply", COMMENT),
    "ChangePage": ("Two events, and the link to the next page", CHANGES),
    "OEmbed": ("The Key Facts card of an explainer", OEMBED),
    "ApiIndex": ("What the API offers", api_index),
    "KeyFactItem": ("A Key Fact, with its explainer", KEY_FACT_ITEM),
    "QuickAnswerItem": ("A Quick Answer, with its explainer", QUICK_ANSWER_ITEM),
    "FAQItem": ("An FAQ entry, with its explainer", FAQ_ITEM),
    "ArticleVersionList": ("An explainer's two published versions", ARTICLE_VERSIONS),
    "ArticleVersionDetail": (
        "The explainer as its second version left it",
        ARTICLE_AS_IT_WAS,
    ),
}
# Where one status answers differently from the component's usual example.
RESPONSES_BY_STATUS = {
    ("Article", "201"): ("Created, as a draft", CREATED_ARTICLE),
    ("StagedArticle", "202"): ("Saved to the working copy for review", STAGED_ARTICLE),
}


def page(item, address):
    """The first page of a list of `item`s, found at `address`."""
    return {
        "count": 31,
        "next": f"{address}?page=2",
        "previous": None,
        "results": [item],
    }


# Request bodies ----------------------------------------------------------------

# Create: what an editor sends to make the draft above (`slug` is made from
# the title; anchors from the text).
ARTICLE_INPUT = {
    **_pick(ARTICLE, "title", "dek", "body", "background", "comments_mode", "seo"),
    "status": "draft",
    "authors": [BYLINE["slug"]],
    "topics": [ENERGY["slug"]],
    "source": ARTICLE["source"],
    "hero_image": _pick(HERO, "alt", "credit"),
    "key_facts": [
        _pick(item, "label", "text", "sources") for item in ARTICLE["key_facts"]
    ],
    "quick_answers": [
        _pick(item, "question", "answer") for item in ARTICLE["quick_answers"]
    ],
    "faqs": [_pick(item, "question", "answer") for item in ARTICLE["faqs"]],
}
# Change: only the fields named; the correction readers will see is added.
PATCHED_ARTICLE_INPUT = {
    "dek": ARTICLE["dek"],
    "corrections": [_pick(item, "kind", "note") for item in ARTICLE["corrections"]],
}

# Request bodies by component name, without the "Request" suffix drf-spectacular
# adds; a "Patched" one falls back to its full form.
REQUESTS = {
    "ArticleInput": ("A new draft, with its annotations", ARTICLE_INPUT),
    "PatchedArticleInput": (
        "A new dek and a correction; the rest stays",
        PATCHED_ARTICLE_INPUT,
    ),
    "CommentInput": (
        "A reply to a comment",
        {
            "body": "Does the same happen on islands with small grids?",
            "parent": COMMENT["id"],
        },
    ),
    "CommentEdit": (
        "The reworded comment",
        {"body": "Is this why the clock on my oven drifted six minutes last winter?"},
    ),
}
