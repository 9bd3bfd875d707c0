import pytest
from allauth.account.models import EmailAddress

from articles.models import Article
from tests import factories


def make_reader(*, verified=True, **fields):
    """A reader account with its email address recorded (verified or not)."""
    user = factories.make_user(**fields)
    EmailAddress.objects.create(
        user=user, email=user.email, primary=True, verified=verified
    )
    return user


@pytest.fixture
def verified_reader(db):
    return make_reader(display_name="Ada Reader")


@pytest.fixture
def other_reader(db):
    return make_reader(display_name="Ben Other")


@pytest.fixture
def article(db):
    return factories.make_article(title="Why the bridge closed")


@pytest.fixture
def premoderated_article(db):
    return factories.make_article(comments_mode=Article.CommentsMode.PREMODERATED)


@pytest.fixture
def closed_article(db):
    return factories.make_article(comments_mode=Article.CommentsMode.CLOSED)
