"""make bench: hostile files refused by `import_bkn`, each in its own process, with time and peak memory.

The files are built here, as an attacker would: a 1.5 KB .xlsx with one cell
at XFD1048576, zip bombs (honest about their size, and lying about it), an
.xlsx of 4 million one-cell rows, 2,002 x 16,384 cells, and a CSV of a million
bad rows (and one of 99,999, every row checked: 100 problems listed, the rest
counted). Each must be refused in under 5 s and 200 MB (issue 17); the peak is
the whole process's, Django's start included (see the first row); the time is
the refusal's own, wall clock and CPU (this machine is shared: CPU time says
more than the clock when others are busy).
"""

import json
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from django.core.management.base import BaseCommand

from skp.bkn.imports import ImportRefused, import_file

TARGET_SECONDS, TARGET_MB = 5.0, 200
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
        '+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><sheets>'
        '<sheet name="Laporan" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>nip</t></is></c></row>'


def workbook(path: Path, rows, dimension: str | None = None) -> Path:
    """A minimal .xlsx whose sheet data is written from `rows` (strings of XML), streamed, never held whole."""
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{declared}<sheetData>'.encode()
            )
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) == 10_000:
                    sheet.write("".join(batch).encode())
                    batch = []
            sheet.write(("".join(batch) + "</sheetData></worksheet>").encode())
    return path


def lying(source: Path, path: Path, declared: int) -> Path:
    """A copy of `source` whose sheet claims `declared` bytes, in its local header and the central directory."""
    data = bytearray(source.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(source) as archive:
        local = archive.getinfo(name.decode()).header_offset
    data[local + 22 : local + 26] = declared.to_bytes(4, "little")
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 24 : entry + 28] = declared.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


class Command(BaseCommand):
    help = "Benchmark the refusal of hostile files by import_bkn: time and peak memory of each, in its own process."

    def add_arguments(self, parser):
        parser.add_argument("--refuse", help="(internal) import this file here and print what it cost as JSON")

    def handle(self, *args, **options):
        if options["refuse"]:
            self._refuse(Path(options["refuse"]))
            return
        self.stdout.write(
            f"\nHostile files refused by import_bkn's service, each in its own process "
            f"(target < {TARGET_SECONDS:.0f} s, < {TARGET_MB} MB)"
        )
        self.stdout.write(f"{'file':<56} {'size':>9} {'wall':>6} {'CPU':>6} {'peak (Django alone)':>19}  reason")
        with tempfile.TemporaryDirectory() as folder:
            folder = Path(folder)
            for label, path, *target in self._files(folder):
                self._row(label, path, target=target != [False])

    def _files(self, folder):
        blanks = workbook(folder / "zipbomb.xlsx", [HEADER, *(" " * 1024 * 1024 for _ in range(1024))])
        wide_row = "<c><v>1</v></c>" * 16_384
        million, at_limit = folder / "million.csv", folder / "at-limit.csv"
        for path, rows in ((million, 1_000_000), (at_limit, 99_999)):
            with path.open("w", encoding="utf-8") as file:
                file.write("nip_baru,pns_id,nama,jenis_pegawai_nama\n")
                file.write("1\n" * rows)
        return [
            (
                "a cell at XFD1048576 (declared and real)",
                workbook(
                    folder / "dimension.xlsx",
                    [HEADER, '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'],
                    "A1:XFD1048576",
                ),
            ),
            ("zip bomb: a sheet of 1 GB of blanks", blanks),
            ("the same, its sheet lying that it unpacks to 1 KB", lying(blanks, folder / "liar.xlsx", 1024)),
            (
                "4 million one-cell rows",
                workbook(
                    folder / "rows.xlsx",
                    (f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(1, 4_000_001)),
                ),
            ),
            (
                "2,002 x 16,384 cells (written without references)",
                workbook(folder / "wide.xlsx", (f'<row r="{n}">{wide_row}</row>' for n in range(1, 2_003))),
            ),
            ("CSV of a million bad rows", million),
            ("CSV of 99,999 bad rows (within the limit: every row checked)", at_limit, False),
        ]

    def _row(self, label, path, *, target: bool):
        result = subprocess.run(  # noqa: S603  (our own manage.py, our own arguments)
            [sys.executable, "manage.py", "bench_imports", "--refuse", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            cost = json.loads(result.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            self.stdout.write(f"{label:<56} failed: {(result.stderr or result.stdout).strip()[-300:]}")
            return
        met = cost["refused"] and cost["seconds"] < TARGET_SECONDS and cost["peak_mb"] < TARGET_MB
        verdict = ("met" if met else "MISSED") if target else "no target"
        verdict += f", {cost['lines']} line{'s' if cost['lines'] > 1 else ''}"
        size = path.stat().st_size
        shown = f"{size / 1024:.1f} kB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
        self.stdout.write(
            f"{label:<56} {shown:>9} {cost['seconds']:>5.2f}s {cost['cpu']:>5.2f}s "
            f"{cost['peak_mb']:>8.0f} MB ({cost['start_mb']:.0f} MB)  "
            f"{verdict}: {cost['reason'][:100]}"
        )

    def _refuse(self, path):
        before = _peak_mb()
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        try:
            import_file(path, triggered_by="bench")
            problems, refused = ["imported"], False
        except ImportRefused as error:
            problems, refused = error.problems, True
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
        used = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
        cost = {
            "seconds": seconds,
            "cpu": used,
            "peak_mb": _peak_mb(),
            "start_mb": before,
            "refused": refused,
            "lines": len(problems),
            "reason": problems[0],
        }
        self.stdout.write(json.dumps(cost))


def _peak_mb() -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    with open("/proc/self/status") as status:
        return int(re.search(r"VmHWM:\s+(\d+)", status.read())[1]) / 1024
