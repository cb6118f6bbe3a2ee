from django import forms
from django.utils.translation import gettext_lazy as _

from opd.models import User

from .models import Ticket


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files at once (Django's documented pattern); their content is checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class TicketForm(forms.ModelForm):
    attachments = AttachmentsField(label=_("Attachments (screenshots or PDF, at most 5 MB each)"))

    class Meta:
        model = Ticket
        fields = ["category", "subject", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "description": _("What you did, what you expected and what happened (the error message, if any).")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Words instead of Django's "---------" for "nothing chosen yet".
        self.fields["category"].choices = [("", _("Choose a category")), *Ticket.Category.choices]


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}))
    internal = forms.BooleanField(label=_("Internal note (BKPSDM only; the reporter does not see it)"), required=False)
    attachments = AttachmentsField(label=_("Attachments (screenshots or PDF, at most 5 MB each)"))


class UpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Ticket.Status.choices)
    assignee = forms.ModelChoiceField(
        label=_("Handled by"),
        queryset=User.objects.filter(role=User.Role.ADMIN_BKPSDM, is_active=True).order_by("username"),
        required=False,
        empty_label=_("Nobody yet"),
    )
