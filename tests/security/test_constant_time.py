"""AT-06, the static half: secret-derived values are compared with
`hmac.compare_digest`, never with ``==`` (whose time leaks how many leading octets
matched). Every ``==`` or ``!=`` in the shipped code whose operands name an
authenticator, digest, password, secret, token, signature or HMAC must be one of the
comparisons below, each with why it leaks nothing.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SECRET_LOOKING = re.compile(r"authenticator|digest|password|secret|token|signature|hmac", re.I)
NOT_SECRET = {
    "len(self.chap_password) != 17": "a length, fixed by RFC 1994",
    "len(digest) == 16": "a length",
    "key == MESSAGE_AUTHENTICATOR": "an attribute type number",
    "cipher.PwCrypt(password) == value": (
        "two ciphertexts the sender already knows (is the encryption canonical?); the"
        " password itself is then compared in constant time"
    ),
    "ApiToken.token_hash == token_hash(token)": "SQL lookup by a SHA-256 of the token",
    "ApiToken.token_hash == token_hash(presented)": "SQL lookup by a SHA-256 of the token",
    "Gateway.secret == chosen": "SQL: is the secret already used by another gateway?",
}


def equality_comparisons(path: Path) -> list[tuple[int, str]]:
    source = path.read_text()
    return [
        (node.lineno, ast.get_source_segment(source, node) or "")
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Compare)
        and any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops)
    ]


def test_secrets_are_never_compared_with_equals():
    shipped = [*(REPO / "radius").rglob("*.py"), *(REPO / "portal").rglob("*.py")]
    suspicious = [
        f"{path.relative_to(REPO)}:{line}: {text}"
        for path in shipped
        for line, text in equality_comparisons(path)
        if SECRET_LOOKING.search(text) and text not in NOT_SECRET
    ]
    assert suspicious == [], "use hmac.compare_digest, or explain the comparison here"


def test_the_check_sees_a_plain_comparison_of_a_digest(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def ok(digest, expected):\n    return digest == expected\n")
    found = [text for _line, text in equality_comparisons(sample)]
    assert found == ["digest == expected"] and SECRET_LOOKING.search(found[0])
