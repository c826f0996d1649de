"""The 项目库 import (issue 22, item 5): a county's pool as it is published — title rows, merged headers, group headings,
合计 rows; XLSX, XLS and GBK CSV — read through the village import's bounded reader, checked whole, written all or
nothing; every problem named by sheet, row and column; hostile files refused as the village import refuses them."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from counties.models import Pairing
from tests.conftest import YUCI
from tests.pool_helpers import (
    BOTTOM,
    MUSHROOMS,
    ROADS,
    TITLE,
    pool_csv,
    pool_rows,
    pool_xls,
    pool_xlsx,
    problems,
    run_pool,
    warnings,
)
from tests.spreadsheet_files import HOSTILE, xlsx_workbook
from villages.imports.importer import import_villages
from villages.projects.models import Project, ProjectFund, Stage

D = Decimal
MINGQIAN, JIELINGSHI, XIAOXIGOU = "140702100200", "140702100201", "140702100202"
HUCUN_TAIGU = "140703101200"  # 太谷区胡村镇胡村


def pool():
    """{name: (category, villages, funds, start, end, implementer)} of the pool as the database holds it."""
    return {
        project.name: (
            project.category,
            sorted(v.code for v in project.villages.all()),
            {fund.source: fund.planned for fund in project.funds.all()},
            project.start_month,
            project.end_month,
            project.implementer,
        )
        for project in Project.objects.prefetch_related("villages", "funds")
    }


EXPECTED = {
    "鸣谦村食用菌大棚": (
        "产业发展",
        [MINGQIAN],
        {"中央衔接资金": D("120.00"), "省级衔接资金": D("50.00"), "市县财政资金": D("30.00")},
        date(2025, 3, 1),
        date(2025, 10, 1),
        "鸣谦村股份经济合作社",
    ),
    "村内道路硬化": (
        "人居环境",  # from the group heading 二、人居环境类 above it
        [JIELINGSHI, XIAOXIGOU],
        {"中央衔接资金": D("80.00"), "省级衔接资金": D("50.00"), "市县财政资金": D("50.00")},
        date(2025, 4, 1),
        date(2025, 9, 1),
        "乌金山镇人民政府",
    ),
}


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_a_county_pool_with_title_merged_header_headings_and_total_is_previewed_then_written(yuci_editor, kind):
    content = pool_xlsx() if kind == "xlsx" else pool_xls()
    preview = run_pool(content, yuci_editor, f"pool.{kind}", dry_run=True)
    assert problems(preview) == [] and warnings(preview) == []
    assert (preview.created, preview.updated, preview.unchanged) == (2, 0, 0)
    assert preview.summary_rows == [("项目库", 4, "合计")]
    assert [line for _sheet, line, _text in preview.headings] == [5, 7]
    assert Project.objects.count() == 0  # a preview writes nothing

    result = run_pool(content, yuci_editor, f"pool.{kind}")
    assert result.written and result.created == 2
    assert pool() == EXPECTED
    assert result.planned_by_source == {"中央衔接资金": D("200"), "省级衔接资金": D("100"), "市县财政资金": D("80")}
    project = Project.objects.get(name="鸣谦村食用菌大棚")
    assert (project.stage, project.year, project.county_id, project.township_id) == (
        Stage.RESERVE,
        2025,
        YUCI,
        "140702100",
    )
    assert project.benefit_mechanism == "脱贫户30户，入股分红"
    assert project.performance_targets == "新建大棚20座，带动30户增收"
    assert project.responsible_unit == "乌金山镇人民政府"
    assert project.history.count() == 1 and project.history.first().history_user == yuci_editor
    assert ProjectFund.history.filter(project_id=project.pk).count() == 3

    again = run_pool(content, yuci_editor, f"pool.{kind}")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Project.history.count() == 2 and ProjectFund.history.count() == 6


def test_a_changed_row_updates_its_project_and_nothing_else(yuci_editor):
    run_pool(pool_xlsx(), yuci_editor)
    changed = list(MUSHROOMS)
    changed[5:9] = [210, 120, 50, 40]
    changed[11] = "2025年3月-2025年11月"
    result = run_pool(pool_xlsx([changed, ["二、人居环境类"], ROADS]), yuci_editor)
    assert problems(result) == [] and (result.created, result.updated, result.unchanged) == (0, 1, 1)
    mushrooms = pool()["鸣谦村食用菌大棚"]
    assert mushrooms[2]["市县财政资金"] == D("40.00") and mushrooms[4] == date(2025, 11, 1)
    assert Project.objects.get(name="鸣谦村食用菌大棚").history.count() == 3  # created, edited, funds planned


def test_a_gbk_csv_with_township_and_village_columns_and_a_total_with_its_linkage_funds(yuci_editor):
    rows = [
        ["序号", "项目名称", "项目类别", "乡镇", "村", "建设内容及规模", "资金规模(万元)", "衔接资金(万元)", "实施期限", "责任单位"],
        ["1", "光伏电站", "产业类", "乌金山镇", "鸣谦村", "村级光伏电站100千瓦", "150", "100", "2025.5-2025.8", "榆次区乡村振兴局"],
    ]  # fmt: skip
    result = run_pool(pool_csv(rows), yuci_editor, "pool.csv")
    assert problems(result) == [] and result.encoding == "GB18030" and result.created == 1
    assert pool()["光伏电站"][1:5] == (
        [MINGQIAN],
        {"衔接资金": D("100.00"), "其他": D("50.00")},  # the rest of the total: sources the file does not name
        date(2025, 5, 1),
        date(2025, 8, 1),
    )


def test_a_village_code_column_decides_and_a_pairing_fund_takes_the_countys_pairing(yuci_editor, city_admin):
    Pairing.objects.create(kind="help", county_a_id=YUCI, county_b_id="140722", start_year=2025)
    rows = [
        ["项目名称", "项目类别", "村代码", "建设地点", "中央衔接资金", "结对帮扶资金"],
        ["文化广场", "公共服务", MINGQIAN, "乌金山镇鸣谦村", "30", "20"],
    ]
    result = run_pool(pool_csv(rows, "utf-8"), yuci_editor, "pool.csv")
    assert problems(result) == []
    fund = ProjectFund.objects.get(source="结对帮扶资金")
    assert fund.planned == D("20.00") and fund.pairing.county_b_id == "140722"


BAD_ROWS = [
    [1, "冷库", "产业发展", "乌金山镇鸣谦村", "", 10, 10, 0, 0, "", "", "", "", ""],
    [2, "烘干房", "产业发展", "乌金山镇鸣谦村", "", 10, 10, 0, 0, "", "", "2025年3月-2025年13月", "", ""],
    [3, "大棚", "旅游", "乌金山镇鸣谦村", "", 10, 10, 0, 0, "", "", "", "", ""],
    [4, "道路", "基础设施", "乌金山镇鸣谦村", "", 10, -5, 15, 0, "", "", "", "", ""],
    [5, "路灯", "基础设施", "乌金山镇鸣谦村", "", 10, "五十", 0, 0, "", "", "", "", ""],
    [6, "广场", "公共服务", "后沟村", "", 10, 10, 0, 0, "", "", "", "", ""],
    [7, "水井", "基础设施", "胡村镇胡村", "", 10, 10, 0, 0, "", "", "", "", ""],
    [8, "冷库", "产业发展", "乌金山镇鸣谦村", "", 10, 10, 0, 0, "", "", "", "", ""],
    [9, "厕所", "人居环境", "乌金山镇无此村", "", 10, 10, 0, 0, "", "", "", "", ""],
    [10, "污水", "人居环境", "乌金山镇鸣谦村", "", 10, 8, 0, 0, "", "", "", "", ""],
]


def test_every_bad_row_is_named_by_sheet_row_and_column_and_nothing_is_written(yuci_editor):
    result = run_pool(pool_xlsx(BAD_ROWS, total=False), yuci_editor)
    assert problems(result) == [
        "项目库 sheet, row 5, column 实施期限: 2025年3月-2025年13月: there is no month 13",
        "项目库 sheet, row 6, column 项目类别: 旅游 is not a project category; use 产业发展、基础设施、人居环境、公共服务、乡村治理、其他",
        "项目库 sheet, row 7, column 中央衔接资金: -5 is negative; an amount is 0 or more",
        "项目库 sheet, row 8, column 中央衔接资金: 五十 is not an amount in 万元",
        "项目库 sheet, row 9, column 建设地点: 2 villages are called 后沟村: 后沟村委会 (140702100233, 榆次区乌金山镇)、"
        "后沟村委会 (140702203222, 榆次区东赵乡); give the township or the village code",
        "项目库 sheet, row 10, column 建设地点: 胡村村民委员会 is in 太谷区: you may not change that county's projects",
        "项目库 sheet, row 11, column 项目名称: 冷库 of 鸣谦村委会 is already in row 4",
        "项目库 sheet, row 12, column 建设地点: 乌金山镇 has no village 无此村",
        "项目库 sheet, row 13, column 合计: 合计 10.00 is not the sum of the sources (8.00)",
    ]
    assert Project.objects.count() == 0


def test_an_unknown_code_and_another_countys_code_are_refused(yuci_editor):
    rows = [
        ["项目名称", "项目类别", "村代码", "中央衔接资金"],
        ["甲", "其他", "140702999999", "1"],
        ["乙", "其他", HUCUN_TAIGU, "1"],
    ]
    result = run_pool(pool_csv(rows, "utf-8"), yuci_editor, "codes.csv")
    assert problems(result) == [
        "Row 2, column 村代码: no village with code 140702999999 in the registry",
        "Row 3, column 村代码: 胡村村民委员会 is in 太谷区: you may not change that county's projects",
    ]


def test_spent_above_the_plan_is_refused(city_admin):
    rows = [
        [
            "项目名称",
            "项目类别",
            "村代码",
            "项目状态",
            "中央衔接资金",
            "截至月份",
            "已拨付中央衔接资金",
            "已支出中央衔接资金",
        ],
        ["甲", "其他", MINGQIAN, "入库", "100", "2025年6月", "100", "120"],
        ["乙", "其他", JIELINGSHI, "入库", "100", "2025年6月", "80", "60"],
    ]
    result = run_pool(pool_csv(rows, "utf-8"), city_admin, "figures.csv")
    assert problems(result) == [
        "Row 2, column 已支出中央衔接资金: 已支出 120.00 is more than the 100.00 planned from 中央衔接资金",
    ]
    rows.pop(1)
    result = run_pool(pool_csv(rows, "utf-8"), city_admin, "figures.csv")
    assert problems(result) == []
    fund = ProjectFund.objects.get()
    assert (fund.allocated, fund.spent, fund.reported_month) == (D("80.00"), D("60.00"), date(2025, 6, 1))
    assert fund.project.stage == Stage.APPROVED and fund.reports.get().spent == D("60.00")


def test_a_county_editor_imports_into_reserve_only(yuci_editor):
    rows = [["项目名称", "项目类别", "村代码", "项目状态", "中央衔接资金"], ["甲", "其他", MINGQIAN, "入库", "100"]]
    assert problems(run_pool(pool_csv(rows, "utf-8"), yuci_editor, "stage.csv")) == [
        "Row 2, column 项目状态: only the reviewer (a city administrator) imports projects past 储备"
    ]


def test_a_total_row_that_does_not_add_up_is_a_warning_and_never_a_project(yuci_editor):
    rows = pool_rows([MUSHROOMS], total=False)
    rows.insert(3, ["合计", "", "", "", "", 999, 120, 50, 30])
    result = run_pool(xlsx_workbook({"项目库": rows}), yuci_editor)
    assert problems(result) == [] and result.created == 1
    assert warnings(result) == [
        "项目库 sheet, row 4, column 合计: the summary row says 999.00 but its 1 projects add up to 200.00"
    ]
    assert not Project.objects.filter(name="合计").exists()


def test_a_header_without_a_project_name_is_refused_naming_the_sheet():
    content = pool_csv([["序号", "建设地点", "项目类别"], ["1", "乌金山镇鸣谦村", "其他"]], "utf-8")
    result = run_pool(content, None, "noname.csv")
    assert problems(result) == ["Header row: the header needs a 项目名称 column."]


@pytest.mark.parametrize(
    "case", ["billion laughs", "300 MB shared string", "XLS declaring 1048576 x 16384", "binary junk", "NUL byte"]
)
def test_hostile_files_are_refused_as_the_village_import_refuses_them(yuci_editor, city_admin, case):
    name, content = HOSTILE[case](MINGQIAN)
    refused = run_pool(content, yuci_editor, name)
    with translation.override("en"):
        village_import = import_villages(content, name, city_admin)
    assert problems(refused) == [str(problem) for problem in village_import.problems]
    assert "cannot be imported" in problems(refused)[0] or "empty" in problems(refused)[0]
    assert Project.objects.count() == 0


def test_the_header_shape_of_the_helpers():
    assert pool_rows()[0] == [TITLE] and BOTTOM[5:9] == ["合计", "中央衔接资金", "省级衔接资金", "市县财政资金"]


def test_monthly_figures_of_a_project_under_way_are_recorded_and_never_lowered_by_an_import(
    yuci_village, yuci_editor, city_admin
):
    from tests.project_helpers import make_project, move_to

    project = make_project(yuci_village, yuci_editor, name="村道硬化", funds={"中央衔接资金": "100"})
    move_to(project, Stage.IN_PROGRESS, yuci_editor, city_admin)
    header = ["项目名称", "项目类别", "村代码", "中央衔接资金", "截至月份", "已拨付中央衔接资金", "已支出中央衔接资金"]
    june = pool_csv([header, ["村道硬化", "基础设施", MINGQIAN, "100", "2025年6月", "60", "45"]], "utf-8")
    result = run_pool(june, yuci_editor, "june.csv")
    assert problems(result) == [] and (result.updated, result.created) == (1, 0)
    fund = ProjectFund.objects.get(project=project)
    assert (fund.allocated, fund.spent, fund.reported_month) == (D("60.00"), D("45.00"), date(2025, 6, 1))
    assert run_pool(june, yuci_editor, "june.csv").unchanged == 1
    july = pool_csv([header, ["村道硬化", "基础设施", MINGQIAN, "100", "2025年7月", "60", "40"]], "utf-8")
    assert problems(run_pool(july, yuci_editor, "july.csv")) == [
        "Row 2, column 已支出中央衔接资金: 中央衔接资金: the figures are cumulative and would be lower than the month "
        "before (or higher than the month after); correct them on the project's page, with the reason"
    ]
    assert fund.reports.count() == 1


def test_new_projects_written_chunk_by_chunk_keep_their_villages_funds_and_history(yuci_editor, monkeypatch):
    from villages.projects import workflow

    monkeypatch.setattr(workflow, "IMPORT_CHUNK", 1)
    assert run_pool(pool_xlsx(), yuci_editor).created == 2
    assert pool() == EXPECTED
    assert Project.history.count() == 2 and ProjectFund.history.count() == 6
    assert Project.history.model.villages.model.objects.count() == 3
