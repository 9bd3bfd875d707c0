import pytest

from articles.models import Article
from tests import factories


@pytest.fixture
def verified_reader(db):
    return factories.make_reader(display_name="Ada Reader")


@pytest.fixture
def other_reader(db):
    return factories.make_reader(display_name="Ben Other")


@pytest.fixture
def article(db):
    return factories.make_article(title="Why the bridge closed")


@pytest.fixture
def premoderated_article(db):
    return factories.make_article(comments_mode=Article.CommentsMode.PREMODERATED)


@pytest.fixture
def closed_article(db):
    return factories.make_article(comments_mode=Article.CommentsMode.CLOSED)
