"""Endpoint URLs: public http(s) addresses only, unless the setting allows private."""

import pytest
from django.core.exceptions import ValidationError

from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.webhooks import delivery_attempt
from tests.factories import make_article

pytestmark = pytest.mark.django_db

PRIVATE_URLS = [
    "http://127.0.0.1:8000/hook",
    "http://localhost/hook",
    "http://10.1.2.3/hook",
    "http://192.168.0.10/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/hook",
    "http://[fe80::1]/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
    "http://0.0.0.0/hook",
    "http://[::ffff:127.0.0.1]/hook",
]


def endpoint(url, **fields):
    return WebhookEndpoint(
        name="Partner", url=url, events=["explainer.published"], **fields
    )


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(url):
    with pytest.raises(ValidationError) as refused:
        endpoint(url).full_clean()
    assert "url" in refused.value.message_dict


@pytest.mark.parametrize("url", ["ftp://93.184.215.14/x", "file:///etc/passwd"])
def test_only_http_and_https_are_accepted(url):
    with pytest.raises(ValidationError) as refused:
        endpoint(url).full_clean()
    assert "url" in refused.value.message_dict


def test_a_public_address_is_accepted_and_gets_a_standard_webhooks_secret():
    hook = endpoint("https://93.184.215.14/hooks")
    hook.full_clean()
    hook.save()
    assert hook.secret.startswith("whsec_")
    assert len(hook.secret) == len("whsec_") + 32  # 24 bytes in base64
    assert endpoint("https://93.184.215.14/hooks").secret != hook.secret


def test_the_setting_allows_private_addresses_for_development(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    endpoint("http://127.0.0.1:8000/hook").full_clean()


def test_unknown_events_are_refused():
    hook = endpoint("https://93.184.215.14/hooks")
    hook.events = ["explainer.published", "explainer.exploded"]
    with pytest.raises(ValidationError) as refused:
        hook.full_clean()
    assert "events" in refused.value.message_dict


def test_the_admin_form_refuses_a_private_address(client, editor):
    client.force_login(editor)
    response = client.post(
        "/admin/integrations/webhookendpoint/add/",
        {
            "name": "Sneaky",
            "url": "http://169.254.169.254/latest/",
            "events": ["explainer.published"],
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "private, loopback" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_an_address_that_turned_private_is_refused_again_at_delivery(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    hook = endpoint("http://127.0.0.1:9/hook")
    hook.save()
    make_article()  # publishing queues the delivery
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    delivery = WebhookDelivery.objects.get(endpoint=hook)

    delivery = delivery_attempt(delivery.pk)

    assert delivery.status == "pending" and delivery.last_status_code is None
    assert delivery.last_response_excerpt.startswith("Refused:")
