import pytest


@pytest.fixture(autouse=True)
def _indonesian(settings):
    # Tests see what users see: Indonesian pages.
    settings.LANGUAGE_CODE = "id"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The real hasher is slow by design; tests only need passwords to work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
