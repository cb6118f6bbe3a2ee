"""The Celery app. Tasks live in each app's tasks.py and stay thin."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kapuas_kinerja.settings")

app = Celery("kapuas_kinerja")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def queue_on_commit(task, *args) -> dict:
    """Queue a task once the transaction commits; if the broker is down, leave it to the periodic sweep.

    The work is already stored in the database (an outbox row, a report job),
    so a broker that is down must not turn a saved request into an error page.
    """
    import logging

    from django.db import transaction
    from kombu.exceptions import OperationalError

    # Outside a transaction on_commit runs at once, so the caller can tell the user at once.
    outcome = {"queued": None}

    def queue():
        try:
            task.delay(*args)
            outcome["queued"] = True
        except (OperationalError, ConnectionError, OSError) as error:
            outcome["queued"] = False
            logging.getLogger(__name__).warning("broker unavailable, %s left for the sweeper: %s", task.name, error)

    transaction.on_commit(queue)
    return outcome
