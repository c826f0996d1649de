"""The shape of the code: apps depend one way. counties/ at the bottom, villages/ on it, then acceptance, projects
and reporting (packages of villages/ registered as apps of their own), then api/; config/ puts them together.
A module may import its own layer and those below it, never one above."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


LAYERS = ["counties", "villages", "villages.acceptance", "villages.projects", "villages.reporting", "api"]


def layer_of(module):
    """The index in LAYERS of the deepest layer the dotted module name belongs to, or None (Django, config…)."""
    found = None
    for index, layer in enumerate(LAYERS):
        if module == layer or module.startswith(layer + "."):
            found = index
    return found


def upward_imports():
    for layer in LAYERS:
        folder = ROOT.joinpath(*layer.split("."))
        for path in sorted(folder.rglob("*.py")) if folder.exists() else []:
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            own = layer_of(module)
            for imported in imported_modules(path):
                target = layer_of(imported)
                if target is not None and target > own:
                    yield f"{path.relative_to(ROOT)}: {imported}"


def test_no_app_imports_an_app_above_it():
    assert sorted(set(upward_imports())) == []


def test_the_layers_are_read_from_the_module_names():
    assert [layer_of(name) for name in ("counties.access", "villages.models", "villages.acceptance.workflow")] == [
        0,
        1,
        2,
    ]
    assert layer_of("django.db") is None and layer_of("villages_extra") is None


def test_no_module_under_counties_imports_villages():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted((ROOT / "counties").rglob("*.py"))
        for module in imported_modules(path)
        if module == "villages" or module.startswith("villages.")
    ]
    assert offenders == []


def test_the_check_sees_an_import_of_villages(tmp_path):
    module = tmp_path / "sample.py"
    module.write_text("def f():\n    from villages.models import Village\n    return Village\n")
    assert list(imported_modules(module)) == ["villages.models"]


def test_production_code_never_imports_a_demo_module():
    """Only seed_demo and the apps' own demo modules (loaded by seed_demo) import the demo."""
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted((ROOT / "villages").rglob("*.py")) + sorted((ROOT / "counties").rglob("*.py"))
        for module in imported_modules(path)
        if (module == "villages.demo" or module.endswith(".demo")) and path.name not in ("seed_demo.py", "demo.py")
    ]
    assert offenders == []


def test_nothing_in_villages_imports_the_reporting_app_above_it():
    """villages/reporting (label "reporting") adds what it shows through villages.extensions; villages and the
    apps below it never import it."""
    above = ROOT / "villages" / "reporting"
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted((ROOT / "villages").rglob("*.py")) + sorted((ROOT / "counties").rglob("*.py"))
        if above not in path.parents
        for module in imported_modules(path)
        if module == "villages.reporting" or module.startswith("villages.reporting.")
    ]
    assert offenders == []


def test_nothing_below_the_api_app_imports_it():
    """api/ is at the top: config, counties and villages (with the apps under it) never import it."""
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for folder in ("config", "counties", "villages")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for module in imported_modules(path)
        if module == "api" or module.startswith("api.")
    ]
    assert offenders == []
