"""Refuse webhook URLs that point into our own network (server-side request forgery).

An editor's URL is checked when the endpoint is saved and again before every
delivery, after resolving the host name, because a name can start resolving to a
private address later. `settings.WEBHOOKS_ALLOW_PRIVATE` lifts the address check
for development and tests (a receiver on 127.0.0.1).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SCHEMES = {"http", "https"}


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def url_resolve(url: str) -> tuple[str, str, int]:
    """The host, a vetted IP address to connect to, and the port of `url`.

    Raises ValidationError when the URL is not http(s), does not resolve, or any of
    its addresses is not public (unless WEBHOOKS_ALLOW_PRIVATE).
    """
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ValidationError(_("Use an http:// or https:// URL."), code="scheme")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise ValidationError(
            _("The host %(host)s does not resolve."),
            code="unresolved",
            params={"host": parts.hostname},
        ) from None
    addresses = [info[4][0] for info in infos]
    if not settings.WEBHOOKS_ALLOW_PRIVATE:
        refused = [address for address in addresses if not _is_public(address)]
        if refused:
            raise ValidationError(
                _(
                    "%(host)s resolves to %(address)s, a private, loopback, "
                    "link-local or reserved address; webhooks go to public "
                    "addresses only."
                ),
                code="private_address",
                params={"host": parts.hostname, "address": refused[0]},
            )
    return parts.hostname, addresses[0], port


def validate_public_url(url: str) -> None:
    url_resolve(url)
