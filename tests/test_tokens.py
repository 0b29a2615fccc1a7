"""Link tokens: random, long, stored only as a digest, compared in constant time."""

from __future__ import annotations

from bridgework.tokens import TOKEN_BYTES, issue_token, token_digest, token_matches


def test_tokens_have_at_least_128_bits_and_are_url_safe():
    token = issue_token()
    assert TOKEN_BYTES * 8 >= 128
    assert len(token.plain) >= 43  # 32 bytes in URL-safe base64
    assert set(token.plain) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )


def test_only_the_digest_is_kept_and_it_matches_only_its_token():
    token = issue_token()
    assert token.digest == token_digest(token.plain)
    assert token.plain not in token.digest
    assert token_matches(token.plain, token.digest)
    assert not token_matches(token.plain + "x", token.digest)


def test_tokens_do_not_repeat():
    assert len({issue_token().plain for _ in range(1000)}) == 1000
