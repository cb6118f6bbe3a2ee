"""Beat row for the weekly SIASN sync: reminders go to the addresses SIASN holds, so they must not go stale."""

from django.db import migrations

TASK = "skp.tasks.sync_siasn_weekly"


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="2", day_of_month="*", month_of_year="*", day_of_week="6", timezone="Asia/Jakarta"
    )
    PeriodicTask.objects.get_or_create(name="Sinkronisasi SIASN mingguan", defaults={"task": TASK, "crontab": crontab})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("skp", "0007_prune_payloads_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
