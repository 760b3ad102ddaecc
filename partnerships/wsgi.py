import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerships.settings")
application = get_wsgi_application()

# The loaded application (settings, apps, models, admin, URL patterns) lives as long as the
# process: moved out of the garbage collector's reach, its full collections, which ran every
# few requests, scan a fifth of the objects (the meeting pages' p95 was 70 ms above their
# median because of them; README, « Mesures de performance »).
gc.freeze()
