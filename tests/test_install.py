"Install-level checks: the package imports, torch and torchvision import together, and the library is in sync."
import importlib, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_imports():
    import torch, torchvision  # the pinned pair must import together
    import rrg_nb
    from rrg_nb.core import LABELS
    assert len(LABELS) == 14 and rrg_nb.__version__

def test_every_notebook_module_exports():
    "Each numbered library notebook has a default_exp whose module imports."
    import json
    for nb in sorted((ROOT / "nbs").glob("[0-9]*.ipynb")):
        cells = json.loads(nb.read_text())["cells"]
        exp = [c for c in cells if "".join(c["source"]).startswith("#| default_exp")]
        assert exp, f"{nb.name} has no '#| default_exp' cell"
        mod = "".join(exp[0]["source"]).split()[-1]
        importlib.import_module(f"rrg_nb.{mod}")
