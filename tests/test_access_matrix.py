"""Every URL of the portal, as each role, against DESIGN.md's contract: 200, 302 (a login for the
anonymous, or a form's redirect), 403 for a page the role never opens, 404 for anything out of
scope. The URL list comes from the URL configuration: a new page without a row here fails."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver

from helpdesk.models import Attachment, Ticket
from opd.models import User
from reports.models import AnnualRecapUpload, ReportJob
from skp import rules
from skp.models import Period
from skp.rollup import rollup_refresh
from tests.factories import AsnFactory, OpdFactory, PeriodFactory, RecordFactory, UnitFactory, UserFactory, asn_user

ROLES = ("anon", "asn", "atasan", "operator", "kepala", "kepala_other", "pimpinan", "keuangan", "bkpsdm")
L = "login"  # a 302 to the login page

# name: [(method, url, data, headers, expected per role in ROLES order)]
# In the URLs: {own} is the OPD of the staff below (DINKES), {other} another OPD (DISDIK).
MATRIX = {
    "home": [("get", "/", None, {}, (L, 302, 302, 302, 302, 302, 302, 302, 302))],
    "login": [("get", "/masuk/", None, {}, (200, 302, 302, 302, 302, 302, 302, 302, 302))],
    "logout": [("post", "/keluar/", {}, {}, (302,) * 9)],
    "password_reset": [("get", "/kata-sandi/lupa/", None, {}, (200,) * 9)],
    "password_reset_done": [("get", "/kata-sandi/lupa/terkirim/", None, {}, (200,) * 9)],
    "password_reset_confirm": [("get", "/kata-sandi/atur/MQ/bukan-token/", None, {}, (200,) * 9)],
    "password_reset_complete": [("get", "/kata-sandi/atur/selesai/", None, {}, (200,) * 9)],
    "privacy": [("get", "/privasi/", None, {}, (200,) * 9)],
    "health": [("get", "/sehat/", None, {}, (200,) * 9)],
    "operations": [("get", "/operasi/", None, {}, (L, 403, 403, 403, 403, 403, 403, 403, 200))],
    "faq": [("get", "/bantuan/tanya-jawab/", None, {}, (200,) * 9)],
    # The regency's emblem is public (the login page shows it); none is uploaded here.
    "emblem": [("get", "/lambang/", None, {}, (404,) * 9)],
    "activation_request": [("get", "/aktivasi/", None, {}, (200,) * 9)],
    "activate": [("get", "/aktivasi/bukan-token/", None, {}, (400,) * 9)],
    "unsubscribe": [("get", "/berhenti/bukan-token/", None, {}, (400,) * 9)],
    "kabupaten": [("get", "/kabupaten/", None, {}, (L, 403, 403, 403, 403, 403, 200, 403, 200))],
    "opd_detail": [
        ("get", "/opd/{own}/", None, {}, (L, 403, 403, 200, 200, 404, 200, 403, 200)),
        (
            "get",
            "/opd/{own}/?status=overdue",
            None,
            {"HX-Request": "true"},
            (L, 403, 403, 200, 200, 404, 200, 403, 200),
        ),
        ("get", "/opd/{other}/", None, {}, (L, 403, 403, 404, 404, 200, 200, 403, 200)),
    ],
    "opd_units": [("get", "/opd/{own}/unit/", None, {}, (L, 403, 403, 200, 200, 404, 200, 403, 200))],
    "staff": [
        ("get", "/staf/", None, {}, (L, 403, 200, 403, 403, 403, 403, 403, 403)),
        ("get", "/staf/?status=overdue", None, {"HX-Request": "true"}, (L, 403, 200, 403, 403, 403, 403, 403, 403)),
    ],
    "asn_detail": [
        # The finance office reads TPP bases, not ASN pages.
        ("get", "/asn/{staff_nip}/", None, {}, (L, 200, 200, 200, 200, 404, 200, 404, 200)),
        ("get", "/asn/{other_nip}/", None, {}, (L, 404, 404, 404, 404, 200, 200, 404, 200)),
    ],
    "nudge_overdue": [
        # The confirmation page (who will get a message), then the confirmed POST that sends.
        ("get", "/opd/{own}/ingatkan/?periode={period}", None, {}, (L, 403, 403, 200, 200, 404, 403, 403, 200)),
        (
            "post",
            "/opd/{own}/ingatkan/",
            {"periode": "{period}", "konfirmasi": "1"},
            {},
            (L, 403, 403, 302, 302, 404, 403, 403, 302),
        ),
    ],
    "nudge_one": [
        (
            "post",
            "/opd/{own}/ingatkan/{staff_nip}/",
            {"periode": "{period}"},
            {},
            (L, 403, 403, 302, 302, 404, 403, 403, 302),
        ),
        (
            "post",
            "/opd/{own}/ingatkan/{other_nip}/",
            {"periode": "{period}"},
            {},
            (L, 403, 403, 404, 404, 404, 403, 403, 404),
        ),
    ],
    # One appraiser, about all their staff of that OPD waiting for their rating.
    "nudge_appraiser": [
        (
            "post",
            "/opd/{own}/ingatkan/penilai/{atasan_nip}/",
            {"periode": "{period}"},
            {},
            (L, 403, 403, 302, 302, 404, 403, 403, 302),
        ),
        (
            "post",
            "/opd/{own}/ingatkan/penilai/{other_nip}/",
            {"periode": "{period}"},
            {},
            (L, 403, 403, 404, 404, 404, 403, 403, 404),
        ),
    ],
    "nudge_staff": [
        (
            "post",
            "/staf/ingatkan/{staff_nip}/",
            {"periode": "{period}"},
            {},
            (L, 403, 302, 403, 403, 403, 403, 403, 403),
        ),
        (
            "post",
            "/staf/ingatkan/{other_nip}/",
            {"periode": "{period}"},
            {},
            (L, 403, 404, 403, 403, 403, 403, 403, 403),
        ),
    ],
    "preferences": [("get", "/akun/notifikasi/", None, {}, (L, 200, 200, 200, 200, 200, 403, 403, 200))],
    "regency_tpp": [("get", "/tpp/", None, {}, (L, 403, 403, 403, 403, 403, 200, 200, 200))],
    "opd_tpp": [
        ("get", "/opd/{own}/tpp/", None, {}, (L, 403, 403, 200, 200, 404, 200, 200, 200)),
        ("get", "/opd/{other}/tpp/", None, {}, (L, 403, 403, 404, 404, 200, 200, 200, 200)),
    ],
    # The finance office is sent back to the page while a basis is not final.
    "opd_tpp_xlsx": [("get", "/opd/{own}/tpp.xlsx", None, {}, (L, 403, 403, 200, 200, 404, 200, 302, 200))],
    "tpp_finalise": [
        ("post", "/opd/{own}/tpp/finalisasi/", {"periode": "{period}"}, {}, (L, 403, 403, 403, 403, 403, 403, 403, 302))
    ],
    "tpp_reopen": [
        (
            "post",
            "/opd/{own}/tpp/buka/",
            {"periode": "{period}", "alasan": "x"},
            {},
            (L, 403, 403, 403, 403, 403, 403, 403, 302),
        )
    ],
    "opd_recap_xlsx": [("get", "/opd/{own}/rekap.xlsx", None, {}, (L, 403, 403, 200, 200, 404, 200, 403, 200))],
    "regency_recap_xlsx": [("get", "/kabupaten/rekap.xlsx", None, {}, (L, 403, 403, 403, 403, 403, 200, 403, 200))],
    "report_start": [
        (
            "post",
            "/laporan/",
            {"jenis": "opd_recap", "opd": "{own}", "periode": "{period}"},
            {},
            (L, 403, 403, 302, 302, 404, 302, 403, 302),
        ),
        (
            "post",
            "/laporan/",
            {"jenis": "regency_recap", "periode": "{period}"},
            {},
            (L, 403, 403, 403, 403, 403, 302, 403, 302),
        ),
    ],
    "report_status": [("get", "/laporan/{job}/", None, {}, (L, 404, 404, 404, 200, 404, 404, 404, 404))],
    "report_download": [("get", "/laporan/{job}/unduh/", None, {}, (L, 404, 404, 404, 200, 404, 404, 404, 404))],
    "opd_annual": [("get", "/opd/{own}/skp-tahunan/", None, {}, (L, 403, 403, 200, 200, 404, 200, 403, 200))],
    # No file sent: the page again (400), the refusal beside its field.
    "annual_upload": [
        ("post", "/opd/{own}/skp-tahunan/unggah/", {"tahun": "2025"}, {}, (L, 403, 403, 400, 400, 404, 403, 403, 400))
    ],
    "document_download": [
        ("get", "/dokumen/{upload_own}/", None, {}, (L, 404, 404, 200, 200, 404, 200, 404, 200)),
        ("get", "/dokumen/{upload_other}/", None, {}, (L, 404, 404, 404, 404, 200, 200, 404, 200)),
    ],
    "document_review": [
        (
            "post",
            "/dokumen/{upload_own}/periksa/",
            {"keputusan": "terima"},
            {},
            (L, 404, 404, 403, 403, 404, 403, 404, 302),
        )
    ],
    "annual_overview": [("get", "/skp-tahunan/", None, {}, (L, 403, 403, 403, 403, 403, 200, 403, 200))],
    "ticket_list": [("get", "/bantuan/", None, {}, (L, 200, 200, 200, 200, 200, 200, 200, 200))],
    "ticket_new": [("get", "/bantuan/baru/", None, {}, (L, 200, 200, 200, 200, 200, 200, 200, 200))],
    "ticket_detail": [
        ("get", "/bantuan/{ticket_own}/", None, {}, (L, 200, 404, 200, 200, 404, 404, 404, 200)),
        ("get", "/bantuan/{ticket_other}/", None, {}, (L, 404, 404, 404, 404, 200, 404, 404, 200)),
    ],
    "ticket_reply": [
        ("post", "/bantuan/{ticket_own}/balas/", {"text": "x"}, {}, (L, 302, 404, 302, 302, 404, 404, 404, 302))
    ],
    "ticket_update": [
        ("post", "/bantuan/{ticket_own}/ubah/", {"status": "diproses"}, {}, (L, 403, 404, 403, 403, 404, 404, 404, 302))
    ],
    "attachment_download": [
        ("get", "/bantuan/lampiran/{attachment}/", None, {}, (L, 200, 404, 200, 200, 404, 404, 404, 200))
    ],
}


def portal_url_names() -> set[str]:
    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if not str(pattern.pattern).startswith("admin/"):  # the admin has its own permissions
                    yield from walk(pattern.url_patterns)
            else:
                yield pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_url_of_the_portal_is_in_the_matrix():
    assert portal_url_names() == set(MATRIX)


@pytest.fixture
def world(db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return build_matrix_world()


def build_matrix_world() -> tuple[dict, dict]:
    """The users of ROLES and the values of the URLs' {placeholders}; the browser's axe-core test
    (tests/browser/test_accessibility.py) opens the same pages on the same world."""
    year, month = rules.previous_period(dt.date.today())
    period = PeriodFactory(year=year, month=month)
    dinkes, disdik = OpdFactory(kode="DINKES"), OpdFactory(kode="DISDIK")
    bkpsdm = OpdFactory(kode="BKPSDM")
    unit = UnitFactory(opd=dinkes)
    atasan = AsnFactory(opd=dinkes, unit=unit)
    staff = AsnFactory(opd=dinkes, unit=unit, atasan=atasan)
    other = AsnFactory(opd=disdik)
    for asn in (atasan, staff, other):
        RecordFactory(asn=asn, period=period)
    # Filed and waiting for the appraiser's rating.
    RecordFactory(asn=AsnFactory(opd=dinkes, unit=unit, atasan=atasan), period=period, stage=rules.SUBMITTED)
    rollup_refresh()
    users = {
        "asn": asn_user(staff),
        "atasan": asn_user(atasan),
        "operator": asn_user(AsnFactory(opd=dinkes, unit=None), User.Role.OPERATOR_OPD, dinkes),
        "kepala": asn_user(AsnFactory(opd=dinkes, unit=None), User.Role.KEPALA_OPD, dinkes),
        "kepala_other": asn_user(AsnFactory(opd=disdik, unit=None), User.Role.KEPALA_OPD, disdik),
        "pimpinan": UserFactory(username="bupati", role=User.Role.PIMPINAN),
        "keuangan": UserFactory(username="bkad", role=User.Role.KEUANGAN),
        "bkpsdm": asn_user(AsnFactory(opd=bkpsdm, unit=None), User.Role.ADMIN_BKPSDM),
    }
    job = ReportJob.objects.create(
        kind="opd_recap", period=period, opd=dinkes, requested_by=users["kepala"], status="done"
    )
    job.file.save("rekap.pdf", ContentFile(b"%PDF-1.4 rekap"))
    uploads = {}
    for opd in (dinkes, disdik):
        upload = AnnualRecapUpload(
            opd=opd, year=2025, version=1, original_name="a.pdf", size=9, sha256="0" * 64, uploaded_by=users["bkpsdm"]
        )
        upload.file.save("a.pdf", ContentFile(b"%PDF-1.4 a"), save=False)
        upload.save()
        uploads[opd.kode] = upload
    ticket_own = Ticket.objects.create(
        reporter=users["asn"], category="login", subject="s", description="d", asn=staff, opd=dinkes
    )
    ticket_other = Ticket.objects.create(
        reporter=users["kepala_other"], category="login", subject="s", description="d", opd=disdik
    )
    attachment = Attachment(
        ticket=ticket_own, original_name="a.png", content_type="image/png", size=4, uploaded_by=users["asn"]
    )
    attachment.file.save("a.png", ContentFile(b"\x89PNG"), save=False)
    attachment.save()
    values = {
        "own": "DINKES",
        "other": "DISDIK",
        "period": Period.objects.get(pk=period.pk).key,
        "staff_nip": staff.nip,
        "atasan_nip": atasan.nip,
        "other_nip": other.nip,
        "job": job.pk,
        "upload_own": uploads["DINKES"].pk,
        "upload_other": uploads["DISDIK"].pk,
        "ticket_own": ticket_own.pk,
        "ticket_other": ticket_other.pk,
        "attachment": attachment.pk,
    }
    return users, values


CASES = [(name, index, role) for name, cases in MATRIX.items() for index in range(len(cases)) for role in ROLES]


@pytest.mark.parametrize("name, index, role", CASES, ids=[f"{n}-{i}-{r}" for n, i, r in CASES])
def test_each_url_answers_each_role_as_the_contract_says(client, world, name, index, role):
    users, values = world
    method, url, data, headers, expected = MATRIX[name][index]
    if role != "anon":
        client.force_login(users[role])
    asked = [values[key] for key in ("staff_nip", "atasan_nip", "other_nip") if "{" + key + "}" in url]
    url = url.format(**values)
    data = {key: value.format(**values) for key, value in (data or {}).items()}
    response = (
        getattr(client, method)(url, data, headers=headers) if method == "post" else client.get(url, headers=headers)
    )
    want = expected[ROLES.index(role)]
    if want == L and headers.get("HX-Request"):
        # An HTMX request reloads the whole window at the login page (never the form in a table row).
        assert response.status_code == 200 and response["HX-Redirect"].startswith("/masuk/"), (url, role)
    elif want == L:
        assert response.status_code == 302 and response["Location"].startswith("/masuk/"), (url, role)
    else:
        assert response.status_code == want, (url, role, response.status_code)
        if want == 404:
            # Out of scope reveals nothing: the NIP asked for is nowhere on the page.
            body = b"".join(response.streaming_content) if response.streaming else response.content
            own = users[role].asn.nip if role != "anon" and users[role].asn_id else None
            for nip in asked:
                assert nip == own or nip.encode() not in body
