"""The client's address behind exactly TRUSTED_PROXY_COUNT reverse proxies.

Each proxy appends the address it received the request from to
X-Forwarded-For, so with N proxies in front the client is the N-th entry from
the right; anything left of it was written by the client and may be forged.
With no proxy (N = 0) the header is ignored altogether. The login lockout
(django-axes, through AXES_CLIENT_IP_CALLABLE) and the limits on reset and
activation mails count by this address.
"""

import ipaddress

from django.conf import settings


def _valid(value: str) -> str:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


def client_ip(request) -> str:
    """The address of whoever sent the request, as far as the trusted proxies tell."""
    direct = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return direct
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        # The request did not come through every proxy we trust: only the direct peer is known.
        return direct
    return _valid(forwarded[-hops]) or direct
