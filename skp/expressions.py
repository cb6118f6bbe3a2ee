"""SQL twins of skp/rules.py, so lists of thousands of rows get their status
in one query. tests/skp/test_status.py checks they agree with the Python rules.
"""

from django.db import models
from django.db.models import Case, Q, Value, When

from . import rules


def predikat_case(hasil: str, perilaku: str) -> Case:
    """The PermenPANRB 6/2022 matrix over two rating columns."""
    return Case(
        *(
            When(Q(**{hasil: h, perilaku: p}), then=Value(predikat))
            for (h, p), predikat in rules.PREDIKAT_MATRIX.items()
        ),
        default=Value(""),
        output_field=models.CharField(max_length=20),
    )
