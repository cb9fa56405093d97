"""The library's shape: imports go down the notebooks' reading order, modules and exported cells stay small."""
import ast, json, re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIB, NBS = ROOT / "rrg_nb", ROOT / "nbs"
PLUGINS = {"chexbert", "judge"}            # loaded lazily where they are optional (weights, an endpoint)
UPWARD_OK = {("labeler", "chexbert")}      # get_labeler("chexbert") builds the plug-in that subclasses Labeler: the one circle
BIG_OK: set = set()                        # modules allowed above 600 lines (none since phantom was split into chest and phantom)
LONG_CELLS_OK = {"labeler"}                # notebooks whose exported cells may pass 80 lines (its rule tables)


def _source_notebook(py: Path) -> str:
    m = re.search(r"File to edit: \.\./nbs/(\S+)\.ipynb", py.read_text())
    assert m, f"{py}: not exported by nbdev"
    return m.group(1)


MODULES = {p.stem: _source_notebook(p) for p in sorted(LIB.glob("*.py")) if p.stem not in ("__init__", "_modidx")}
RANK = {m: nb for m, nb in MODULES.items()}  # a notebook name sorts in reading order (03a after 03, before 04)


def _imports(py: Path):
    "(imported rrg_nb module, inside a function?) for every import of an rrg_nb module in `py`."
    tree = ast.parse(py.read_text())
    funcs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    inner = {id(x) for f in funcs for x in ast.walk(f)}
    for n in ast.walk(tree):
        mods = []
        if isinstance(n, ast.ImportFrom):
            if n.level == 1: mods = [n.module] if n.module else [a.name for a in n.names]
            elif n.module and n.module.startswith("rrg_nb"):
                mods = [n.module.split(".")[1]] if "." in n.module else [a.name for a in n.names]
        elif isinstance(n, ast.Import):
            mods = [a.name.split(".")[1] for a in n.names if a.name.startswith("rrg_nb.")]
        for m in mods:
            if m in MODULES: yield m, id(n) in inner


def test_imports_go_down_the_floors():
    bad, lazy = [], []
    for mod in MODULES:
        for dep, in_func in _imports(LIB / f"{mod}.py"):
            if dep == mod: continue
            if RANK[dep] > RANK[mod] and (mod, dep) not in UPWARD_OK: bad.append(f"{mod} ({RANK[mod]}) imports {dep} ({RANK[dep]})")
            if in_func and dep not in PLUGINS: lazy.append(f"{mod} imports {dep} inside a function")
    assert not bad, "imports running up the floors: " + "; ".join(bad)
    assert not lazy, "rrg_nb imports inside functions (only plug-ins may load lazily): " + "; ".join(lazy)


def test_no_reexport_shims():
    shims = [m for m in MODULES if re.search(r"^def __getattr__\(", (LIB / f"{m}.py").read_text(), re.M)]
    assert not shims, f"module-level __getattr__ re-exports in {shims}"


def test_module_and_cell_sizes():
    long = {m: n for m in MODULES if m not in BIG_OK and (n := len((LIB / f"{m}.py").read_text().splitlines())) > 600}
    assert not long, f"modules above 600 lines: {long}"
    big = []
    for nb in sorted(NBS.glob("[0-9]*.ipynb")):
        if any(nb.stem.endswith(k) for k in LONG_CELLS_OK): continue
        for c in json.loads(nb.read_text())["cells"]:
            src = "".join(c["source"])
            if c["cell_type"] == "code" and src.startswith("#| export") and (n := len(src.splitlines())) > 80:
                big.append(f"{nb.name}: exported cell of {n} lines starting {src.splitlines()[1][:60]!r}")
    assert not big, "exported cells above 80 lines: " + "; ".join(big)


def test_one_notebook_per_module():
    assert sorted(MODULES.values()) == sorted(p.stem for p in NBS.glob("[0-9]*.ipynb")), "every library notebook exports one module"
