import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from skp import rules

WIB = ZoneInfo("Asia/Jakarta")
UTC = dt.UTC


def wib(*args):
    return dt.datetime(*args, tzinfo=WIB)


def test_deadline_is_the_15th_of_next_month_end_of_day_wib():
    assert rules.default_deadline(2025, 3) == wib(2025, 4, 15, 23, 59, 59)


def test_december_is_due_on_15_january_of_the_next_year():
    assert rules.default_deadline(2025, 12) == wib(2026, 1, 15, 23, 59, 59)


@pytest.mark.parametrize(
    ("rated_at", "expected"),
    [
        (wib(2025, 4, 15, 23, 59, 59), rules.ON_TIME),
        (wib(2025, 4, 16, 0, 0, 0), rules.LATE),
        # 16:59:59 UTC is 23:59:59 WIB; one second later is the 16th in Kapuas.
        (dt.datetime(2025, 4, 15, 16, 59, 59, tzinfo=UTC), rules.ON_TIME),
        (dt.datetime(2025, 4, 15, 17, 0, 0, tzinfo=UTC), rules.LATE),
        # Naive timestamps are WIB wall-clock times.
        (dt.datetime(2025, 4, 15, 23, 59, 59), rules.ON_TIME),
        (dt.datetime(2025, 4, 16, 0, 0, 0), rules.LATE),
    ],
)
def test_rating_at_the_deadline_edge(rated_at, expected):
    status = rules.status_of(
        rated_at=rated_at,
        deadline=rules.default_deadline(2025, 3),
        as_of=wib(2025, 6, 1),
        exempt=False,
    )
    assert status == expected


def test_unrated_record_is_pending_until_the_deadline_then_overdue():
    deadline = rules.default_deadline(2025, 3)
    at = dict(rated_at=None, deadline=deadline, exempt=False)
    assert rules.status_of(as_of=wib(2025, 4, 15, 23, 59, 59), **at) == rules.PENDING
    assert rules.status_of(as_of=wib(2025, 4, 16, 0, 0, 0), **at) == rules.OVERDUE


def test_a_rating_after_as_of_does_not_count_yet():
    deadline = rules.default_deadline(2025, 3)
    rated = wib(2025, 4, 10, 9, 0)
    assert rules.status_of(rated_at=rated, deadline=deadline, as_of=wib(2025, 4, 9), exempt=False) == rules.PENDING
    assert rules.stage_at(stage=rules.RATED, rated_at=rated, submitted_at=None, as_of=wib(2025, 4, 9)) == (
        rules.NOT_STARTED
    )


def test_exempt_wins_over_everything():
    assert rules.status_of(rated_at=None, deadline=wib(2025, 4, 15), as_of=wib(2025, 5, 1), exempt=True) == rules.EXEMPT


def test_must_act_only_on_overdue_records():
    assert rules.must_act(rules.OVERDUE, rules.NOT_STARTED) == "asn"
    assert rules.must_act(rules.OVERDUE, rules.SUBMITTED) == "atasan"
    assert rules.must_act(rules.PENDING, rules.SUBMITTED) is None
    assert rules.must_act(rules.LATE, rules.RATED) is None


@pytest.mark.parametrize(
    ("hasil", "perilaku", "predikat"),
    [
        ("DIATAS ESPEKTASI", "DI BAWAH EKSPEKTASI", "kurang"),
        ("DI ATAS EKSPEKTASI", "SESUAI EKSPEKTASI", "baik"),
        ("Di Atas Ekspektasi", "DIATAS ESPEKTASI", "sangat_baik"),
        ("SESUAI ESPEKTASI", "DIBAWAH ESPEKTASI", "kurang"),
        ("SESUAI EKSPEKTASI", "SESUAI EKSPEKTASI", "baik"),
        ("SESUAI EKSPEKTASI", "DI ATAS EKSPEKTASI", "baik"),
        ("DIBAWAH ESPEKTASI", "DI BAWAH EKSPEKTASI", "sangat_kurang"),
        ("DI BAWAH EKSPEKTASI", "SESUAI ESPEKTASI", "butuh_perbaikan"),
        ("DI BAWAH EKSPEKTASI", "DIATAS ESPEKTASI", "butuh_perbaikan"),
    ],
)
def test_predikat_matrix_for_all_nine_rating_pairs(hasil, perilaku, predikat):
    assert rules.predikat_for(rules.parse_rating(hasil), rules.parse_rating(perilaku)) == predikat


@pytest.mark.parametrize("word", ["LUAR BIASA", "DIATAS", "4", "ekspektasi"])
def test_invalid_rating_words_are_refused_by_name(word):
    if word == "DIATAS":  # the short form is a known variant, not an error
        assert rules.parse_rating(word) == rules.ABOVE
        return
    with pytest.raises(rules.RuleError, match=word):
        rules.parse_rating(word)


@pytest.mark.parametrize("empty", [None, "", "-", "null", "NULL"])
def test_blank_ratings_mean_not_rated(empty):
    assert rules.parse_rating(empty) is None


def test_invalid_rating_codes_are_refused():
    with pytest.raises(rules.RuleError):
        rules.predikat_for(4, 1)


def test_predikat_words_from_bkn():
    assert rules.parse_predikat("KURANG/MISCONDUCT") == "kurang"
    assert rules.parse_predikat("Sangat Baik") == "sangat_baik"
    assert rules.parse_predikat("-") is None
    with pytest.raises(rules.RuleError):
        rules.parse_predikat("CUKUP")


@pytest.mark.parametrize("text", ["2025-13", "2025-3", "03-2025", "2025/03", "", "abcd-ef"])
def test_malformed_periods_are_refused(text):
    with pytest.raises(rules.RuleError):
        rules.parse_period(text)


def test_on_time_rate_leaves_exempt_and_not_yet_due_records_out():
    # DESIGN.md "Teachers report through Ruang GTK": pending records are out of rates, for everyone.
    counts = {"on_time": 6, "late": 1, "overdue": 2, "pending": 1, "exempt": 5}
    assert rules.on_time_rate(counts) == 6 / 9
    assert rules.on_time_rate({"exempt": 3}) is None
    assert rules.on_time_rate({"pending": 4, "exempt": 1}) is None


def test_chased_period_is_the_previous_month():
    assert rules.previous_period(dt.date(2025, 4, 3)) == (2025, 3)
    assert rules.previous_period(dt.date(2026, 1, 20)) == (2025, 12)


def test_months_back_crosses_the_year():
    assert rules.months_back(2026, 2, 4) == [(2026, 2), (2026, 1), (2025, 12), (2025, 11)]
