"""kaohe.monitoring.air stays pure: no Django (STYLE.md §3)."""

from __future__ import annotations

import subprocess
import sys


def test_it_imports_without_django() -> None:
    code = "import sys, kaohe.monitoring.air; assert 'django' not in sys.modules, 'django imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
