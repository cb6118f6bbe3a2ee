import datetime as dt

import pytest

from opd.models import User
from skp.models import SyncRun
from tests.factories import AsnFactory, OpdFactory, UserFactory, asn_user
from tests.reminders.conftest import smtp  # noqa: F401  (a real SMTP server on loopback)


@pytest.fixture
def admins(db):
    """BKPSDM's admins who can be written to (an ASN's address, a login's own), and some who cannot or need not."""
    bkpsdm = OpdFactory(kode="BKPSDM", nama="Badan Kepegawaian dan Pengembangan SDM")
    sari = asn_user(AsnFactory(opd=bkpsdm, nama="Sari Admin", email="sari@kapuaskab.go.id"), User.Role.ADMIN_BKPSDM)
    tim = UserFactory(username="tim-bkpsdm", role=User.Role.ADMIN_BKPSDM, email="tim.bkpsdm@kapuaskab.go.id")
    asn_user(AsnFactory(opd=bkpsdm, email=""), User.Role.ADMIN_BKPSDM)  # no address: nobody to write to
    UserFactory(username="bupati", role=User.Role.PIMPINAN, email="bupati@kapuaskab.go.id")  # not an admin
    asn_user(AsnFactory(opd=bkpsdm, email="staf@kapuaskab.go.id"))  # a plain ASN of BKPSDM
    return {"sari@kapuaskab.go.id": sari, "tim.bkpsdm@kapuaskab.go.id": tim}


def add_run(source, status, at, *, period="2026-10", opd="", message=""):
    """A sync run as the sync leaves it: started at `at`, finished a minute later unless still running."""
    run = SyncRun.objects.create(source=source, period_key=period, opd_kode=opd, triggered_by="celery beat")
    finished = None if status == SyncRun.Status.RUNNING else at + dt.timedelta(minutes=1)
    SyncRun.objects.filter(pk=run.pk).update(status=status, started_at=at, finished_at=finished, message=message)
    run.refresh_from_db()
    return run
