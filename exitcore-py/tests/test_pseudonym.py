"""Pseudonymisation: deterministic keyed hashes."""

from __future__ import annotations

import re

import pytest

import exitcore

KEY = b"a secret key of at least 16 bytes"


def test_deterministic() -> None:
    a = exitcore.pseudonymise(KEY, "E1234")
    assert a == exitcore.pseudonymise(KEY, "E1234")
    assert a != exitcore.pseudonymise(KEY, "E1235")
    assert a != exitcore.pseudonymise(KEY + b"!", "E1234")
    assert re.fullmatch(r"p_[0-9a-f]{32}", a)


def test_class_matches_function() -> None:
    p = exitcore.Pseudonymiser(KEY)
    assert p.pseudonymise("E1234") == exitcore.pseudonymise(KEY, "E1234")
    assert p.pseudonymise(" E1234 ") == p.pseudonymise("E1234")
    assert exitcore.Pseudonymiser(bytearray(KEY)).pseudonymise("x") == p.pseudonymise("x")


def test_repr_hides_key() -> None:
    assert "secret" not in repr(exitcore.Pseudonymiser(KEY))


def test_short_key() -> None:
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        exitcore.Pseudonymiser(b"short")
    assert info.value.field == "key"
    with pytest.raises(exitcore.InvalidArgumentError):
        exitcore.pseudonymise(b"", "x")


def test_key_must_be_bytes() -> None:
    with pytest.raises(TypeError):
        exitcore.Pseudonymiser("a str key that is long enough")  # type: ignore[arg-type]
