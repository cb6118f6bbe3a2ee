from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .nip import normalize_nip


class LoginForm(AuthenticationForm):
    """ASN log in with their NIP (spaces allowed); others with the username BKPSDM gave them."""

    username = forms.CharField(
        label=_("NIP or username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "inputmode": "text"}),
    )

    def clean_username(self):
        value = self.cleaned_data["username"].strip()
        compact = normalize_nip(value)
        return compact if compact.isdigit() else value
