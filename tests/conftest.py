import pytest


@pytest.fixture(autouse=True)
def _indonesian(settings):
    # Tests see what users see: Indonesian pages.
    settings.LANGUAGE_CODE = "id"
