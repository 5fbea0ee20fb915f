"""The checking logic of benches/compare_pandas.py on a small organisation:
exitcore, the vectorised pandas/numpy/scipy forms and (when installed)
polars must give the same numbers, and the vectorised forms must agree with
scipy's own functions. No timing is asserted."""

from __future__ import annotations

import importlib.util
import io
import math
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benches" / "compare_pandas.py"


@pytest.fixture(scope="module")
def compare_pandas() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compare_pandas", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look the module up by name while the class body runs.
    sys.modules["compare_pandas"] = module
    spec.loader.exec_module(module)
    return module


def test_all_sides_agree_on_a_small_organisation(compare_pandas: ModuleType) -> None:
    try:
        import polars  # noqa: F401

        use_polars = True
    except ImportError:
        use_polars = False
    out = io.StringIO()
    outcome = compare_pandas.compare(5_000, 42, repeat=1, use_polars=use_polars, out=out, strict=True)
    assert outcome.compared > 10_000
    assert outcome.mismatches == 0
    last = out.getvalue().strip().splitlines()[-1]
    names = [part.split("=")[0] for part in last.split()]
    assert names == ["exitcore_s", "pandas_s", "polars_s", "ratio_pandas", "ratio_polars"]
    values = {part.split("=")[0]: float(part.split("=")[1]) for part in last.split()}
    # The times are printed to four decimals and the ratio is taken before
    # rounding, so the ratio must lie within what the rounded times allow.
    half = 0.5e-4
    low = (values["pandas_s"] - half) / (values["exitcore_s"] + half)
    high = (values["pandas_s"] + half) / (values["exitcore_s"] - half)
    assert low - half <= values["ratio_pandas"] <= high + half
    assert math.isnan(values["polars_s"]) != use_polars


def test_a_wrong_number_is_caught(compare_pandas: ModuleType) -> None:
    data = compare_pandas.build(3_000, 1)
    analysis, _ = compare_pandas.run_exitcore(data)
    a = analysis.to_dict()
    sel = compare_pandas.selection(data, a)
    res = compare_pandas.pandas_core(data, sel)
    assert compare_pandas.check(data, a, res, sel) > 1_000
    # Some groups are withheld at this size, and the k mask only hides
    # groups that exitcore withholds too.
    assert not all(s.all() for s in sel.released)
    res.levels[2]["items"]["pay_fair"]["p"] = res.levels[2]["items"]["pay_fair"]["p"] * (1 + 1e-6)
    with pytest.raises(compare_pandas.Mismatch, match="pay_fair Mann-Whitney"):
        compare_pandas.check(data, a, res, sel)


def test_vectorised_fisher_matches_scipy_on_edge_tables(compare_pandas: ModuleType) -> None:
    from scipy import stats

    tables = [(8, 2, 1, 5), (0, 10, 5, 5), (10, 0, 0, 10), (3, 3, 3, 3), (1, 200, 40, 30000), (50, 5000, 3000, 900000)]
    a, b, c, d = (np.array(col) for col in zip(*tables))
    odds, p = compare_pandas.fisher_exact_2x2(a, b, c, d)
    for i, t in enumerate(tables):
        ref_odds, ref_p = stats.fisher_exact([[t[0], t[1]], [t[2], t[3]]])
        assert p[i] == pytest.approx(ref_p, rel=1e-12)
        assert odds[i] == pytest.approx(ref_odds, rel=1e-12)
