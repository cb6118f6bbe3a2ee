from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError

from opd.models import User
from tests.factories import AsnFactory, OpdFactory

pytestmark = pytest.mark.django_db


def grant(*args):
    out = StringIO()
    call_command("grant_role", *args, stdout=out)
    return out.getvalue()


def test_first_admin_gets_a_login_that_works(client):
    asn = AsnFactory()
    output = grant("--nip", asn.nip, "--role", "admin_bkpsdm", "--password", "sandi-kuat-2025")
    assert "Created login" in output
    user = User.objects.get(username=asn.nip)
    assert (user.role, user.is_staff, user.asn) == ("admin_bkpsdm", True, asn)
    assert client.post("/masuk/", {"username": asn.nip, "password": "sandi-kuat-2025"}).status_code == 302
    assert client.get("/admin/skp/period/").status_code == 200


def test_kepala_opd_needs_an_existing_opd():
    asn = AsnFactory()
    with pytest.raises(CommandError, match="needs --opd"):
        grant("--nip", asn.nip, "--role", "kepala_opd")
    with pytest.raises(CommandError, match="unknown OPD"):
        grant("--nip", asn.nip, "--role", "kepala_opd", "--opd", "NOPE")
    assert not User.objects.exists()


def test_changing_a_role_keeps_the_password_and_is_audited():
    opd = OpdFactory(kode="DLH")
    asn = AsnFactory(opd=opd)
    grant("--nip", asn.nip, "--role", "asn", "--password", "sandi-kuat-2025")
    grant("--nip", asn.nip, "--role", "kepala_opd", "--opd", "dlh")
    user = User.objects.get(username=asn.nip)
    assert (user.role, user.opd, user.check_password("sandi-kuat-2025")) == ("kepala_opd", opd, True)
    changes = [entry.changes_dict.get("role") for entry in LogEntry.objects.get_for_object(user)]
    assert ["asn", "kepala_opd"] in changes


@pytest.mark.parametrize(
    ("nip", "message"),
    [("123", "18"), ("198702302010011001", "birth date"), ("198708152010011001", "no ASN")],
)
def test_bad_or_unknown_nip_is_refused(nip, message):
    from django.utils import translation

    with translation.override("en"), pytest.raises(CommandError, match=message) as error:
        grant("--nip", nip, "--role", "asn")
    assert error.value.returncode == 2
    assert not User.objects.exists()
