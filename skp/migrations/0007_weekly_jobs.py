"""Beat rows for the weekly jobs: the SIASN sync (reminders go to the addresses
SIASN holds, so they must not go stale) and the pruning of raw BKN payloads
older than PAYLOAD_RETENTION_DAYS."""

from django.db import migrations

# name, task, hour, day of week (0 = Sunday in cron)
JOBS = [
    ("Sinkronisasi SIASN mingguan", "skp.tasks.sync_siasn_weekly", "2", "6"),
    ("Hapus payload BKN lama", "skp.tasks.prune_payloads", "3", "0"),
]


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, hour, weekday in JOBS:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute="0", hour=hour, day_of_month="*", month_of_year="*", day_of_week=weekday, timezone="Asia/Jakarta"
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def remove(apps, schema_editor):
    tasks = [task for _name, task, _hour, _weekday in JOBS]
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task__in=tasks).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("skp", "0006_default_sync_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
