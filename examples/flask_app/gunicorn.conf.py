"""gunicorn settings of ChatMRPT's deployment shape.

`preload_app = True` builds the app, and with it the one `InteractionLogger`,
in the master before the workers fork: whatever the logger holds must work in
a forked worker. Workers are recycled every `max_requests` requests.

    gunicorn -c gunicorn.conf.py 'app:create_app()'

Environment: `BIND` (default 127.0.0.1:8000), `MAX_REQUESTS` (1000),
`MAX_REQUESTS_JITTER` (0), `GUNICORN_LOG_LEVEL` (info).
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = 2
worker_class = "sync"
preload_app = True
max_requests = int(os.environ.get("MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("MAX_REQUESTS_JITTER", "0"))
timeout = 30
graceful_timeout = 30

# gunicorn's own log (worker starts, exits, kills, errors) to stderr; no access log.
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
accesslog = None
# The app's records (the `chatmrpt_db` logger included) go to stderr through
# the root handler that app.configure_logging() installs.
capture_output = False
# gunicorn 27's control socket defaults to one path per user
# (~/.gunicorn/gunicorn.ctl), which a second instance on the machine would
# take over; the app needs none. Older gunicorns ignore the setting.
control_socket_disable = True
