"""A private FreeRADIUS 3 configuration for the benchmark: loopback ports, one client.

Two setups, as Debian ships the modules: ``files`` (users file, detail-file
accounting) and ``sql`` (rlm_sql on SQLite: radcheck for passwords, radacct for
accounting), optionally with the SQLite database in WAL mode.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

MODCONFDIR = "/etc/freeradius/3.0/mods-config"

RADIUSD = """
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = {root}
sbindir = /usr/sbin
logdir = {root}/log
raddbdir = {root}
radacctdir = {root}/radacct
name = freeradius
confdir = {root}
modconfdir = {modconfdir}
run_dir = {root}/run
db_dir = {root}
libdir = /usr/lib/freeradius
pidfile = {root}/run/radiusd.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 262144
hostname_lookups = no
log {{
    destination = files
    file = {root}/log/radius.log
    auth = no
}}
security {{
    allow_core_dumps = no
    max_attributes = 200
    reject_delay = 0
    status_server = no
}}
thread pool {{
    start_servers = 5
    max_servers = 32
    min_spare_servers = 3
    max_spare_servers = 10
    max_requests_per_server = 0
    auto_limit_acct = no
}}
client local {{
    ipaddr = 127.0.0.1
    secret = "{secret}"
    shortname = bench
}}
modules {{
    chap {{
    }}
    expr {{
    }}
    pap {{
    }}
{modules}
}}
server default {{
    listen {{
        type = auth
        ipaddr = 127.0.0.1
        port = {port}
    }}
    listen {{
        type = acct
        ipaddr = 127.0.0.1
        port = {acct_port}
    }}
    authorize {{
        chap
        {store}
        pap
    }}
    authenticate {{
        Auth-Type CHAP {{
            chap
        }}
        Auth-Type PAP {{
            pap
        }}
    }}
    preacct {{
    }}
    accounting {{
        {acct}
    }}
    post-auth {{
    }}
}}
"""

FILES_MODULES = """
    files {{
        filename = {root}/users
    }}
    detail {{
        filename = {root}/radacct/detail
        permissions = 0600
        header = "%t"
    }}
"""

SQL_MODULES = """
    sql {{
        dialect = "sqlite"
        driver = "rlm_sql_sqlite"
        sqlite {{
            filename = "{root}/radius.db"
            busy_timeout = 200
        }}
        radius_db = "radius"
        acct_table1 = "radacct"
        acct_table2 = "radacct"
        postauth_table = "radpostauth"
        authcheck_table = "radcheck"
        groupcheck_table = "radgroupcheck"
        authreply_table = "radreply"
        groupreply_table = "radgroupreply"
        usergroup_table = "radusergroup"
        read_groups = no
        delete_stale_sessions = yes
        pool {{
            start = 5
            min = 3
            max = 32
            spare = 10
            uses = 0
            retry_delay = 30
            lifetime = 0
            idle_timeout = 60
        }}
        client_table = "nas"
        group_attribute = "SQL-Group"
        $INCLUDE ${{modconfdir}}/${{.:name}}/main/${{dialect}}/queries.conf
    }}
"""


def write_config(
    root: Path,
    *,
    setup: str,
    port: int,
    secret: str,
    users: list[tuple[str, str]],
    wal: bool = False,
) -> Path:
    """Write the configuration (and users file or SQLite database) under ``root``."""
    for sub in ("log", "run", "radacct"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "dictionary").write_text("")
    if setup == "files":
        modules, store, acct = FILES_MODULES.format(root=root), "files", "detail"
        with open(root / "users", "w") as handle:
            for name, password in users:
                handle.write(f'{name} Cleartext-Password := "{password}"\n')
    else:
        modules, store, acct = SQL_MODULES.format(root=root), "sql", "sql"
        connection = sqlite3.connect(root / "radius.db")
        connection.executescript(Path(MODCONFDIR, "sql/main/sqlite/schema.sql").read_text())
        connection.executemany(
            "INSERT INTO radcheck (username, attribute, op, value)"
            " VALUES (?, 'Cleartext-Password', ':=', ?)",
            users,
        )
        if wal:
            connection.execute("PRAGMA journal_mode=WAL")
        connection.commit()
        connection.close()
    (root / "radiusd.conf").write_text(
        RADIUSD.format(
            root=root,
            modconfdir=MODCONFDIR,
            secret=secret,
            port=port,
            acct_port=port + 1,
            modules=modules,
            store=store,
            acct=acct,
        )
    )
    return root
