import shutil
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from counties.models import County, Township
from villages.models import Status, Village

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(settings.DATA_DIR, target)
    return target


def run_load_registry(*args, language="en"):
    out = StringIO()
    with translation.override(language):
        call_command("load_registry", *args, stdout=out)
    return out.getvalue()


def test_load_registry_loads_the_shipped_counts_and_says_so():
    Village.objects.all().delete()
    Township.objects.all().delete()
    County.objects.all().delete()

    output = run_load_registry()

    assert County.objects.count() == 11
    assert Township.objects.count() == 130
    assert Village.objects.count() == 1940
    assert "11" in output and "130" in output and "1940" in output
    assert County.objects.get(code="140703").name == "太谷区"
    assert Village.objects.filter(county_id="140702").count() == 208


def test_second_run_changes_nothing_and_says_so(registry):
    before = Village.history.count()
    output = run_load_registry()
    assert Village.history.count() == before
    assert "0 created, 0 updated, 1940 unchanged" in output
    assert "0 created, 0 updated, 130 unchanged" in output


def test_load_registry_speaks_chinese_by_default(registry):
    output = run_load_registry(language="zh-hans")
    assert "村庄：1940 个（新增 0，更新 0，未变 1940）" in output
    assert "没有任何更改" in output


def test_newer_file_updates_names_and_adds_units_and_keeps_tracked_villages(registry, data_copy):
    tracked = Village.objects.get(code="140702100200")
    tracked.status = Status.PLANNED
    tracked.save()
    villages_csv = data_copy / "villages.csv"
    lines = villages_csv.read_text(encoding="utf-8").splitlines()
    lines = [line for line in lines if not line.startswith("140702100200,")]
    lines = [line.replace("结岭石村委会,结岭石村", "结岭石村村民委员会,结岭石村") for line in lines]
    lines.append("140702100399,新设村委会,新设村,140702100,140702")
    villages_csv.write_text("\n".join(lines) + "\n", encoding="utf-8")

    output = run_load_registry("--data-dir", str(data_copy))

    assert Village.objects.get(code="140702100201").name == "结岭石村村民委员会"
    assert Village.objects.get(code="140702100399").short_name == "新设村"
    assert Village.objects.filter(code="140702100200", status=Status.PLANNED).exists()
    assert "140702100200" in output
    assert Village.objects.count() == 1941


@pytest.mark.parametrize(
    "bad_line, expected",
    [
        (
            "140702100398,外县村委会,外县村,140703101,140702",
            "township 140703101 of village 140702100398 belongs to county 140703, not 140702",
        ),
        ("14070210039,短码村委会,短码村,140702100,140702", "is not 12 digits"),
        ("140702999398,无乡村委会,无乡村,140702999,140702", "township '140702999' of village 140702999398 is unknown"),
    ],
    ids=["township-of-another-county", "malformed-code", "unknown-township"],
)
def test_bad_row_is_refused_with_row_number_and_writes_nothing(registry, data_copy, bad_line, expected):
    villages_csv = data_copy / "villages.csv"
    lines = villages_csv.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("鸣谦村委会", "鸣谦村村委会")  # a good change that must not be written either
    lines.insert(3, bad_line)
    villages_csv.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        run_load_registry("--data-dir", str(data_copy))

    assert "villages.csv row 4: " in str(refused.value)
    assert expected in str(refused.value)
    assert "nothing was written" in str(refused.value)
    assert Village.objects.get(code="140702100200").name == "鸣谦村委会"
    assert Village.objects.count() == 1940


def test_every_bad_row_is_reported_at_once(registry, data_copy):
    townships_csv = data_copy / "townships.csv"
    lines = townships_csv.read_text(encoding="utf-8").splitlines()
    lines += ["140702500,错县乡,140703,乡", "14070250,短乡,140702,乡", "140702501,怪乡,140702,村"]
    townships_csv.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        run_load_registry("--data-dir", str(data_copy))

    message = str(refused.value)
    assert "townships.csv row 132: township 140702500 does not belong to county 140703" in message
    assert "townships.csv row 133: township code '14070250' is not 9 digits" in message
    assert "townships.csv row 134: kind '村'" in message
    assert Township.objects.count() == 130


def test_malformed_geojson_is_refused_in_one_line(registry, data_copy):
    (data_copy / "counties.geojson").write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        run_load_registry("--data-dir", str(data_copy))
    assert "counties.geojson row -: not a GeoJSON FeatureCollection" in str(refused.value)
