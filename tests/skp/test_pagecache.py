"""The OPD dashboard's cached parts: served again only while nothing they show has changed."""

import datetime as dt
import re

import httpx
import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opd.models import Opd, User
from opd.services import data_changes_batched, opd_data_changed
from skp import rules
from skp.bkn.ekinerja import EkinerjaClient
from skp.bkn.siasn import MasterData
from skp.bkn.simulator import TOKEN, Simulator
from skp.bkn.sync import sync_ekinerja, write_master_data
from skp.models import Exemption, Period, SyncRun
from tests.factories import UserFactory
from tests.world import NOW, PAGE, build_world

WIB = rules.WIB


@pytest.fixture
def world(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(NOW, tick=False):
        yield build_world()


def load(client, url=PAGE, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.content.decode(), len(ctx.captured_queries)


def ranking_of(page: str) -> str:
    start = page.index('id="penilai"')
    return page[start : page.index("</section>", start)]


def row_of(page: str, nama: str) -> str:
    start = page.index(nama)
    return page[start : page.index("</tr>", start)]


def test_a_second_view_reads_the_parts_back_and_shows_the_same_page(client, world):
    client.force_login(world.kepala)
    first, built = load(client)
    second, cached = load(client)
    assert cached < built
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')
    assert strip.sub("", second) == strip.sub("", first)
    assert "Ani Belum Mengisi" in second and "Belum dinilai, lewat batas" in second


def test_no_viewer_gets_another_viewers_csrf_token_and_their_reminder_goes_through(world):
    kepala, operator = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    kepala.force_login(world.kepala)
    operator.force_login(world.operator)
    kepala_page, _ = load(kepala)  # builds the parts
    operator_page, _ = load(operator)  # reads them back
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', kepala_page))
    assert not tokens & set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', operator_page))
    # The list's buttons post the page's own nudge form, which holds this viewer's token.
    form = operator_page[operator_page.index('<form id="nudge-form"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    url = reverse("nudge_one", args=["DINKES", world.lazy.nip])
    assert f'formaction="{url}"' in row_of(operator_page, "Ani Belum Mengisi")
    response = operator.post(url, {"csrfmiddlewaretoken": token, "periode": "2026-10", "next": PAGE})
    assert response.status_code == 302
    assert "Terakhir diingatkan 18 November 2026, 10.30 WIB" in row_of(load(operator)[0], "Ani Belum Mengisi")


def test_who_may_not_remind_never_gets_the_buttons_of_who_may(client, world):
    client.force_login(world.kepala)
    page = load(client)[0]
    assert 'form="nudge-form"' in page and "Ingatkan atasan: Kepala Puskesmas" in page
    client.force_login(world.bupati)
    page = load(client)[0]
    assert 'form="nudge-form"' not in page and "Ingatkan atasan" not in page
    assert "Pejabat penilai yang ditunggu penilaiannya" in page  # the ranking itself is for every viewer


def test_a_reminder_to_an_appraiser_shows_on_the_next_view_in_the_ranking_and_the_row(client, world):
    client.force_login(world.kepala)
    page = load(client)[0]
    ranking = ranking_of(page)
    assert "Terakhir diingatkan" not in ranking
    client.post(reverse("nudge_appraiser", args=["DINKES", world.atasan.nip]), {"periode": "2026-10"})
    page = load(client)[0]
    ranking = ranking_of(page)
    assert "Terakhir diingatkan 18 November 2026, 10.30 WIB" in ranking
    assert "Terakhir diingatkan 18 November 2026, 10.30 WIB" in row_of(page, "Budi Sudah Mengisi")
    assert "Terakhir diingatkan" not in row_of(page, "Ani Belum Mengisi")


def test_a_reminder_sent_shows_on_the_next_view(client, world):
    client.force_login(world.kepala)
    assert "Terakhir diingatkan" not in row_of(load(client)[0], "Ani Belum Mengisi")
    client.post(reverse("nudge_one", args=["DINKES", world.lazy.nip]), {"periode": "2026-10"})
    assert "Terakhir diingatkan" in row_of(load(client)[0], "Ani Belum Mengisi")


def test_an_exemption_entered_by_bkpsdm_shows_on_the_next_view(client, world):
    client.force_login(world.kepala)
    assert "Belum dinilai, lewat batas" in row_of(load(client)[0], "Ani Belum Mengisi")
    world.admin.is_staff = True
    world.admin.save()
    admin = Client()
    admin.force_login(world.admin)
    response = admin.post(
        reverse("admin:skp_exemption_add"),
        {"asn": world.lazy.pk, "kind": Exemption._meta.get_field("kind").choices[0][0], "start": "01/10/2026"},
    )
    assert response.status_code == 302 and response.url == reverse("admin:skp_exemption_changelist")
    # She leaves the list of those who must act, and shows as exempt in the list of everyone.
    assert "Ani Belum Mengisi" not in load(client)[0]
    assert "Dikecualikan" in row_of(load(client, PAGE + "&status=semua")[0], "Ani Belum Mengisi")


def test_a_name_changed_by_the_siasn_sync_shows_on_the_next_view(client, world):
    client.force_login(world.kepala)
    assert "Ani Belum Mengisi" in load(client)[0]
    run = SyncRun.objects.create(source="siasn", triggered_by="test")
    renamed = MasterData(
        nip=world.lazy.nip, pns_id="", nama="Ani Rahmawati", kind=world.lazy.kind, email="", phone="", raw={}
    )
    write_master_data(run, [renamed])
    page = load(client)[0]
    assert "Ani Rahmawati" in page and "Ani Belum Mengisi" not in page


def test_a_deadline_moved_by_bkpsdm_shows_on_the_next_view(client, world):
    client.force_login(world.kepala)
    assert "Belum dinilai, lewat batas" in row_of(load(client)[0], "Ani Belum Mengisi")
    period = Period.objects.get(year=2026, month=10)
    period.deadline_override = dt.datetime(2026, 11, 30, 23, 59, tzinfo=WIB)
    period.override_reason = "Gangguan e-Kinerja"
    period.save()
    assert "Belum jatuh tempo" in row_of(load(client)[0], "Ani Belum Mengisi")


def test_the_deadline_passing_turns_pending_into_overdue_without_any_write(client, world):
    client.force_login(world.kepala)
    with time_machine.travel(dt.datetime(2026, 11, 15, 23, 0, tzinfo=WIB), tick=False):
        assert "Belum jatuh tempo" in row_of(load(client)[0], "Ani Belum Mengisi")
    with time_machine.travel(dt.datetime(2026, 11, 15, 23, 59, 59, tzinfo=WIB) + dt.timedelta(seconds=1), tick=False):
        assert "Belum dinilai, lewat batas" in row_of(load(client)[0], "Ani Belum Mengisi")


def test_every_opd_gets_a_new_version_with_each_change_it_shows(world):
    before = dict(Opd.objects.values_list("kode", "data_version"))
    world.lazy.nama = "Ani Baru"
    world.lazy.save()
    after = dict(Opd.objects.values_list("kode", "data_version"))
    assert all(after[kode] != before[kode] for kode in before)


def test_with_the_cache_down_the_page_is_built_every_time(client, world, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }
    client.force_login(world.kepala)
    assert "Ani Belum Mengisi" in load(client)[0]
    assert "Ani Belum Mengisi" in load(client)[0]


def test_a_text_search_is_built_not_kept(client, world):
    client.force_login(world.kepala)
    load(client)
    _, plain_again = load(client)  # every part read back
    load(client, PAGE + "&q=Ani")
    page, search_again = load(client, PAGE + "&q=Ani")
    assert search_again > plain_again  # the list and its form were built again
    assert "Ani Belum Mengisi" in page and "Citra Sudah Dinilai" not in page


def test_a_list_chosen_through_the_filter_form_with_its_empty_search_box_is_kept(client, world):
    client.force_login(world.kepala)
    form = PAGE + "&status=semua&guru=&jenis=&q=&urut=nama"
    _, built = load(client, form)
    page, again = load(client, form)
    assert again < built  # read back, not built again
    assert "Citra Sudah Dinilai" in page


def test_a_batch_renews_the_versions_once_at_the_end_and_only_after_a_change(world):
    def versions():
        return dict(Opd.objects.values_list("kode", "data_version"))

    before = versions()
    with data_changes_batched():
        world.lazy.nama = "Ani Baru"
        world.lazy.save()
        assert versions() == before  # not row by row
    after = versions()
    assert all(after[kode] != before[kode] for kode in before)
    with data_changes_batched():
        pass
    assert versions() == after


def test_a_sync_under_a_cached_dashboard_shows_on_the_next_view_as_a_fresh_build(client, db):
    def sync_as_of(moment):
        simulator = Simulator(asn_count=120, seed=7, now=moment)
        with time_machine.travel(moment, tick=False):
            transport = httpx.WSGITransport(app=simulator)
            run = sync_ekinerja(
                client=EkinerjaClient("http://bkn", TOKEN, transport=transport, sleep=lambda s: None),
                year=2025,
                month=3,
                triggered_by="test",
            )
        assert run.status == SyncRun.Status.SUCCEEDED, run.message

    sync_as_of(dt.datetime(2025, 4, 8, 9, 0, tzinfo=WIB))  # March being rated
    client.force_login(UserFactory(username="bupati", role=User.Role.PIMPINAN))
    kode = Opd.objects.annotate(n=Count("asn")).order_by("-n").values_list("kode", flat=True).first()
    url = f"/opd/{kode}/?periode=2025-03"
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"|Data terakhir[^<]*')
    with time_machine.travel(dt.datetime(2025, 5, 10, 9, 0, tzinfo=WIB), tick=False):
        before = strip.sub("", load(client, url)[0])
    sync_as_of(dt.datetime(2025, 5, 10, 9, 0, tzinfo=WIB))  # every rating of March in
    with time_machine.travel(dt.datetime(2025, 5, 10, 9, 0, tzinfo=WIB), tick=False):
        after = strip.sub("", load(client, url)[0])
        cache.clear()
        fresh = strip.sub("", load(client, url)[0])
    assert after != before
    assert after == fresh


def test_a_batch_saving_many_rows_renews_the_versions_once(world):
    with CaptureQueriesContext(connection) as ctx, transaction.atomic(), data_changes_batched():
        for i in range(30):
            world.lazy.jabatan = f"Pelaksana {i}"
            world.lazy.save()
    renewals = [q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "opd_opd" SET "data_version"')]
    assert len(renewals) == 1


def test_a_batch_renews_only_the_opd_its_writers_named(world):
    before = dict(Opd.objects.values_list("kode", "data_version"))
    with data_changes_batched():
        opd_data_changed(opd_ids=[world.opd.pk])
        with data_changes_batched():  # an inner batch joins the outer one
            opd_data_changed(opd_ids=[world.opd.pk])
    after = dict(Opd.objects.values_list("kode", "data_version"))
    assert [kode for kode in before if after[kode] != before[kode]] == [world.opd.kode]
