"""The TPP basis: the share each ASN is paid and why, frozen when BKPSDM finalises it."""

import datetime as dt
import io
import json
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from opd.models import User
from skp import rules
from skp.models import MonthlyRecord
from tests.world import WIB, at, build_world, rate
from tpp.models import RuleSet, ShareRule
from tpp.selectors import basis_for, share_of
from tpp.services import TppError, finalise_basis, reopen_basis

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=WIB)


@pytest.fixture
def world(db):
    with time_machine.travel(NOW, tick=False):
        yield build_world()


def line_of(basis, asn):
    return next(line for line in basis.lines if line.nip == asn.nip)


def test_each_asn_gets_the_share_of_their_status_and_predikat_and_why(world):
    basis = basis_for(period=world.period, opd=world.opd, as_of=NOW)
    rated = line_of(basis, world.rated)
    assert (rated.status, rated.predikat, rated.share) == ("on_time", "baik", Decimal(100))
    assert rated.reason == "Dinilai tepat waktu, predikat Baik: 100% (Contoh bawaan, bukan angka resmi)"
    lazy = line_of(basis, world.lazy)
    assert (lazy.status, lazy.share) == ("overdue", Decimal(0))
    assert lazy.reason.startswith("Belum dinilai, lewat batas: 0%")
    assert line_of(basis, world.exempt).status == "exempt"
    assert not basis.is_final


def test_a_rule_for_any_predikat_applies_when_no_exact_line_exists(db):
    ruleset = RuleSet.objects.create(effective_from=dt.date(2030, 1, 1), legal_basis="Perbup 1/2030")
    ShareRule.objects.create(ruleset=ruleset, status="late", predikat="", share=Decimal("62.5"))
    ShareRule.objects.create(ruleset=ruleset, status="late", predikat="sangat_baik", share=Decimal(75))
    assert share_of(ruleset, "late", "sangat_baik")[0] == Decimal(75)
    share, reason = share_of(ruleset, "late", "baik")
    assert share == Decimal("62.5") and "62,5%" in reason
    share, reason = share_of(ruleset, "on_time", "baik")
    assert share == 0 and "tidak memuat baris" in reason


def test_a_period_uses_the_rule_table_in_force_on_its_first_day(world):
    newer = RuleSet.objects.create(effective_from=dt.date(2026, 10, 1), legal_basis="Perbup Kapuas 7/2026")
    ShareRule.objects.create(ruleset=newer, status="on_time", predikat="", share=Decimal(90))
    assert line_of(basis_for(period=world.period, opd=world.opd, as_of=NOW), world.rated).share == Decimal(90)
    later = RuleSet.objects.create(effective_from=dt.date(2026, 10, 2), legal_basis="Perbup Kapuas 8/2026")
    ShareRule.objects.create(ruleset=later, status="on_time", predikat="", share=Decimal(10))
    assert line_of(basis_for(period=world.period, opd=world.opd, as_of=NOW), world.rated).share == Decimal(90)


def test_a_finalised_basis_stays_the_same_after_a_rule_change_and_a_new_sync(world):
    final = finalise_basis(period=world.period, opd=world.opd, by=world.admin, as_of=NOW)
    before = basis_for(period=world.period, opd=world.opd, as_of=NOW)
    assert before.is_final and before.finalisation.version == 1

    # BKPSDM changes the rules, and a sync rates Ani and moves Budi's rating.
    ShareRule.objects.filter(status="on_time").update(share=Decimal(50))
    rate(MonthlyRecord.objects.get(asn=world.lazy, period=world.period), at(19, 10))
    MonthlyRecord.objects.filter(asn=world.rated, period=world.period).update(rating_hasil=rules.BELOW)

    after = basis_for(period=world.period, opd=world.opd, as_of=dt.datetime(2026, 11, 21, tzinfo=WIB))
    assert after.lines == before.lines
    live_now = basis_for(period=world.period, opd=world.opd, as_of=at(21))
    assert live_now.lines == before.lines  # the finalised version is what anyone reads

    # A second finalisation is refused; reopening needs a reason; then version 2 takes the changes.
    with pytest.raises(TppError):
        finalise_basis(period=world.period, opd=world.opd, by=world.admin)
    with pytest.raises(TppError):
        reopen_basis(finalisation=final, by=world.admin, reason="  ")
    reopen_basis(finalisation=final, by=world.admin, reason="Koreksi penilaian Ani dari e-Kinerja")
    second = finalise_basis(period=world.period, opd=world.opd, by=world.admin, as_of=at(21))
    assert second.version == 2
    changed = basis_for(period=world.period, opd=world.opd, as_of=at(22))
    assert line_of(changed, world.lazy).status == "late"
    assert line_of(changed, world.rated).share == Decimal(50)


def test_tpp_command_prints_json_and_writes_excel_and_pdf(world, tmp_path, capsys):
    call_command("tpp", "--period", "2026-10", "--opd", "DINKES", "--as-of", "2026-11-20T09:00")
    out = json.loads(capsys.readouterr().out)
    assert out["period"] == "2026-10" and out["opd"] == "DINKES" and out["final"] is False
    row = next(r for r in out["rows"] if r["nip"] == world.rated.nip)
    assert row["status"] == "on_time" and row["share"] == 100.0 and row["predikat"] == "baik"

    xlsx = tmp_path / "tpp.xlsx"
    call_command("tpp", "--period", "2026-10", "--opd", "DINKES", "--format", "xlsx", "--output", str(xlsx))
    sheet = openpyxl.load_workbook(xlsx).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "PEMERINTAH KABUPATEN KAPUAS"
    assert any(r and r[1] == world.lazy.nip and r[3] == "Belum dinilai, lewat batas" and r[6] == 0 for r in values)

    pdf = tmp_path / "tpp.pdf"
    call_command("tpp", "--period", "2026-10", "--opd", "DINKES", "--format", "pdf", "--output", str(pdf))
    # Words only: a table cell may wrap a name over two lines.
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages).split())
    assert "Dasar pembayaran komponen kinerja TPP, Oktober 2026" in text
    assert "DRAF" in text and world.lazy.nama in text and "Kepala Dinas" in text


def test_tpp_command_refuses_bad_arguments_with_exit_2(world, tmp_path):
    for args in (
        ["--period", "2026-13"],
        ["--period", "2026-10", "--opd", "TIDAKADA"],
        ["--period", "2026-10", "--opd", "DINKES", "--format", "pdf"],
        ["--period", "2026-10", "--format", "xlsx", "--output", str(tmp_path / "x.xlsx")],
    ):
        with pytest.raises(CommandError) as stopped:
            call_command("tpp", *args)
        assert stopped.value.returncode == 2, args


def test_bkpsdm_finalises_on_the_page_and_the_finance_office_sees_only_final_bases(client, world):
    url = "/opd/DINKES/tpp/?periode=2026-10"
    finance = User.objects.create_user(username="bkad", password="x", role=User.Role.KEUANGAN)
    client.force_login(finance)
    page = client.get(url)
    assert "belum difinalisasi" in page.text and world.lazy.nama not in page.text
    assert client.get("/opd/DINKES/tpp.xlsx?periode=2026-10").status_code == 302

    client.force_login(world.kepala)
    assert client.post("/opd/DINKES/tpp/finalisasi/", {"periode": "2026-10"}).status_code == 403
    assert world.lazy.nama in client.get(url).text  # the head sees the draft

    client.force_login(world.admin)
    response = client.post("/opd/DINKES/tpp/finalisasi/", {"periode": "2026-10"}, follow=True)
    assert "sudah final (versi 1)" in response.text

    client.force_login(finance)
    page = client.get(url)
    assert world.lazy.nama in page.text and "FINAL, versi 1" in page.text
    listing = client.get("/tpp/?periode=2026-10")
    assert "1 dari 2 OPD sudah difinalisasi" in listing.text
    download = client.get("/opd/DINKES/tpp.xlsx?periode=2026-10")
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")

    client.force_login(world.admin)
    client.post("/opd/DINKES/tpp/buka/", {"periode": "2026-10", "alasan": ""})
    assert "FINAL, versi 1" in client.get(url).text  # no reason, not reopened
    client.post("/opd/DINKES/tpp/buka/", {"periode": "2026-10", "alasan": "Salah data"})
    assert "DRAF" in client.get(url).text
