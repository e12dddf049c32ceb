"""Where a webhook may point: https, and a public address, unless the settings allow more.

A subscription's URL is chosen by a clinic administrator and requested by our server, so it
could aim the server at its own network (SSRF: the database, a cloud metadata address). In
production only https URLs are accepted, and a request goes only to a host whose addresses are
all public; the connection is made to the address that was checked, so a DNS answer that
changes between the check and the request (rebinding) is not followed. Redirects are not
followed either. ``WEBHOOKS_ALLOW_HTTP`` and ``WEBHOOKS_ALLOW_PRIVATE_ADDRESSES`` (development
and tests: a receiver on 127.0.0.1) lift the two limits.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import logging
import socket
import ssl
import threading
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class BlockedAddress(Exception):
    """The URL's host resolves to an address webhooks may not reach (private, loopback…)."""


# IPv6 prefixes that carry an IPv4 address a gateway may forward to (NAT64, 6to4): Python
# counts some of them as global, yet on a host with NAT64 they reach the IPv4 network behind.
_EMBEDDING_IPV4 = tuple(
    ipaddress.ip_network(prefix) for prefix in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16")
)


def _is_public(address: str) -> bool:
    found = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(found, ipaddress.IPv6Address):
        if found.ipv4_mapped is not None:
            return found.ipv4_mapped.is_global
        if any(found in network for network in _EMBEDDING_IPV4):
            return False
    return found.is_global


def validate_webhook_url(value: str) -> None:
    """Refuse a URL that is not https (unless allowed) or names a non-public IP address."""
    parts = urlsplit(value)
    allowed = ("https", "http") if settings.WEBHOOKS_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise ValidationError(_("A webhook URL must start with https://."), code="https_required")
    host = parts.hostname or ""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        try:
            host.encode("idna")  # a name no resolver accepts (an empty label, too long)
        except UnicodeError as error:
            raise ValidationError(_("Enter a valid URL."), code="invalid") from error
        return  # a host name: its addresses are checked when a delivery is sent
    if not literal.is_global and not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        raise ValidationError(
            _("A webhook URL must point to a public address, not a private or local one."),
            code="private_address",
        )


def resolve(host: str, port: int) -> str:
    """Return the address to connect to for ``host``; raise ``BlockedAddress`` if not public.

    Every address the name resolves to must be public: a name with one public and one private
    address is refused rather than tried.
    """
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as error:
        raise OSError(f"cannot resolve {host}: {error}") from error
    addresses = [str(info[4][0]) for info in found]
    if not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        blocked = [a for a in addresses if not _is_public(a)]
        if blocked:
            # The address goes to the server's log, not to the delivery the clinic reads:
            # the admin page must not tell which internal addresses a name resolves to.
            logger.warning("webhook host %s resolves to non-public %s", host, blocked[0])
            raise BlockedAddress(f"{host} resolves to a non-public address")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to an address checked beforehand, with the URL's host as Host."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As ``_PinnedHTTPConnection``, over TLS verified for the URL's host name (SNI)."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST ``body`` to ``url`` and return the HTTP status; the answer's body is not read.

    Raises ``BlockedAddress`` for a forbidden address and ``OSError`` (timeouts included) when
    no answer came.
    """
    validate_webhook_url(url)  # the settings may have changed since the URL was saved
    parts = urlsplit(url)
    host = parts.hostname or ""
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    address = resolve(host, port)
    connection_class = _PinnedHTTPSConnection if secure else _PinnedHTTPConnection
    connection = connection_class(host, port, address=address, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    # ``timeout`` bounds each socket operation; a receiver that trickles its answer a byte at
    # a time would hold the worker (and outlive the delivery's lease). The whole exchange gets
    # ``timeout`` seconds: then the socket is shut down and the read in progress fails.
    expired = threading.Event()

    def abort() -> None:
        expired.set()
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(timeout, abort)
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        if expired.is_set():
            raise OSError(f"no complete answer within {timeout:g} s")
        return response.status
    except (http.client.HTTPException, OSError) as error:
        if expired.is_set():
            raise OSError(f"no complete answer within {timeout:g} s") from error
        if isinstance(error, http.client.HTTPException):
            raise OSError(f"invalid HTTP answer: {error}") from error
        raise
    finally:
        watchdog.cancel()
        connection.close()
