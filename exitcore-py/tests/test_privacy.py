"""Privacy policy and redaction from Python: same defaults and results as the core."""

import pytest

import exitcore


def test_policy_defaults_match_the_core() -> None:
    p = exitcore.Policy()
    assert (p.k, p.comment_k, p.show_zero) == (5, 10, False)
    assert p.to_dict() == {"k": 5, "comment_k": 10, "show_zero": False}
    assert p == exitcore.Policy(5, 10)
    assert repr(p) == "Policy(k=5, comment_k=10, show_zero=False)"


def test_policy_withholds_small_and_empty_groups() -> None:
    p = exitcore.Policy(k=5)
    assert [p.withholds(n) for n in (0, 1, 4, 5, 100)] == [True, True, True, False, False]
    assert not exitcore.Policy(k=5, show_zero=True).withholds(0)


@pytest.mark.parametrize("k", [0, 1])
def test_k_below_two_is_an_error_not_a_default(k: int) -> None:
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        exitcore.Policy(k=k)
    assert info.value.field == "k"
    assert isinstance(info.value, ValueError)


def test_comment_threshold_cannot_be_below_k() -> None:
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        exitcore.Policy(k=8, comment_k=6)
    assert info.value.field == "comment_k"
    assert exitcore.Policy(k=12).comment_k == 12


def test_negative_or_huge_k_is_a_value_error_not_a_crash() -> None:
    for k in (-1, 2**40):
        with pytest.raises(ValueError):
            exitcore.Policy(k=k)
    with pytest.raises(TypeError):
        exitcore.Policy(k="5")  # type: ignore[arg-type]


def test_the_issue_example_redacts_all_five() -> None:
    r = exitcore.Redactor(["Jan de Vries"])
    text = "Jan de Vries (jan.devries@bedrijf.nl, 06-12345678), BSN 111222333, IBAN NL91ABNA0417164300"
    assert r.redact(text) == "[NAAM] ([EMAIL], [TELEFOON]), BSN [BSN], IBAN [IBAN]"
    assert r.redact(text, "en") == "[NAME] ([EMAIL], [PHONE]), BSN [BSN], IBAN [IBAN]"
    assert r.redact("123456789 NL91ABNA0417164301") == "123456789 NL91ABNA0417164301"


def test_redactor_rejects_a_bad_language_and_a_one_letter_name() -> None:
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        exitcore.Redactor().redact("x", "de")
    assert info.value.field == "lang"
    with pytest.raises(exitcore.InvalidArgumentError):
        exitcore.Redactor(["J"])
    assert repr(exitcore.Redactor(["Jan de Vries"])) == "Redactor(...)"


def test_check_digit_helpers() -> None:
    # 111222333: 9*1 + 8*1 + 7*1 + 6*2 + 5*2 + 4*2 + 3*3 + 2*3 - 1*3 = 66 = 6 * 11.
    assert exitcore.bsn_is_valid("111222333")
    assert not exitcore.bsn_is_valid("123456789")
    assert exitcore.iban_is_valid("NL91 ABNA 0417 1643 00")
    assert not exitcore.iban_is_valid("NL91ABNA0417164301")
