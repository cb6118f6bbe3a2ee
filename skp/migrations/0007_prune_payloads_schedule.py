"""Beat row for the weekly pruning of raw BKN payloads (PAYLOAD_RETENTION_DAYS)."""

from django.db import migrations

TASK = "skp.tasks.prune_payloads"


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="3", day_of_month="*", month_of_year="*", day_of_week="0", timezone="Asia/Jakarta"
    )
    PeriodicTask.objects.get_or_create(name="Hapus payload BKN lama", defaults={"task": TASK, "crontab": crontab})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("skp", "0006_default_sync_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
