"""What the commands share: reading --period, --opd and --as-of (exit 2 when wrong), and writing --output."""

import datetime as dt
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

from opd.models import Opd
from skp import rules
from skp.models import Period
from skp.selectors import period_for


def period_option(text: str) -> Period:
    """The stored period, or one built from the rules; a malformed one exits 2."""
    try:
        return period_for(*rules.parse_period(text))
    except rules.RuleError:
        raise CommandError(f"period {text!r} must be YYYY-MM", returncode=2) from None


def opd_option(kode: str | None) -> Opd | None:
    """The OPD of a code (any case), None when none was given; an unknown code exits 2."""
    if not kode:
        return None
    opd = Opd.objects.filter(kode=kode.upper()).select_related("head").first()
    if opd is None:
        raise CommandError(f"unknown OPD {kode!r}", returncode=2)
    return opd


def as_of_option(text: str | None) -> dt.datetime:
    """An ISO-8601 moment (naive means WIB), now when none was given; anything else exits 2."""
    if not text:
        return timezone.now()
    try:
        return rules.aware(dt.datetime.fromisoformat(text))
    except ValueError:
        raise CommandError(f"--as-of {text!r} is not ISO-8601", returncode=2) from None


def scope_options(options: dict) -> tuple[Period, Opd | None, dt.datetime]:
    """--period, --opd and --as-of of a command that reports on one period, for one OPD or all."""
    return period_option(options["period"]), opd_option(options["opd"]), as_of_option(options["as_of"])


def write_output(path: Path, data: bytes) -> None:
    """Write a document where --output says, never leaving half a file there."""
    if not path.parent.is_dir():
        raise CommandError(f"folder {path.parent} does not exist", returncode=2)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.replace(path)
