"""The 项目库 export (issue 22, item 5): the pool written in the shape the import reads, so that importing an export
changes nothing, and a pool exported, emptied and imported again by its reviewer is the same pool; and the two
commands, import_projects and export_projects, with their outputs and exit statuses."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.pool_helpers import pool_csv, pool_xlsx
from tests.project_helpers import make_project, move_to
from villages.models import Village
from villages.projects import workflow
from villages.projects.models import Category, FundReport, Project, ProjectFund, Source, Stage

D = Decimal


@pytest.fixture
def pool(yuci_village, yuci_editor, city_admin):
    """Three projects of 乌金山镇: one in 储备, one under way with figures, one of two villages with unsplit 衔接资金."""
    make_project(yuci_village, yuci_editor, funds={Source.CENTRAL: "100", Source.PROVINCIAL: "50"})
    second, third = Village.objects.filter(township_id=yuci_village.township_id).order_by("code")[1:3]
    mushrooms = make_project(
        second,
        yuci_editor,
        name="=食用菌大棚",  # starts like a formula: escaped in the file, read back as it is
        category=Category.INDUSTRY,
        funds={Source.CENTRAL: "80", Source.SELF_RAISED: "20.5"},
        content="新建大棚20座",
        implementer="股份经济合作社",
        responsible_unit="乌金山镇人民政府",
        benefit_mechanism="脱贫户30户入股分红",
        performance_targets="新建大棚20座",
        start_month=date(2025, 3, 1),
        end_month=date(2025, 10, 1),
    )
    move_to(mushrooms, Stage.IN_PROGRESS, yuci_editor, city_admin)
    fund = mushrooms.funds.get(source=Source.CENTRAL)
    workflow.record_figures(fund, fund.version, yuci_editor, date(2025, 5, 1), D("40"), D("25.5"))
    roads = workflow.create_project(
        yuci_editor,
        yuci_village.township,
        [second, third],
        name="村内道路",
        category=Category.INFRASTRUCTURE,
        year=2025,
    )
    workflow.save_funds(
        roads, roads.version, yuci_editor, {Source.LINKAGE: (D("60"), None), Source.OTHER: (D("10"), None)}
    )


def snapshot():
    """Everything the import may write, as compared values."""
    projects = [
        (p.name, p.category, p.year, p.stage, p.content, p.implementer, p.responsible_unit, p.benefit_mechanism,
         p.performance_targets, p.start_month, p.end_month, tuple(sorted(v.code for v in p.villages.all())))
        for p in Project.objects.order_by("name")
    ]  # fmt: skip
    funds = sorted(
        (f.project.name, f.source, f.planned, f.allocated, f.spent, f.reported_month) for f in ProjectFund.objects.all()
    )
    reports = sorted(
        (r.fund.project.name, r.fund.source, r.month, r.allocated, r.spent) for r in FundReport.objects.all()
    )
    return projects, funds, reports


def cells(path):
    sheet = openpyxl.load_workbook(path).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue()


def test_importing_an_export_changes_nothing(pool, yuci_editor, tmp_path):
    path = tmp_path / "pool.xlsx"
    assert "3 projects written" in run("export_projects", str(path), "--year", "2025")
    before = snapshot()
    histories = Project.history.count(), ProjectFund.history.count(), FundReport.history.count()
    output = run("import_projects", str(path), "--year", "2025", "--user", yuci_editor.username)
    assert "Projects created: 0, updated: 0, unchanged: 3." in output
    assert "中央衔接资金: 180.00" in output and "衔接资金: 60.00" in output and "total: 320.50" in output
    assert snapshot() == before
    assert (Project.history.count(), ProjectFund.history.count(), FundReport.history.count()) == histories


def test_a_pool_exported_emptied_and_imported_by_its_reviewer_is_the_same_pool(pool, city_admin, tmp_path):
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    run("export_projects", str(first))
    before = snapshot()
    rows = cells(first)
    assert rows[0][0] == "百乡千村项目库"
    assert rows[1][9] == "资金规模及来源(万元)" and rows[2][9:18] == [
        "合计", "中央衔接资金", "省级衔接资金", "市县财政资金", "结对帮扶资金", "社会资本", "村集体及群众自筹", "其他", "衔接资金",
    ]  # fmt: skip
    assert rows[-1][0] == "合计" and rows[-1][9] == 320.5
    names = [row[6] for row in rows[3:-1]]
    assert "'=食用菌大棚" in names  # no spreadsheet runs it as a formula
    Project.objects.all().delete()
    output = run("import_projects", str(first), "--year", "2025", "--user", city_admin.username)
    assert "Projects created: 3, updated: 0, unchanged: 0." in output
    assert snapshot() == before
    run("export_projects", str(second))
    assert cells(second)[3:] == rows[3:]


def test_the_import_command_lists_every_problem_and_exits_1(yuci_editor, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        pool_csv([["项目名称", "项目类别", "建设地点", "中央衔接资金"], ["甲", "旅游", "乌金山镇鸣谦村", "-1"]])
    )
    with pytest.raises(CommandError) as refused, translation.override("en"):
        call_command("import_projects", str(path), "--year", "2025", "--user", yuci_editor.username)
    assert refused.value.returncode == 1
    assert str(refused.value).splitlines()[1:] == [
        "Row 2, column 项目类别: 旅游 is not a project category; use 产业发展、基础设施、人居环境、公共服务、乡村治理、其他",
        "Row 2, column 中央衔接资金: -1 is negative; an amount is 0 or more",
    ]
    assert not Project.objects.exists()


def test_the_import_command_refuses_a_viewer_and_a_dry_run_writes_nothing(viewer, yuci_editor, tmp_path):
    path = tmp_path / "pool.xlsx"
    path.write_bytes(pool_xlsx())
    with pytest.raises(CommandError, match="viewer is not an active city administrator or county editor"):
        run("import_projects", str(path), "--year", "2025", "--user", viewer.username)
    output = run("import_projects", str(path), "--year", "2025", "--user", yuci_editor.username, "--dry-run")
    assert "2 projects would be created" in output and not Project.objects.exists()
    assert "中央衔接资金: 200.00" in output and "total: 380.00" in output


def test_the_export_command_refuses_another_extension(tmp_path):
    with pytest.raises(CommandError, match="must end in .xlsx"):
        run("export_projects", str(tmp_path / "pool.csv"))
