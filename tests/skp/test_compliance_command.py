import datetime as dt
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from skp import rules
from tests.factories import AsnFactory, ExemptionFactory, OpdFactory, RecordFactory, UnitFactory

pytestmark = pytest.mark.django_db

WIB = rules.WIB


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("compliance", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def dinkes():
    opd = OpdFactory(kode="DINKES", nama="Dinas Kesehatan")
    unit = UnitFactory(opd=opd, nama="Puskesmas Selat")
    atasan = AsnFactory(opd=opd, unit=unit, nama="Kepala Puskesmas", jabatan="Kepala Puskesmas")
    staff = {
        "on_time": RecordFactory(
            asn=AsnFactory(opd=opd, unit=unit, atasan=atasan, nama="A Tepat"),
            rated=True,
            rated_at=dt.datetime(2025, 4, 15, 16, 59, 59, tzinfo=dt.UTC),
            rating_hasil=1,
            rating_perilaku=1,
        ),
        "late": RecordFactory(
            asn=AsnFactory(opd=opd, unit=unit, atasan=atasan, nama="B Telat"),
            rated=True,
            rated_at=dt.datetime(2025, 4, 16, 0, 0, 0, tzinfo=WIB),
        ),
        "submitted": RecordFactory(
            asn=AsnFactory(opd=opd, unit=unit, atasan=atasan, nama="C Menunggu", jabatan="Guru Ahli Muda"),
            stage=rules.SUBMITTED,
        ),
        "exempt": RecordFactory(asn=AsnFactory(opd=opd, unit=unit, atasan=atasan, nama="D Cuti")),
    }
    ExemptionFactory(asn=staff["exempt"].asn, start=dt.date(2025, 3, 31))
    return opd, staff


def test_json_follows_the_contract(dinkes):
    report = json.loads(
        run("--period", "2025-03", "--opd", "dinkes", "--as-of", "2025-04-20T08:00:00", "--format", "json")
    )
    assert report["period"] == "2025-03"
    assert report["deadline"] == "2025-04-15T23:59:59+07:00"
    assert report["as_of"] == "2025-04-20T08:00:00+07:00"
    assert report["summary"] == {"exempt": 1, "on_time": 1, "late": 1, "overdue": 2, "pending": 0}
    rows = {row["nama"]: row for row in report["rows"]}
    assert rows["A Tepat"] == {
        "nip": dinkes[1]["on_time"].asn.nip,
        "nama": "A Tepat",
        "opd": "DINKES",
        "opd_nama": "Dinas Kesehatan",
        "unor": "Puskesmas Selat",
        "is_guru": False,
        "stage": "rated",
        "status": "on_time",
        "rated_at": "2025-04-15T23:59:59+07:00",
        "predikat": "sangat_baik",
        "must_act": None,
        "atasan_nip": dinkes[1]["on_time"].atasan.nip,
        "deadline": "2025-04-15T23:59:59+07:00",
    }
    assert all(type(row["is_guru"]) is bool for row in report["rows"])
    assert rows["B Telat"]["status"] == "late"
    assert (rows["C Menunggu"]["status"], rows["C Menunggu"]["must_act"], rows["C Menunggu"]["is_guru"]) == (
        "overdue",
        "atasan",
        True,
    )
    assert rows["C Menunggu"]["atasan_nip"] == dinkes[1]["submitted"].atasan.nip
    assert (rows["Kepala Puskesmas"]["stage"], rows["Kepala Puskesmas"]["must_act"]) == ("not_started", "asn")
    assert rows["Kepala Puskesmas"]["atasan_nip"] is None  # no appraiser known: null, not a guess
    assert rows["D Cuti"]["status"] == "exempt"


def test_as_of_before_the_deadline_shows_pending_and_no_rating_yet(dinkes):
    report = json.loads(run("--period", "2025-03", "--as-of", "2025-04-14T12:00:00+07:00", "--format", "json"))
    assert report["summary"] == {"exempt": 1, "on_time": 0, "late": 0, "overdue": 0, "pending": 4}
    late = next(row for row in report["rows"] if row["nama"] == "B Telat")
    assert (late["stage"], late["rated_at"], late["predikat"], late["must_act"]) == ("not_started", None, None, None)


def test_a_period_without_records_still_lists_the_population(dinkes):
    report = json.loads(run("--period", "2024-01", "--format", "json", "--as-of", "2024-03-01"))
    assert len(report["rows"]) == 5
    assert report["summary"]["overdue"] == 5


def test_csv_and_table_list_every_asn(dinkes):
    csv_text = run("--period", "2025-03", "--format", "csv", "--as-of", "2025-05-01")
    assert csv_text.splitlines()[0].startswith("opd_nama,nip,nama,opd,unor")
    assert len(csv_text.strip().splitlines()) == 6
    table = run("--period", "2025-03", "--as-of", "2025-05-01")
    assert "5 ASN: exempt=1 on_time=1 late=1 overdue=2 pending=0" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2025-13"], "must be YYYY-MM"),
        (["--period", "March"], "must be YYYY-MM"),
        (["--period", "2025-03", "--opd", "NOPE"], "unknown OPD"),
        (["--period", "2025-03", "--as-of", "yesterday"], "ISO-8601"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args, message):
    with pytest.raises(CommandError, match=message) as error:
        run(*args)
    assert error.value.returncode == 2


def test_the_real_command_line_exits_2_with_one_line_on_a_malformed_period():
    # A real process, so the exit status is the one a shell script would see.
    result = subprocess.run(
        [sys.executable, "manage.py", "compliance", "--period", "2025-3"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "must be YYYY-MM" in result.stderr
