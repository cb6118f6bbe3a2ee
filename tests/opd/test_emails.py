"""Addresses checked where they enter (SIASN's API, its export, the admin panel): a bad one is kept out
of sending and shown to BKPSDM as SIASN sent it; the rest of the row is imported."""

import csv
from pathlib import Path

import pytest
from django.contrib.admin.sites import site
from django.forms.models import model_to_dict
from django.test import RequestFactory

from opd.emails import split_email
from opd.models import Asn
from reminders.recipients import no_working_email
from skp.bkn.imports import import_file
from tests.factories import AsnFactory, bkpsdm_staff

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "bkn"
LIST = "a@x, spy@evil.example"
HEADER_BREAK = "ani@kapuaskab.go.id\r\nBcc: spy@evil.example"


@pytest.mark.parametrize(
    ("sent", "kept", "rejected"),
    [
        ("ani@kapuaskab.go.id", "ani@kapuaskab.go.id", ""),
        ("  budi.s+skp@gmail.com ", "budi.s+skp@gmail.com", ""),
        ("o'neil@kapuaskab.go.id", "o'neil@kapuaskab.go.id", ""),
        ('"ani,spy"@evil.example', "", '"ani,spy"@evil.example'),
        ("", "", ""),
        (LIST, "", LIST),
        ("script", "", "script"),
        (HEADER_BREAK, "", "ani@kapuaskab.go.id\\x0d\\x0aBcc: spy@evil.example"),
        ("Ani <ani@kapuaskab.go.id>", "", "Ani <ani@kapuaskab.go.id>"),
        ("ani@kapuas go.id", "", "ani@kapuas go.id"),
        ("a@b@kapuaskab.go.id", "", "a@b@kapuaskab.go.id"),
    ],
)
def test_an_address_is_one_plain_address_or_it_is_set_aside(sent, kept, rejected):
    assert split_email(sent) == (kept, rejected)


def siasn_export(tmp_path, changes: dict[str, dict]) -> Path:
    """SIASN's export of the sample data, with some cells changed as a careless operator would."""
    with open(FIXTURES / "siasn-export-data-asn.csv", newline="") as source:
        rows = list(csv.DictReader(source))
    for row in rows:
        row.update(changes.get(row["nip_baru"], {}))
    path = tmp_path / "siasn.csv"
    with open(path, "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_siasn_export_with_bad_addresses_is_imported_and_only_the_addresses_kept_out(tmp_path):
    import_file(FIXTURES / "laporan-skp-2025.xlsx", triggered_by="test")
    gusti, pangaribuan = "197412182000072204", "198611072010012378"
    formula = '=HYPERLINK("http://evil.example","klik")'
    path = siasn_export(
        tmp_path,
        {
            gusti: {"email": LIST, "email_gov": "null", "nomor_hp": "081234567890"},
            pangaribuan: {"email": "script", "nama": formula, "gelar_belakang": ""},
        },
    )
    result = import_file(path, triggered_by="test")
    assert result.run.updated > 100  # the file was imported, these two rows too

    first, second = Asn.objects.get(nip=gusti), Asn.objects.get(nip=pangaribuan)
    assert (first.email, first.email_rejected, first.phone) == ("", LIST, "081234567890")
    assert (second.email, second.email_rejected) == ("", "script")
    assert second.nama == formula  # stored as it came; exports escape it
    notes = " ".join(result.run.notes)
    assert f"NIP {gusti}: email di SIASN tidak dipakai ({LIST}); perbaiki di SIASN." in notes
    # The OPD dashboards count them among the ASN with no working email.
    assert no_working_email(first.opd_id) >= 1
    assert Asn.objects.exclude(email_rejected="").count() == 2

    # Once SIASN holds a good address, it is used and the refusal forgotten.
    fixed = siasn_export(tmp_path, {gusti: {"email": "gusti.n@kapuaskab.go.id"}})
    import_file(fixed, triggered_by="test")
    first.refresh_from_db()
    assert (first.email, first.email_rejected) == ("gusti.n@kapuaskab.go.id", "")


def test_the_siasn_sync_keeps_a_bad_address_out_and_the_address_the_portal_had(monkeypatch):
    from skp.bkn.simulator import Simulator
    from skp.bkn.sync import sync_siasn
    from tests.skp.test_sync import client_for, siasn_for, sync

    client, simulator = client_for()
    sync(client)
    known, unknown = Asn.objects.order_by("nip")[:2]
    Asn.objects.filter(pk=known.pk).update(email="lama@kapuaskab.go.id")
    real = Simulator.data_utama

    def careless(self, nip):
        row = real(self, nip)
        if nip in (known.nip, unknown.nip):
            row.update(email=HEADER_BREAK, emailGov=None)
        return row

    monkeypatch.setattr(Simulator, "data_utama", careless)
    run = sync_siasn(client=siasn_for(simulator), triggered_by="test")
    assert run.status == "succeeded", run.message
    known.refresh_from_db()
    unknown.refresh_from_db()
    shown = "ani@kapuaskab.go.id\\x0d\\x0aBcc: spy@evil.example"
    assert (known.email, known.email_rejected) == ("lama@kapuaskab.go.id", shown)
    assert (unknown.email, unknown.email_rejected) == ("", shown)
    assert unknown.phone  # the rest of SIASN's row came in
    assert sum(shown in note for note in run.notes) == 2


def test_the_admin_panel_refuses_a_bad_address_and_shows_what_siasn_holds(client):
    admin = bkpsdm_staff()
    asn = AsnFactory(email="", email_rejected=LIST)
    request = RequestFactory().post("/")
    request.user = admin
    model_admin = site._registry[Asn]
    form_class = model_admin.get_form(request, asn, change=True)
    for bad in (LIST, "script", HEADER_BREAK):
        form = form_class(data={**model_to_dict(asn), "email": bad}, instance=asn)
        assert not form.is_valid() and "email" in form.errors
    # A quoted list passes Django's own check, not the portal's.
    quoted = form_class(data={**model_to_dict(asn), "email": '"ani,spy"@evil.example'}, instance=asn)
    assert "Masukkan satu alamat email yang sah" in str(quoted.errors)

    client.force_login(admin)
    page = client.get(f"/admin/opd/asn/{asn.pk}/change/").content.decode()
    assert "a@x, spy@evil.example" in page and "Email dari SIASN yang ditolak:" in page
    listed = client.get("/admin/opd/asn/", {"email_siasn": "refused"}).content.decode()
    assert f"/admin/opd/asn/{asn.pk}/change/" in listed
    assert f"/admin/opd/asn/{admin.asn.pk}/change/" not in listed
