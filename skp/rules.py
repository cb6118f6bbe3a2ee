"""The domain rules of DESIGN.md as plain functions: deadline, status, predikat.

These are contracts relied on by commands, JSON and dashboards. Each has its
SQL twin in skp/expressions.py (status_of, stage_at, must_act, predikat_for,
predikat_shown, exemption_overlaps), tested to agree with these on every field
a row shows (tests/skp/test_expressions.py).
"""

import calendar
import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

WIB = ZoneInfo("Asia/Jakarta")

# Statuses (contract names; labels are the Indonesian words of the design, revised so that
# no two read alike: "Dinilai tepat waktu", "Dinilai terlambat", "Belum dinilai, lewat batas",
# "Belum jatuh tempo", "Dikecualikan"). The English msgids stay as they were: the TPP models
# use these labels as choices, and a new msgid would mean a migration for nothing.
EXEMPT = "exempt"
ON_TIME = "on_time"
LATE = "late"
OVERDUE = "overdue"
PENDING = "pending"
STATUSES = (EXEMPT, ON_TIME, LATE, OVERDUE, PENDING)
# Not rated yet: before the deadline and after it, the rows where someone must still act.
UNRATED = (OVERDUE, PENDING)
STATUS_LABELS = {
    ON_TIME: gettext_lazy("On time"),
    LATE: gettext_lazy("Late"),
    OVERDUE: gettext_lazy("Overdue"),
    PENDING: gettext_lazy("Not yet rated"),
    EXEMPT: gettext_lazy("Exempt"),
}

NOT_STARTED = "not_started"
SUBMITTED = "submitted"
RATED = "rated"

MUST_ACT_ASN = "asn"
MUST_ACT_ATASAN = "atasan"

# Ratings: BKN's reference codes (1 above, 2 as expected, 3 below expectation).
ABOVE = 1
AS_EXPECTED = 2
BELOW = 3

SANGAT_BAIK = "sangat_baik"
BAIK = "baik"
BUTUH_PERBAIKAN = "butuh_perbaikan"
KURANG = "kurang"
SANGAT_KURANG = "sangat_kurang"
PREDIKATS = (SANGAT_BAIK, BAIK, BUTUH_PERBAIKAN, KURANG, SANGAT_KURANG)

# PermenPANRB 6/2022: (Rating Hasil Kerja, Rating Perilaku Kerja) -> predikat.
PREDIKAT_MATRIX = {
    (ABOVE, BELOW): KURANG,
    (ABOVE, AS_EXPECTED): BAIK,
    (ABOVE, ABOVE): SANGAT_BAIK,
    (AS_EXPECTED, BELOW): KURANG,
    (AS_EXPECTED, AS_EXPECTED): BAIK,
    (AS_EXPECTED, ABOVE): BAIK,
    (BELOW, BELOW): SANGAT_KURANG,
    (BELOW, AS_EXPECTED): BUTUH_PERBAIKAN,
    (BELOW, ABOVE): BUTUH_PERBAIKAN,
}

_PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


class RuleError(ValueError):
    """Input that the rules refuse (bad period, bad rating word)."""


def parse_period(text: str) -> tuple[int, int]:
    """'2025-03' -> (2025, 3). Anything else is refused."""
    match = _PERIOD_RE.match(str(text).strip())
    if not match:
        raise RuleError(_("Period %(period)r must be written YYYY-MM.") % {"period": text})
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise RuleError(_("Period %(period)r is not a real month.") % {"period": text})
    return year, month


def period_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def period_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, 1), dt.date(year, month, last)


def default_deadline(year: int, month: int) -> dt.datetime:
    """The Kapuas rule: the 15th of the next month, 23:59:59 WIB."""
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dt.datetime(next_year, next_month, 15, 23, 59, 59, tzinfo=WIB)


def previous_period(today: dt.date) -> tuple[int, int]:
    """The period being chased on `today`: the previous calendar month."""
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def months_back(year: int, month: int, count: int = 12) -> list[tuple[int, int]]:
    """`count` periods ending at (year, month), newest first."""
    keys = []
    for _step in range(count):
        keys.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return keys


# The teachers' reporting cycle (DESIGN.md "Teachers report through Ruang GTK"):
# months per cycle period. `bulanan` is everyone's monthly rule.
BULANAN = "bulanan"
TRIWULAN = "triwulan"
SEMESTER = "semester"
TAHUNAN = "tahunan"
CYCLE_MONTHS = {BULANAN: 1, TRIWULAN: 3, SEMESTER: 6, TAHUNAN: 12}
CYCLES = tuple(CYCLE_MONTHS)
_CYCLE_KEY_RE = re.compile(r"^(\d{4})(?:-(Q[1-4]|S[12]|\d{2}))?$", re.IGNORECASE)


def is_guru_jabatan(jabatan: str | None) -> bool | None:
    """A teacher by the jabatan name (DESIGN.md: it starts with "Guru"), as opd.Asn.is_guru; None when blank."""
    text = jabatan or ""
    return text[:4].lower() == "guru" if text.strip() else None


def cycle_end_month(cycle: str, month: int) -> int:
    """The last month of the cycle period that contains `month` (a month is its own period under bulanan)."""
    size = CYCLE_MONTHS[cycle]
    return ((month - 1) // size + 1) * size


def cycle_bounds(cycle: str, year: int, end_month: int) -> tuple[dt.date, dt.date]:
    first = end_month - CYCLE_MONTHS[cycle] + 1
    return dt.date(year, first, 1), period_bounds(year, end_month)[1]


def cycle_key(cycle: str, year: int, end_month: int) -> str:
    """'2025-03' for a month, '2025-Q1', '2025-S2' or '2025' for the teachers' cycle periods."""
    if cycle == TRIWULAN:
        return f"{year:04d}-Q{end_month // 3}"
    if cycle == SEMESTER:
        return f"{year:04d}-S{end_month // 6}"
    if cycle == TAHUNAN:
        return f"{year:04d}"
    return period_key(year, end_month)


def parse_cycle_period(text: str) -> tuple[str, int, int]:
    """'2025-03', '2025-Q1', '2025-S1' or '2025' -> (cycle, year, end month). Anything else is refused."""
    match = _CYCLE_KEY_RE.match(str(text).strip())
    if not match:
        raise RuleError(
            _("Period %(period)r must be written YYYY-MM, YYYY-Q1..Q4, YYYY-S1/S2 or YYYY.") % {"period": text}
        )
    year, part = int(match.group(1)), (match.group(2) or "").upper()
    if not 2000 <= year <= 2100:
        raise RuleError(_("Period %(period)r is not a real month.") % {"period": text})
    if not part:
        return TAHUNAN, year, 12
    if part.startswith("Q"):
        return TRIWULAN, year, int(part[1]) * 3
    if part.startswith("S"):
        return SEMESTER, year, int(part[1]) * 6
    return BULANAN, *parse_period(text)


def aware(moment: dt.datetime) -> dt.datetime:
    """Naive timestamps from BKN are WIB wall-clock times."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=WIB)
    return moment


def stage_at(
    *,
    stage: str,
    rated_at: dt.datetime | None,
    submitted_at: dt.datetime | None,
    as_of: dt.datetime,
) -> str:
    """The stage as it stood at `as_of` (a later rating does not count yet)."""
    if rated_at is not None and aware(rated_at) <= as_of:
        return RATED
    if stage == SUBMITTED and (submitted_at is None or aware(submitted_at) <= as_of):
        return SUBMITTED
    if stage == RATED and submitted_at is not None and aware(submitted_at) <= as_of:
        return SUBMITTED
    return NOT_STARTED


def status_of(
    *,
    rated_at: dt.datetime | None,
    deadline: dt.datetime,
    as_of: dt.datetime,
    exempt: bool,
) -> str:
    """Status of one monthly record at `as_of` (DESIGN.md, "Status")."""
    if exempt:
        return EXEMPT
    as_of = aware(as_of)
    if rated_at is not None and aware(rated_at) <= as_of:
        return ON_TIME if aware(rated_at) <= deadline else LATE
    return OVERDUE if as_of > deadline else PENDING


def exemption_overlaps(start: dt.date, end: dt.date | None, month_start: dt.date, month_end: dt.date) -> bool:
    """An exemption from `start` to `end` (None: no end yet) touches any day of the month."""
    return start <= month_end and (end is None or end >= month_start)


def predikat_shown(predikat_bkn: str | None, predikat_computed: str | None) -> str | None:
    """BKN's predikat when BKN gave one (a mismatch is flagged, not corrected), else the computed one."""
    return predikat_bkn or predikat_computed or None


def must_act(status: str, stage: str) -> str | None:
    """Who must act on an overdue record: the ASN until they file, then the atasan."""
    if status != OVERDUE:
        return None
    return MUST_ACT_ATASAN if stage == SUBMITTED else MUST_ACT_ASN


def as_it_stood(*, record, deadline: dt.datetime, as_of: dt.datetime, exempt: bool) -> dict:
    """How one month stood at `as_of`, stored record or not (None): what a row shows.

    A rating after `as_of` does not count yet: no rated_at, no predikat.
    """
    rated_at = record.rated_at if record else None
    status = status_of(rated_at=rated_at, deadline=deadline, as_of=as_of, exempt=exempt)
    stage = record.stage_at(as_of) if record else NOT_STARTED
    rated = stage == RATED
    return {
        "status": status,
        "stage": stage,
        "must_act": must_act(status, stage),
        "rated_at": rated_at if rated else None,
        "predikat": record.predikat if rated else None,
    }


def predikat_for(hasil: int | None, perilaku: int | None) -> str | None:
    if hasil is None or perilaku is None:
        return None
    try:
        return PREDIKAT_MATRIX[(int(hasil), int(perilaku))]
    except (KeyError, ValueError):
        raise RuleError(
            _("Ratings %(hasil)r/%(perilaku)r are not BKN rating codes.") % {"hasil": hasil, "perilaku": perilaku}
        ) from None


def _squash(word) -> str:
    return re.sub(r"[^A-Z]", "", str(word).upper())


# Spelling variants seen in BKN data: with or without the space, and the
# source's own "ESPEKTASI".
_RATING_WORDS = {
    "DIATASEKSPEKTASI": ABOVE,
    "DIATASESPEKTASI": ABOVE,
    "DIATAS": ABOVE,
    "SESUAIEKSPEKTASI": AS_EXPECTED,
    "SESUAIESPEKTASI": AS_EXPECTED,
    "SESUAI": AS_EXPECTED,
    "DIBAWAHEKSPEKTASI": BELOW,
    "DIBAWAHESPEKTASI": BELOW,
    "DIBAWAH": BELOW,
}

_PREDIKAT_WORDS = {
    "SANGATBAIK": SANGAT_BAIK,
    "BAIK": BAIK,
    "BUTUHPERBAIKAN": BUTUH_PERBAIKAN,
    "KURANG": KURANG,
    "KURANGMISCONDUCT": KURANG,
    "MISCONDUCT": KURANG,
    "SANGATKURANG": SANGAT_KURANG,
}

_EMPTY = {"", "-", "NULL", "NONE"}


def parse_rating(word) -> int | None:
    """A BKN rating word or code -> 1/2/3; blank, '-' and 'null' -> None."""
    if word is None:
        return None
    text = str(word).strip()
    if text.upper() in _EMPTY:
        return None
    if text in ("1", "2", "3"):
        return int(text)
    squashed = _squash(text)
    if squashed in _RATING_WORDS:
        return _RATING_WORDS[squashed]
    raise RuleError(_("Unknown rating %(word)r.") % {"word": text})


def parse_predikat(word) -> str | None:
    """A BKN predikat word ('SANGAT BAIK', 'Kurang/Misconduct') or kuadran code 1-5."""
    if word is None:
        return None
    text = str(word).strip()
    if text.upper() in _EMPTY:
        return None
    if text in ("1", "2", "3", "4", "5"):
        return PREDIKATS[int(text) - 1]
    squashed = _squash(text)
    if squashed in _PREDIKAT_WORDS:
        return _PREDIKAT_WORDS[squashed]
    if text in PREDIKATS:
        return text
    raise RuleError(_("Unknown predikat %(word)r.") % {"word": text})


def on_time_rate(counts: dict[str, int]) -> float | None:
    """on_time ÷ records that are due and not exempt; None when none is.

    Records not yet due (pending) are left out (DESIGN.md, "Teachers report
    through Ruang GTK"): a quarter's first months must not drag a rate to 0 %.
    """
    expected = sum(n for status, n in counts.items() if status not in (EXEMPT, PENDING))
    if not expected:
        return None
    return counts.get(ON_TIME, 0) / expected
