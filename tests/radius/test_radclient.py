"""The same requests sent with FreeRADIUS's radclient: a client no one here wrote."""

from __future__ import annotations

import shutil
import subprocess
import tempfile

import pytest

MAC = "BC:24:11:EB:56:4D"
pytestmark = pytest.mark.skipif(
    shutil.which("radclient") is None,
    reason="radclient not on PATH (install freeradius-utils to run these tests)",
)


def radclient(
    port: int, kind: str, secret: str, attributes: str, timeout: float = 2.0, retries: int = 3
):
    """Run radclient once; returns (reply code name or None, reply attribute lines).

    Like a router, it resends after ``timeout`` (a busy CI machine can be slow).
    """
    radclient_path = shutil.which("radclient") or "radclient"
    # The secret goes in a file: a generated one may start with "-", which radclient's
    # command line would take for an option.
    with tempfile.NamedTemporaryFile("w", suffix=".secret") as secret_file:
        secret_file.write(secret + "\n")
        secret_file.flush()
        command = [radclient_path, "-x", "-r", str(retries), "-t", str(timeout)]
        done = subprocess.run(  # noqa: S603 (a fixed tool, our own arguments)
            [*command, "-S", secret_file.name, f"127.0.0.1:{port}", kind],
            input=attributes,
            capture_output=True,
            text=True,
            timeout=timeout * (retries + 1) + 5,
            check=False,
        )
    code, lines = None, []
    for line in done.stdout.splitlines():
        if line.startswith("Received "):
            code = line.split()[1]
        elif code and line.startswith(("\t", " ")):
            lines.append(line.strip())
    return code, lines


def hotspot_request(user_name: str, password: str, *, pap: bool) -> str:
    credentials = (
        f'User-Password = "{password}"'
        if pap
        else f'CHAP-Challenge = 0x19a63ce2e283187f977609b470b01368, CHAP-Password = "{password}"'
    )
    return (
        "Message-Authenticator = 0x00, NAS-Port-Type = Wireless-802.11, "
        f'Calling-Station-Id = "{MAC}", Called-Station-Id = "hs-desa", '
        f'NAS-Port-Id = "bridge-hotspot", User-Name = "{user_name}", NAS-Port = 2148532244, '
        'Acct-Session-Id = "80100014", Framed-IP-Address = 10.5.88.2, '
        f"{credentials}, Service-Type = Login-User, "
        'NAS-Identifier = "desa-sungai-terik", NAS-IP-Address = 10.0.0.1\n'
    )


@pytest.mark.parametrize("pap", [False, True], ids=["chap", "pap"])
def test_radclient_login(make_gateway, make_grant, radius_server, pap):
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server()

    code, lines = radclient(
        server.auth_port,
        "auth",
        gateway.secret,
        hotspot_request(issued.username, issued.password, pap=pap),
    )

    assert code == "Access-Accept", lines
    assert 'Mikrotik-Rate-Limit = "2M/4M"' in lines
    assert "Idle-Timeout = 600" in lines
    assert any(line.startswith("Mikrotik-Total-Limit = ") for line in lines)


def test_radclient_wrong_password_and_wrong_secret(make_gateway, make_grant, radius_server):
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server()

    code, lines = radclient(
        server.auth_port, "auth", gateway.secret, hotspot_request(issued.username, "x", pap=False)
    )
    assert code == "Access-Reject"
    assert any(line.startswith("Reply-Message = ") and "salah" in line for line in lines)

    code, _ = radclient(
        server.auth_port,
        "auth",
        "not-the-right-secret",
        hotspot_request(issued.username, issued.password, pap=False),
        timeout=0.5,
        retries=1,
    )
    assert code is None


def test_radclient_accounting_with_gigawords(make_gateway, radius_server, db):
    import sqlalchemy as sa

    from portal.models import AccountingSession

    gateway = make_gateway()
    server = radius_server()
    base = (
        f'Calling-Station-Id = "{MAC}", User-Name = "wd-0123456789abcdef", '
        'Acct-Session-Id = "80100099", Framed-IP-Address = 10.5.88.2, '
        'NAS-Identifier = "desa-sungai-terik", NAS-IP-Address = 10.0.0.1, Acct-Delay-Time = 0'
    )
    interim = (
        f"Acct-Status-Type = Interim-Update, {base}, Acct-Session-Time = 120, "
        "Acct-Input-Octets = 10, Acct-Input-Gigawords = 0, "
        "Acct-Output-Octets = 5, Acct-Output-Gigawords = 2\n"
    )
    for _ in range(2):
        code, _ = radclient(server.acct_port, "acct", gateway.secret, interim)
        assert code == "Accounting-Response"

    with db() as session:
        row = session.scalars(sa.select(AccountingSession)).one()
    assert row.output_octets == (2 << 32) + 5 and row.input_octets == 10
