"""For `make bench`: run a management command in its own process and read its time and peak memory."""

import re
import subprocess
import sys
import time
from dataclasses import dataclass

# VmHWM starts afresh at exec, so the peak is the command's own (a fork of the
# benchmark would also count whatever the benchmark holds).
PEAK_WRAPPER = """
import re, runpy, sys
sys.argv = ["manage.py", *sys.argv[1:]]
try:
    runpy.run_path("manage.py", run_name="__main__")
finally:
    with open("/proc/self/status") as status:
        peak = re.search(r"VmHWM:\\s+(\\d+)", status.read())[1]
    print(f"peak_kb={peak}", file=sys.stderr)
"""


@dataclass
class Measured:
    seconds: float
    peak_mb: float
    returncode: int
    output: str
    errors: str = ""  # the whole standard error (a refusal's reasons)


def run_command(*args: str) -> Measured:
    start = time.perf_counter()
    result = subprocess.run(  # noqa: S603  (our own manage.py, our own arguments)
        [sys.executable, "-c", PEAK_WRAPPER, *args], capture_output=True, text=True, check=False
    )
    took = time.perf_counter() - start
    found = re.search(r"peak_kb=(\d+)", result.stderr)
    lines = (result.stdout or result.stderr).strip().splitlines()
    peak = int(found[1]) / 1024 if found else float("nan")
    return Measured(took, peak, result.returncode, lines[0] if lines else "", result.stderr)
