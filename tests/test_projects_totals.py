"""ProjectTotal, what the money overviews read (issue 22): every write path of the workflow leaves it equal to the
projects and funds it wrote — creating, planning funds, moving, editing the year, category or demo mark, monthly
figures one by one or as a series, cancelling, and the import (new projects in bulk, changed ones, figures). The
expected rows are written by hand from the amounts each test gives."""

import io
import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from counties.models import County
from tests.conftest import YUCI
from tests.pool_helpers import MUSHROOMS, ROADS, pool_csv, pool_xlsx, problems, run_pool
from tests.project_helpers import make_project, move_to
from villages.projects import workflow
from villages.projects.models import Category, Project, ProjectTotal, Source, Stage
from villages.projects.totals import lock as totals_lock

D = Decimal
INDUSTRY, LIVING, INFRA, OTHER = Category.INDUSTRY, Category.LIVING_ENVIRONMENT, Category.INFRASTRUCTURE, Category.OTHER
CENTRAL, PROVINCIAL, CITY = Source.CENTRAL, Source.PROVINCIAL, Source.CITY_COUNTY


def totals(year=2025, county=YUCI):
    """{(stage, category, source): (projects, demo projects, planned, allocated, spent)}."""
    return {
        (row.stage, row.category, row.source): (row.projects, row.illustrative, row.planned, row.allocated, row.spent)
        for row in ProjectTotal.objects.filter(county_id=county, year=year)
    }


def counted(projects, demo=0):
    return (projects, demo, 0, 0, 0)


def fund(planned, allocated=0, spent=0):
    return (0, 0, D(planned), D(allocated), D(spent))


def test_creating_planning_and_changing_the_plan(yuci_village, yuci_editor):
    project = make_project(yuci_village, yuci_editor, name="A", category=INDUSTRY, funds={CENTRAL: 300, CITY: 50})
    make_project(yuci_village, yuci_editor, name="B", category=INDUSTRY, funds={CENTRAL: 20})
    assert totals() == {
        (Stage.RESERVE, INDUSTRY, ""): counted(2),
        (Stage.RESERVE, INDUSTRY, CENTRAL): fund(320),
        (Stage.RESERVE, INDUSTRY, CITY): fund(50),
    }
    workflow.save_funds(project, project.version, yuci_editor, {CENTRAL: (D("250.5"), None), CITY: (None, None)})
    assert totals() == {(Stage.RESERVE, INDUSTRY, ""): counted(2), (Stage.RESERVE, INDUSTRY, CENTRAL): fund("270.5")}


def test_editing_the_year_category_and_demo_mark_moves_the_project(yuci_village, yuci_editor):
    project = make_project(yuci_village, yuci_editor, name="A", category=INDUSTRY, funds={CENTRAL: 300})
    workflow.edit_project(
        project, project.version, yuci_editor, {"year": 2026, "category": OTHER, "is_illustrative": True}
    )
    assert totals(2025) == {}
    assert totals(2026) == {(Stage.RESERVE, OTHER, ""): counted(1, demo=1), (Stage.RESERVE, OTHER, CENTRAL): fund(300)}


def test_moves_figures_series_and_cancelling(yuci_village, yuci_editor, city_admin):
    project = make_project(yuci_village, yuci_editor, name="A", category=LIVING, funds={CENTRAL: 200, PROVINCIAL: 100})
    move_to(project, Stage.IN_PROGRESS, yuci_editor, city_admin)
    assert totals() == {
        (Stage.IN_PROGRESS, LIVING, ""): counted(1),
        (Stage.IN_PROGRESS, LIVING, CENTRAL): fund(200),
        (Stage.IN_PROGRESS, LIVING, PROVINCIAL): fund(100),
    }
    central, provincial = project.funds.get(source=CENTRAL), project.funds.get(source=PROVINCIAL)
    workflow.record_figures(central, central.version, yuci_editor, date(2025, 6, 1), D(100), D(60))
    workflow.record_figures(central, central.version, yuci_editor, date(2025, 5, 1), D(80), D(30))  # an earlier month
    series = [(date(2025, 7, 1), D(10), D(5)), (date(2025, 8, 1), D(40), D("12.25"))]
    workflow.record_series(provincial, provincial.version, yuci_editor, series)
    assert totals()[(Stage.IN_PROGRESS, LIVING, CENTRAL)] == fund(200, 100, 60)  # June's, the latest
    assert totals()[(Stage.IN_PROGRESS, LIVING, PROVINCIAL)] == fund(100, 40, "12.25")
    central.refresh_from_db()
    workflow.record_figures(central, central.version, yuci_editor, date(2025, 6, 1), D(90), D(50), reason="更正")
    assert totals()[(Stage.IN_PROGRESS, LIVING, CENTRAL)] == fund(200, 90, 50)
    for each, month in ((central, 9), (provincial, 9)):  # the money returned before cancelling
        each.refresh_from_db()
        workflow.record_figures(each, each.version, yuci_editor, date(2025, month, 1), D(0), D(0), reason="退回")
    project.refresh_from_db()
    workflow.move(project, project.version, city_admin, Stage.CANCELLED, reason="选址变更")
    assert totals() == {
        (Stage.CANCELLED, LIVING, ""): counted(1),
        (Stage.CANCELLED, LIVING, CENTRAL): fund(200),
        (Stage.CANCELLED, LIVING, PROVINCIAL): fund(100),
    }


def test_figures_recorded_on_a_project_read_before_its_year_changed_count_in_its_new_year(
    yuci_village, yuci_editor, city_admin
):
    project = make_project(yuci_village, yuci_editor, name="A", category=LIVING, funds={CENTRAL: 200})
    move_to(project, Stage.IN_PROGRESS, yuci_editor, city_admin)
    central = project.funds.select_related("project").get()  # the figures page's fund, with its project of 2025
    saved = Project.objects.get(pk=project.pk)
    workflow.edit_project(saved, saved.version, city_admin, {"year": 2026})
    workflow.record_figures(central, central.version, yuci_editor, date(2026, 6, 1), D(100), D(60))
    assert totals(2025) == {}
    assert totals(2026) == {
        (Stage.IN_PROGRESS, LIVING, ""): counted(1),
        (Stage.IN_PROGRESS, LIVING, CENTRAL): fund(200, 100, 60),
    }


def test_the_import_new_projects_changed_ones_and_their_figures(yuci_editor, city_admin):
    assert problems(run_pool(pool_xlsx(), yuci_editor)) == []
    # MUSHROOMS 产业发展: 120 central, 50 provincial, 30 city; ROADS 人居环境 (its heading's): 80, 50, 50
    assert totals() == {
        (Stage.RESERVE, INDUSTRY, ""): counted(1),
        (Stage.RESERVE, INDUSTRY, CENTRAL): fund(120),
        (Stage.RESERVE, INDUSTRY, PROVINCIAL): fund(50),
        (Stage.RESERVE, INDUSTRY, CITY): fund(30),
        (Stage.RESERVE, LIVING, ""): counted(1),
        (Stage.RESERVE, LIVING, CENTRAL): fund(80),
        (Stage.RESERVE, LIVING, PROVINCIAL): fund(50),
        (Stage.RESERVE, LIVING, CITY): fund(50),
    }
    changed = list(MUSHROOMS)
    changed[5:9] = [210, 120, 50, 40]
    assert problems(run_pool(pool_xlsx([changed, ["二、人居环境类"], ROADS]), yuci_editor)) == []
    assert totals()[(Stage.RESERVE, INDUSTRY, CITY)] == fund(40)
    mushrooms = Project.objects.get(name=MUSHROOMS[1])
    move_to(mushrooms, Stage.IN_PROGRESS, yuci_editor, city_admin)
    header = ["项目名称", "项目类别", "村代码", "中央衔接资金", "省级衔接资金", "市县财政资金", "截至月份", "已拨付中央衔接资金",
              "已支出中央衔接资金"]  # fmt: skip
    row = [MUSHROOMS[1], "产业发展", "140702100200", "120", "50", "40", "2025年6月", "60", "45"]
    june = pool_csv([header, row], "utf-8")
    assert problems(run_pool(june, yuci_editor, "june.csv")) == []
    assert totals()[(Stage.IN_PROGRESS, INDUSTRY, CENTRAL)] == fund(120, 60, 45)
    assert totals()[(Stage.IN_PROGRESS, INDUSTRY, "")] == counted(1) and (Stage.RESERVE, INDUSTRY, "") not in totals()


def test_a_reviewer_imports_projects_of_the_pool_with_their_figures(city_admin):
    header = [
        "项目名称",
        "项目类别",
        "村代码",
        "中央衔接资金",
        "项目状态",
        "截至月份",
        "已拨付中央衔接资金",
        "已支出中央衔接资金",
    ]
    rows = [header, ["光伏电站", "产业发展", "140702100200", "150", "实施中", "2025年6月", "100", "70.5"]]
    assert problems(run_pool(pool_csv(rows, "utf-8"), city_admin, "pool.csv")) == []
    assert totals() == {
        (Stage.IN_PROGRESS, INDUSTRY, ""): counted(1),
        (Stage.IN_PROGRESS, INDUSTRY, CENTRAL): fund(150, 100, "70.5"),
    }


def test_the_command_rebuilds_totals_lost_with_an_old_backup(yuci_village, yuci_editor):
    make_project(yuci_village, yuci_editor, name="A", category=INFRA, funds={CITY: "12.5"})
    ProjectTotal.objects.all().delete()  # a restored archive made before the totals existed has none
    call_command("rebuild_project_totals", stdout=io.StringIO())
    assert totals() == {(Stage.RESERVE, INFRA, ""): counted(1), (Stage.RESERVE, INFRA, CITY): fund("12.5")}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent connections need PostgreSQL")
def test_figures_of_two_projects_of_one_county_saved_at_once_both_count(yuci_village, yuci_editor, city_admin):
    projects = [
        make_project(yuci_village, yuci_editor, name=name, funds={CENTRAL: planned})
        for name, planned in (("A", 100), ("B", 50))
    ]
    for project in projects:
        move_to(project, Stage.IN_PROGRESS, yuci_editor, city_admin)
    first_written, release = threading.Event(), threading.Event()
    errors, waited = [], []

    def record(project, allocated, spent):
        fund = project.funds.get()
        workflow.record_figures(fund, fund.version, yuci_editor, date(2025, 6, 1), D(allocated), D(spent))

    def first():
        try:
            with transaction.atomic():  # A's figures written, its transaction still open
                record(projects[0], 60, 30)
                first_written.set()
                release.wait(10)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    def second():
        try:
            first_written.wait(10)
            threading.Timer(0.5, release.set).start()
            started = time.monotonic()
            record(projects[1], 40, 20)  # waits for the county until A's transaction commits
            waited.append(time.monotonic() - started)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and waited[0] >= 0.4
    assert totals()[(Stage.IN_PROGRESS, INFRA, CENTRAL)] == fund(150, 100, 50)


def county_or_project_locked(project=None):
    """Whether another transaction holds the row of the project (or of Yuci county): NOWAIT answers at once."""
    query = Project.objects.filter(pk=project.pk) if project else County.objects.filter(code=YUCI)
    try:
        with transaction.atomic():
            list(query.select_for_update(nowait=True, of=("self",)))
        return False
    except OperationalError:
        return True


def while_held(lock, write):
    """Starts `write` while another transaction holds `lock` (a function taking rows' locks) and returns once
    `write` waits for a lock: the threads, the event that ends the holder's transaction, and write's errors."""
    held, release, errors = threading.Event(), threading.Event(), []

    def holder():
        try:
            with transaction.atomic():
                lock()
                held.set()
                release.wait(10)
        finally:
            connection.close()

    def writer():
        try:
            held.wait(10)
            write()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=holder), threading.Thread(target=writer)]
    for thread in threads:
        thread.start()
    held.wait(10)
    waiting_for_a_lock(until=time.monotonic() + 10)
    return threads, release, errors


def waiting_for_a_lock(until):
    """Until the writer's connection waits for a lock held by another (PostgreSQL's own view of it)."""
    while time.monotonic() < until:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the write never waited for a lock")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent connections need PostgreSQL")
def test_a_page_edit_waiting_for_its_county_holds_no_project_yet(yuci_village, yuci_editor, city_admin):
    # the import holds the county while it writes; a page edit that took its project first and then waited for
    # the county deadlocked with an import changing that project (one of the two got a 500)
    project = make_project(yuci_village, yuci_editor, name="A", funds={CENTRAL: 100})

    def edit():
        saved = Project.objects.get(pk=project.pk)
        workflow.edit_project(saved, saved.version, city_admin, {"name": "B"})

    threads, release, errors = while_held(lambda: totals_lock([YUCI]), edit)
    project_locked = county_or_project_locked(project)
    release.set()
    for thread in threads:
        thread.join()
    assert not project_locked and errors == []
    assert Project.objects.get(pk=project.pk).name == "B"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent connections need PostgreSQL")
def test_an_import_takes_its_counties_before_any_project_it_changes(yuci_editor, city_admin):
    assert problems(run_pool(pool_xlsx(), yuci_editor)) == []
    mushrooms = Project.objects.get(name=MUSHROOMS[1])
    changed = list(MUSHROOMS)
    changed[5:9] = [210, 120, 50, 40]
    results = []

    def hold_the_project():
        list(Project.objects.select_for_update(of=("self",)).filter(pk=mushrooms.pk))

    def import_the_change():
        results.append(run_pool(pool_xlsx([changed, ["二、人居环境类"], ROADS]), yuci_editor))

    threads, release, errors = while_held(hold_the_project, import_the_change)
    county_locked = county_or_project_locked()
    release.set()
    for thread in threads:
        thread.join()
    assert county_locked and errors == [] and problems(results[0]) == []
    assert totals()[(Stage.RESERVE, INDUSTRY, CITY)] == fund(40)


def first_write_or_lock(queries):
    for query in queries:
        sql = query["sql"].lstrip()
        if sql.upper().startswith(("UPDATE", "INSERT", "DELETE")) or "FOR UPDATE" in sql.upper():
            return sql
    return None


def test_every_write_of_a_project_takes_its_county_first(yuci_village, yuci_editor, city_admin):
    # PostgreSQL: SELECT … FOR UPDATE of the county. SQLite has no row locks: an UPDATE of the county takes the
    # database's write lock at once (waiting for another writer) — a read first fails at once when it then writes
    project = make_project(yuci_village, yuci_editor, name="A", funds={CENTRAL: 100})
    fund = project.funds.get()
    writes = {
        "edit": lambda: workflow.edit_project(project, project.version, city_admin, {"name": "B"}),
        "funds": lambda: workflow.save_funds(project, project.version, yuci_editor, {CENTRAL: (D(120), None)}),
        "move": lambda: move_to(project, Stage.IN_PROGRESS, yuci_editor, city_admin),
        "figures": lambda: workflow.record_figures(fund, fund.version, yuci_editor, date(2025, 6, 1), D(60), D(30)),
    }
    for name, write in writes.items():
        fund.refresh_from_db()
        with CaptureQueriesContext(connection) as queries:
            write()
        assert '"counties_county"' in first_write_or_lock(queries.captured_queries), name
    with CaptureQueriesContext(connection) as queries:
        assert problems(run_pool(pool_xlsx(), yuci_editor)) == []
    assert '"counties_county"' in first_write_or_lock(queries.captured_queries), "import"
