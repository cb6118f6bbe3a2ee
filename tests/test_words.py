"""Words that cannot be misread: status labels, the appraiser's title, one word for password, one time
format, Indonesian dates in charts and rule tables, no "---------", an Indonesian admin panel and
audit trail, and Indonesian error pages in production."""

import datetime as dt
import re

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.utils import formats
from django.utils.translation import override
from django.views.defaults import server_error

from helpdesk.forms import TicketForm, UpdateForm
from opd.models import User
from skp import rules
from skp.charts import TREND_SERIES, trend_chart
from tests.factories import AsnFactory, PeriodFactory, RecordFactory, asn_user
from tpp.models import RuleSet

WIB = rules.WIB


def test_the_five_statuses_read_as_the_design_revised_them():
    with override("id"):
        labels = {status: str(label) for status, label in rules.STATUS_LABELS.items()}
    assert labels == {
        rules.ON_TIME: "Dinilai tepat waktu",
        rules.LATE: "Dinilai terlambat",
        rules.OVERDUE: "Belum dinilai, lewat batas",
        rules.PENDING: "Belum jatuh tempo",
        rules.EXEMPT: "Dikecualikan",
    }


@pytest.mark.django_db
def test_the_appraiser_is_called_as_e_kinerja_calls_it():
    from opd.models import Asn

    with override("id"):
        assert str(Asn._meta.get_field("atasan").verbose_name) == "Pejabat Penilai Kinerja (atasan)"


def test_times_are_written_10_09_wib():
    moment = dt.datetime(2025, 4, 15, 10, 9, tzinfo=WIB)
    with override("id"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "15 April 2025, 10.09 WIB"
        assert formats.time_format(moment.timetz(), "TIME_FORMAT") == "10.09 WIB"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "15/04/2025 10.09 WIB"


def test_no_template_writes_a_time_with_a_colon():
    from django.conf import settings

    colon = re.compile(r"""\|(date|time):["'][^"']*H:i""")
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (settings.BASE_DIR / "templates").rglob("*.html")
        if colon.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.django_db
def test_chart_months_carry_their_whole_year():
    points = [
        {
            "period": PeriodFactory(year=2025, month=11),
            "all": {"rate": 0.77},
            "non_guru": {"rate": 0.7},
            "guru": {"rate": None},
        },
        {
            "period": PeriodFactory(year=2025, month=12),
            "all": {"rate": 0.8},
            "non_guru": {"rate": 0.8},
            "guru": {"rate": None},
        },
    ]
    with override("id"):
        chart = trend_chart(points, TREND_SERIES)
    assert [label for _, label in chart.x_labels] == ["Nov 2025", "Des 2025"]


@pytest.mark.django_db
def test_a_rule_table_is_named_with_its_date_as_the_regency_writes_it():
    ruleset = RuleSet(effective_from=dt.date(2025, 1, 1), legal_basis="Perbup Kapuas 12/2024")
    with override("id"):
        assert str(ruleset) == "Perbup Kapuas 12/2024, berlaku mulai 1 Januari 2025"


@pytest.mark.django_db
def test_password_is_kata_sandi_in_django_s_own_messages_too():
    with override("id"):
        with pytest.raises(ValidationError) as refused:
            password_validation.validate_password("12345678")
        words = " ".join(refused.value.messages) + " " + " ".join(password_validation.password_validators_help_texts())
    assert "kata sandi" in words.lower()
    assert not re.search(r"(?<!kata )\bsandi\b", words.lower()), words


def test_the_whole_catalogue_says_kata_sandi():
    from tests.test_i18n import entries

    other_words = [
        msgstr for _msgid, msgstr, _flags in entries() if re.search(r"(?<!kata )\bsandi\b|kata kunci", msgstr.lower())
    ]
    assert other_words == []


@pytest.mark.django_db
def test_forms_offer_words_not_dashes_for_nothing_chosen():
    with override("id"):
        html = str(TicketForm()["category"]) + str(UpdateForm()["assignee"])
    assert "---------" not in html
    assert "Pilih kategori" in html and "Belum ada" in html


ENGLISH = re.compile(
    r"\b(Audit log|Resource|Changes|Correlation|Timestamp|Actor|Log entr|No field changes|Created|Updated|"
    r"Deleted|Home|Add |Change |Filter|Search|Select |entries|system|change|[Cc]reated at|[Uu]pdated at)\b"
)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_audit_trail_in_the_admin_panel_speaks_indonesian(bkpsdm_client):
    asn = AsnFactory(nama="Siti Diubah")
    asn.nama = "Siti Sudah Diubah"
    asn.save()  # an entry in the trail
    from auditlog.models import LogEntry

    created, changed = LogEntry.objects.order_by("pk")[:2]
    pages = ["/admin/", "/admin/auditlog/logentry/"]
    pages += [f"/admin/auditlog/logentry/{e.pk}/change/" for e in (created, changed)]
    for url in pages:
        text = visible_text(bkpsdm_client.get(url).content.decode())
        assert not ENGLISH.findall(text), (url, ENGLISH.findall(text))
    text = visible_text(bkpsdm_client.get("/admin/auditlog/logentry/").content.decode())
    assert "Jejak audit" in text and "sistem" in text and "1 perubahan: Nama" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no ISO dates either
    asn_created = LogEntry.objects.filter(content_type__model="asn", action=LogEntry.Action.CREATE).first()
    detail = visible_text(bkpsdm_client.get(f"/admin/auditlog/logentry/{asn_created.pk}/change/").content.decode())
    assert "Dibuat pada" in detail and not re.search(r"\d{4}-\d{2}-\d{2}", detail)
    assert ".None" not in detail  # reverse relations are left out


def test_the_emblem_admin_speaks_indonesian(bkpsdm_client):
    text = visible_text(bkpsdm_client.get("/admin/identity/emblem/add/").content.decode())
    assert "Gambar" in text and "PNG atau JPEG" in text
    assert not ENGLISH.findall(text), ENGLISH.findall(text)


# --- error pages in production (DEBUG off, as in these tests) ----------------------------------------


def test_the_500_page_is_indonesian_and_reads_no_database():
    # No database mark: a query here would raise, so the page cannot depend on a database that may be down.
    response = server_error(RequestFactory().get("/opd/DINKES/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Terjadi kesalahan" in page and "Pemerintah Kabupaten Kapuas" in page and 'lang="id"' in page
    assert "Server Error" not in page


@pytest.mark.django_db
def test_the_404_page_is_indonesian(client):
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    assert "Tidak ditemukan" in response.text and "Not Found" not in response.text


@pytest.mark.django_db
def test_the_403_page_is_indonesian(client):
    client.force_login(asn_user(AsnFactory()))
    response = client.get("/kabupaten/")
    assert response.status_code == 403
    assert "Tidak diizinkan" in response.text and "Peran Anda tidak dapat membuka halaman ini." in response.text
    assert "Forbidden" not in response.text


@pytest.mark.django_db
def test_a_form_sent_without_its_csrf_token_gets_an_indonesian_page():
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/masuk/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Formulir sudah kedaluwarsa" in response.text and "Muat ulang halaman" in response.text
    assert "CSRF verification failed" not in response.text


@pytest.mark.django_db
def test_the_kepala_s_dashboard_shows_the_revised_labels(client):
    period = PeriodFactory(year=2025, month=3)
    head = AsnFactory(nama="Kepala")
    kepala = asn_user(head, User.Role.KEPALA_OPD, opd=head.opd)
    RecordFactory(asn=AsnFactory(opd=kepala.opd, nama="Ani Belum"), period=period)
    from skp.rollup import refresh_rollup

    refresh_rollup()
    client.force_login(kepala)
    page = client.get(f"/opd/{kepala.opd.kode}/?periode=2025-03").content.decode()
    assert "Belum dinilai, lewat batas" in page
    assert "paling lambat 15 April 2025, 23.59 WIB." in page


@pytest.mark.django_db
def test_the_menu_names_the_opd_rather_than_its_code(client):
    head = AsnFactory(nama="Kepala", opd__kode="DINKES", opd__nama="Dinas Kesehatan")
    client.force_login(asn_user(head, User.Role.KEPALA_OPD, opd=head.opd))
    menu = client.get("/bantuan/tanya-jawab/").content.decode().split("<nav", 1)[1].split("</nav>", 1)[0]
    assert '<a href="/opd/DINKES/">Dinas Kesehatan</a>' in menu
    assert ">DINKES<" not in menu


def test_every_time_is_written_with_the_one_format_that_already_says_wib():
    """DATETIME_FORMAT and TIME_FORMAT end in "WIB": a template that spells the hour out ("H.i") and adds
    " WIB" by hand drifts from them (no comma, or WIB twice)."""
    from django.conf import settings

    by_hand = re.compile(r"""\|(date|time):["'][^"']*H|(\}\}|%\(\w+\)s)\s*WIB""")
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (settings.BASE_DIR / "templates").rglob("*")
        if path.suffix in (".html", ".txt") and by_hand.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_400_page_is_indonesian_and_reads_no_database():
    from django.core.exceptions import SuspiciousOperation
    from django.views.defaults import bad_request

    response = bad_request(RequestFactory().get("/masuk/"), SuspiciousOperation("bad"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Permintaan tidak dapat dibaca" in page and "Pemerintah Kabupaten Kapuas" in page and 'lang="id"' in page
    assert "Bad Request" not in page


@pytest.mark.django_db
def test_a_request_for_an_unknown_host_gets_the_indonesian_400_page(client, settings):
    settings.ALLOWED_HOSTS = ["kinerja.kapuaskab.go.id"]
    response = client.get("/masuk/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Permintaan tidak dapat dibaca" in response.text and "Bad Request" not in response.text
