"""Acceptance at the size of a real standard: a 30-item 评分细则 with 3 photos (1600 × 1200) per item.

Prints the server time and queries of the self-assessment, the review and the round page, the time, size and
peak memory of the DOCX record (验收表) with its 90 thumbnails, and the time to import a 200-item standard.
Everything it makes is written in one transaction that is rolled back, photos in a temporary folder.

Usage: DATABASE_URL=... .venv/bin/python bench/acceptance.py   (load_registry first)
"""

import io
import os
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from dashboard import RUNS, measure  # noqa: E402  (bench/ is the script's folder)
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from PIL import Image  # noqa: E402

from counties.models import Profile  # noqa: E402
from villages.acceptance.models import Standard  # noqa: E402
from villages.acceptance.record import record_docx  # noqa: E402
from villages.acceptance.rounds import load_round  # noqa: E402
from villages.acceptance.standard_file import import_standard  # noqa: E402
from villages.models import Status, Village  # noqa: E402

ITEMS, PHOTOS_PER_ITEM = 30, 3


class Rollback(Exception):
    pass


def photo_bytes(seed):
    image = Image.effect_noise((1600, 1200), 40 + seed % 30).convert("RGB")
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=85)
    return output.getvalue()


def standard_file(items):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["考核内容", "序号", "考核要点", "分值", "评分标准", "佐证资料", "一票否决"])
    for number in range(1, items + 1):
        sheet.append([f"类别{(number - 1) // 10 + 1}", str(number), f"要点{number}", 5, "评分", "照片", ""])
    sheet.append(["合计", None, None, 5 * items])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def user(username, role, counties=()):
    account = get_user_model().objects.create_user(username=username, password="bench-only")
    Profile.objects.create(user=account, role=role).counties.set(counties)
    client = Client()
    client.force_login(account)
    return client


def main():
    setup_test_environment()
    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="acceptance-bench-"))
    print(f"database: {connection.vendor}; {ITEMS} items, {PHOTOS_PER_ITEM} photos of 1600 × 1200 each")
    try:
        with transaction.atomic():
            run()
            raise Rollback
    except Rollback:
        pass
    load = os.getloadavg()
    print(f"machine load average (1, 5, 15 min): {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs")


def run():
    village = Village.objects.filter(county_id="140702").order_by("code").first()
    Village.objects.filter(pk=village.pk).update(tier="upgraded", programme_year=2035, status=Status.COMPLETED)
    village.refresh_from_db()
    admin = get_user_model().objects.create_superuser("bench-admin", password="bench-only")
    start = time.perf_counter()
    outcome = import_standard(standard_file(ITEMS), "bench.xlsx", "upgraded", 2035, Decimal(90), admin)
    print(f"import a {ITEMS}-item standard: {(time.perf_counter() - start) * 1000:.0f} ms")
    start = time.perf_counter()
    big = import_standard(standard_file(200), "bench.xlsx", "showcase", 2035, Decimal(90), admin)
    print(f"import a 200-item standard: {(time.perf_counter() - start) * 1000:.0f} ms ({big.items} items)")
    standard = outcome.standard
    county = user("bench-editor", Profile.Role.COUNTY_EDITOR, ["140702"])
    city = Client()
    city.force_login(admin)
    items = list(standard.items.all())
    # Evidence is added over several drafts, as an editor would: one request carries at most the photos of ten
    # items (a request body is limited to REQUEST_MAX_BYTES).
    start, version = time.perf_counter(), 0
    for first in range(0, len(items), 10):
        data = {"version": version, "action": "save"}
        for item in items:
            data[f"score_{item.pk}"] = "5"
        for item in items[first : first + 10]:
            data[f"files_{item.pk}"] = [
                SimpleUploadedFile(f"{item.number}-{n}.jpg", photo_bytes(item.position * 3 + n))
                for n in range(PHOTOS_PER_ITEM)
            ]
        response = county.post(f"/villages/{village.code}/acceptance/apply/", data)
        assert response.status_code == 302, response.status_code
        version = village.applications.get().version
    print(
        f"save {ITEMS * PHOTOS_PER_ITEM} photos in {len(range(0, len(items), 10))} drafts: "
        f"{(time.perf_counter() - start) * 1000:.0f} ms"
    )
    for label, client, url in [
        ("self-assessment page", county, f"/villages/{village.code}/acceptance/apply/"),
    ]:
        queries, ms = measure(client, url)
        print(f"{label:22} {queries:3d} queries {ms:7.1f} ms (median of {RUNS})")
    application = village.applications.get()
    form = {"version": application.version, "action": "finish"}
    form.update({f"score_{item.pk}": "5" for item in items})
    assert county.post(f"/villages/{village.code}/acceptance/apply/", form).status_code == 302
    for label, client, url in [
        ("review page", city, f"/villages/{village.code}/acceptance/review/"),
        ("round page", city, f"/villages/{village.code}/acceptance/1/"),
        ("village page", city, f"/villages/{village.code}/"),
    ]:
        queries, ms = measure(client, url)
        print(f"{label:22} {queries:3d} queries {ms:7.1f} ms (median of {RUNS})")
    round_ = load_round(Standard.objects.get(pk=standard.pk).applications.get())
    tracemalloc.start()
    start = time.perf_counter()
    document = record_docx(round_)
    elapsed = (time.perf_counter() - start) * 1000
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"record (验收表) DOCX: {elapsed:.0f} ms, {len(document) / 2**20:.1f} MB, "
        f"peak Python memory {peak / 2**20:.0f} MB, {len(round_.photos)} thumbnails"
    )


if __name__ == "__main__":
    main()
