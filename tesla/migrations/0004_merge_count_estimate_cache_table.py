# Joins the two branches of tesla's migrations (list count estimates; the cache table).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tesla', '0002_count_estimate'),
        ('tesla', '0003_cache_table'),
    ]

    operations = [
    ]
