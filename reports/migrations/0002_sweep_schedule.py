"""Beat row for the sweep that builds report jobs whose task was lost (a broker that was down)."""

from django.db import migrations


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="*/5", hour="*", day_of_month="*", month_of_year="*", day_of_week="*", timezone="Asia/Jakarta"
    )
    PeriodicTask.objects.get_or_create(
        name="Dokumen PDF yang tertunda", defaults={"task": "reports.tasks.build_waiting_reports", "crontab": crontab}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task="reports.tasks.build_waiting_reports"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
