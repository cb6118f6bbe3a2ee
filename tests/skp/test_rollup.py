"""The status rollup stays exact through every write path that exists."""

import datetime as dt
from io import StringIO

import pytest

from skp import rules
from skp.models import StatusRollup
from skp.rollup import refresh_rollup
from skp.summaries import period_summary
from tests.factories import (
    AsnFactory,
    ExemptionFactory,
    OpdFactory,
    PeriodFactory,
    RecordFactory,
    bkpsdm_staff,
)
from tests.rollup_check import assert_rollup_exact

pytestmark = pytest.mark.django_db
WIB = rules.WIB


def assert_exact():
    assert_rollup_exact()
    assert StatusRollup.objects.exists()


@pytest.fixture
def world():
    dinkes, dlh = OpdFactory(kode="DINKES"), OpdFactory(kode="DLH")
    march, april = PeriodFactory(year=2025, month=3), PeriodFactory(year=2025, month=4)
    staff = [AsnFactory(opd=dinkes) for _ in range(4)] + [AsnFactory(opd=dlh, jabatan="Guru Ahli Muda")]
    RecordFactory(asn=staff[0], period=march, rated=True)
    RecordFactory(asn=staff[1], period=march, rated=True, rated_at=dt.datetime(2025, 4, 18, 9, 0, tzinfo=WIB))
    RecordFactory(asn=staff[2], period=april, stage=rules.SUBMITTED)
    refresh_rollup()
    return {"dinkes": dinkes, "dlh": dlh, "march": march, "april": april, "staff": staff}


@pytest.fixture
def bkpsdm(client):
    admin = bkpsdm_staff()
    refresh_rollup()  # the admin's own ASN was made by a factory, not by a write path
    client.force_login(admin)
    return client


def test_the_rollup_counts_what_the_records_say(world):
    assert_exact()
    summary = period_summary(world["march"], now=dt.datetime(2025, 5, 1, tzinfo=WIB), opd_ids={world["dinkes"].pk})
    # 4 DINKES staff plus the admin's own ASN is elsewhere: one on time, one late, two unrated.
    assert summary["all"]["counts"] == {"exempt": 0, "on_time": 1, "late": 1, "overdue": 2, "pending": 0}
    before_deadline = period_summary(
        world["march"], now=dt.datetime(2025, 4, 10, tzinfo=WIB), opd_ids={world["dinkes"].pk}
    )
    assert before_deadline["all"]["counts"]["pending"] == 2


def test_a_deadline_override_in_the_admin_keeps_it_exact(world, bkpsdm):
    response = bkpsdm.post(
        f"/admin/skp/period/{world['march'].pk}/change/",
        {"deadline_override_0": "20/04/2025", "deadline_override_1": "23:59:59", "override_reason": "Libur"},
    )
    assert response.status_code == 302
    assert_exact()
    summary = period_summary(world["march"], now=dt.datetime(2025, 5, 1, tzinfo=WIB), opd_ids={world["dinkes"].pk})
    assert summary["all"]["counts"]["on_time"] == 2


def test_exemptions_added_and_removed_in_the_admin_keep_it_exact(world, bkpsdm):
    asn = world["staff"][3]
    response = bkpsdm.post(
        "/admin/skp/exemption/add/", {"asn": asn.pk, "kind": "cuti_besar", "start": "15/03/2025", "end": "10/04/2025"}
    )
    assert response.status_code == 302
    assert_exact()
    exemption = asn.exemptions.get()
    response = bkpsdm.post(f"/admin/skp/exemption/{exemption.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert_exact()


def test_a_record_edited_in_the_admin_keeps_it_exact(world, bkpsdm):
    record = world["staff"][2].records.get()
    response = bkpsdm.post(
        f"/admin/skp/monthlyrecord/{record.pk}/change/",
        {
            "asn": record.asn_id,
            "period": record.period_id,
            "opd": world["dlh"].pk,
            "stage": "rated",
            "rated_at_0": "10/05/2025",
            "rated_at_1": "09:00:00",
            "rating_hasil": "2",
            "rating_perilaku": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert_exact()


def test_a_transfer_and_a_deactivation_in_the_admin_keep_it_exact(world, bkpsdm):
    asn = world["staff"][3]
    data = {"nip": asn.nip, "nama": asn.nama, "kind": "pns", "opd": world["dlh"].pk, "is_active": "on"}
    assert bkpsdm.post(f"/admin/opd/asn/{asn.pk}/change/", data).status_code == 302
    assert_exact()
    data.pop("is_active")
    assert bkpsdm.post(f"/admin/opd/asn/{asn.pk}/change/", data).status_code == 302
    assert_exact()


def test_seed_demo_leaves_an_exact_rollup():
    from django.core.management import call_command

    call_command("seed_demo", "--asn", "200", "--year", "2025", stdout=StringIO())
    assert StatusRollup.objects.exists()
    assert_exact()


def test_a_period_without_stored_rollup_is_counted_from_its_records(world):
    StatusRollup.objects.all().delete()
    ExemptionFactory(asn=world["staff"][3], start=dt.date(2025, 3, 1))
    summary = period_summary(world["march"], now=dt.datetime(2025, 5, 1, tzinfo=WIB), opd_ids={world["dinkes"].pk})
    assert summary["all"]["counts"] == {"exempt": 1, "on_time": 1, "late": 1, "overdue": 1, "pending": 0}


def test_an_appraiser_override_and_a_population_flag_in_the_admin_keep_it_exact(world, bkpsdm):
    asn, boss = world["staff"][0], world["staff"][1]
    data = {"nip": asn.nip, "nama": asn.nama, "kind": "pns", "opd": asn.opd_id, "atasan": boss.pk, "is_active": "on"}
    assert bkpsdm.post(f"/admin/opd/asn/{asn.pk}/change/", data).status_code == 302
    asn.refresh_from_db()
    assert asn.atasan_source == "manual"
    other = world["staff"][3]
    data = {"nip": other.nip, "nama": other.nama, "kind": "pns", "opd": other.opd_id, "is_active": "on",
            "known_only_as_appraiser": "on"}  # fmt: skip
    assert bkpsdm.post(f"/admin/opd/asn/{other.pk}/change/", data).status_code == 302
    assert_exact()
    summary = period_summary(world["april"], now=dt.datetime(2025, 6, 1, tzinfo=WIB), opd_ids={world["dinkes"].pk})
    assert summary["all"]["total"] == 3  # the one known only as an appraiser no longer counts


def test_asn_deleted_in_the_admin_leave_it_exact_where_their_records_counted(world, bkpsdm):
    """opd's admin only signals (opd/signals.py); skp refreshes the OPD the ASN and their records counted in."""
    moved = AsnFactory(opd=world["dlh"])
    RecordFactory(asn=moved, period=world["march"], opd=world["dinkes"], rated=True)
    refresh_rollup()
    now = dt.datetime(2025, 5, 1, tzinfo=WIB)
    assert period_summary(world["march"], now=now, opd_ids={world["dinkes"].pk})["all"]["counts"]["on_time"] == 2
    response = bkpsdm.post(f"/admin/opd/asn/{moved.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert_exact()
    assert period_summary(world["march"], now=now, opd_ids={world["dinkes"].pk})["all"]["counts"]["on_time"] == 1
    staff = world["staff"][:2]
    response = bkpsdm.post(
        "/admin/opd/asn/", {"action": "delete_selected", "_selected_action": [a.pk for a in staff], "post": "yes"}
    )
    assert response.status_code == 302
    assert_exact()
    assert period_summary(world["march"], now=now, opd_ids={world["dinkes"].pk})["all"]["counts"]["on_time"] == 0
