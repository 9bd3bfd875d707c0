import pytest
from rest_framework.test import APIClient

from tests import factories


@pytest.fixture
def api():
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def api_as():
    """api_as(user): an API client signed in as `user` through a token."""
    from rest_framework.authtoken.models import Token

    def make(user):
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


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


@pytest.fixture
def editor_api_client(api_as, editor):
    return api_as(editor)
