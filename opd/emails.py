"""Email addresses where they enter the portal (SIASN's API and export, the admin panel).

SIASN stores whatever an operator typed: two addresses in one field, a word
with no domain, text with line breaks. Such a value must never reach an SMTP
envelope (one of them made the whole outbox run fail, another sent a password
link to a local mailbox called "script"). It is kept out of sending and
recorded as it came, so BKPSDM can see what SIASN holds and have it fixed there.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 254  # RFC 5321's limit for a path, and the model field's
# Legal in some quoted RFC 5322 forms, never in an address a person uses:
# refusing them keeps lists ("a@x, b@y"), display names and header tricks out.
FORBIDDEN = set(' \t\r\n"<>,;:()[]\\')


def email_problem(value: str) -> str | None:
    """Why this text is not one plain address mail can go to; None when it is."""
    if len(value) > MAX_LENGTH:
        return str(_("longer than %(max)d characters") % {"max": MAX_LENGTH})
    if any(ch in FORBIDDEN or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return str(_("holds spaces, line breaks or list punctuation: one address only"))
    try:
        validate_email(value)
    except ValidationError:
        return str(_("not an email address"))
    return None


def validate_plain_email(value: str) -> None:
    """Form and model validator: one plain address (what the outbox can send to)."""
    problem = email_problem(value)
    if problem:
        raise ValidationError(_("Enter one valid email address (%(problem)s).") % {"problem": problem}, "invalid")


def shown(value: str) -> str:
    """The refused text as it can be stored and shown: control characters written out, cut to the field."""
    out = "".join(ch if 32 <= ord(ch) != 127 else f"\\x{ord(ch):02x}" for ch in value)
    return out if len(out) <= MAX_LENGTH else out[: MAX_LENGTH - 1] + "…"


def split_email(value) -> tuple[str, str]:
    """(address, "") for a usable address; ("", what was sent, made showable) otherwise; ("", "") for none."""
    text = str(value or "").strip()
    if not text:
        return "", ""
    if email_problem(text):
        return "", shown(text)
    return text, ""


def record_rejected_emails(run, master_data, people: dict) -> None:
    """Keep on each ASN what SIASN sent that is not an address (cleared once SIASN sends a good one).

    Called by the SIASN writer for the API and the export alike. The address
    itself is left as the portal had it: SIASN's bad value is not data, like
    an empty one. Each refused value is listed in the run's notes as well.
    """
    from .models import Asn

    changed = []
    for data in master_data:
        asn = people.get(data.nip)
        if asn is None:
            continue
        rejected = getattr(data, "email_rejected", "")
        if rejected:
            run.notes.append(
                str(_("NIP %(nip)s: the email SIASN holds is not used (%(value)s); fix it in SIASN."))
                % {"nip": data.nip, "value": rejected}
            )
        elif not data.email:
            continue  # SIASN said nothing about the address: keep what the portal knows
        if asn.email_rejected != rejected:
            asn.email_rejected = rejected
            changed.append(asn)
    if changed:
        Asn.objects.bulk_update(changed, ["email_rejected"], batch_size=1000)
