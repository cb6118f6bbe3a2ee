"""Beat rows for watching the portal: the heartbeat every five minutes, the check every ten.

Rows of django-celery-beat (like skp's syncs), so BKPSDM can see and change them in the admin panel.
"""

from django.db import migrations

# name, task, minute
JOBS = [
    ("Detak penjadwal", "ops.tasks.record_heartbeat", "*/5"),
    ("Periksa kesehatan portal", "ops.tasks.check_operations", "3-59/10"),
]


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute in JOBS:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour="*", day_of_month="*", month_of_year="*", day_of_week="*", timezone="Asia/Jakarta"
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def remove(apps, schema_editor):
    tasks = [task for _name, task, _minute in JOBS]
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task__in=tasks).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ops", "0001_marks"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
