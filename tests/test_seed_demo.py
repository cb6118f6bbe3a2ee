import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opd.models import Asn, Opd, Unit, User
from skp import rules
from skp.models import Exemption, MonthlyRecord

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_demo", "--asn", "400", "--year", "2025", *args, stdout=out)
    return out.getvalue()


def snapshot():
    return (
        sorted(Asn.objects.values_list("nip", "nama", "jabatan", "opd__kode", "unit__nama", "atasan__nip")),
        sorted(MonthlyRecord.objects.values_list("asn__nip", "period__month", "stage", "rated_at", "rating_hasil")),
        sorted(Exemption.objects.values_list("asn__nip", "kind", "start", "end")),
    )


def test_demo_has_every_opd_with_units_and_staff():
    output = seed()
    assert Opd.objects.count() == 46
    assert Unit.objects.filter(opd__kode="DISDIK", nama__startswith="SD Negeri").exists()
    assert Unit.objects.filter(opd__kode="DINKES", nama__startswith="Puskesmas").exists()
    assert Unit.objects.filter(opd__kode="KEC-SELAT", nama__startswith="Kelurahan").exists()
    disdik = Asn.objects.filter(opd__kode="DISDIK")
    assert disdik.filter(is_guru=True).count() > disdik.count() * 0.7
    assert Asn.objects.filter(kind="pppk").exists()
    assert not Asn.objects.filter(atasan__isnull=True).exclude(opd__kode="SETDA").exclude(unit__isnull=True).exists()
    assert "kinerja-demo" in output
    assert set(User.objects.values_list("role", flat=True)) == set(User.Role.values)


def test_demo_records_mix_every_status():
    seed()
    out = StringIO()
    call_command("compliance", "--period", "2025-06", "--format", "json", stdout=out)
    summary = json.loads(out.getvalue())["summary"]
    assert summary["on_time"] > summary["late"] > 0
    assert summary["overdue"] > 0
    assert sum(summary.values()) >= 400


def test_running_it_twice_changes_nothing():
    seed()
    before = snapshot()
    output = seed()
    assert "created opd 0, unit 0, asn 0, exemption 0, record 0, annual_skp 0, user 0" in output
    assert snapshot() == before


def test_the_same_seed_gives_the_same_data_again():
    seed("--seed", "7")
    first = snapshot()
    MonthlyRecord.objects.all().delete()
    Exemption.objects.all().delete()
    User.objects.all().delete()
    Opd.objects.update(head=None)
    Unit.objects.update(head=None)
    Asn.objects.update(atasan=None)
    Asn.objects.all().delete()
    seed("--seed", "7")
    assert snapshot() == first


def test_no_rating_is_in_the_future():
    seed()
    assert not MonthlyRecord.objects.filter(rated_at__gt=dt.datetime.now(tz=rules.WIB)).exists()


def test_bad_arguments_are_refused():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--asn", "3")
