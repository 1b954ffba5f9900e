"""`python -m benchmarks`: run the main() of every module in this folder, in name order.

    python -m benchmarks                    # every benchmark (what `make bench` runs)
    python -m benchmarks serving quizzes    # only these

A benchmark that fails or raises does not stop the others; the exit status is non-zero if any
missed its target or failed.
"""

import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path

from benchmarks._support import load_average, machine

available = sorted(info.name for info in pkgutil.iter_modules([str(Path(__file__).parent)])
                   if not info.name.startswith("_"))
chosen = sys.argv[1:] or available
unknown = sorted(set(chosen) - set(available))
if unknown:
    sys.exit(f"unknown benchmark(s): {', '.join(unknown)} (available: {', '.join(available)})")

print(f"benchmarks on {machine()}")
print(f"load average before the run: {load_average()}", flush=True)
status, summary = 0, []
for module in chosen:
    print(f"\n== {module}", flush=True)
    started = time.perf_counter()
    try:
        outcome = importlib.import_module(f"benchmarks.{module}").main([]) or 0
    except Exception:  # one broken benchmark must not hide the others' figures
        traceback.print_exc()
        outcome = 1
    status |= outcome
    summary.append(f"{module}: {'ok' if outcome == 0 else 'target missed or failed'} "
                   f"({time.perf_counter() - started:.0f} s)")
    sys.stdout.flush()
print("\n== summary\n" + "\n".join(summary))
sys.exit(status)
