"""gunicorn settings for the portal: ``gunicorn -c deploy/gunicorn.conf.py portal.wsgi:app``.

Workers are stateless (all state is in the database), so add workers for more
splash-page throughput; two per core is a good start on these small servers.
"""

import multiprocessing
import os

bind = os.environ.get("WIFIDESA_BIND", "127.0.0.1:8080")
workers = int(os.environ.get("WIFIDESA_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Phones on slow village backhaul hold connections open; keep request sizes bounded.
limit_request_line = 4094
limit_request_fields = 50
# Access logs would carry client addresses: leave them off (UU PDP, see README).
accesslog = None
errorlog = "-"
# gunicorn's error log names the client of a malformed request: this logger leaves
# client addresses (and MAC addresses in a request line) out.
logger_class = "portal.weblog.PrivateLogger"
loglevel = "info"
forwarded_allow_ips = os.environ.get("WIFIDESA_FORWARDED_ALLOW_IPS", "127.0.0.1")
