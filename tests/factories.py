import datetime as dt

import factory

from opd.models import Asn, Opd, Unit, User
from skp import rules
from skp.models import Exemption, MonthlyRecord, Period, Source


def valid_nip(n: int) -> str:
    """A distinct valid PNS NIP for each n (birth date and sequence vary)."""
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=n % 9000)
    return f"{birth:%Y%m%d}{birth.year + 25}{(n % 12) + 1:02d}{1 + n % 2}{n % 999 + 1:03d}"


class OpdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opd
        django_get_or_create = ("kode",)

    kode = factory.Sequence(lambda n: f"OPD{n}")
    nama = factory.LazyAttribute(lambda o: f"Dinas {o.kode}")
    kind = Opd.Kind.DINAS


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    opd = factory.SubFactory(OpdFactory)
    nama = factory.Sequence(lambda n: f"Bidang {n}")


class AsnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asn

    nip = factory.Sequence(valid_nip)
    nama = factory.Sequence(lambda n: f"Pegawai {n:04d}")
    jabatan = "Penata Layanan Operasional"
    jenis_jabatan = Asn.JenisJabatan.PELAKSANA
    opd = factory.SubFactory(OpdFactory)
    unit = factory.LazyAttribute(lambda o: UnitFactory(opd=o.opd))
    email = factory.LazyAttribute(lambda o: f"{o.nip}@example.go.id")


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Period
        django_get_or_create = ("kind", "year", "month")

    kind = rules.BULANAN
    year = 2025
    month = 3
    start_date = factory.LazyAttribute(lambda o: rules.cycle_bounds(o.kind, o.year, o.month)[0])
    end_date = factory.LazyAttribute(lambda o: rules.cycle_bounds(o.kind, o.year, o.month)[1])
    deadline_default = factory.LazyAttribute(lambda o: rules.default_deadline(o.year, o.month))


class RecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonthlyRecord

    asn = factory.SubFactory(AsnFactory)
    period = factory.SubFactory(PeriodFactory)
    opd = factory.LazyAttribute(lambda o: o.asn.opd)
    unit = factory.LazyAttribute(lambda o: o.asn.unit)
    atasan = factory.LazyAttribute(lambda o: o.asn.atasan)
    stage = rules.NOT_STARTED
    source = Source.EKINERJA

    class Params:
        rated = factory.Trait(
            stage=rules.RATED,
            rating_hasil=rules.AS_EXPECTED,
            rating_perilaku=rules.AS_EXPECTED,
            rated_at=dt.datetime(2025, 4, 10, 10, 0, tzinfo=rules.WIB),
        )


class ExemptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exemption

    asn = factory.SubFactory(AsnFactory)
    kind = Exemption.Kind.CUTI_BESAR
    start = dt.date(2025, 3, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = User.Role.ASN
    password = factory.PostGenerationMethodCall("set_password", "rahasia-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def asn_user(asn, role=User.Role.ASN, opd=None):
    return UserFactory(username=asn.nip, asn=asn, role=role, opd=opd)


def export_xlsx(
    path, header, rows, title=("LAPORAN PENILAIAN SKP PERIODIK TAHUN 2025", "Periode: Bulanan - Maret 2025")
):
    """A BKN export as e-Kinerja writes it: its title lines, an empty row, the header, then the rows."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for line in title:
        sheet.append([line])
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def bkpsdm_staff(**asn_fields) -> User:
    """A BKPSDM admin who may open the admin panel (an ASN's login, `is_staff`)."""
    admin = asn_user(AsnFactory(**asn_fields), User.Role.ADMIN_BKPSDM)
    admin.is_staff = True
    admin.save()
    return admin


def outbox_message(key: str, *, asn=None, **fields):
    """A nudge waiting in the outbox as an email to the ASN's address; `fields` change any of it."""
    from reminders.models import Kind, Message

    asn = asn or AsnFactory()
    values = {
        "kind": Kind.NUDGE,
        "channel": Message.Channel.EMAIL,
        "address": asn.email,
        "subject": "Pengingat",
        "body_text": "Isi",
        **fields,
    }
    return Message.objects.create(idempotency_key=key, asn=asn, **values)
