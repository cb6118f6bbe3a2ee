"""The BKN modules stay small enough to read alone (issue 16): none under skp/bkn/ is over 400 lines.

When one grows past it, split it by what it does (as files.py became reading,
columns and the workbook check), not by cutting it in the middle.
"""

from pathlib import Path

BKN = Path(__file__).resolve().parents[1] / "skp" / "bkn"
MOST_LINES = 400


def test_no_module_under_skp_bkn_is_over_400_lines():
    modules = sorted(BKN.rglob("*.py"))
    assert len(modules) > 10  # the folder is where this test thinks it is
    too_long = {
        str(path.relative_to(BKN)): lines
        for path in modules
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES
    }
    assert too_long == {}
