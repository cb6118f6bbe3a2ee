from django import forms
from django.utils.translation import gettext_lazy as _


class AnnualUploadForm(forms.Form):
    berkas = forms.FileField(
        label=_("Signed and stamped recap (PDF, at most 10 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
