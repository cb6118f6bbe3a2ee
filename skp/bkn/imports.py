"""Imports of BKN's exports (Laporan Penilaian SKP, Laporan SKP, SIASN Export Data ASN).

All or nothing: every row is checked first and any real error refuses the
whole file, listed as "baris N, kolom C: reason". Known dirt (apostrophes,
'null', spelling variants, timestamps in several shapes) is cleaned. The
writes go through the sync's own writers, so an import and a sync land the
same way, and a second import of the same file changes nothing.
"""

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from auditlog.context import disable_auditlog
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kapuas_kinerja.tabular import Problems
from opd.nip import validate_nip
from opd.services import data_changes_batched

from .. import rules
from ..models import Period, Source, SyncRun
from .appraisers import fill_from_unit_heads, write_siasn_appraisers
from .columns import HEADER_SEARCH, KINDS, cell_problems, find_header
from .ekinerja import RowError, parse_time
from .files import ImportRefused, read_rows
from .places import Places
from .records import collect_plans, collect_ratings, refresh_rollup_for_run, write_population, write_ratings
from .siasn import parse_master
from .siasn_sync import write_master_data

MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "januari",
            "februari",
            "maret",
            "april",
            "mei",
            "juni",
            "juli",
            "agustus",
            "september",
            "oktober",
            "november",
            "desember",
        ],
        start=1,
    )
}


@dataclass
class ImportResult:
    kind: str
    period_key: str
    run: SyncRun
    dry_run: bool
    notes: list[str] = field(default_factory=list)


class _DryRun(Exception):
    pass


def title_period(rows: list[list]) -> tuple[int, int] | None:
    text = " ".join(str(cell) for row in rows for cell in row if cell).lower()
    match = re.search(r"(" + "|".join(MONTHS) + r")\s+(\d{4})", text)
    return (int(match[2]), MONTHS[match[1]]) if match else None


ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def title_cycle_period(rows: list[list]) -> tuple[str, int, int] | None:
    """A title naming a teachers' cycle period: "Triwulan I 2025", "Semester II Tahun 2025", "Tahunan 2025".

    Returns (cycle, year, last month), or None for a title that names none
    (then the month of title_period, if any, is the period).
    """
    text = " ".join(str(cell) for row in rows for cell in row if cell).lower()
    match = re.search(r"triwulan\s+(iv|iii|ii|i|[1-4])\b\D*?(\d{4})", text)
    if match:
        return rules.TRIWULAN, int(match[2]), ROMAN[match[1]] * 3
    match = re.search(r"semester\s+(ii|i|[12])\b\D*?(\d{4})", text)
    if match:
        return rules.SEMESTER, int(match[2]), ROMAN[match[1]] * 6
    match = re.search(r"tahunan\D*?(\d{4})", text)
    if match:
        return rules.TAHUNAN, int(match[1]), 12
    return None


def title_year(rows: list[list]) -> int | None:
    match = re.search(r"tahun\s+(\d{4})", " ".join(str(c) for r in rows for c in r if c).lower())
    return int(match[1]) if match else None


def _cell_nip(value) -> str:
    if isinstance(value, float):
        raise RowError(
            _("the NIP was stored as a number (%(value).6g) and lost its digits; store NIPs as text") % {"value": value}
        )
    try:
        return validate_nip(value).nip
    except ValidationError as error:
        raise RowError(error.messages[0]) from None


@data_changes_batched()
# A sync or import is recorded as its SyncRun; the rows it creates one by one are no one's
# hand edit, so they write no audit entries (thousands of them on a first sync).
@disable_auditlog()
def import_file(
    path: Path,
    *,
    period: tuple[int, int] | tuple[str, int, int] | None = None,
    dry_run: bool = False,
    triggered_by: str,
) -> ImportResult:
    """Import one export. Raises ImportRefused (nothing written) or returns what was done.

    `period` is (year, month), or (cycle, year, last month) for a teachers'
    cycle period (rules.parse_cycle_period: 2025-Q1, 2025-S1, 2025).

    One pass over the rows checks them and parses them; nothing is written
    unless every row passed.
    """
    rows = read_rows(path)
    head = list(itertools.islice(rows, HEADER_SEARCH))
    header_index, kind, columns = find_header(head)
    missing = sorted(KINDS[kind] - set(columns))
    if missing:
        raise ImportRefused([_("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}])
    titles = head[:header_index]

    if kind == "penilaian":
        # A teachers' cycle period (Ruang GTK's quarter…) or a month, each as (cycle, year, last month).
        cycle_titled = title_cycle_period(titles)
        month_titled = title_period(titles)
        titled = cycle_titled or ((rules.BULANAN, *month_titled) if month_titled else None)
        asked = None if period is None else (tuple(period) if len(period) == 3 else (rules.BULANAN, *period))
        if titled and asked and titled != asked:
            raise ImportRefused(
                [
                    _("The file is for %(file)s, not for the period asked, %(asked)s.")
                    % {"file": rules.cycle_key(*titled), "asked": rules.cycle_key(*asked)}
                ]
            )
        period = asked or titled
        if period is None:
            raise ImportRefused([_("The title rows name no month: give the period (YYYY-MM).")])
        checks = {
            "nip": _cell_nip,
            "hasil_kerja": rules.parse_rating,
            "perilaku_kerja": rules.parse_rating,
            "hasil_akhir": rules.parse_predikat,
            "waktu_dinilai": parse_time,
        }
        period_key = rules.cycle_key(*period)
    elif kind == "skp":
        year = title_year(titles) or ((period[-2] if len(period) == 3 else period[0]) if period else None)
        if year is None:
            raise ImportRefused([_("The title rows name no year: give the period (YYYY-MM).")])
        checks = {"nip": _cell_nip}
        period_key = str(year)
    else:
        checks = {"nip_baru": _cell_nip}
        period_key = ""

    problems = Problems()
    counted = [0]

    def checked():
        """(spreadsheet row number, row) for every non-empty row, each checked on the way."""
        first = header_index + 2
        for number, cells in enumerate(itertools.chain(head[header_index + 1 :], rows), start=first):
            # Empty cells are left out of the row (and of the raw payload kept for diagnosis).
            row = {c: v for c, v in zip(columns, cells, strict=False) if v not in ("", None)}
            if not row:
                continue
            counted[0] += 1
            cell_problems(number, row, problems)
            for column, check in checks.items():
                try:
                    check(row.get(column))
                except (RowError, rules.RuleError) as error:
                    problems.cell(number, column, error)
            yield number, row

    run = SyncRun(source="import", period_key=period_key, triggered_by=triggered_by)
    if kind == "penilaian":
        penilaian = collect_ratings(checked(), run)
        problems += [
            _("baris %(row)d, kolom nip: %(error)s") % {"row": e["row"], "error": e["error"]}
            for e in run.errors
            if e.get("duplicate")
        ]
    elif kind == "skp":
        plans = collect_plans(checked(), run)
    else:
        siasn_rows = [row for _number, row in checked()]
    if not counted[0]:
        raise ImportRefused([_("The file has a header row but no data rows.")])
    if problems:
        raise ImportRefused(problems)

    try:
        with transaction.atomic():
            run.save()
            places = Places(run)
            if kind == "penilaian":
                stored = _write_penilaian(run, places, period, penilaian)
                fill_from_unit_heads()
                refresh_rollup_for_run(run, places, stored)
            elif kind == "skp":
                write_population(plans, run, places, year, None, Source.IMPORT)
                run.created = len(plans)
                fill_from_unit_heads()
                refresh_rollup_for_run(run, places)
            else:
                _write_siasn(run, places, siasn_rows)
                refresh_rollup_for_run(run, places)
            run.status = SyncRun.Status.SUCCEEDED
            run.finished_at = timezone.now()
            run.save()
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return ImportResult(kind=kind, period_key=run.period_key, run=run, dry_run=dry_run, notes=run.notes)


def _write_penilaian(run, places, period_key, penilaian) -> Period:
    """The period's rows, rated and filed alike, through the sync's own writer (a cycle period's too)."""
    cycle, year, month = period_key
    period = Period.every.filter(kind=cycle, year=year, month=month).first()
    if period is None:
        period = Period.build(year, month, cycle)
        period.save()
    write_ratings(penilaian, run, places, period, {}, None, Source.IMPORT)
    return period


# SIASN's "Export Data ASN" columns under the names its web service uses, so one parser reads both.
EXPORT_TO_API = {
    "pns_id": "id",
    "nama": "nama",
    "gelar_depan": "gelarDepan",
    "gelar_belakang": "gelarBelakang",
    "jenis_pegawai_nama": "jenisPegawaiNama",
    "email": "email",
    "email_gov": "emailGov",
    "nomor_hp": "noHp",
}


# Columns a SIASN export may carry for the appraiser (not in every installation's export).
APPRAISER_COLUMNS = ("nip_atasan", "atasan_nip", "nip_penilai", "penilai_nip", "nip_nrp_penilai")


def _write_siasn(run, places, rows) -> None:
    """SIASN's master data (and the appraiser, when the export has a column for it) for the ASN it names,
    through the SIASN sync's own writers."""
    master_data, appraisers = [], {}
    for row in rows:
        nip = validate_nip(row["nip_baru"]).nip
        master_data.append(parse_master(nip, {api: row.get(col) for col, api in EXPORT_TO_API.items()}))
        named = next((row[c] for c in APPRAISER_COLUMNS if row.get(c)), None)
        try:
            appraiser = validate_nip(named).nip if named else None
        except ValidationError:
            appraiser = None
        if appraiser and appraiser != nip:
            appraisers[nip] = appraiser
    places.population_opd_ids |= write_master_data(run, master_data)
    write_siasn_appraisers(appraisers)
    fill_from_unit_heads()
