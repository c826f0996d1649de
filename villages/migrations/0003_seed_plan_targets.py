from django.db import migrations

# This migration once seeded 晋中's plan (40/300 in 2025, 100/1,000 by 2027) into every new database. Targets are
# each city's own data now (data/jinzhong/targets.csv, loaded with its registry), so it does nothing; databases that
# ran it keep those targets, and migration 0009 gives them their city.


class Migration(migrations.Migration):
    dependencies = [("villages", "0002_targets")]
    operations = []
