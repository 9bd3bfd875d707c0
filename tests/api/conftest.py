import pytest

from tests import factories


@pytest.fixture
def topic(db):
    return factories.make_topic("Climate")


@pytest.fixture
def author(db):
    return factories.make_author("Ada Reporter")


@pytest.fixture
def article(db, topic, author):
    return factories.make_article(
        title="Why the river flooded",
        facts=3,
        answers=2,
        faqs=2,
        corrections=1,
        topics=[topic],
        authors=[author],
        source_url="https://example.org/report",
        source_title="Flood report",
        source_publisher="River Agency",
    )


@pytest.fixture
def draft(db, topic, author):
    return factories.make_article(
        title="Secret draft about rivers",
        status="draft",
        facts=1,
        topics=[topic],
        authors=[author],
    )
