"""The default sync schedule (issue: nightly, and hourly from the 10th to the 16th).

Rows of django-celery-beat, so BKPSDM can change them in the admin panel.
"""

from django.db import migrations

TASK = "skp.tasks.sync_recent_periods"
SCHEDULES = [
    # name, minute, hour, day_of_month
    ("Sinkronisasi e-Kinerja setiap malam", "0", "1", "*"),
    ("Sinkronisasi e-Kinerja setiap jam, tanggal 10-16", "30", "*", "10-16"),
]


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, minute, hour, day in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_month=day, month_of_year="*", day_of_week="*", timezone="Asia/Jakarta"
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": TASK, "crontab": crontab})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("skp", "0005_sync_run"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
