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


def _division(sizes: dict[str, int]) -> exitcore.Dataset:
    q = exitcore.Questionnaire.standard()
    records = []
    for team, n in sizes.items():
        for i in range(n):
            records.append({
                "respondent": f"{team}-{i}", "questionnaire": q.id, "version": q.version,
                "context": {"org_unit": ["D", team]},
                "answers": {"primary_reason": "pay" if i % 2 else "workload", "enps": 5, "would_return": True},
            })
    result = exitcore.Dataset.from_records(q, records)
    assert result.problems == []
    return result.dataset


def test_release_of_the_issue_example() -> None:
    # A division of 15 leavers: A = 7, B = 2, C = 6 releases A and the division only.
    ds = _division({"A": 7, "B": 2, "C": 6})
    release = ds.release([["org_unit"]])
    cells = {tuple(tuple(p) for p in c["key"]): c for c in release["cells"]}
    assert cells[(("org_unit", "D"),)]["n"] == 15
    assert cells[(("org_unit", "D/A"),)]["n"] == 7
    assert cells[(("org_unit", "D/B"),)]["withheld"] == "primary"
    assert cells[(("org_unit", "D/B"),)]["n"] is None
    assert cells[(("org_unit", "D/C"),)]["withheld"] == "secondary"
    assert release["audit"]["primary"] == 1 and release["audit"]["secondary"] == 1
    assert release["policy"] == {"k": 5, "comment_k": 10, "show_zero": False}


def test_a_data_set_of_k_minus_one_releases_nothing() -> None:
    ds = _division({"A": 2, "B": 2})
    release = ds.release([["org_unit"], ["tenure_band"]], ["primary_reason"], exitcore.Policy(k=5))
    assert all(c["n"] is None for c in release["cells"])
    assert release["audit"]["released"] == 0


def test_a_bad_release_spec_names_the_spot() -> None:
    ds = _division({"A": 7})
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        ds.release([["org_unit", "shoe_size"]])
    assert info.value.field == "tables[0][1]"
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        ds.release([["org_unit"]], ["comment_other"])
    assert info.value.field == "distributions[0]"
