import threading

import pytest
from django.db import connection, connections

from comments import services
from comments.models import Comment
from tests import factories

READERS = 8


@pytest.mark.django_db(transaction=True)
def test_many_readers_posting_at_once_are_all_kept():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; this race is only real on PostgreSQL.")
    article = factories.make_article()
    readers = [factories.make_reader() for _ in range(READERS)]
    barrier = threading.Barrier(READERS)
    errors = []

    def post(reader):
        try:
            barrier.wait(timeout=10)
            services.comment_post(
                article=article, author=reader, body=f"From {reader.username}"
            )
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(r,)) for r in readers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert Comment.objects.filter(article=article).count() == READERS
    assert Comment.objects.visible().filter(article=article).count() == READERS


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_racing_itself_makes_one_comment():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; this race is only real on PostgreSQL.")
    article = factories.make_article()
    reader = factories.make_reader()
    barrier = threading.Barrier(2)
    errors = []

    def post():
        try:
            barrier.wait(timeout=10)
            services.comment_post(article=article, author=reader, body="Same twice")
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert Comment.objects.filter(article=article).count() == 1
