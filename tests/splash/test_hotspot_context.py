"""The router's fields: octal CHAP values, the login-link host check, destinations."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.access import hotspot
from portal.domain.access.hotspot import InvalidRouterContext
from portal.web import router_fields as edge
from tests.splash.conftest import CHAP_CHALLENGE, CHAP_ID, router_fields

# The manual's example values for $(chap-id) and $(chap-challenge).
MANUAL_ID = r"\371"
MANUAL_CHALLENGE = r"\357\015\330\013\021\234\145\245\303\253\142\246\133\175\375\316"


def test_octal_values_decode_as_the_manual_writes_them() -> None:
    assert hotspot.decode_octal(MANUAL_ID) == CHAP_ID
    assert hotspot.decode_octal(MANUAL_CHALLENGE) == CHAP_CHALLENGE
    assert hotspot.decode_octal("") is None


@given(st.binary(min_size=1, max_size=32))
def test_octal_round_trip(data: bytes) -> None:
    assert hotspot.decode_octal(hotspot.encode_octal(data)) == data


@pytest.mark.parametrize("bad", [r"\371x", "371", r"\38", r"\3711", "\\", r"\999", "ù"])
def test_malformed_octal_is_refused(bad: str) -> None:
    with pytest.raises(InvalidRouterContext) as refused:
        hotspot.decode_octal(bad)
    assert refused.value.reason == "bad-chap"


def test_chap_response_is_md5_of_id_secret_challenge() -> None:
    expected = hashlib.md5(CHAP_ID + b"rahasia" + CHAP_CHALLENGE).hexdigest()  # noqa: S324
    assert hotspot.chap_response(CHAP_ID, "rahasia", CHAP_CHALLENGE) == expected


FOREIGN_LOGIN_LINKS = [
    "http://evil.example/login",
    "https://evil.example/login",
    "http://8.8.8.8/login",
    "http://10.5.50.1@evil.example/login",
    "http://10.5.50.1:80@evil.example/login",
    "http://evil.example/10.5.50.1/login",
    "//evil.example/login",
    "/\\evil.example/login",
    "\\\\evil.example/login",
    "https:evil.example",
    "http:/evil.example/login",
    "http:\\\\evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "ftp://10.5.50.1/login",
    "%2F%2Fevil.example",
    "http%3A%2F%2Fevil.example",
    "http://evil.example%2F@10.5.50.1/login",
    "http://10.5.50.1%2F.evil.example/login",
    "http://10.5.50.1.evil.example/login",
    "http://10.5.50.1/login\r\nLocation: http://evil.example",
    "http://10.5.50.1/login\nx",
    " http://evil.example/login",
    "\thttp://evil.example/login",
    "http://10.5.50.1\t.evil.example/login",
    "http://evil.example\\@10.5.50.1/login",
    "http://[::ffff:8.8.8.8]/login",
    "http://0x08080808/login",
    "http://134744072/login",
    "http://ｅｖｉｌ.example/login",
    "http://evil。example/login",
    "http://localhost.evil.example/login",
    "http://10.5.50.1/login?next=http://evil.example",
    "http://10.5.50.1/login#@evil.example",
    "http://10.5.50.1:99999/login",
    "http://10.5.50.1:abc/login",
    "http:///login",
    "",
    "http://0.0.0.0/login",
    "http://224.0.0.1/login",
    "http://100.64.0.1/login",
    "http://hotspot.desa.id/login",
]


@pytest.mark.parametrize("link", FOREIGN_LOGIN_LINKS)
def test_login_link_anywhere_but_the_gateway_is_refused(link: str) -> None:
    with pytest.raises(InvalidRouterContext) as refused:
        edge.router_link(link, None)
    assert refused.value.reason in ("bad-login-link", "foreign-login-link")


@pytest.mark.parametrize("link", [*FOREIGN_LOGIN_LINKS, "http://10.5.50.1/login"])
def test_with_a_configured_host_only_that_host_passes(link: str) -> None:
    with pytest.raises(InvalidRouterContext):
        edge.router_link(link, "hotspot.samurangau.desa.id")


@pytest.mark.parametrize(
    ("link", "host", "expected"),
    [
        ("http://10.5.50.1/login", None, "http://10.5.50.1/login"),
        ("http://192.168.88.1:8080/login", None, "http://192.168.88.1:8080/login"),
        (
            "https://Hotspot.Samurangau.Desa.ID/login",
            "hotspot.samurangau.desa.id",
            "https://hotspot.samurangau.desa.id/login",
        ),
        ("http://10.5.50.1/login", "10.5.50.1", "http://10.5.50.1/login"),
        ("http://10.5.50.1:64872/login", "10.5.50.1:80", "http://10.5.50.1:64872/login"),
    ],
)
def test_the_gateways_own_login_link_is_rebuilt(link: str, host: str | None, expected: str) -> None:
    assert edge.router_link(link, host) == expected


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "data:text/html,x",
        "//evil.example/",
        "http://a b/",
        "http://evil.example\\@x/",
        "http://<script>/",
        "file:///etc/passwd",
        "http://x.example/\r\nSet-Cookie: a=b",
    ],
)
def test_only_plain_http_destinations_are_kept(value: str) -> None:
    assert edge.safe_destination(value) is None


def test_plain_destination_is_kept() -> None:
    assert edge.safe_destination("http://example.com/a?b=c") == "http://example.com/a?b=c"


def test_parse_keeps_no_mac_or_ip_and_clips_the_error() -> None:
    context, mac = edge.parse_router_fields(
        router_fields(error="x" * 250 + "\x00\n"), hotspot_host=None
    )
    assert mac == "AA:BB:CC:DD:EE:01"
    assert "AA:BB" not in repr(context) and "10.5.50.23" not in repr(context)
    assert len(context.error) == edge.MAX_ERROR_SHOWN
    assert context.uses_chap and context.logout_url == "http://10.5.50.1/logout"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"identity": ""}, "no-identity"),
        ({"mac": ""}, "bad-mac"),
        ({"identity": "x" * 65}, "too-long"),
        ({"link-login-only": "http://10.5.50.1/" + "a" * 300}, "too-long"),
        ({"chap-id": ""}, "bad-chap"),
        ({"chap-challenge": r"\001\002"}, "bad-chap"),
        ({"chap-id": r"\001\002"}, "bad-chap"),
    ],
)
def test_unusable_fields_are_refused(overrides: dict[str, str], reason: str) -> None:
    with pytest.raises(InvalidRouterContext) as refused:
        edge.parse_router_fields(router_fields(**overrides), hotspot_host=None)
    assert refused.value.reason == reason


def test_without_chap_the_plain_secret_is_sent() -> None:
    url = edge.login_redirect(
        hotspot.router_login(
            "http://10.5.50.1/login",
            username="wd-1",
            secret="s3cret",
            chap_id=None,
            chap_challenge=None,
            dst="http://example.com/",
        )
    )
    assert url == (
        "http://10.5.50.1/login?username=wd-1&password=s3cret"
        "&dst=http%3A%2F%2Fexample.com%2F&popup=false"
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", None),
        ("Kuota harian Anda sudah habis. Coba lagi besok pukul 00.00 WITA.", "quota"),
        ("user wd-1 has reached traffic limit", "quota"),
        ("RADIUS server is not responding", "busy"),
        ("invalid username or password", "refused"),
        ("something odd", "other"),
    ],
)
def test_router_errors_are_classified(text: str, kind: str | None) -> None:
    assert hotspot.classify_error(text) == kind
