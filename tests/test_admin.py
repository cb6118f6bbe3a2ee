"""The BKPSDM admin panel: every list opens, BKN's fields are read-only, changes are audited."""

import datetime as dt

import pytest
from auditlog.models import LogEntry

from opd.models import User
from skp import rules
from skp.models import MonthlyRecord, Period, Source
from tests.factories import (
    AsnFactory,
    ExemptionFactory,
    PeriodFactory,
    RecordFactory,
    UserFactory,
    asn_user,
)

pytestmark = pytest.mark.django_db

ADMIN_LISTS = [
    "/admin/opd/opd/",
    "/admin/opd/unit/",
    "/admin/opd/asn/",
    "/admin/opd/user/",
    "/admin/skp/period/",
    "/admin/skp/exemption/",
    "/admin/skp/monthlyrecord/",
    "/admin/skp/annualskp/",
    "/admin/auditlog/logentry/",
    "/admin/skp/syncrun/",
    "/admin/reminders/reminderrule/",
    "/admin/reminders/message/",
    "/admin/reminders/occasion/",
    "/admin/reminders/unsubscription/",
    "/admin/tpp/ruleset/",
    "/admin/tpp/finalisation/",
    "/admin/reports/annualrecapupload/",
    "/admin/reports/reportjob/",
    "/admin/helpdesk/ticket/",
    "/admin/helpdesk/holiday/",
]


@pytest.mark.parametrize("url", ADMIN_LISTS)
def test_admin_bkpsdm_opens_every_list_by_role(bkpsdm_client, url):
    RecordFactory(rated=True)
    response = bkpsdm_client.get(url)
    assert response.status_code == 200


def test_the_admin_panel_speaks_indonesian(bkpsdm_client):
    page = bkpsdm_client.get("/admin/").content.decode()
    assert "Administrasi BKPSDM" in page
    assert "Laporan bulanan" in page


def test_search_by_nip_finds_the_asn(bkpsdm_client):
    wanted, other = AsnFactory(nama="Siti Dicari"), AsnFactory(nama="Budi Lain")
    page = bkpsdm_client.get("/admin/opd/asn/", {"q": wanted.nip}).content.decode()
    assert "Siti Dicari" in page
    assert "Budi Lain" not in page
    assert other.nip not in page


def test_other_roles_cannot_enter_the_admin_panel(client):
    user = UserFactory(username="bupati", role=User.Role.PIMPINAN)
    client.force_login(user)
    assert client.get("/admin/skp/period/").status_code == 302


def test_a_deadline_override_is_audited_with_before_and_after(bkpsdm_client):
    period = PeriodFactory(year=2025, month=3)
    response = bkpsdm_client.post(
        f"/admin/skp/period/{period.pk}/change/",
        {"deadline_override_0": "22/04/2025", "deadline_override_1": "23:59:59", "override_reason": "Libur Idulfitri"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    period.refresh_from_db()
    assert period.deadline == dt.datetime(2025, 4, 22, 23, 59, 59, tzinfo=rules.WIB)
    entry = LogEntry.objects.get_for_object(period).get(action=LogEntry.Action.UPDATE)
    assert entry.actor.role == "admin_bkpsdm"
    assert entry.changes_dict["override_reason"] == ["", "Libur Idulfitri"]
    assert entry.changes_dict["deadline_override"][0] == "None"


def test_an_override_without_a_reason_is_refused_in_indonesian(bkpsdm_client):
    period = PeriodFactory(year=2025, month=3)
    response = bkpsdm_client.post(
        f"/admin/skp/period/{period.pk}/change/",
        {"deadline_override_0": "22/04/2025", "deadline_override_1": "23:59:59", "override_reason": ""},
    )
    assert response.status_code == 200
    assert "membutuhkan alasan" in response.content.decode()
    period.refresh_from_db()
    assert period.deadline_override is None


def test_an_exemption_added_by_hand_records_who_and_is_audited(bkpsdm_client):
    asn = AsnFactory()
    response = bkpsdm_client.post(
        "/admin/skp/exemption/add/",
        {"asn": asn.pk, "kind": "tugas_belajar", "start": "01/03/2025", "end": "", "note": "SK Bupati"},
    )
    assert response.status_code == 302
    exemption = asn.exemptions.get()
    assert exemption.created_by.role == "admin_bkpsdm"
    assert LogEntry.objects.get_for_object(exemption).filter(action=LogEntry.Action.CREATE).exists()


def test_an_exemption_ending_before_it_starts_is_refused(bkpsdm_client):
    asn = AsnFactory()
    response = bkpsdm_client.post(
        "/admin/skp/exemption/add/",
        {"asn": asn.pk, "kind": "cuti_besar", "start": "01/03/2025", "end": "01/02/2025"},
    )
    assert response.status_code == 200
    assert "tidak boleh sebelum" in response.content.decode()
    assert not asn.exemptions.exists()


def test_fields_from_bkn_are_read_only_on_a_synced_record(bkpsdm_client):
    record = RecordFactory(rated=True, source=Source.EKINERJA)
    page = bkpsdm_client.get(f"/admin/skp/monthlyrecord/{record.pk}/change/").content.decode()
    assert 'name="rated_at_0"' not in page
    assert 'name="rating_hasil"' not in page


def test_a_record_edited_by_hand_is_flagged_and_audited(bkpsdm_client):
    record = RecordFactory(source=Source.DEMO, asn__jabatan="Guru Ahli Muda")
    data = {
        "asn": record.asn_id,
        "period": record.period_id,
        "opd": record.opd_id,
        "unit": record.unit_id,
        "stage": "rated",
        "rated_at_0": "10/04/2025",
        "rated_at_1": "09:00:00",
        "rating_hasil": "1",
        "rating_perilaku": "2",
        "predikat_bkn": "",
    }
    response = bkpsdm_client.post(f"/admin/skp/monthlyrecord/{record.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    record = MonthlyRecord.objects.select_related("asn").get(pk=record.pk)
    assert record.edited_by_hand
    assert record.manual_teacher_entry
    assert record.predikat == "baik"
    entry = LogEntry.objects.get_for_object(record).get(action=LogEntry.Action.UPDATE)
    assert entry.changes_dict["stage"] == ["not_started", "rated"]


def test_role_changes_are_audited(bkpsdm_client):
    user = asn_user(AsnFactory())
    user.role = User.Role.OPERATOR_OPD
    user.opd = user.asn.opd
    user.save()
    entry = LogEntry.objects.get_for_object(user).latest("timestamp")
    assert entry.changes_dict["role"] == ["asn", "operator_opd"]


def test_the_audit_trail_cannot_be_edited_in_the_admin(bkpsdm_client):
    ExemptionFactory()
    entry = LogEntry.objects.first()
    assert entry is not None
    assert bkpsdm_client.get(f"/admin/auditlog/logentry/{entry.pk}/delete/").status_code == 403
    page = bkpsdm_client.get(f"/admin/auditlog/logentry/{entry.pk}/change/").content.decode()
    assert 'name="_save"' not in page and 'name="_continue"' not in page


def test_new_periods_get_their_deadline_from_the_rules(bkpsdm_client):
    response = bkpsdm_client.post("/admin/skp/period/add/", {"year": "2025", "month": "12", "override_reason": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    period = Period.objects.get(year=2025, month=12)
    assert period.deadline == dt.datetime(2026, 1, 15, 23, 59, 59, tzinfo=rules.WIB)


@pytest.mark.parametrize(
    ("nip", "kind", "message"),
    [
        ("19870815201001100", "pns", "terdiri dari 17 digit"),
        ("198702302010011001", "pns", "bukan tanggal lahir yang sah"),
        ("198708152010131001", "pns", "bulan TMT CPNS"),
        ("1.98708E+17", "pns", "tersimpan sebagai angka"),
    ],
)
def test_an_asn_with_a_bad_nip_is_refused_naming_what_is_wrong(bkpsdm_client, nip, kind, message):
    from opd.models import Asn, Opd

    opd = Opd.objects.create(kode="DLH", nama="Dinas Lingkungan Hidup", kind="dinas")
    before = Asn.objects.count()
    response = bkpsdm_client.post(
        "/admin/opd/asn/add/", {"nip": nip, "nama": "Pegawai Baru", "kind": kind, "opd": opd.pk, "is_active": "on"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Asn.objects.count() == before


def test_a_pppk_number_with_a_counter_above_12_is_accepted(bkpsdm_client):
    from opd.models import Asn, Opd

    opd = Opd.objects.create(kode="DLH", nama="Dinas Lingkungan Hidup", kind="dinas")
    response = bkpsdm_client.post(
        "/admin/opd/asn/add/",
        {"nip": "199001012022452001", "nama": "Pegawai PPPK", "kind": "pppk", "opd": opd.pk, "is_active": "on"},
    )
    assert response.status_code == 302
    assert Asn.objects.filter(nip="199001012022452001", kind="pppk").exists()
