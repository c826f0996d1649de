"""Illustrative acceptance for the demo: a standard for the demo year's showcase villages, marked illustrative
wherever it is shown, and applications in every state (a draft, submitted, returned, accepted), made through the
acceptance workflow by the demo's county editors and administrator, dated within the demo's year.

Nothing here is real: the standard's items are invented in the shape cities write them.
"""

from datetime import timedelta
from decimal import Decimal

import numpy as np
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from villages.acceptance import workflow
from villages.acceptance.models import Standard
from villages.demo import DEMO_YEAR, FIRST_ACCEPTANCE, editor_username, random_moment
from villages.models import Status, Tier, Village

NAME = "2025年精品示范村验收评分细则（示意）"
PASS_SCORE = Decimal(85)
# (考核内容, 序号, 考核要点, 分值, 一票否决): 100 points, and one condition (否决项) of 0 points.
ITEMS = [
    ("基础设施", "1", "村内主干道硬化，通户道路畅通", 20, False),
    ("基础设施", "2", "安全饮水稳定达标", 15, True),
    ("人居环境", "3", "生活垃圾分类收集、日产日清", 20, False),
    ("人居环境", "4", "卫生厕所普及，粪污有效处理", 15, False),
    ("产业发展", "5", "有一个以上主导产业，村集体经济稳定增收", 20, False),
    ("乡村治理", "6", "村规民约健全，矛盾纠纷就地化解", 10, False),
    ("否决项", "否决1", "发生重大安全生产事故或重大群体性事件的，发生即不予验收", 0, True),
]
# Of the completed showcase villages, in this order: accepted by review, submitted (待复核), returned, a draft.
SHARES = [("accepted", 0.45), ("submitted", 0.2), ("returned", 0.15), ("draft", 0.1)]


def create_standard():
    """Before the designations: the villages of this tier and year are then accepted only through a review."""
    if Standard.objects.exists():
        return []
    standard = Standard.objects.create(
        tier=Tier.SHOWCASE, year=DEMO_YEAR, name=NAME, pass_score=PASS_SCORE, is_illustrative=True
    )
    for position, (category, number, point, points, decisive) in enumerate(ITEMS):
        standard.items.create(
            position=position, category=category, number=number, point=point, points=points, decisive=decisive
        )
    return [_("Created an illustrative acceptance standard for 2025's showcase villages: %(name)s.") % {"name": NAME}]


def entries(standard, shortfall=0):
    """Full scores less `shortfall` points on the first scored item; every condition met."""
    result, short = {}, Decimal(shortfall)
    for item in standard.items.all():
        if item.is_condition:
            result[item.pk] = (None, "", True)
        else:
            score = max(Decimal(item.points) - short, Decimal(0))
            short -= Decimal(item.points) - score
            result[item.pk] = (score, "示意：演示数据", None)
    return result


def create_applications(seed=DEMO_YEAR):
    standard = Standard.objects.filter(is_illustrative=True, tier=Tier.SHOWCASE, year=DEMO_YEAR).first()
    if standard is None or standard.applications.exists():
        return []
    rng = np.random.default_rng(seed)
    users = get_user_model().objects.in_bulk(field_name="username")
    admin = users.get("admin")
    villages = list(Village.objects.filter(tier=standard.tier, programme_year=standard.year, status=Status.COMPLETED))
    if admin is None or not villages:
        return []
    rng.shuffle(villages)
    counts, start = {}, 0
    for state, share in SHARES:
        count = round(len(villages) * share)
        for village in villages[start : start + count]:
            editor = users.get(editor_username(village.county_id))
            if editor is not None:
                completed_on = village.history.latest("history_date").history_date
                earliest = max(completed_on, timezone.make_aware(FIRST_ACCEPTANCE))
                apply_as(state, village, standard, editor, admin, random_moment(rng, earliest, timezone.now()))
                counts[state] = counts.get(state, 0) + 1
        start += count
    return [
        _(
            "Illustrative applications for acceptance: %(accepted)d accepted by review, %(submitted)d awaiting review, %(returned)d returned, %(draft)d drafts."
        )
        % {state: counts.get(state, 0) for state, _share in SHARES}
    ]


def apply_as(state, village, standard, editor, admin, submitted_at):
    if state == "draft":
        workflow.save_draft(village, None, 0, editor, entries(standard), {}, set())
        return
    application = workflow.save_application(
        village, None, 0, editor, entries(standard), {}, set(), submitting=True, when=submitted_at
    )
    if state == "submitted":
        return
    review = application.review
    shortfall = 0 if state == "accepted" else 20  # 80 of 100: below the pass score of 85
    comment = "示意：演示数据" if state == "accepted" else "示意：产业发展项目尚未见效，整改后再报"
    decided_at = min(
        submitted_at + timedelta(days=int(np.random.default_rng(village.pk).integers(3, 20))), timezone.now()
    )
    workflow.save_review(
        review, review.version, admin, entries(standard, shortfall), comment, decide=True, when=decided_at
    )
