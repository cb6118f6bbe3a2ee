from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from opd.nip import normalize_nip

from .models import OPTIONAL_KINDS, Kind


class ActivationRequestForm(forms.Form):
    nip = forms.CharField(
        label=_("NIP"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_nip(self):
        nip = normalize_nip(self.cleaned_data["nip"])
        if not (nip.isdigit() and len(nip) == 18):
            raise forms.ValidationError(_("A NIP has 18 digits."))
        return nip


class ActivationForm(forms.Form):
    """The ASN's first password for the portal (never their MyASN password)."""

    password1 = forms.CharField(
        label=_("New password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

    def clean(self):
        cleaned = super().clean()
        one, two = cleaned.get("password1"), cleaned.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords differ."))
        elif one:
            try:
                password_validation.validate_password(one, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class PreferencesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Messages I want to receive"),
        choices=[(k.value, k.label) for k in Kind if k in OPTIONAL_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
