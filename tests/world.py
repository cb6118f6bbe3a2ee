"""A small OPD whose October 2026 is chased in November 2026: one person for each case the reminders tell apart."""

import datetime as dt
from types import SimpleNamespace

from opd.models import User
from reminders.models import Kind, Unsubscription
from skp import rules
from skp.models import MonthlyRecord
from skp.rollup import refresh_rollup
from tests.factories import (
    AsnFactory,
    ExemptionFactory,
    OpdFactory,
    PeriodFactory,
    RecordFactory,
    UnitFactory,
    UserFactory,
    asn_user,
)

WIB = rules.WIB
RATED_AT = dt.datetime(2026, 11, 5, 9, 0, tzinfo=WIB)
NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=WIB)  # October is overdue
PAGE = "/opd/DINKES/?periode=2026-10"


def at(day: int, hour: int = 7, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=WIB)


def rate(record: MonthlyRecord, when: dt.datetime = RATED_AT) -> None:
    record.stage = rules.RATED
    record.rated_at = when
    record.rating_hasil = record.rating_perilaku = rules.AS_EXPECTED
    record.save()
    refresh_rollup()


def build_world() -> SimpleNamespace:
    w = SimpleNamespace()
    w.period = PeriodFactory(year=2026, month=10)
    september = PeriodFactory(year=2026, month=9)
    w.opd = OpdFactory(kode="DINKES", nama="Dinas Kesehatan")
    w.unit = UnitFactory(opd=w.opd, nama="Puskesmas Selat")
    w.head = AsnFactory(opd=w.opd, unit=w.unit, nama="Kepala Dinas")
    w.opd.head = w.head
    w.opd.save()
    w.kepala = asn_user(w.head, role=User.Role.KEPALA_OPD, opd=w.opd)
    w.operator_asn = AsnFactory(opd=w.opd, unit=w.unit, nama="Operator Dinkes")
    w.operator = asn_user(w.operator_asn, role=User.Role.OPERATOR_OPD, opd=w.opd)
    w.atasan = AsnFactory(opd=w.opd, unit=w.unit, nama="Kepala Puskesmas")
    staff = dict(opd=w.opd, unit=w.unit, atasan=w.atasan)
    w.lazy = AsnFactory(nama="Ani Belum Mengisi", **staff)
    w.filed = AsnFactory(nama="Budi Sudah Mengisi", **staff)
    w.rated = AsnFactory(nama="Citra Sudah Dinilai", **staff)
    w.exempt = AsnFactory(nama="Dedi Cuti Besar", **staff)
    w.noemail = AsnFactory(nama="Eka Tanpa Email", email="", **staff)
    w.quiet = AsnFactory(nama="Fajar Berhenti Langganan", **staff)
    Unsubscription.objects.create(asn=w.quiet, kind=Kind.ASN_REMINDER)
    ExemptionFactory(asn=w.exempt, start=dt.date(2026, 10, 1))
    bkpsdm = OpdFactory(kode="BKPSDM", nama="BKPSDM")
    w.admin_asn = AsnFactory(opd=bkpsdm, nama="Admin BKPSDM")
    w.admin = asn_user(w.admin_asn, role=User.Role.ADMIN_BKPSDM)
    w.bupati = UserFactory(
        username="bupati", role=User.Role.PIMPINAN, first_name="Bupati Kapuas", email="bupati@kapuaskab.go.id"
    )

    for asn in (w.head, w.operator_asn, w.atasan, w.rated, w.admin_asn):
        RecordFactory(asn=asn, period=w.period, stage=rules.RATED, rated_at=RATED_AT, rating_hasil=2, rating_perilaku=2)
    for asn in (w.lazy, w.noemail, w.quiet):
        RecordFactory(asn=asn, period=w.period)
    w.filed_record = RecordFactory(asn=w.filed, period=w.period, stage=rules.SUBMITTED)
    # September is all done, so only October is chased.
    for asn in (w.head, w.operator_asn, w.atasan, w.lazy, w.filed, w.rated, w.exempt, w.noemail, w.quiet, w.admin_asn):
        RecordFactory(
            asn=asn,
            period=september,
            stage=rules.RATED,
            rated_at=dt.datetime(2026, 10, 3, tzinfo=WIB),
            rating_hasil=2,
            rating_perilaku=2,
        )
    refresh_rollup()
    return w
