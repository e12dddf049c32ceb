"""Test settings: fast hashing, plain static storage, in-memory SQLite by default."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import CACHES, DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if "DATABASE_URL" not in os.environ:
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
# Login rate limiting is off for tests (the client logs in without a request); the test of
# the lockout turns it on.
AXES_ENABLED = False
# Browser tests drive a live server from pytest's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Tasks run at once, inside the request or call that enqueues them; the database and Redis
# backends have their own tests (tests/test_tasks.py).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Webhook tests use a receiver on 127.0.0.1 over http.
WEBHOOKS_ALLOW_HTTP = True
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
# Import files and their progress in the system's temp folder, not in the checkout.
IMPORT_FILES_DIR = Path(tempfile.gettempdir()) / "physio-imports-test"
CACHES = {
    **CACHES,
    "imports": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": IMPORT_FILES_DIR / "progress",
    },
}
