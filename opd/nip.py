"""NIP validation as BKN_SOURCES.md describes it (PNS and PPPK differ).

A PNS NIP is birth date YYYYMMDD + TMT CPNS YYYYMM + gender digit + sequence.
A PPPK number (NI PPPK) has the same frame, but digits 9-14 are the year of
appointment followed by a two-digit agreement counter, which may exceed 12.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NIP_LENGTH = 18
NIP_PATTERN = r"^[0-9]{18}$"

PNS = "pns"
PPPK = "pppk"

_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE][+-]?\d+$")


@dataclass(frozen=True)
class NipInfo:
    nip: str
    birth_date: dt.date
    gender: str  # "L" or "P"
    tmt_year: int
    warnings: tuple[str, ...] = ()


def normalize_nip(raw) -> str:
    """Strip the dirt spreadsheets add: spaces, a leading apostrophe, a trailing '.0'."""
    if raw is None:
        return ""
    text = str(raw).strip().lstrip("'").strip()
    text = text.replace(" ", "")
    if re.fullmatch(r"\d{18}\.0", text):
        text = text[:-2]
    return text


def validate_nip(raw, kind: str | None = None) -> NipInfo:
    """Return what the NIP says, or raise ValidationError naming what is wrong.

    `kind` is "pns" or "pppk"; when it is unknown the number is accepted if it
    is valid as either.
    """
    nip = normalize_nip(raw)
    if not nip:
        raise ValidationError(_("NIP is empty."), code="empty")
    if _SCIENTIFIC.match(nip):
        raise ValidationError(
            _("NIP %(nip)s was stored as a number and lost its digits; write it as text.") % {"nip": nip},
            code="number",
        )
    if not nip.isdigit():
        raise ValidationError(_("NIP %(nip)s must contain digits only.") % {"nip": nip}, code="digits")
    if len(nip) != NIP_LENGTH:
        raise ValidationError(
            _("NIP %(nip)s has %(count)d digits; it must have 18.") % {"nip": nip, "count": len(nip)},
            code="length",
        )
    try:
        birth = dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise ValidationError(
            _("NIP %(nip)s: the first 8 digits (%(part)s) are not a valid birth date.")
            % {"nip": nip, "part": nip[0:8]},
            code="birth_date",
        ) from None
    if not 1940 <= birth.year <= dt.date.today().year - 15:
        raise ValidationError(
            _("NIP %(nip)s: birth year %(year)d is not plausible.") % {"nip": nip, "year": birth.year},
            code="birth_date",
        )
    if nip[14] not in "12":
        raise ValidationError(
            _("NIP %(nip)s: digit 15 (%(digit)s) must be 1 (male) or 2 (female).") % {"nip": nip, "digit": nip[14]},
            code="gender",
        )
    if nip[15:18] == "000":
        raise ValidationError(
            _("NIP %(nip)s: the sequence number (last 3 digits) cannot be 000.") % {"nip": nip},
            code="sequence",
        )
    tmt_year, tmt_part = int(nip[8:12]), int(nip[12:14])
    if not 1950 <= tmt_year <= dt.date.today().year + 1:
        raise ValidationError(
            _("NIP %(nip)s: year %(year)d in digits 9-12 is not plausible.") % {"nip": nip, "year": tmt_year},
            code="tmt",
        )
    pns_month_ok = 1 <= tmt_part <= 12
    if kind == PNS and not pns_month_ok:
        raise ValidationError(
            _("NIP %(nip)s: the TMT CPNS month (digits 13-14) is %(month)s; it must be 01-12.")
            % {"nip": nip, "month": nip[12:14]},
            code="tmt_month",
        )
    warnings = []
    if tmt_year < birth.year + 18 and (kind == PNS or (kind is None and pns_month_ok)):
        warnings.append(_("TMT CPNS is before the 18th birthday; check the NIP."))
    return NipInfo(
        nip=nip,
        birth_date=birth,
        gender="L" if nip[14] == "1" else "P",
        tmt_year=tmt_year,
        warnings=tuple(warnings),
    )
