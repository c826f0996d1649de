"""Shared pieces of the acceptance tests: a small standard worked out by hand, and the forms as pages post them.

The standard (upgraded villages, 2025), 100 points, pass score 90:
  基础设施  1  道路硬化   30
            2  安全饮水   20  decisive (一票否决)
  人居环境  3  垃圾治理   25
            4  厕所改造   25
"""

from decimal import Decimal

from villages.acceptance.models import Standard
from villages.models import Status, Village

ITEMS = [
    ("基础设施", "1", "道路硬化", 30, False),
    ("基础设施", "2", "安全饮水", 20, True),
    ("人居环境", "3", "垃圾治理", 25, False),
    ("人居环境", "4", "厕所改造", 25, False),
]


def make_standard(tier="upgraded", year=2025, pass_score=90, items=ITEMS, version=1):
    standard = Standard.objects.create(
        tier=tier, year=year, version=version, name=f"{year}年评分细则", pass_score=Decimal(pass_score)
    )
    for position, (category, number, point, points, decisive) in enumerate(items):
        standard.items.create(
            position=position,
            category=category,
            number=number,
            point=point,
            points=Decimal(points),
            guidance=f"{point}评分标准",
            evidence_expected="照片",
            decisive=decisive,
        )
    return standard


def complete(village):
    Village.objects.filter(pk=village.pk).update(status=Status.COMPLETED, progress=100)
    village.refresh_from_db()
    return village


def rectified(client, village, text="按复核意见整改完成"):
    """A returned village back at work (建设中), completed again by the county through its update form."""
    village.refresh_from_db()
    data = {"date": "2025-09-01", "text": text, "progress": 100, "status": Status.COMPLETED}
    response = client.post(f"/villages/{village.code}/updates/new/", {**data, "seen_status": village.status})
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    village.refresh_from_db()
    return village


def item_pk(standard, number):
    return standard.items.get(number=number).pk


def scored_data(standard, scores, texts=None, version=0, action="save", **extra):
    """What the self-assessment or review form posts: scores and texts by item number."""
    data = {"version": version, "action": action}
    for item in standard.items.all():
        data[f"score_{item.pk}"] = scores.get(item.number, "")
        data[f"text_{item.pk}"] = (texts or {}).get(item.number, "")
    data.update(extra)
    return data


def current_version(village, review=False):
    application = village.applications.order_by("-number").first()
    if application is None:
        return 0
    return application.review.version if review else application.version


def apply(client, village, standard, scores, action="save", texts=None, files=None):
    data = scored_data(standard, scores, texts, version=current_version(village), action=action)
    for number, uploads in (files or {}).items():
        data[f"files_{item_pk(standard, number)}"] = uploads
    return client.post(f"/villages/{village.code}/acceptance/apply/", data)


def review(client, village, standard, scores, action="finish", texts=None, comment=""):
    data = scored_data(standard, scores, texts, version=current_version(village, review=True), action=action)
    data["comment"] = comment
    return client.post(f"/villages/{village.code}/acceptance/review/", data)


FULL = {"1": "30", "2": "20", "3": "25", "4": "25"}
