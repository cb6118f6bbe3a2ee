"""The outbox within the mail server's quotas: a deadline for reminders, an index to count what went
out, and the outbox sent every minute (it sends at most a minute's quota per run)."""

from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Coalesce

# As reminders.models.KIND_PRIORITY (copied: a migration must not follow later code).
PRIORITY = {
    "password_reset": 0,
    "activation": 0,
    "helpdesk": 10,
    "opd_digest": 20,
    "atasan_digest": 20,
    "escalation": 20,
    "summary": 20,
    "nudge": 30,
    "atasan_nudge": 30,
}
WAITING = ["queued", "retry"]
OUTBOX_TASK = "reminders.tasks.send_outbox"


def backfill_and_reschedule(apps, schema_editor):
    Message = apps.get_model("reminders", "Message")
    for kind, priority in PRIORITY.items():
        Message.objects.filter(status__in=WAITING, kind=kind).update(priority=priority)
    for message in Message.objects.filter(
        status__in=WAITING, kind__in=["asn_reminder", "atasan_digest"], period__isnull=False
    ).annotate(deadline=Coalesce(F("period__deadline_override"), F("period__deadline_default"))):
        Message.objects.filter(pk=message.pk).update(send_before=message.deadline)
    # Every ten minutes was for retries; with quotas each run sends at most a
    # minute's worth. A schedule BKPSDM changed by hand is left alone.
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = CrontabSchedule.objects.get_or_create(
        minute="*", hour="*", day_of_month="*", month_of_year="*", day_of_week="*", timezone="Asia/Jakarta"
    )
    PeriodicTask.objects.filter(task=OUTBOX_TASK, crontab__minute="*/10", crontab__hour="*").update(
        crontab=every_minute, name="Antrean pesan (dalam kuota per menit, jam dan hari)"
    )


def back_to_ten_minutes(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    ten, _ = CrontabSchedule.objects.get_or_create(
        minute="*/10", hour="*", day_of_month="*", month_of_year="*", day_of_week="*", timezone="Asia/Jakarta"
    )
    PeriodicTask.objects.filter(task=OUTBOX_TASK, crontab__minute="*", crontab__hour="*").update(
        crontab=ten, name="Antrean pesan (kirim ulang sementara gagal)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0005_message_kind_atasan_nudge"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="send_before",
            field=models.DateTimeField(blank=True, null=True, verbose_name="send before"),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(fields=["channel", "sent_at"], name="message_channel_sent"),
        ),
        migrations.RunPython(backfill_and_reschedule, back_to_ten_minutes),
    ]
