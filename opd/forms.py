from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from .models import User
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

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            # A refused login is the pair's error, not one field's: both are marked invalid and
            # described by the message (id "login-error" in registration/login.html).
            for name in ("username", "password"):
                self.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": "login-error"})
            raise


class NipPasswordResetForm(PasswordResetForm):
    """ "Forgot your password": by NIP (or username), sent to the address the portal holds for that login.

    Django's form looks users up by email; ASN logins often have their address
    only on their ASN record (from SIASN), so this one goes by NIP instead.
    """

    email = forms.CharField(
        label=_("NIP or username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )

    def get_users(self, email):
        return reset_users(email)

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        super().send_mail(
            subject_template_name, email_template_name, context, from_email, address_of(context["user"]), **kwargs
        )


def reset_users(login: str) -> list[User]:
    """The active logins a "forgot your password" for this NIP or username reaches (with an address)."""
    nip = normalize_nip(login)
    users = User.objects.filter(username__in={login.strip(), nip}, is_active=True).select_related("asn")
    # A login BKPSDM created without a password sets its first one here too.
    return [u for u in users if address_of(u)]


def address_of(user) -> str:
    """Where a login's mail goes: its own address, else its ASN's (from SIASN)."""
    return user.email or (user.asn.email if user.asn_id else "")
