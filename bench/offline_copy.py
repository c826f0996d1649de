"""What a county editor's phone downloads for its offline copy, and what sending a queued update costs.

Prints the copy as the phone fetches it (its parts of many pages each: count, bytes of the pages, bytes sent
as zstd as chromium takes it, server time per part) for one editor, then the time
and peak Python memory of sending updates with two phone-size photos (2,048 × 1,536 px) to the sync endpoint,
twice each (the second is the retry after a lost answer). The updates are rolled back: nothing is kept.

Usage: DATABASE_URL=... .venv/bin/python bench/offline_copy.py [--user yuci] [--updates 10]
(load_registry and seed_demo first: the demo editors are yuci, taigu, ...)
"""

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from backports import zstd  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from PIL import Image  # noqa: E402

from villages.models import ProgressUpdate, Village  # noqa: E402


def phone_photo(seed):
    """A JPEG as a phone sends it after scaling: 2,048 × 1,536 px of busy pixels (about 1 MB)."""
    noise = Image.effect_noise((2048, 1536), 60 + seed).convert("RGB")
    output = io.BytesIO()
    noise.save(output, format="JPEG", quality=88)
    return output.getvalue()


def copy_figures(client):
    start = time.perf_counter()
    listing = client.get("/offline/copy.json").json()
    sizes, sent, timings, pages = [], [], [], 0
    for url in listing["parts"]:
        begin = time.perf_counter()
        response = client.get(url, headers={"accept-encoding": "gzip, deflate, br, zstd"})
        timings.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200 and response["Content-Encoding"] == "zstd", (url, response.status_code)
        part = json.loads(zstd.decompress(response.content))["pages"]
        pages += len(part)
        sizes.append(sum(len(page["body"].encode()) for page in part))
        sent.append(len(response.content))
    total = time.perf_counter() - start
    counties = "、".join(county["name"] for county in listing["counties"])
    print(f"offline copy of {counties}: {listing['villages']} villages, {pages} pages in {len(listing['parts'])} parts")
    print(
        f"  pages {sum(sizes) / 2**20:.1f} MB, sent {sum(sent) / 1024:.0f} KB (zstd), largest part {max(sent) / 1024:.0f} KB"
    )
    print(
        f"  server time per part: p50 {statistics.median(timings):.0f} ms, max {max(timings):.0f} ms;"
        f" all parts one after another {total:.1f} s"
    )
    return listing


def send_figures(client, village, count, media_root):
    photos = [phone_photo(seed) for seed in range(2)]
    print(
        f"sending {count} updates with 2 photos of {sum(map(len, photos)) / 2**20:.1f} MB to {village.code}, each twice:"
    )
    firsts, repeats = [], []
    tracemalloc.start()
    with override_settings(MEDIA_ROOT=media_root), transaction.atomic():
        for _ in range(count):
            data = {"client_id": str(uuid.uuid4()), "date": "2025-06-01", "text": "村道硬化", "progress": "50"}
            for timings, status in ((firsts, 201), (repeats, 200)):
                uploads = [SimpleUploadedFile(f"IMG_{n}.jpg", photo, "image/jpeg") for n, photo in enumerate(photos)]
                begin = time.perf_counter()
                response = client.post(f"/api/villages/{village.code}/updates/", {**data, "photos": uploads})
                timings.append((time.perf_counter() - begin) * 1000)
                assert response.status_code == status, response.content
        recorded = ProgressUpdate.objects.filter(village=village, text="村道硬化").count()
        transaction.set_rollback(True)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"  first send: p50 {statistics.median(firsts):.0f} ms, max {max(firsts):.0f} ms")
    print(f"  repeat (answered from the record): p50 {statistics.median(repeats):.0f} ms, max {max(repeats):.0f} ms")
    print(f"  recorded {recorded} of {count} (rolled back); peak Python memory {peak / 2**20:.0f} MB")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="yuci")
    parser.add_argument("--updates", type=int, default=10)
    arguments = parser.parse_args()
    user = get_user_model().objects.get(username=arguments.user)
    # Not the test environment: its instrumented templates copy every page's context for the test client, which
    # cost more than the pages themselves. A host ALLOWED_HOSTS has by default instead of "testserver".
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    print(f"database: {connection.vendor}")
    listing = copy_figures(client)
    village = Village.objects.get(code=listing["urls"][5].split("/")[2])
    with tempfile.TemporaryDirectory() as media_root:
        send_figures(client, village, arguments.updates, Path(media_root))
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"machine load average (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
