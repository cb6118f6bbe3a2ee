"""Accounts at scale: the heads and operators of every OPD from one CSV, each invited to set a password."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from opd.models import User
from tests.factories import AsnFactory, OpdFactory, bkpsdm_staff, valid_nip

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    dinkes = OpdFactory(kode="DINKES", nama="Dinas Kesehatan")
    return {"dinkes": dinkes, "head": AsnFactory(opd=dinkes), "operator": AsnFactory(opd=dinkes)}


def test_the_command_gives_every_role_and_invites_each_login_by_email(people, tmp_path):
    path = tmp_path / "peran.csv"
    path.write_text(
        f"nip;role;opd\n{people['head'].nip};kepala_opd;dinkes\n'{people['operator'].nip};operator_opd;DINKES\n",
        encoding="utf-8",
    )
    call_command("grant_roles", str(path))
    head = User.objects.get(username=people["head"].nip)
    assert (head.role, head.opd.kode, head.has_usable_password()) == ("kepala_opd", "DINKES", False)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([people["head"].email, people["operator"].email])
    invitation = next(m for m in mail.outbox if m.to == [people["head"].email])
    assert invitation.subject == "Akun Kinerja Kapuas Anda sudah siap"
    assert "Kepala OPD Dinas Kesehatan" in invitation.body
    assert "rahasia" not in path.read_text() and "password" not in path.read_text().lower()

    # The link sets the password once.
    link = next(word for word in invitation.body.split() if "/kata-sandi/atur/" in word)
    client = Client()
    form = client.get(link.split("8000", 1)[1], follow=True)
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "Kapuas-2026-aman", "new_password2": "Kapuas-2026-aman"}
    )
    assert done["Location"] == "/kata-sandi/atur/selesai/"
    head.refresh_from_db()
    assert head.check_password("Kapuas-2026-aman")


def test_a_file_with_any_bad_row_changes_nothing(people, tmp_path):
    path = tmp_path / "peran.csv"
    path.write_text(
        "nip,role,opd\n"
        f"{people['head'].nip},kepala_opd,DINKES\n"
        "123,operator_opd,DINKES\n"
        f"{people['operator'].nip},raja,DINKES\n"
        f"{valid_nip(99_999)},operator_opd,DINKES\n"
        f"{people['operator'].nip},operator_opd,TIDAKADA\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as refused:
        call_command("grant_roles", str(path))
    assert refused.value.returncode == 1
    assert not User.objects.exists() and mail.outbox == []
    with pytest.raises(CommandError) as missing:
        call_command("grant_roles", str(tmp_path / "tidak-ada.csv"))
    assert missing.value.returncode == 2


def test_bkpsdm_uploads_the_csv_in_the_admin_panel(people, client):
    admin = bkpsdm_staff()
    client.force_login(admin)
    assert "/admin/opd/user/unggah-peran/" in client.get("/admin/opd/user/").content.decode()
    one_column = SimpleUploadedFile("peran.csv", b"nip\n123\n")
    response = client.post("/admin/opd/user/unggah-peran/", {"berkas": one_column})
    assert response.status_code == 400 and "Baris pertama harus berisi nama kolom" in response.content.decode()
    bad = SimpleUploadedFile("peran.csv", b"nip,role,opd\n123,kepala_opd,DINKES\n")
    response = client.post("/admin/opd/user/unggah-peran/", {"berkas": bad})
    assert response.status_code == 400 and "baris 2" in response.content.decode()
    good = SimpleUploadedFile("peran.csv", f"nip,role,opd\n{people['head'].nip},kepala_opd,DINKES\n".encode())
    response = client.post("/admin/opd/user/unggah-peran/", {"berkas": good})
    assert "1 peran diberikan (1 akun baru); 1 undangan dikirim lewat email." in response.content.decode()
    assert [m.to for m in mail.outbox] == [[people["head"].email]]
