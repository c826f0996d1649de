"""The shape of the code: counties/ knows nothing of villages/ (villages/ builds on counties/)."""

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


def test_production_code_never_imports_the_demo_module():
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "villages").rglob("*.py")) + sorted((ROOT / "counties").rglob("*.py"))
        if "villages.demo" in set(imported_modules(path)) and path.name != "seed_demo.py"
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
