"""seed_demo's monthly reports: the periods from 2025 to this year, illustrative reports with some late and some
missing, and one issued 通报, all marked illustrative; running it again adds nothing."""

from django.utils import timezone

from villages.demo import seed_demo
from villages.models import ProgressUpdate
from villages.reporting import rates
from villages.reporting.models import Bulletin, NoChange, Period


def test_the_demo_reports_are_illustrative_some_late_some_missing_with_one_issued_bulletin(registry):
    result = seed_demo()
    today = timezone.localdate()
    periods = Period.objects.all()
    assert periods.count() == 12 * (max(today.year, 2025) - 2025 + 1)
    assert not periods.filter(is_illustrative=False).exists()
    assert not NoChange.objects.filter(is_illustrative=False).exists()
    assert ProgressUpdate.objects.filter(text__startswith="示意：").exists()
    october = Period.objects.get(key="2025-10")
    total = rates.Rate()
    for rate in rates.county_rates(october).values():
        total.add(rate)
    assert 0 < total.on_time < total.received < total.expected  # some late, some missing
    bulletin = Bulletin.objects.get()
    assert bulletin.is_illustrative and bulletin.period.key == "2025-12" and bulletin.figures["illustrative"]["period"]
    assert any("示意" in line for line in result.more)
    counts = (Period.objects.count(), NoChange.objects.count(), ProgressUpdate.objects.count())
    seed_demo()
    assert (Period.objects.count(), NoChange.objects.count(), ProgressUpdate.objects.count()) == counts
