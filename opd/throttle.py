"""Limits on requests that send mail to an account (password reset, activation), in Django's cache.

Counted per account (the NIP or username asked for, known or not, so a
refusal tells nothing either) and per client address (proxy-correct,
opd/client_ip.py), in fixed windows of an hour. Redis in production keeps the
counts across workers; a cache flush only forgives some requests.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from .client_ip import client_ip
from .nip import normalize_nip

WINDOW_SECONDS = 60 * 60


def _count(name: str) -> int:
    key = f"throttle:{name}:{int(time.time() // WINDOW_SECONDS)}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return 1


def account_mail_allowed(request, *, login: str) -> bool:
    """Count this request; False once this hour has had too many for the account or from the address."""
    account = normalize_nip(login.strip()).lower()
    by_account = _count(f"account-mail:login:{account}")
    by_address = _count(f"account-mail:ip:{client_ip(request)}")
    return (
        by_account <= settings.ACCOUNT_MAIL_MAX_PER_LOGIN_HOURLY
        and by_address <= settings.ACCOUNT_MAIL_MAX_PER_ADDRESS_HOURLY
    )


def too_many_requests() -> str:
    return _("Too many requests for this NIP or from this computer. Try again in an hour.")
