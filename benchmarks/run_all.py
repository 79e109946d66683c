"""`make bench`: run every benchmark script in this folder, one after another, and stop at the first failure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    # Only scripts: helper modules (data generators, baselines) have no __main__ block.
    scripts = sorted(
        p for p in HERE.glob("*.py")
        if p.name != Path(__file__).name and 'if __name__ == "__main__"' in p.read_text(encoding="utf-8")
    )
    for script in scripts:
        print(f"=== {script.name}", flush=True)
        subprocess.run([sys.executable, str(script)], check=True)
