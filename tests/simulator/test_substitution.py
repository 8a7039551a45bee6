"""RouterOS hotspot substitution (manual "Hotspot customisation": Variables, Working with
variables, Redirects and custom Headers, Misc)."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.simulator.routeros.substitution import (
    TemplateError,
    escape,
    render,
    render_response,
)

XSS = [
    line
    for line in (Path(__file__).parents[1] / "xss_payloads.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]


def test_variables_are_replaced_unescaped():
    # §8.2: RouterOS does no HTML escaping; $(var) is the raw value.
    assert render("Hi $(username)!", {"username": "<b>x</b>"}) == "Hi <b>x</b>!"


def test_text_without_directives_is_unchanged():
    page = "<p>a (b) $ c $x (d)</p>"
    assert render(page, {}) == page


def test_esc_is_the_manuals_example():
    # Manual, "Misc": "123&456=1 2" becomes "123%26456%3D1+2".
    assert render("$(username-esc)", {"username": "123&456=1 2"}) == "123%26456%3D1+2"
    assert escape("http://x/?a=1&b=2") == "http%3A%2F%2Fx%2F%3Fa%3D1%26b%3D2"


@pytest.mark.parametrize("payload", XSS)
def test_esc_leaves_no_markup_or_quote(payload):
    out = render(
        "<a href=\"x?d=$(link-orig-esc)\" title='$(link-orig-esc)'>", {"link-orig": payload}
    )
    inner = out[len('<a href="x?d=') : out.index('" title')]
    assert not set("<>\"'& \\`") & set(inner)


def test_unknown_variable_renders_empty():
    assert render("[$(no-such-thing)][$(no-such-thing-esc)]", {}) == "[][]"


def test_if_nonempty_and_else():
    page = "$(if error)E:$(error)$(else)none$(endif)"
    assert render(page, {"error": "bad"}) == "E:bad"
    assert render(page, {"error": ""}) == "none"
    assert render(page, {}) == "none"


@pytest.mark.parametrize("quoted", ["yes", "'yes'", '"yes"'])
def test_if_equals_with_bare_or_quoted_value(quoted):
    page = f"$(if trial == {quoted})T$(else)F$(endif)"
    assert render(page, {"trial": "yes"}) == "T"
    assert render(page, {"trial": "no"}) == "F"


def test_if_not_equals():
    page = "$(if chap-id != '')chap$(else)pap$(endif)"
    assert render(page, {"chap-id": "\\371"}) == "chap"
    assert render(page, {}) == "pap"


def test_elif_chain_shows_only_the_first_match():
    page = (
        "$(if username == john)J$(elif username == dizzy)D$(elif ip == 10.1.2.3)I$(else)?$(endif)"
    )
    assert render(page, {"username": "john", "ip": "10.1.2.3"}) == "J"
    assert render(page, {"username": "dizzy"}) == "D"
    assert render(page, {"username": "x", "ip": "10.1.2.3"}) == "I"
    assert render(page, {"username": "x"}) == "?"


def test_nesting():
    page = "a$(if x)b$(if y == 1)c$(elif y == 2)d$(else)e$(endif)f$(else)g$(if y)h$(endif)$(endif)i"
    assert render(page, {"x": "1", "y": "1"}) == "abcfi"
    assert render(page, {"x": "1", "y": "2"}) == "abdfi"
    assert render(page, {"x": "1", "y": "3"}) == "abefi"
    assert render(page, {"y": "1"}) == "aghi"
    assert render(page, {}) == "agi"


def test_inner_branches_of_a_skipped_block_stay_hidden():
    page = "$(if x)$(if y)Y$(else)N$(endif)$(endif)"
    assert render(page, {"y": "1"}) == ""
    assert render(page, {}) == ""


def test_quoted_value_may_contain_a_parenthesis():
    ua = "Mozilla/5.0 (Android; Mobile; rv:40.0) Gecko/40.0 Firefox/40.0"
    page = f'$(if user-agent == "{ua}" )Success$(else)login$(endif)'
    assert render(page, {"user-agent": ua}) == "Success"
    assert render(page, {"user-agent": "curl"}) == "login"


def test_http_status_and_header_are_set_not_tested():
    page = (
        "$(if http-status == 302)Hotspot login required$(endif)"
        '$(if http-header == "Location")$(link-redirect)$(endif)body'
    )
    out = render_response(page, {"link-redirect": "http://192.168.88.1/login"})
    assert out.status == (302, "Hotspot login required")
    assert out.headers == {"Location": "http://192.168.88.1/login"}
    assert out.body == "body"


def test_header_inside_a_false_branch_is_not_set():
    page = "$(if x)$(if http-header == 'Refresh')1$(endif)$(endif)"
    assert render_response(page, {}).headers == {}


def test_last_header_with_a_name_wins():
    page = "$(if http-header == X-A)1$(endif)$(if http-header == X-A)2$(endif)"
    assert render_response(page, {}).headers == {"X-A": "2"}


@pytest.mark.parametrize(
    "page",
    [
        "$(if x)open",
        "$(endif)",
        "$(else)",
        "$(elif x)",
        "tail $(username",
        "$(if x)$(else)$(endif)$(endif)",
    ],
)
def test_malformed_templates_raise(page):
    with pytest.raises(TemplateError):
        render(page, {"x": "1"})


def test_chap_values_pass_through_as_octal_text():
    page = "hexMD5('$(chap-id)' + p + '$(chap-challenge)')"
    out = render(page, {"chap-id": "\\371", "chap-challenge": "\\357\\015"})
    assert out == "hexMD5('\\371' + p + '\\357\\015')"
