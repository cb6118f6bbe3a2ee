"""The rollup helper every write path's tests use: stored counts equal a fresh count, everywhere."""

from skp.models import Period, StatusRollup
from skp.rollup import FIELDS, aggregate

KEY = ("opd_id", "unit_id", "is_guru", *FIELDS)


def _sorted(rows):
    return sorted((tuple(r[k] for k in KEY) for r in rows), key=repr)


def assert_rollup_exact() -> None:
    """For every stored period and every column, StatusRollup equals skp.rollup.aggregate.

    A period with no stored row at all is read from its records (rollup_rows),
    so only periods that have stored rows can be wrong; each is compared.
    """
    for period in Period.objects.all():
        stored = _sorted(StatusRollup.objects.filter(period=period).values(*KEY))
        if not stored:
            continue
        assert stored == _sorted(aggregate(period)), f"the stored rollup of {period.key} differs from a fresh count"
