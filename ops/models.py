"""What the portal keeps about itself to be watched: beat's last tick, and since when the outbox fails."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Written every five minutes by a task that beat sends and a worker runs.
BEAT = "beat"
# The first failed send seen by the check since the last message went out: a row's own
# claimed_at moves on with each retry, so the start of the trouble is kept here.
OUTBOX_FAILING = "outbox-failing"


class Mark(models.Model):
    """One named moment (beat's last tick, the outbox's first failure), overwritten as it moves."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")

    def __str__(self):
        return f"{self.name} {self.at:%Y-%m-%d %H:%M}"
