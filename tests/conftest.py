import pytest
from django.test.utils import override_settings


@pytest.fixture(autouse=True, scope="session")
def _plain_http():
    # The test client and the browser test's live server speak plain HTTP on loopback.
    # Session-wide and first: the live server's middleware reads this once, when it
    # starts. (tests/test_deploy.py checks the production settings themselves.)
    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(autouse=True)
def _indonesian(settings):
    # Tests see what users see: Indonesian pages.
    settings.LANGUAGE_CODE = "id"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The real hasher is slow by design; tests only need passwords to work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_in_process():
    # Messages and PDFs are queued on commit; with REDIS_URL set (CI) no worker would pick them up inside a test.
    from kapuas_kinerja.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def _empty_cache():
    # Dashboard parts, sync locks and the like never leak from one test into the next.
    from django.core.cache import cache

    cache.clear()
