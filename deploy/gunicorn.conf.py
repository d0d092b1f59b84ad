"""gunicorn settings for CounterPoint central: ``gunicorn -c deploy/gunicorn.conf.py central.wsgi``.

Environment (all optional): ``CP_BIND`` (default ``127.0.0.1:8000``; never a public
address: nginx is in front, see deploy/nginx/central.conf), ``CP_WORKERS`` (default two per
core), ``CP_THREADS`` (default 2).

gunicorn has no timeout for a client that is slow to send its headers or body: a worker
thread waits on such a client for as long as it keeps trickling bytes. That is why it
listens on loopback only and nginx, which buffers whole requests with
``client_header_timeout``/``client_body_timeout``, is the only thing that talks to it
(tested in tests/deploy/test_nginx.py). What gunicorn does bound: a worker that stops
answering its arbiter for ``timeout`` seconds is killed and replaced; header sizes are
capped; each worker is recycled after a few thousand requests.
"""

import os

from gunicorn import glogging

bind = [os.environ.get("CP_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("CP_WORKERS") or 2 * (os.cpu_count() or 1))
worker_class = "gthread"
threads = int(os.environ.get("CP_THREADS") or 2)

timeout = 30  # a worker silent this long is killed and replaced
graceful_timeout = 20  # on restart/stop: finish in-flight requests for at most this long
keepalive = 75  # longer than nginx's upstream keepalive_timeout (60 s), so nginx closes first
backlog = 2048
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
max_requests = 20000
max_requests_jitter = 2000
forwarded_allow_ips = "127.0.0.1,::1"
control_socket_disable = True  # gunicorn 24+: several instances may share a host


class CentralWritesTheAccessLines(glogging.Logger):
    """gunicorn writes an access line per request whenever a logging config is given (as
    below), so every request was logged twice: by gunicorn and by central. Central's line
    (JSON, with the request id: central/logs.py) is the one kept; gunicorn's comes back
    only when asked for with ``--access-logfile``. At hundreds of requests per second the
    second line cost about a tenth of the app server's CPU (docs/operations.md,
    "Capacity")."""

    def _compute_access_log_enabled(self):
        return bool(self.cfg.accesslog)


# Access lines come from central (JSON, with the request id: central/logs.py); gunicorn's
# own messages go to standard error as JSON too (journald under systemd).
accesslog = None
logger_class = CentralWritesTheAccessLines
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "central.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
