"""Celery app: wiring only (https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labelsite.settings")

app = Celery("labelsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
