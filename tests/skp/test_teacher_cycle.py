"""Teachers on the Ruang GTK cycle (DESIGN.md "Teachers report through Ruang GTK"): BKPSDM sets the cycle
per year; a teacher's month then takes its cycle period's record and deadline everywhere; non-teachers never change."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opd.access import Scope
from skp import rules
from skp.models import Period, TeacherCycle
from skp.rollup import refresh_rollup
from skp.selectors import asn_history, compliance_report, compliance_rows, compliance_summary, listed_rows
from skp.summaries import opd_ranking, period_summary
from tests.factories import AsnFactory, OpdFactory, PeriodFactory, RecordFactory, bkpsdm_staff, export_xlsx
from tests.rollup_check import assert_rollup_exact

pytestmark = pytest.mark.django_db
EVERYONE = Scope(role="system", all_opd=True)
WIB = rules.WIB
Q1_DEADLINE = dt.datetime(2025, 4, 15, 23, 59, 59, tzinfo=WIB)
FEB_DEADLINE = dt.datetime(2025, 3, 15, 23, 59, 59, tzinfo=WIB)


def rated(period, asn, when, **fields):
    return RecordFactory(
        asn=asn,
        period=period,
        stage=rules.RATED,
        rated_at=when,
        rating_hasil=rules.AS_EXPECTED,
        rating_perilaku=rules.AS_EXPECTED,
        **fields,
    )


@pytest.fixture
def school():
    """A teacher and a clerk of Disdik, February 2025 and the first quarter stored; neither rated for February."""
    disdik = OpdFactory(kode="DISDIK")
    teacher = AsnFactory(opd=disdik, jabatan="Guru Ahli Pertama")
    clerk = AsnFactory(opd=disdik, jabatan="Pengadministrasi Umum")
    february = PeriodFactory(year=2025, month=2)
    q1 = PeriodFactory(kind=rules.TRIWULAN, year=2025, month=3)
    RecordFactory(asn=teacher, period=february, stage=rules.SUBMITTED)
    RecordFactory(asn=clerk, period=february, stage=rules.SUBMITTED)
    teacher.refresh_from_db()  # the generated is_guru column
    return {"opd": disdik, "teacher": teacher, "clerk": clerk, "february": february, "q1": q1}


def statuses(period, as_of):
    return {row["nip"]: row for row in compliance_report(period=period, as_of=as_of, scope=EVERYONE)["rows"]}


def fresh(period):
    return Period.objects.get(pk=period.pk)  # a new instance: the year's cycle is read again


def test_the_cycle_is_set_per_year_by_the_command_and_bad_arguments_exit_2(school):
    call_command("teacher_cycle", "--year", "2025", "--cycle", "triwulan")
    assert TeacherCycle.cycle_of(2025) == rules.TRIWULAN
    assert TeacherCycle.cycle_of(2026) == rules.BULANAN  # no row: monthly, like everyone
    for args in (["--year", "2025", "--cycle", "mingguan"], ["--year", "1899", "--cycle", "triwulan"]):
        with pytest.raises(CommandError) as error:
            call_command("teacher_cycle", *args)
        assert error.value.returncode == 2
    assert TeacherCycle.cycle_of(2025) == rules.TRIWULAN  # nothing changed
    assert TeacherCycle.objects.count() == 1


def test_a_teachers_february_is_pending_until_the_quarters_deadline_and_non_teachers_are_unchanged(school):
    call_command("teacher_cycle", "--year", "2025", "--cycle", "triwulan")
    teacher, clerk, february = school["teacher"], school["clerk"], fresh(school["february"])

    rows = statuses(february, dt.datetime(2025, 3, 20, tzinfo=WIB))
    assert rows[teacher.nip]["status"] == rules.PENDING
    assert rows[teacher.nip]["deadline"] == "2025-04-15T23:59:59+07:00"
    assert rows[teacher.nip]["stage"] == rules.NOT_STARTED  # the quarter has no row yet; the month's does not count
    assert rows[clerk.nip]["status"] == rules.OVERDUE
    assert rows[clerk.nip]["deadline"] == "2025-03-15T23:59:59+07:00"

    assert statuses(fresh(february), Q1_DEADLINE)[teacher.nip]["status"] == rules.PENDING
    late = statuses(fresh(february), Q1_DEADLINE + dt.timedelta(seconds=1))[teacher.nip]
    assert late["status"] == rules.OVERDUE and late["must_act"] == rules.MUST_ACT_ASN

    # The Q1 rating, dated by the quarter's deadline, makes February (and January, March) on time.
    rated(school["q1"], teacher, dt.datetime(2025, 4, 10, 9, tzinfo=WIB), predikat_bkn=rules.BAIK)
    refresh_rollup(periods=[school["q1"]])
    row = statuses(fresh(february), dt.datetime(2025, 5, 1, tzinfo=WIB))[teacher.nip]
    assert (row["status"], row["stage"], row["predikat"]) == (rules.ON_TIME, rules.RATED, rules.BAIK)
    assert row["rated_at"] == "2025-04-10T09:00:00+07:00"
    assert statuses(fresh(february), dt.datetime(2025, 5, 1, tzinfo=WIB))[clerk.nip]["status"] == rules.OVERDUE
    assert_rollup_exact()


@pytest.mark.parametrize(
    ("cycle", "deadline"),
    [
        (rules.BULANAN, FEB_DEADLINE),
        (rules.TRIWULAN, Q1_DEADLINE),
        (rules.SEMESTER, dt.datetime(2025, 7, 15, 23, 59, 59, tzinfo=WIB)),
        (rules.TAHUNAN, dt.datetime(2026, 1, 15, 23, 59, 59, tzinfo=WIB)),
    ],
)
def test_each_cycle_has_its_deadline_and_every_reader_agrees(school, cycle, deadline):
    call_command("teacher_cycle", "--year", "2025", "--cycle", cycle)
    teacher, february = school["teacher"], fresh(school["february"])
    period = Period.cycle_period(cycle, 2025, rules.cycle_end_month(cycle, 2)) if cycle != rules.BULANAN else february
    if cycle != rules.BULANAN:
        period.save()
    teacher.records.filter(period=period).delete()
    rated(period, teacher, deadline - dt.timedelta(days=1))
    refresh_rollup(periods=[period])
    as_of = deadline - dt.timedelta(hours=1)
    report = statuses(fresh(february), as_of)
    assert report[teacher.nip]["deadline"] == deadline.isoformat()
    assert report[teacher.nip]["status"] == rules.ON_TIME
    # A day before the rating it stood pending (not yet due), never overdue.
    before = statuses(fresh(february), deadline - dt.timedelta(days=2))[teacher.nip]
    assert before["status"] == rules.PENDING

    february = fresh(february)
    (listed,) = listed_rows([teacher.pk], period=february, as_of=as_of)
    assert (listed.status, listed.stage) == (rules.ON_TIME, rules.RATED)
    (history,) = asn_history(asn=teacher, periods=[february], as_of=as_of)
    assert history["status"] == rules.ON_TIME and history["deadline"] == deadline
    assert_rollup_exact()


def test_dashboard_counts_ranking_and_compliance_agree_and_pending_months_are_out_of_rates(school):
    call_command("teacher_cycle", "--year", "2025", "--cycle", "triwulan")
    february = fresh(school["february"])
    refresh_rollup(periods=[february])
    as_of = dt.datetime(2025, 3, 20, tzinfo=WIB)
    report = compliance_report(period=february, as_of=as_of, scope=EVERYONE)
    summary = period_summary(fresh(february), now=as_of)
    assert summary["all"]["counts"] == report["summary"]
    assert summary["guru"]["counts"][rules.PENDING] == 1
    assert summary["non_guru"]["counts"][rules.OVERDUE] == 1
    assert compliance_summary(compliance_rows(period=fresh(february), as_of=as_of, scope=EVERYONE)) == report["summary"]
    # The teacher is not yet due: left out of the rate (0 of 1 due, not 0 of 2)
    assert summary["all"]["rate"] == 0.0 and summary["guru"]["rate"] is None
    (ranked,) = opd_ranking(fresh(february), now=as_of, opds=[school["opd"]])
    assert ranked["guru"]["rate"] is None
    assert ranked["all"]["counts"] == report["summary"]

    from reports.recaps import opd_recap_context

    recap = opd_recap_context(period=fresh(february), opd=school["opd"], as_of=as_of)
    assert recap["summary"]["all"]["counts"] == report["summary"]
    listed = {r["nip"]: r["status"] for _unit, members in recap["units"] for r in members}
    assert listed == {r["nip"]: r["status"] for r in report["rows"]}


def test_a_year_switched_back_to_monthly_needs_no_new_sync_and_the_switch_is_per_year(school):
    teacher, february = school["teacher"], school["february"]
    TeacherCycle.objects.create(year=2025, cycle=rules.TRIWULAN)
    # The teacher's February rating stays kept while the quarter rules.
    MonthlyRecordTime = dt.datetime(2025, 3, 10, tzinfo=WIB)
    record = teacher.records.get(period=february)
    record.stage, record.rated_at, record.rating_hasil, record.rating_perilaku = rules.RATED, MonthlyRecordTime, 2, 2
    record.save()
    as_of = dt.datetime(2025, 3, 20, tzinfo=WIB)
    assert statuses(fresh(february), as_of)[teacher.nip]["status"] == rules.PENDING
    # Flagged for BKPSDM as a likely hand entry, and never a failure (the quarter rules the month).
    from skp.selectors import teacher_hand_entries

    assert list(teacher_hand_entries()) == [record]
    (history,) = asn_history(asn=teacher, periods=[fresh(february)], as_of=as_of)
    assert history["hand_entry"] and history["status"] == rules.PENDING
    call_command("teacher_cycle", "--year", "2025", "--cycle", "bulanan")
    assert not teacher_hand_entries().exists()
    assert statuses(fresh(february), as_of)[teacher.nip]["status"] == rules.ON_TIME
    assert_rollup_exact()
    # 2026 on its own cycle leaves 2025 alone.
    call_command("teacher_cycle", "--year", "2026", "--cycle", "tahunan")
    assert statuses(fresh(february), as_of)[teacher.nip]["status"] == rules.ON_TIME
    assert fresh(PeriodFactory(year=2026, month=2)).teacher_period().key == "2026"


def test_a_teacher_who_stops_being_a_teacher_mid_year_keeps_each_months_jabatan(school):
    call_command("teacher_cycle", "--year", "2025", "--cycle", "triwulan")
    teacher, february = school["teacher"], school["february"]
    january = PeriodFactory(year=2025, month=1)
    RecordFactory(asn=teacher, period=january, stage=rules.SUBMITTED, is_guru=True)
    # From February they are a clerk: the record of February says so, and so does their jabatan now.
    teacher.records.filter(period=february).update(is_guru=False)
    teacher.jabatan = "Pengadministrasi Umum"
    teacher.save()
    as_of = dt.datetime(2025, 3, 20, tzinfo=WIB)
    assert statuses(fresh(february), as_of)[teacher.nip]["status"] == rules.OVERDUE
    row = statuses(fresh(january), as_of)[teacher.nip]
    assert (row["status"], row["is_guru"], row["deadline"]) == (rules.PENDING, True, "2025-04-15T23:59:59+07:00")
    # March has no record yet: the ASN's jabatan now decides (a clerk: the month's rule).
    march = PeriodFactory(year=2025, month=3)
    assert statuses(fresh(march), dt.datetime(2025, 4, 20, tzinfo=WIB))[teacher.nip]["status"] == rules.OVERDUE
    refresh_rollup()
    assert_rollup_exact()


TEACHER_NIP = "198708152010011001"
CLERK_NIP = "199001012015011002"
EXPORT_HEADER = [
    "nip",
    "nama",
    "skp_jabatan",
    "skp_unor",
    "skp_unor_induk",
    "is_skp_plt_plh_pjb",
    "hasil_kerja",
    "perilaku_kerja",
    "hasil_akhir",
    "waktu_dinilai",
]


def export(path, title, rows):
    return export_xlsx(path, EXPORT_HEADER, rows, ("LAPORAN PENILAIAN SKP PERIODIK TAHUN 2025", *title))


def row(nip, nama, jabatan, rated_at="2025-04-10 09:00:00"):
    return [
        f"'{nip}",
        nama,
        jabatan,
        "SD Negeri 1",
        "Dinas Pendidikan",
        0,
        "SESUAI EKSPEKTASI",
        "SESUAI EKSPEKTASI",
        "BAIK",
        rated_at,
    ]


@pytest.mark.parametrize(
    ("title", "option", "key", "deadline"),
    [
        (("Periode: Triwulan I - 2025",), None, "2025-Q1", "2025-04-15T23:59:59+07:00"),
        ((), "2025-Q1", "2025-Q1", "2025-04-15T23:59:59+07:00"),
        (("Periode: Semester I Tahun 2025",), "2025-S1", "2025-S1", "2025-07-15T23:59:59+07:00"),
        (("Periode: Tahunan 2025",), "2025", "2025", "2026-01-15T23:59:59+07:00"),
    ],
)
def test_an_export_of_a_cycle_period_imports_and_rules_the_teachers_months(tmp_path, title, option, key, deadline):
    cycle = rules.parse_cycle_period(key)[0]
    call_command("teacher_cycle", "--year", "2025", "--cycle", cycle)
    path = export(tmp_path / "q.xlsx", title, [row(TEACHER_NIP, "Bu Guru", "Guru Ahli Muda")])
    args = ["import_bkn", str(path)] + (["--period", option] if option else [])
    call_command(*args)
    stored = Period.every.get(kind=cycle, year=2025)
    assert stored.key == key and stored.records.count() == 1
    assert stored.records.get().is_guru is True  # the row's jabatan
    february = PeriodFactory(year=2025, month=2)
    row_ = statuses(fresh(february), dt.datetime(2025, 4, 11, tzinfo=WIB))[TEACHER_NIP]
    assert (row_["status"], row_["deadline"], row_["predikat"]) == (rules.ON_TIME, deadline, rules.BAIK)
    refresh_rollup()
    assert_rollup_exact()


def test_a_cycle_export_asked_as_another_period_is_refused_and_a_bad_period_exits_2(tmp_path):
    path = export(tmp_path / "q.xlsx", ("Periode: Triwulan I - 2025",), [row(TEACHER_NIP, "Bu Guru", "Guru")])
    with pytest.raises(SystemExit) as refused:
        call_command("import_bkn", str(path), "--period", "2025-Q2")
    assert refused.value.code == 1
    for bad in ("2025-Q5", "2025-S3", "25"):
        with pytest.raises(CommandError) as error:
            call_command("import_bkn", str(path), "--period", bad)
        assert error.value.returncode == 2
    assert not Period.every.exists()


def test_the_asn_page_says_a_teachers_month_is_rated_per_quarter_and_when_it_is_due(client, school):
    import time_machine

    from opd.models import User
    from tests.factories import asn_user

    call_command("teacher_cycle", "--year", "2025", "--cycle", "triwulan")
    teacher = school["teacher"]
    rated(school["q1"], teacher, dt.datetime(2025, 4, 10, 9, tzinfo=WIB))
    client.force_login(asn_user(AsnFactory(), User.Role.ADMIN_BKPSDM))
    with time_machine.travel(dt.datetime(2025, 4, 20, 9, tzinfo=WIB), tick=False):
        page = client.get(f"/asn/{teacher.nip}/?periode=2025-02").content.decode()
    assert "Guru: dinilai per triwulan melalui Ruang GTK; batas 15 April 2025" in page
    assert "Sesuai ekspektasi" in page  # the quarter's ratings


Q1_ID = "9a0e2b7c-5d4f-4e3a-8b1c-0d9e8f7a6b5c"


def test_a_sync_of_february_brings_the_quarter_and_its_ratings():
    import copy

    from tests.skp.test_real_data import FakeBkn, bkn_data, synced

    data = bkn_data()
    teachers = [r for r in data["penilaian"][next(iter(data["penilaian"]))] if r["skp_jabatan"].startswith("Guru")]
    teacher = teachers[0]
    quarter = [{**copy.deepcopy(teacher), "periode_id": Q1_ID, "waktu_dinilai": "2025-04-10 09:00:00"}]
    quarter[0].update(hasil_kerja="SESUAI EKSPEKTASI", perilaku_kerja="SESUAI EKSPEKTASI", hasil_akhir="BAIK")
    data["periods"].append(
        {"id": Q1_ID, "nama": "Periodik Triwulan I 2025", "tahun": 2025, "periode_awal": "2025-01-01",
         "periode_akhir": "2025-03-31", "batas_pengisian": "2025-04-05", "jenis_periode": "periodik",
         "tipe_periodik": "triwulan", "angka_periodik": 1}
    )  # fmt: skip
    data["penilaian"][Q1_ID] = quarter
    call_command("teacher_cycle", "--year", "2025", "--cycle", "triwulan")
    run = synced(FakeBkn(data), month=2)
    q1 = Period.every.get(kind=rules.TRIWULAN, year=2025, month=3)
    assert (q1.bkn_periode_id, q1.deadline) == (Q1_ID, Q1_DEADLINE)
    assert list(q1.records.values_list("asn__nip", "stage", "is_guru")) == [(teacher["nip"], rules.RATED, True)]
    assert run.status == "succeeded"
    rows = statuses(Period.objects.get(year=2025, month=2), dt.datetime(2025, 4, 11, tzinfo=WIB))
    assert (rows[teacher["nip"]]["status"], rows[teacher["nip"]]["deadline"]) == (
        rules.ON_TIME,
        "2025-04-15T23:59:59+07:00",
    )
    others = [r for nip, r in rows.items() if not r["is_guru"]]
    assert others and all(r["deadline"] == "2025-03-15T23:59:59+07:00" for r in others)
    assert all(r["status"] == rules.OVERDUE for r in others)  # no February rows: the month's rule, unchanged

    # A year whose cycle e-Kinerja does not list yet: noted, the month still synced.
    data["periods"] = [p for p in data["periods"] if p["id"] != Q1_ID]
    call_command("teacher_cycle", "--year", "2025", "--cycle", "semester")
    run = synced(FakeBkn(data), month=2)
    assert run.status == "succeeded"
    assert any("2025-S1" in note for note in run.notes)


def test_the_tpp_basis_marks_a_teachers_month_not_yet_due_and_a_rule_line_may_apply_to_one_group(school):
    from decimal import Decimal

    from opd.models import User
    from tests.factories import asn_user
    from tpp.models import RuleSet, ShareRule
    from tpp.selectors import final_basis, live_basis
    from tpp.services import finalise_basis

    call_command("teacher_cycle", "--year", "2025", "--cycle", "triwulan")
    teacher, clerk, february, opd = school["teacher"], school["clerk"], school["february"], school["opd"]
    assert RuleSet.objects.get(effective_from=dt.date(2025, 1, 1)).note.count("guru maupun bukan guru") == 1
    as_of = dt.datetime(2025, 3, 20, tzinfo=WIB)
    basis = live_basis(period=fresh(february), opd=opd, as_of=as_of)
    lines = {line.nip: line for line in basis.lines}
    assert (lines[teacher.nip].status, lines[teacher.nip].share) == (rules.PENDING, None)
    assert lines[teacher.nip].reason == "belum jatuh tempo"
    assert (lines[clerk.nip].status, lines[clerk.nip].share) == (rules.OVERDUE, Decimal(0))
    assert basis.not_yet_due == 1 and basis.average_share == Decimal(0)  # of the one month that is due
    # The basis and compliance agree row by row.
    report = statuses(fresh(february), as_of)
    assert {nip: line.status for nip, line in lines.items()} == {nip: r["status"] for nip, r in report.items()}

    # BKPSDM may finalise with that row marked: it stays marked in the frozen version.
    final = finalise_basis(period=february, opd=opd, by=asn_user(AsnFactory(), User.Role.ADMIN_BKPSDM), as_of=as_of)
    frozen = {line.nip: line for line in final_basis(final).lines}
    assert frozen[teacher.nip].share is None and frozen[teacher.nip].not_yet_due

    # Rated in Q1 on time: the example pays on time + baik 100 %; a line for teachers only says otherwise.
    rated(school["q1"], teacher, dt.datetime(2025, 4, 10, 9, tzinfo=WIB), predikat_bkn=rules.BAIK)
    after = dt.datetime(2025, 4, 20, tzinfo=WIB)
    lines = {line.nip: line for line in live_basis(period=fresh(february), opd=opd, as_of=after).lines}
    assert (lines[teacher.nip].status, lines[teacher.nip].predikat, lines[teacher.nip].share) == (
        rules.ON_TIME,
        rules.BAIK,
        Decimal(100),
    )
    ruleset = RuleSet.objects.get(effective_from=dt.date(2025, 1, 1))
    ShareRule.objects.create(ruleset=ruleset, status=rules.ON_TIME, predikat="", applies_to="guru", share=0)
    ShareRule.objects.create(ruleset=ruleset, status=rules.OVERDUE, predikat="", applies_to="guru", share=25)
    lines = {line.nip: line for line in live_basis(period=fresh(february), opd=opd, as_of=after).lines}
    # The exact (status, predikat) line for everyone still wins over the group's any-predikat line …
    assert lines[teacher.nip].share == Decimal(100)
    ShareRule.objects.create(ruleset=ruleset, status=rules.ON_TIME, predikat=rules.BAIK, applies_to="guru", share=0)
    lines = {line.nip: line for line in live_basis(period=fresh(february), opd=opd, as_of=after).lines}
    # … and the group's own line for the same (status, predikat) wins over everyone's; the clerk is unchanged.
    assert lines[teacher.nip].share == Decimal(0)
    assert lines[clerk.nip].share == Decimal(0) and lines[clerk.nip].status == rules.OVERDUE


def test_teachers_on_a_quarter_are_reminded_with_the_month_that_ends_it_not_every_month(school):
    from reminders.recipients import asn_reminders, atasan_digests

    call_command("teacher_cycle", "--year", "2025", "--cycle", "triwulan")
    teacher, clerk = school["teacher"], school["clerk"]
    boss = AsnFactory(opd=school["opd"], jabatan="Kepala Sekolah")
    Asn = type(teacher)
    Asn.objects.filter(pk__in=[teacher.pk, clerk.pk]).update(atasan=boss)
    teacher.records.update(stage=rules.NOT_STARTED, atasan=boss)
    clerk.records.update(stage=rules.NOT_STARTED, atasan=boss)
    february, march = fresh(school["february"]), PeriodFactory(year=2025, month=3)

    def reminded(period, as_of):
        return {d.recipient.nip for d in asn_reminders(fresh(period), as_of)}

    assert reminded(february, dt.datetime(2025, 3, 10, tzinfo=WIB)) >= {clerk.nip}
    assert teacher.nip not in reminded(february, dt.datetime(2025, 3, 10, tzinfo=WIB))
    # The quarter ends with March: its reminders (before 15 April) are the teacher's too.
    assert teacher.nip in reminded(march, dt.datetime(2025, 4, 10, tzinfo=WIB))
    digests = atasan_digests(fresh(february), dt.datetime(2025, 3, 10, tzinfo=WIB))
    listed = [r["nip"] for d in digests for r in (*d.context["waiting"], *d.context["not_filed"])]
    assert listed == [clerk.nip]
    # Monthly again: every month, as everyone.
    call_command("teacher_cycle", "--year", "2025", "--cycle", "bulanan")
    assert teacher.nip in reminded(february, dt.datetime(2025, 3, 10, tzinfo=WIB))


def test_bkpsdm_sets_the_cycle_in_the_admin_panel_audited_and_the_counts_follow(client, school):
    from auditlog.models import LogEntry

    admin = bkpsdm_staff()
    client.force_login(admin)
    february = school["february"]
    refresh_rollup(periods=[february])
    response = client.post("/admin/skp/teachercycle/add/", {"year": "2025", "cycle": "triwulan", "note": "SE 2025"})
    assert response.status_code == 302, response.content.decode()[:1000]
    setting = TeacherCycle.objects.get(year=2025)
    assert LogEntry.objects.get_for_object(setting).filter(action=LogEntry.Action.CREATE).exists()
    assert_rollup_exact()  # the year's months recounted at once
    as_of = dt.datetime(2025, 3, 20, tzinfo=WIB)
    assert period_summary(fresh(february), now=as_of)["guru"]["counts"][rules.PENDING] == 1
    # The cycle period's deadline is overridden in the admin as a month's is, with a reason.
    q1 = school["q1"]
    response = client.post(
        f"/admin/skp/period/{q1.pk}/change/",
        {"deadline_override_0": "2025-04-30", "deadline_override_1": "23:59:59", "override_reason": "Ruang GTK"},
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    row = statuses(fresh(february), dt.datetime(2025, 4, 20, tzinfo=WIB))[school["teacher"].nip]
    assert (row["status"], row["deadline"]) == (rules.PENDING, "2025-04-30T23:59:59+07:00")


def test_disdiks_dashboard_ranks_the_heads_by_teachers_waiting_for_their_rating_on_the_cycle(client, school):
    import time_machine

    from opd.models import User
    from skp.selectors import heads_waiting
    from tests.factories import asn_user

    call_command("teacher_cycle", "--year", "2025", "--cycle", "triwulan")
    opd, q1 = school["opd"], school["q1"]
    busy = AsnFactory(opd=opd, nama="Kepala SD Sibuk", jabatan="Kepala Sekolah")
    calm = AsnFactory(opd=opd, nama="Kepala SD Tenang", jabatan="Kepala Sekolah")
    teachers = [AsnFactory(opd=opd, jabatan="Guru Kelas") for _ in range(3)]
    # The quarter's filings name the heads; the teachers' February rows name nobody.
    for teacher in teachers[:2]:
        RecordFactory(asn=teacher, period=q1, stage=rules.SUBMITTED, atasan=busy)
    RecordFactory(asn=teachers[2], period=q1, stage=rules.SUBMITTED, atasan=calm)
    RecordFactory(asn=school["clerk"], period=PeriodFactory(year=2025, month=1), stage=rules.SUBMITTED, atasan=calm)
    as_of = dt.datetime(2025, 4, 20, tzinfo=WIB)
    ranked = heads_waiting(period=fresh(school["february"]), as_of=as_of, opd_id=opd.pk)
    assert [(h["month_atasan_nama"], h["waiting"], h["overdue"]) for h in ranked] == [
        ("Kepala SD Sibuk", 2, 2),
        ("Kepala SD Tenang", 1, 1),
    ]
    client.force_login(asn_user(AsnFactory(opd=opd), User.Role.KEPALA_OPD, opd=opd))
    with time_machine.travel(as_of, tick=False):
        page = client.get("/opd/DISDIK/?periode=2025-02").content.decode()
    assert "Penilai dengan guru terbanyak yang menunggu penilaiannya" in page
    assert page.index("Kepala SD Sibuk") < page.index("Kepala SD Tenang")


def test_a_school_heads_staff_page_shows_their_teachers_by_the_quarter_with_bkpsdms_help_link(client, school):
    import time_machine

    from tests.factories import asn_user

    call_command("teacher_cycle", "--year", "2025", "--cycle", "triwulan")
    TeacherCycle.objects.filter(year=2025).update(help_url="https://bkpsdm.kapuaskab.go.id/ruang-gtk")
    opd, q1 = school["opd"], school["q1"]
    head = AsnFactory(opd=opd, nama="Kepala SD 1", jabatan="Kepala Sekolah")
    waiting, done, missing = (AsnFactory(opd=opd, jabatan="Guru Kelas", atasan=head) for _ in range(3))
    RecordFactory(asn=waiting, period=q1, stage=rules.SUBMITTED, atasan=head)
    rated(q1, done, dt.datetime(2025, 4, 2, 9, tzinfo=WIB), atasan=head)
    client.force_login(asn_user(head))
    with time_machine.travel(dt.datetime(2025, 4, 5, 9, tzinfo=WIB), tick=False):
        page = client.get("/staf/?periode=2025-02").content.decode()
    assert "Guru Anda dinilai per triwulan melalui Ruang GTK (Triwulan I 2025); batas 15 April 2025." in page
    assert (
        "Menunggu penilaian Anda di Ruang GTK: 1 · sudah dinilai dan tersinkron: 1 · belum ada di e-Kinerja: 1." in page
    )
    assert 'href="https://bkpsdm.kapuaskab.go.id/ruang-gtk"' in page


def test_a_changed_cycle_is_seen_at_once_by_the_dashboard_and_the_rules_even_after_they_were_read(client, school):
    """No process keeps the year's cycle: a change BKPSDM makes anywhere is the next read's answer."""
    import time_machine

    from opd.models import User
    from tests.factories import asn_user

    opd, teacher, february, q1 = school["opd"], school["teacher"], school["february"], school["q1"]
    month_head = AsnFactory(opd=opd, nama="Kepala SD Bulanan", jabatan="Kepala Sekolah")
    quarter_head = AsnFactory(opd=opd, nama="Kepala SD Triwulan", jabatan="Kepala Sekolah")
    teacher.records.filter(period=february).update(atasan=month_head)
    RecordFactory(asn=teacher, period=q1, stage=rules.SUBMITTED, atasan=quarter_head)
    kepala = asn_user(AsnFactory(opd=opd), User.Role.KEPALA_OPD, opd=opd)
    admin = bkpsdm_staff()
    as_of = dt.datetime(2025, 3, 20, tzinfo=WIB)

    def heads_waiting():
        """The dashboard's ranking of the appraisers teachers wait for: each name and how many."""
        client.force_login(kepala)
        with time_machine.travel(as_of, tick=False):
            page = client.get("/opd/DISDIK/?periode=2025-02").content.decode()
        start = page.index("Penilai dengan guru terbanyak yang menunggu penilaiannya")
        table = page[start : page.index("</table>", start)]
        return [name for name in ("Kepala SD Bulanan", "Kepala SD Triwulan") if name in table]

    # Monthly: read by the dashboard (its parts now cached) and by the rules.
    assert heads_waiting() == ["Kepala SD Bulanan"]
    assert TeacherCycle.cycle_of(2025) == rules.BULANAN
    assert statuses(fresh(february), as_of)[teacher.nip]["status"] == rules.OVERDUE
    # BKPSDM sets the quarter in the admin panel: the next page and the rules follow.
    client.force_login(admin)
    response = client.post("/admin/skp/teachercycle/add/", {"year": "2025", "cycle": "triwulan", "note": "SE"})
    assert response.status_code == 302, response.content.decode()[:1000]
    assert heads_waiting() == ["Kepala SD Triwulan"]
    assert statuses(fresh(february), as_of)[teacher.nip]["status"] == rules.PENDING
    # A change this process hears no signal of (another process's save, as far as its memory goes): seen as well.
    TeacherCycle.objects.filter(year=2025).update(cycle=rules.BULANAN)
    assert TeacherCycle.cycle_of(2025) == rules.BULANAN
    assert fresh(february).teacher_period() is None
    assert statuses(fresh(february), as_of)[teacher.nip]["status"] == rules.OVERDUE
