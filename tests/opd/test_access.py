"""Who sees what, tested by URL tampering, not by hidden links."""

import datetime as dt

import pytest
import time_machine

from opd.models import User
from skp import rules
from tests.factories import AsnFactory, OpdFactory, PeriodFactory, RecordFactory, UnitFactory, UserFactory, asn_user

pytestmark = pytest.mark.django_db

# 20 April 2025: March 2025 is the period being chased, and it is overdue.
NOW = dt.datetime(2025, 4, 20, 9, 0, tzinfo=rules.WIB)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world():
    dinkes = OpdFactory(kode="DINKES", nama="Dinas Kesehatan")
    dlh = OpdFactory(kode="DLH", nama="Dinas Lingkungan Hidup")
    puskesmas = UnitFactory(opd=dinkes, nama="Puskesmas Selat")
    pustu = UnitFactory(opd=dinkes, nama="Pustu Selat Hilir", parent=puskesmas)
    sekretariat = UnitFactory(opd=dinkes, nama="Sekretariat")
    kepala_puskesmas = AsnFactory(opd=dinkes, unit=puskesmas, nama="Kepala Puskesmas")
    puskesmas.head = kepala_puskesmas
    puskesmas.save()
    nurse = AsnFactory(opd=dinkes, unit=pustu, nama="Perawat Pustu", atasan=kepala_puskesmas)
    clerk = AsnFactory(opd=dinkes, unit=sekretariat, nama="Staf Sekretariat")
    other = AsnFactory(opd=dlh, nama="Staf DLH")
    period = PeriodFactory(year=2025, month=3)
    for asn in (kepala_puskesmas, nurse, clerk, other):
        RecordFactory(asn=asn, period=period)
    return {
        "dinkes": dinkes,
        "dlh": dlh,
        "kepala_puskesmas": kepala_puskesmas,
        "nurse": nurse,
        "clerk": clerk,
        "other": other,
        "kepala_opd": asn_user(AsnFactory(opd=dinkes, unit=None, nama="Kepala Dinas"), User.Role.KEPALA_OPD, dinkes),
    }


def login(client, user):
    client.force_login(user)
    return client


def test_kepala_opd_sees_every_record_of_their_opd(client, world):
    response = login(client, world["kepala_opd"]).get("/opd/DINKES/")
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("Kepala Puskesmas", "Perawat Pustu", "Staf Sekretariat"):
        assert name in page
    assert "Staf DLH" not in page
    assert "Belum dinilai, lewat batas" in page


def test_kepala_opd_gets_404_for_another_opd_and_its_staff(client, world):
    login(client, world["kepala_opd"])
    assert client.get("/opd/DLH/").status_code == 404
    assert client.get(f"/asn/{world['other'].nip}/").status_code == 404
    assert client.get("/opd/NOSUCH/").status_code == 404


def test_an_asn_sees_only_their_own_page(client, world):
    login(client, asn_user(world["clerk"]))
    assert client.get(f"/asn/{world['clerk'].nip}/").status_code == 200
    assert client.get(f"/asn/{world['nurse'].nip}/").status_code == 404


def test_an_asn_sees_why_a_month_is_exempt(client, world):
    from tests.factories import ExemptionFactory

    ExemptionFactory(asn=world["clerk"], kind="tugas_belajar", start=dt.date(2025, 3, 31))
    page = login(client, asn_user(world["clerk"])).get(f"/asn/{world['clerk'].nip}/").content.decode()
    assert "Dikecualikan" in page
    assert "Tugas belajar" in page


def test_an_asn_gets_403_on_pages_their_role_never_opens(client, world):
    login(client, asn_user(world["clerk"]))
    assert client.get("/kabupaten/").status_code == 403
    assert client.get("/opd/DINKES/").status_code == 403


def test_a_unit_head_sees_their_unit_and_the_units_below_it(client, world):
    login(client, asn_user(world["kepala_puskesmas"]))
    page = client.get("/staf/").content.decode()
    assert "Perawat Pustu" in page
    assert "Staf Sekretariat" not in page
    assert client.get(f"/asn/{world['nurse'].nip}/").status_code == 200
    assert client.get(f"/asn/{world['clerk'].nip}/").status_code == 404
    # The OPD dashboard belongs to those who answer for the whole OPD.
    assert client.get("/opd/DINKES/").status_code == 403


def test_an_appraiser_sees_the_asn_they_appraise():
    opd = OpdFactory(kode="DISHUB")
    boss = AsnFactory(opd=opd)
    staff = AsnFactory(opd=opd, atasan=boss)
    stranger = AsnFactory(opd=opd)
    from django.test import Client

    client = login(Client(), asn_user(boss))
    assert client.get(f"/asn/{staff.nip}/").status_code == 200
    assert client.get(f"/asn/{stranger.nip}/").status_code == 404


def test_operator_sees_own_opd_only(client, world):
    operator = asn_user(world["clerk"], User.Role.OPERATOR_OPD, world["dinkes"])
    login(client, operator)
    assert client.get("/opd/DINKES/").status_code == 200
    assert client.get("/opd/DLH/").status_code == 404
    assert client.get("/kabupaten/").status_code == 403


def test_keuangan_reads_tpp_bases_not_dashboards(client, world):
    login(client, UserFactory(username="bkad", role="keuangan"))
    assert client.get("/kabupaten/").status_code == 403
    assert client.get("/opd/DINKES/").status_code == 403
    assert client.get("/")["Location"] == "/tpp/"
    assert "Dasar TPP" in client.get("/tpp/").content.decode()


def test_staff_page_is_for_appraisers_and_unit_heads_only(client, world):
    login(client, asn_user(world["clerk"]))
    assert client.get("/staf/").status_code == 403


@pytest.mark.parametrize("role", ["admin_bkpsdm", "pimpinan"])
def test_regency_roles_see_every_opd(client, world, role):
    login(client, UserFactory(username="bupati", role=role))
    response = client.get("/kabupaten/")
    assert response.status_code == 200
    assert "Dinas Lingkungan Hidup" in response.content.decode()
    assert client.get("/opd/DLH/").status_code == 200


def test_anonymous_visitors_are_sent_to_login(client, world):
    response = client.get("/opd/DINKES/")
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


@pytest.mark.parametrize(
    ("role", "target"),
    [("kepala_opd", "/opd/DINKES/"), ("asn", "/asn/{nip}/"), ("pimpinan", "/kabupaten/"), ("atasan", "/staf/")],
)
def test_home_sends_each_user_to_their_own_page(client, world, role, target):
    if role == "kepala_opd":
        user = world["kepala_opd"]
    elif role == "asn":
        user = asn_user(world["clerk"])
    elif role == "atasan":
        user = asn_user(world["kepala_puskesmas"])
    else:
        user = UserFactory(username="sekda", role=role)
    response = login(client, user).get("/")
    assert response["Location"] == target.format(nip=world["clerk"].nip)


def test_asn_log_in_with_their_nip_even_with_spaces(client, world):
    user = asn_user(world["clerk"])
    nip = user.username
    spaced = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    response = client.post("/masuk/", {"username": spaced, "password": "rahasia-123"})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_htmx_request_gets_only_the_list(client, world):
    login(client, world["kepala_opd"])
    response = client.get("/opd/DINKES/?status=overdue", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="record-list"' in body
    assert "Perawat Pustu" in body
    assert "HX-Request" in response["Vary"]
    restore = client.get(
        "/opd/DINKES/?status=overdue", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.content.decode()


def test_a_bad_period_gets_a_message_in_indonesian(client, world):
    login(client, world["kepala_opd"])
    response = client.get("/opd/DINKES/?periode=2025-13")
    assert response.status_code == 400
    assert "tidak valid" in response.content.decode()


def test_pages_are_indonesian_even_for_an_english_browser(client, world):
    login(client, world["kepala_opd"])
    page = client.get("/opd/DINKES/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert "Belum dinilai, lewat batas" in page
    assert "Overdue" not in page


def test_dates_are_written_in_full_indonesian(client, world):
    login(client, world["kepala_opd"])
    page = client.get("/opd/DINKES/?periode=2025-03").content.decode()
    assert "15 April 2025" in page


def test_the_opd_page_costs_the_same_queries_for_more_staff(client, world, django_assert_num_queries):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, world["kepala_opd"])
    client.get("/opd/DINKES/")  # warm the session
    cache.clear()  # the dashboard's parts built, as after the records below change its data version
    with CaptureQueriesContext(connection) as few:
        client.get("/opd/DINKES/")
    RecordFactory.create_batch(30, period=PeriodFactory(year=2025, month=3), asn__opd=world["dinkes"])
    cache.clear()  # cold again, as for the first count
    with django_assert_num_queries(len(few.captured_queries)):
        assert "Pegawai" in client.get("/opd/DINKES/").content.decode()
