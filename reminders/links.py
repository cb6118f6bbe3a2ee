"""Signed links in messages: account activation (single-use, expiring) and one-click unsubscribe."""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .models import OPTIONAL_KINDS

ACTIVATION_SALT = "reminders.activation"
UNSUBSCRIBE_SALT = "reminders.unsubscribe"


def absolute(path: str) -> str:
    return f"{settings.PORTAL_URL}{path}"


def activation_token(asn_id: int, next_path: str) -> str:
    return signing.dumps({"a": asn_id, "n": next_path}, salt=ACTIVATION_SALT, compress=True)


def activation_url(asn_id: int, next_path: str) -> str:
    return absolute(reverse("activate", args=[activation_token(asn_id, next_path)]))


def read_activation(token: str) -> tuple[int, str] | None:
    """(asn id, where to go next), or None when the link is forged or expired.

    Single use is the caller's check: a link is dead once its ASN has a login.
    """
    try:
        data = signing.loads(token, salt=ACTIVATION_SALT, max_age=dt.timedelta(days=settings.ACTIVATION_MAX_AGE_DAYS))
    except signing.BadSignature:
        return None
    next_path = data.get("n") or "/"
    if not url_has_allowed_host_and_scheme(next_path, allowed_hosts=None):
        next_path = "/"
    return int(data["a"]), next_path


def unsubscribe_token(asn_id: int, kind: str) -> str:
    # No expiry: an unsubscribe link in an old email must still work.
    return signing.dumps({"a": asn_id, "k": kind}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if data.get("k") not in OPTIONAL_KINDS:
        return None
    return int(data["a"]), data["k"]


def unsubscribe_url(message) -> str | None:
    """The unsubscribe link of an optional message to an ASN; None for mandatory ones."""
    if message.kind not in OPTIONAL_KINDS or not message.asn_id:
        return None
    return absolute(reverse("unsubscribe", args=[unsubscribe_token(message.asn_id, message.kind)]))
