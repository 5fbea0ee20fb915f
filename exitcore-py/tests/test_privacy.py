"""Privacy policy and redaction from Python: same defaults and results as the core."""

from __future__ import annotations

from typing import Any

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


def _division(sizes: dict[str, int], comments: dict[str, str] | None = None) -> exitcore.Dataset:
    """Leavers of division D by team; `comments` gives each team's leavers a
    `comment_leadership` answer (numbered, so the texts differ)."""
    q = exitcore.Questionnaire.standard()
    records = []
    for team, n in sizes.items():
        for i in range(n):
            answers: dict[str, Any] = {
                "primary_reason": "pay" if i % 2 else "workload", "enps": 5, "would_return": True,
            }
            if comments and team in comments:
                answers["comment_leadership"] = f"{i:02d} {comments[team]}"
            records.append({
                "respondent": f"{team}-{i}", "questionnaire": q.id, "version": q.version,
                "context": {"org_unit": ["D", team]},
                "answers": answers,
            })
    result = exitcore.Dataset.from_records(q, records)
    assert result.problems == []
    return result.dataset


def test_release_of_the_issue_example() -> None:
    # A division of 15 leavers: A = 7, B = 2, C = 6 releases A and the division only.
    ds = _division({"A": 7, "B": 2, "C": 6})
    release = ds.release([["org_unit"]])
    assert isinstance(release, exitcore.Release)
    cells = {tuple(tuple(p) for p in c["key"]): c for c in release.cells}
    assert cells[(("org_unit", "D"),)]["n"] == 15
    assert cells[(("org_unit", "D/A"),)]["n"] == 7
    assert cells[(("org_unit", "D/B"),)]["withheld"] == "primary"
    assert cells[(("org_unit", "D/B"),)]["n"] is None
    assert cells[(("org_unit", "D/C"),)]["withheld"] == "secondary"
    assert release.audit["primary"] == 1 and release.audit["secondary"] == 1
    assert release.policy == exitcore.Policy()
    assert release.noise is None
    as_dict = release.to_dict()
    assert as_dict["policy"] == {"k": 5, "comment_k": 10, "show_zero": False}
    assert as_dict["cells"] == release.cells and as_dict["audit"] == release.audit
    assert "noise" not in as_dict
    assert repr(release) == "Release(cells=5, released=3, noise=None)"


def test_a_data_set_of_k_minus_one_releases_nothing() -> None:
    ds = _division({"A": 2, "B": 2})
    release = ds.release([["org_unit"], ["tenure_band"]], ["primary_reason"], exitcore.Policy(k=5))
    assert all(c["n"] is None for c in release.cells)
    assert release.audit["released"] == 0


def test_a_bad_release_spec_names_the_spot() -> None:
    ds = _division({"A": 7})
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        ds.release([["org_unit", "shoe_size"]])
    assert info.value.field == "tables[0][1]"
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        ds.release([["org_unit"]], ["comment_other"])
    assert info.value.field == "distributions[0]"


def _cells(release: exitcore.Release) -> dict[tuple[tuple[str, str], ...], int | None]:
    return {tuple((d, v) for d, v in c["key"]): c["n"] for c in release.cells}


def test_a_ledger_keeps_the_newcomer_from_being_subtracted() -> None:
    # Last month T0 and T1 had 6 leavers each; one more left T0 since.
    last_month = _division({"T0": 6, "T1": 6})
    now = _division({"T0": 7, "T1": 6})
    first = last_month.release([["org_unit"]])
    assert _cells(first)[(("org_unit", "D/T0"),)] == 6
    ledger = exitcore.Ledger()
    assert len(ledger) == 0
    ledger.record(last_month, first)
    assert len(ledger) == 1
    assert repr(ledger) == "Ledger(releases=1)"

    # Without the ledger T0 = 7 is published next to last month's 6.
    blind = _cells(now.release([["org_unit"]]))
    assert blind[(("org_unit", "D/T0"),)] == 7
    # With it, something published without it is withheld.
    guarded = _cells(now.release([["org_unit"]], ledger=ledger))
    assert any(blind[k] is not None and guarded[k] is None for k in blind)
    assert not (guarded[(("org_unit", "D"),)] is not None and guarded[(("org_unit", "D/T0"),)] is not None)

    # The ledger survives JSON and still works.
    text = ledger.to_json()
    again = exitcore.Ledger.from_json(text)
    assert len(again) == 1 and again.to_json() == text
    assert _cells(now.release([["org_unit"]], ledger=again)) == guarded
    again.record(now, now.release([["org_unit"]], ledger=again))
    assert len(again) == 2 and len(ledger) == 1


def test_a_ledger_refuses_a_release_of_another_data_set_and_bad_json() -> None:
    a = _division({"T0": 6, "T1": 6})
    b = _division({"T0": 7, "T1": 6})
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        exitcore.Ledger().record(b, a.release([["org_unit"]]))
    assert info.value.field == "release"
    for bad in ("", "[]", '{"releases": [{"respondents": "xyz"}]}', '{"releases": [], "extra": 1}'):
        with pytest.raises(exitcore.JsonError):
            exitcore.Ledger.from_json(bad)


def test_comments_are_redacted_sorted_and_withheld_for_small_cells() -> None:
    ds = _division(
        {"A": 12, "B": 3},
        {"A": "Jan de Vries (jan@bedrijf.nl) luisterde niet", "B": "te klein om te tonen"},
    )
    release = ds.release([["org_unit"]])
    division = release.comments([("org_unit", "D")], "comment_leadership", roster=["Jan de Vries"], lang="nl")
    assert division is not None
    assert division == sorted(division)
    assert division[0] == "00 [NAAM] ([EMAIL]) luisterde niet"
    assert len(division) == 15  # B's three too: the division is big enough
    assert "00 te klein om te tonen" in division
    assert all("Jan" not in c and "@" not in c for c in division)
    # A dict key and a list-of-lists key mean the same cell; [] is everyone.
    assert release.comments({"org_unit": "D"}, "comment_leadership", roster=["Jan de Vries"], lang="nl") == division
    assert release.comments([["org_unit", "D"]], "comment_leadership", roster=["Jan de Vries"], lang="nl") == division
    # A Redactor made once redacts as its roster does.
    redactor = exitcore.Redactor(["Jan de Vries"])
    assert release.comments([("org_unit", "D")], "comment_leadership", roster=redactor, lang="nl") == division
    with pytest.raises(TypeError, match="argument 'roster'"):
        release.comments([("org_unit", "D")], "comment_leadership", roster="Jan de Vries")
    # B (3) is below the comment threshold, and A's 12 next to the division's
    # 15 would give B's three by difference: both are withheld.
    assert release.comments([["org_unit", "D/B"]], "comment_leadership") is None
    assert release.comments([("org_unit", "D/A")], "comment_leadership") is None
    everyone = release.comments([], "comment_leadership", lang="en")
    assert everyone is not None and "00 Jan de Vries ([EMAIL]) luisterde niet" in everyone


def test_comments_of_an_unknown_cell_or_a_non_text_question_raise() -> None:
    ds = _division({"A": 12, "B": 3}, {"A": "prima"})
    release = ds.release([["org_unit"]])
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        release.comments([("org_unit", "D/Z")], "comment_leadership")
    assert info.value.field == "key" and "D/Z" in str(info.value)
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        release.comments([("shoe_size", "42")], "comment_leadership")
    assert info.value.field == "key"
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        release.comments([("org_unit", "D")], "enps")
    assert info.value.field == "question" and "free-text" in str(info.value)
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        release.comments([("org_unit", "D")], "no_such_question")
    assert info.value.field == "question"
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        release.comments([("org_unit", "D")], "comment_leadership", lang="de")
    assert info.value.field == "lang"
    with pytest.raises(exitcore.InvalidArgumentError):
        release.comments("org_unit", "comment_leadership")


def test_noisy_releases_repeat_for_free_and_stop_at_the_budget() -> None:
    ds = _division({"A": 12, "B": 9, "C": 8})
    noise = exitcore.CellNoise("a secret key of at least 16 bytes")
    budget = exitcore.Budget(1.0)
    assert (budget.total, budget.spent, budget.remaining) == (1.0, 0.0, 1.0)
    a = ds.release([["org_unit"]], noise=noise, epsilon=0.5, budget=budget)
    b = ds.release([["org_unit"]], noise=noise, epsilon=0.5, budget=budget)
    assert a.cells == b.cells
    assert budget.spent == 0.5 and budget.remaining == 0.5
    assert a.noise is not None and a.noise["epsilon"] == 0.5 and a.noise["scale"] > 0
    assert a.to_dict()["noise"] == a.noise
    assert repr(a).endswith("noise={epsilon=0.5})")
    # Nothing released is about fewer than k people, whatever the noise.
    assert all(c["n"] is None or c["n"] >= 5 for c in a.cells)
    with pytest.raises(exitcore.BudgetExhaustedError) as info:
        ds.release([["tenure_band"]], noise=noise, epsilon=0.6, budget=budget)
    assert info.value.code == "budget_exhausted"
    assert isinstance(info.value, exitcore.ExitcoreError)
    assert budget.spent == 0.5
    # The same key as bytes gives the same noise.
    same = ds.release([["org_unit"]], noise=exitcore.CellNoise(b"a secret key of at least 16 bytes"),
                      epsilon=0.5, budget=budget)
    assert same.cells == a.cells and budget.spent == 0.5


def test_a_budget_round_trips_through_json() -> None:
    ds = _division({"A": 12, "B": 9})
    noise = exitcore.CellNoise(b"0123456789abcdef")
    budget = exitcore.Budget(1.0)
    ds.release([["org_unit"]], noise=noise, epsilon=0.4, budget=budget)
    again = exitcore.Budget.from_json(budget.to_json())
    assert (again.total, again.spent) == (1.0, 0.4)
    ds.release([["org_unit"]], noise=noise, epsilon=0.4, budget=again)  # a repeat: free
    assert again.spent == 0.4
    with pytest.raises(exitcore.BudgetExhaustedError):
        ds.release([["tenure_band"]], noise=noise, epsilon=0.7, budget=again)
    assert repr(again) == "Budget(total=1.0, spent=0.4)"
    with pytest.raises(exitcore.JsonError):
        exitcore.Budget.from_json('{"total": 1, "charges": [{"query": "q", "epsilon": 2}]}')


def test_a_tiny_data_set_releases_nothing_even_with_noise() -> None:
    ds = _division({"A": 2, "B": 2})
    release = ds.release([["org_unit"], ["tenure_band"]], noise=exitcore.CellNoise("k" * 16),
                         epsilon=1.0, budget=exitcore.Budget(10.0))
    assert all(c["n"] is None for c in release.cells)
    assert release.audit["released"] == 0
    assert release.noise is not None


def test_noise_arguments_are_checked() -> None:
    ds = _division({"A": 12})
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        exitcore.CellNoise("too short")
    assert info.value.field == "key"
    with pytest.raises(exitcore.InvalidArgumentError):
        exitcore.CellNoise(b"\x00" * 15)
    with pytest.raises(exitcore.InvalidArgumentError):
        exitcore.CellNoise(16)  # type: ignore[arg-type]
    assert repr(exitcore.CellNoise("a secret key of at least 16 bytes")) == "CellNoise(...)"
    for total in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(exitcore.InvalidArgumentError) as info:
            exitcore.Budget(total)
        assert info.value.field == "total_epsilon"
    noise, budget = exitcore.CellNoise("k" * 16), exitcore.Budget(1.0)
    for eps in (0.0, -0.5, float("nan")):
        with pytest.raises(exitcore.InvalidArgumentError) as info:
            ds.release([["org_unit"]], noise=noise, epsilon=eps, budget=budget)
        assert info.value.field == "epsilon"
    assert budget.spent == 0.0
    # All three or none; the error names the first missing one.
    for kwargs, missing in (
        ({"noise": noise}, "epsilon"),
        ({"epsilon": 0.5}, "noise"),
        ({"budget": budget}, "noise"),
        ({"noise": noise, "epsilon": 0.5}, "budget"),
        ({"noise": noise, "budget": budget}, "epsilon"),
    ):
        with pytest.raises(exitcore.InvalidArgumentError) as info:
            ds.release([["org_unit"]], **kwargs)
        assert info.value.field == missing
        assert missing in str(info.value)
    assert budget.spent == 0.0
