"""The default reminder schedule (issue: the 10th and 14th, the 16th then Mondays, deadline + 7, the 20th),
and the beat rows that run it: daily at 07:00 WIB, and the outbox every ten minutes for retries."""

from django.db import migrations

RULES = [
    ("asn_reminder", "day_of_month", 10),
    ("asn_reminder", "day_of_month", 14),
    ("atasan_digest", "day_of_month", 10),
    ("atasan_digest", "day_of_month", 14),
    ("opd_digest", "day_of_month", 16),
    ("opd_digest", "weekly", 0),
    ("escalation", "after_deadline", 7),
    ("summary", "day_of_month", 20),
]
BEAT = [
    # name, task, minute, hour
    ("Pengingat dan eskalasi SKP harian", "reminders.tasks.send_reminders", "0", "7"),
    ("Antrean pesan (kirim ulang sementara gagal)", "reminders.tasks.send_outbox", "*/10", "*"),
]


def install(apps, schema_editor):
    ReminderRule = apps.get_model("reminders", "ReminderRule")
    for kind, timing, day in RULES:
        ReminderRule.objects.get_or_create(kind=kind, timing=timing, day=day)
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour in BEAT:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_month="*", month_of_year="*", day_of_week="*", timezone="Asia/Jakarta"
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task__startswith="reminders.tasks.").delete()
    apps.get_model("reminders", "ReminderRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
