"""The columns of BKN's exports: which header names which export, and what each cell may hold.

A header is looked for in the first rows (exports carry a title above it);
every cell of a data row is then checked against the field it will be stored
in (`cell_problems`), before anything is written.
"""

from django.utils.translation import gettext as _

from kapuas_kinerja.tabular import Problems, control_problem, count
from opd.models import Asn, Opd, Unit

from ..models import AnnualSkp
from .files import ImportRefused

HEADER_SEARCH = 20
KINDS = {
    "penilaian": {"nip", "hasil_kerja", "perilaku_kerja", "hasil_akhir", "waktu_dinilai", "skp_unor_induk"},
    "skp": {"nip", "skp_status", "skp_unor", "skp_unor_induk", "periode_akhir"},
    "siasn": {"pns_id", "nip_baru", "nama", "jenis_pegawai_nama"},
}
LABELS = {"penilaian": "Laporan Penilaian SKP", "skp": "Laporan SKP", "siasn": "SIASN Export Data ASN"}

# The field each column of an export ends up in: its cells may not be longer.
STORED = {
    "nama": Asn._meta.get_field("nama"),
    "gelar_depan": Asn._meta.get_field("nama"),
    "gelar_belakang": Asn._meta.get_field("nama"),
    "jabatan": Asn._meta.get_field("jabatan"),
    "skp_jabatan": Asn._meta.get_field("jabatan"),
    "email": Asn._meta.get_field("email"),
    "email_gov": Asn._meta.get_field("email"),
    "nomor_hp": Asn._meta.get_field("phone"),
    "pns_id": Asn._meta.get_field("siasn_pns_id"),
    "skp_unor": Unit._meta.get_field("nama"),
    "skp_unor_induk": Opd._meta.get_field("nama"),
    "skp_status": AnnualSkp._meta.get_field("plan_status"),
    "skp_id": AnnualSkp._meta.get_field("bkn_skp_id"),
}


def find_header(rows: list[list]) -> tuple[int, str, list[str]]:
    for index, row in enumerate(rows[:HEADER_SEARCH]):
        names = [str(cell).strip().lower() for cell in row]
        for kind, needed in KINDS.items():
            if needed <= set(names):
                for name in names:
                    problem = control_problem(name)
                    if problem:
                        # Column names are kept with each row's raw payload.
                        raise ImportRefused([_("row %(row)s: %(error)s") % {"row": index + 1, "error": problem}])
                return index, kind, names
    raise ImportRefused(
        [
            _("No header row of a known export in the first %(n)d rows (looked for the columns of %(kinds)s).")
            % {"n": HEADER_SEARCH, "kinds": ", ".join(LABELS.values())}
        ]
    )


def cell_problems(number: int, row: dict, problems: Problems) -> None:
    """Each cell of a data row checked against the field it is stored in, as `baris N, kolom C: …`.

    Checked before anything is written: a NUL byte or a 300-character name
    would otherwise reach the database and fail there (PostgreSQL refuses NUL
    in text and JSON; SQLite would store it).
    """
    for column, value in row.items():
        if not isinstance(value, str):
            continue  # numbers and dates from the sheet hold no characters to check
        problem = control_problem(value)
        if problem:
            problems.cell(number, column, problem)
        field = STORED.get(column)
        length = len(value.strip())
        if field is not None and length > field.max_length:
            problems.cell(number, column, too_long(length, field.max_length))
    if "gelar_depan" in row or "gelar_belakang" in row:
        # SIASN's name is stored with its titles: "Dr. Budi Santoso, S.Kom."
        parts = [str(row.get(c) or "").strip() for c in ("gelar_depan", "nama", "gelar_belakang")]
        length = sum(len(p) for p in parts) + 3
        limit = STORED["nama"].max_length
        if length > limit and all(len(p) <= limit for p in parts):
            problems.cell(number, "nama", too_long(length, limit))


def too_long(length: int, limit: int) -> str:
    return _("%(length)s characters long; at most %(max)s are stored") % {"length": count(length), "max": limit}
