"""No English in the admin panel: every registered model's list, add form and change form, opened by a
superuser over a world with a row in each, shows Indonesian words only (proper nouns and BKN's own terms
aside), no ISO date and no "---------" for nothing chosen."""

import datetime as dt
import re
from html import unescape as html_unescape

import pytest
import time_machine
from django.contrib import admin
from django.urls import reverse
from weasyprint import HTML

from opd.models import AccessLog, User
from skp import rules
from skp.models import AnnualSkp, SyncRun, TeacherCycle
from tests.world import at, build_world

pytestmark = pytest.mark.django_db

# Words that are English and nothing else: none may be visible on an admin page. (Words Indonesian
# shares, "status", "data", "email", "unit", "total", "level", "link", "online", are not listed.)
ENGLISH_WORDS = (
    "a about above action actions active add added address after all already and any appraiser are as at attempt "
    "attempts available back before below between by can cancel change changed changes channel choose clear close "
    "code count created date day days delete deleted description did disabled does edit enabled end enter "
    "entries entry error every expires failed false field fields file filter find first for found from go group "
    "groups has have history home hour hours if in inactive is it its key kind last list message messages minute "
    "minutes month months more name new next no none not note now number of on one only or other page password "
    "period periods permission permissions please previous priority reason records remove required run save search "
    "second seconds select selected send sent show since size source stage start started subject task tasks teacher "
    "that the there these this time to today type unknown until updated upload uploaded user username users version "
    "view was were when which who with year years yes you your"
)

ENGLISH = re.compile(r"\b(" + "|".join(ENGLISH_WORDS.split()) + r")\b", re.I)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|pre)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    html = re.sub(r'<select name="timezone".*?</select>', " ", html, flags=re.S)  # the zones' own names
    text = html_unescape(re.sub(r"<[^>]+>", " ", html))
    # Addresses, mail addresses and code names (skp.tasks.sync_recent_periods) are not words.
    text = re.sub(r"https?://\S+|\S+@\S+|\b[a-z_]\w*(\.\w+)+\b", " ", text)
    return " ".join(text.split())


@pytest.fixture
def world(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    settings.MEDIA_ROOT = str(tmp_path)
    from helpdesk.models import Holiday
    from helpdesk.services import open_ticket
    from reminders.services import send_reminders
    from reports.services import request_report, upload_annual_recap
    from tpp.services import finalise_basis

    w = build_world()
    AnnualSkp.objects.create(asn=w.lazy, year=2026)
    TeacherCycle.objects.create(year=2026, cycle=rules.TRIWULAN)
    SyncRun.objects.create(source="ekinerja", period_key="2026-10", opd_kode="DINKES", status="success")
    AccessLog.objects.create(user=w.admin, action=AccessLog.Action.VIEW_ASN, target=w.lazy.nip, path="/asn/x/")
    with time_machine.travel(at(16, 8), tick=False):
        send_reminders(as_of=at(16, 8))
    finalise_basis(period=w.period, opd=w.opd, by=w.admin)
    pdf = HTML(string="<p>Rekap</p>").write_pdf()
    upload_annual_recap(opd=w.opd, year=2026, name="rekap ttd.pdf", data=pdf, by=w.kepala)
    request_report(kind="opd_recap", by=w.kepala, period=w.period, opd=w.opd)
    Holiday.objects.create(date=dt.date(2026, 12, 25), name="Hari Natal")
    open_ticket(reporter=w.kepala, category="data", subject="Data salah", description="Nama salah", asn=w.lazy)
    w.superuser = User.objects.create_superuser("root", "root@kapuaskab.go.id", "sandi-rahasia-panjang")
    return w


def admin_urls(model) -> list[str]:
    """The model's list, its add form (when the admin has one) and the change form of its first row."""
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    urls = [reverse(f"{info}_changelist"), reverse(f"{info}_add")]
    first = model._default_manager.order_by("pk").first()
    if first is not None:
        urls.append(reverse(f"{info}_change", args=[first.pk]))
    return urls


def test_every_admin_page_speaks_indonesian_and_writes_dates_in_words(client, world):
    from axes.models import AccessLog as Login

    client.force_login(world.superuser)
    # A login as a browser makes it (force_login leaves axes' record without path or browser).
    Login.objects.all().delete()
    Login.objects.create(
        username="root", ip_address="10.0.0.1", user_agent="Mozilla/5.0", http_accept="text/html", path_info="/masuk/"
    )
    reverse("admin:index")  # the URLs first: the admin registry is final once they are built
    models = list(admin.site._registry)
    assert len(models) > 25
    found, opened = {}, 0
    for url in ["/admin/", *(url for model in models for url in admin_urls(model))]:
        response = client.get(url)
        if "/add/" in url and response.status_code == 403:
            continue  # read-only lists have no add form
        assert response.status_code == 200, url
        opened += 1
        html = response.content.decode()
        text = visible_text(html)
        words = sorted({m.group().lower() for m in ENGLISH.finditer(text)})
        words += ["---------"] if "---------" in html else []  # nothing chosen yet, said in words
        dates = ISO_DATE.findall(text)
        if words or dates:
            found[url] = (words, dates)
    assert found == {}
    assert opened > 60


def test_the_words_the_libraries_left_in_english_or_in_code(client, world):
    client.force_login(world.superuser)
    crontabs = visible_text(client.get("/admin/django_celery_beat/crontabschedule/").content.decode())
    assert "Pukul 01.00 WIB, setiap hari" in crontabs
    tasks = visible_text(client.get("/admin/django_celery_beat/periodictask/").content.decode())
    assert "Tugas berkala" in tasks and "Pukul 01.00 WIB, setiap hari" in tasks and "(m/h/dM/MY/d)" not in tasks
    group = visible_text(client.get("/admin/auth/group/add/").content.decode())
    assert "Dapat menambah laporan bulanan" in group and "Can add" not in group
    occasions = visible_text(client.get("/admin/reminders/occasion/").content.decode())
    assert "Oktober 2026" in occasions and "16 November 2026" in occasions and "opd_digest" not in occasions


def test_a_sync_run_is_listed_with_its_source_period_and_opd_in_words(client, world):
    client.force_login(world.superuser)
    runs = visible_text(client.get("/admin/skp/syncrun/").content.decode())
    assert "Sinkronisasi e-Kinerja" in runs and "Oktober 2026" in runs and "Dinas Kesehatan" in runs
    assert "DINKES" not in runs and "2026-10" not in runs and "ekinerja" not in runs
    run = SyncRun.objects.get()
    detail = visible_text(client.get(f"/admin/skp/syncrun/{run.pk}/change/").content.decode())
    assert "Sinkronisasi e-Kinerja, Oktober 2026" in detail and "DINKES" not in detail


def test_the_audit_trail_writes_the_dates_older_entries_recorded_as_iso_text(client, world):
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from helpdesk.models import Holiday
    from skp.models import Period

    # As the trail recorded rows before they named themselves in words.
    LogEntry.objects.get_for_object(Holiday.objects.get()).update(object_repr="2026-12-25 Hari Natal")
    world.period.override_reason = "Libur"
    world.period.deadline_override = world.period.deadline_default
    world.period.save()
    LogEntry.objects.get_for_object(world.period).update(object_repr="2026-10")
    client.force_login(world.superuser)
    for model, shown in ((Holiday, "hari libur - 25 Desember 2026 Hari Natal"), (Period, "periode - Oktober 2026")):
        kind = ContentType.objects.get_for_model(model)
        trail = visible_text(client.get(f"/admin/auditlog/logentry/?resource_type={kind.pk}").content.decode())
        assert shown in trail
        assert not ISO_DATE.search(trail) and "2026-10" not in trail


def test_the_rows_the_admin_and_the_trail_name_are_named_in_words(world):
    from reminders.models import Unsubscription
    from skp.models import MonthlyRecord

    record = MonthlyRecord.objects.get(asn=world.lazy, period=world.period)
    assert str(record) == "Ani Belum Mengisi, Oktober 2026"
    assert str(AnnualSkp.objects.get()) == "Ani Belum Mengisi, 2026"
    assert str(Unsubscription.objects.get()) == "Fajar Berhenti Langganan: Pengingat untuk ASN"


def select_options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    return [html_unescape(label) for label in re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))]


def test_every_admin_says_nothing_chosen_in_words_through_its_own_hooks(client, world):
    from kapuas_kinerja.admin import NothingChosenInWords

    reverse("admin:index")
    admins = list(admin.site._registry.values())
    plain = [type(a).__qualname__ for a in admins if not isinstance(a, NothingChosenInWords)]
    plain += [i.__qualname__ for a in admins for i in a.inlines if not issubclass(i, NothingChosenInWords)]
    assert plain == []
    client.force_login(world.superuser)
    asns = client.get("/admin/opd/asn/").content.decode()
    assert select_options(asns, "action")[0] == "— pilih —"  # the action list
    record = client.get("/admin/skp/monthlyrecord/add/").content.decode()
    assert select_options(record, "predikat_bkn")[0] == "— pilih —"  # a field's choices
    rules_page = client.get("/admin/tpp/ruleset/add/").content.decode()
    assert select_options(rules_page, "rules-__prefix__-status")[0] == "— pilih —"  # an inline's
    task = client.get("/admin/django_celery_beat/periodictask/add/").content.decode()
    assert select_options(task, "crontab")[0] == "— pilih —"  # a foreign key, in a library's admin


def test_a_login_record_is_named_in_words_on_its_page_and_its_history(client, world):
    from axes.models import AccessLog as Login

    client.force_login(world.superuser)
    with time_machine.travel(at(20, 9), tick=False):
        login = Login.objects.create(username="root", ip_address="10.0.0.1", user_agent="Mozilla/5.0")
    named = "Login root, 20 November 2026, 09.00 WIB"
    page = client.get(f"/admin/axes/accesslog/{login.pk}/change/").content.decode()
    assert f"<title>{named} |" in page and f"<h2>{named}</h2>" in page
    assert re.search(rf'<div class="breadcrumbs">.*&rsaquo; {named}\s*</div>', page, re.S)
    history = client.get(f"/admin/axes/accesslog/{login.pk}/history/").content.decode()
    assert f"<h1>Ubah riwayat: {named}</h1>" in history
    assert f'/admin/axes/accesslog/{login.pk}/change/">{named}</a>' in history
    assert "Access Log for" not in page + history and not ISO_DATE.search(visible_text(page + history))
