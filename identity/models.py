from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Emblem(models.Model):
    """The regency's emblem on the login page, the page header and the recaps (one row at most).

    The picture is a file in the media folder (identity/emblem.py); this row says
    who uploaded which one and when.
    """

    sha256 = models.CharField(_("fingerprint (SHA-256)"), max_length=64, editable=False)
    content_type = models.CharField(_("picture type"), max_length=20, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("regency emblem")
        verbose_name_plural = _("regency emblem")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="identity_emblem_single_row")]

    def __str__(self):
        return str(_("Kapuas Regency emblem"))
