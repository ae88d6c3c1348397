"""WSGI entry point (gunicorn labelsite.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labelsite.settings")

application = get_wsgi_application()

# Move everything loaded at startup (Django, the apps, the models) out of the garbage collector's
# reach: a cold 2,000-track page makes ~100,000 short-lived objects, which set off full
# collections that would otherwise walk the whole startup heap too (100-200 ms each on a small
# VM, one request in four). https://docs.python.org/3/library/gc.html#gc.freeze
gc.collect()
gc.freeze()
