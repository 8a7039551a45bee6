"""An nginx configuration for a bench: everything under one temporary folder, in the
foreground, no access log, listening where the server block says (loopback only)."""

from __future__ import annotations

from pathlib import Path

TEMP_FOLDERS = ("client", "proxy", "fastcgi", "uwsgi", "scgi")


def write_config(root: Path, http_block: str, *, workers: int = 1) -> Path:
    """Write ``root/nginx.conf`` around ``http_block`` (the server blocks and anything else
    that goes in ``http {}``); returns its path. Run it with ``nginx -c <path> -p <root>``."""
    for name in TEMP_FOLDERS:
        (root / name).mkdir(exist_ok=True)
    temp_paths = " ".join(
        f"{name}_temp_path {root}/{name};" for name in ("proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = root / "nginx.conf"
    config.write_text(f"""worker_processes {workers};
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log off;
  client_body_temp_path {root}/client; {temp_paths}
{http_block}
}}
""")
    return config
