"""The engine imports nothing from Django, even where Django is not installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import importlib, pkgutil, sys

class NoDjango:
    def find_spec(self, name, path=None, target=None):
        if name == "django" or name.startswith("django."):
            raise ImportError("django is not available to the wfm engine")
        return None

sys.meta_path.insert(0, NoDjango())
import callpulse.wfm
names = [m.name for m in pkgutil.walk_packages(callpulse.wfm.__path__, "callpulse.wfm.")]
for name in names:
    if not name.endswith("__main__"):
        importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
assert not loaded, loaded
print(len(names), "modules")
"""


def test_engine_imports_no_django() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[0]) >= 6
