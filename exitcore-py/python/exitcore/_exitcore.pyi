"""Type stubs of the compiled module ``exitcore._exitcore``."""

import os
from collections.abc import Mapping as _Mapping, Sequence
from typing import Any, Final, Literal, TypedDict, final, overload

from typing_extensions import NotRequired


__all__ = [
    "__version__",
    "_import_frame",
    "_texts_from_objects",
    "ExitcoreError",
    "QuestionnaireError",
    "InvalidRecordError",
    "MappingError",
    "CsvError",
    "JsonError",
    "FileError",
    "InvalidArgumentError",
    "BudgetExhaustedError",
    "Questionnaire",
    "Dataset",
    "LoadResult",
    "ImportResult",
    "Mapping",
    "Pseudonymiser",
    "pseudonymise",
    "Policy",
    "Redactor",
    "Headcount",
    "Stayers",
    "Release",
    "Ledger",
    "CellNoise",
    "Budget",
    "Analysis",
    "Report",
    "iban_is_valid",
    "bsn_is_valid",
    "SyntheticOrg",
    "generate",
    "themes",
]

__version__: Final[str]

_Bytes = bytes | bytearray
_Path = str | os.PathLike[str]

class _Problem(TypedDict):
    """One bad spot in bulk input."""

    row: int | None
    respondent: str | None
    field: str
    kind: str
    message: str

class _ThemeInfo(TypedDict):
    """A theme of the taxonomy with its names in Dutch and English."""

    id: str
    nl: str
    en: str

class _Plant(TypedDict):
    """A planted effect: leaving for `reason` is `odds_ratio` times as likely in `unit`."""

    unit: list[str]
    reason: str
    odds_ratio: float

class ExitcoreError(ValueError):
    """Base class of every exitcore error."""

    code: str
    field: str | None
    problems: list[_Problem]
    line: int | None

class QuestionnaireError(ExitcoreError): ...
class InvalidRecordError(ExitcoreError): ...
class MappingError(ExitcoreError): ...
class CsvError(ExitcoreError): ...
class JsonError(ExitcoreError): ...
class FileError(ExitcoreError): ...
class InvalidArgumentError(ExitcoreError): ...
class BudgetExhaustedError(ExitcoreError): ...

@final
class Questionnaire:
    """A versioned, checked questionnaire."""

    @staticmethod
    def standard() -> Questionnaire: ...
    @staticmethod
    def from_json(json: str) -> Questionnaire: ...
    @staticmethod
    def from_path(path: _Path) -> Questionnaire: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    @property
    def id(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def title(self) -> dict[str, str]: ...
    def question_ids(self) -> list[str]: ...
    def validate(self, record: dict[str, Any]) -> None: ...
    def problems(self, record: dict[str, Any]) -> list[_Problem]: ...
    def migrate(self, record: dict[str, Any]) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...

@final
class Dataset:
    """Validated exit records stored by column."""

    @staticmethod
    def from_records(
        questionnaire: Questionnaire, records: Sequence[dict[str, Any]]
    ) -> LoadResult: ...
    @staticmethod
    def from_json(questionnaire: Questionnaire, json: str) -> LoadResult: ...
    @staticmethod
    def from_csv(
        path: _Path, mapping: Mapping, pseudonymise_key: _Bytes | None = None
    ) -> ImportResult: ...
    @staticmethod
    def from_csv_bytes(
        data: _Bytes, mapping: Mapping, pseudonymise_key: _Bytes | None = None
    ) -> ImportResult: ...
    @staticmethod
    def from_arrow(
        table: Any,
        mapping: Mapping | None = None,
        *,
        questionnaire: Questionnaire | None = None,
        pseudonymise_key: _Bytes | None = None,
    ) -> ImportResult: ...
    @property
    def questionnaire(self) -> Questionnaire: ...
    def summary(self) -> dict[str, Any]: ...
    def release(
        self,
        tables: Sequence[Sequence[str]],
        distributions: Sequence[str] | None = None,
        policy: Policy | None = None,
        *,
        ledger: Ledger | None = None,
        noise: CellNoise | None = None,
        epsilon: float | None = None,
        budget: Budget | None = None,
    ) -> Release: ...
    def analyse(
        self,
        by: Sequence[Sequence[str]] | None = None,
        *,
        policy: Policy | None = None,
        confidence: float = 0.95,
        fdr: float = 0.05,
        min_test_group: int = 20,
        trend: Literal["month", "quarter", "year"] | None = None,
        ledger: Ledger | None = None,
        headcount: Sequence[_Mapping[str, Any]] | _Path | Headcount | None = None,
        stayers: Sequence[_Mapping[str, Any]] | Stayers | None = None,
        roster: Sequence[str] | Redactor | None = None,
        lang: Literal["nl", "en"] = "en",
        comments: bool = True,
        insights: bool = True,
        drivers: bool = True,
    ) -> Analysis: ...
    def report(
        self,
        *,
        lang: Literal["nl", "en"] | None = None,
        policy: Policy | None = None,
        by: Sequence[Sequence[str]] | None = None,
        headcount: Sequence[_Mapping[str, Any]] | _Path | Headcount | None = None,
        stayers: Sequence[_Mapping[str, Any]] | Stayers | None = None,
        roster: Sequence[str] | Redactor | None = None,
        title: str | None = None,
    ) -> Report: ...
    def org_units(self) -> list[list[str]]: ...
    def __len__(self) -> int: ...

@final
class LoadResult:
    """The dataset of every valid record and every problem in the others."""

    @property
    def dataset(self) -> Dataset: ...
    @property
    def problems(self) -> list[_Problem]: ...
    @property
    def rejected(self) -> int: ...

@final
class ImportResult:
    """The dataset, problems and per-column summary of a CSV import."""

    @property
    def dataset(self) -> Dataset: ...
    @property
    def problems(self) -> list[_Problem]: ...
    @property
    def rejected(self) -> int: ...
    @property
    def summary(self) -> dict[str, Any]: ...

@final
class Mapping:
    """A checked CSV import mapping together with its questionnaire."""

    @staticmethod
    def from_path(path: _Path) -> Mapping: ...
    @staticmethod
    def from_json(json: str) -> Mapping: ...
    @staticmethod
    def from_json_with_questionnaire(json: str, questionnaire: Questionnaire) -> Mapping: ...
    @staticmethod
    def identity(questionnaire: Questionnaire, columns: Sequence[str]) -> Mapping: ...
    @property
    def questionnaire(self) -> Questionnaire: ...

@final
class Pseudonymiser:
    """Keyed hashing (HMAC-SHA256) of identifiers."""

    def __new__(cls, key: _Bytes) -> Pseudonymiser: ...
    def pseudonymise(self, id: str) -> str: ...

def pseudonymise(key: _Bytes, id: str) -> str: ...

# For exitcore.from_pandas: a frame's columns (numpy object arrays and
# pyarrow arrays) imported; and what one object column reads as (tests).
def _import_frame(
    names: Sequence[str],
    columns: Sequence[Any],
    na: object,
    mapping: Mapping | None = None,
    *,
    questionnaire: Questionnaire | None = None,
    pseudonymise_key: _Bytes | None = None,
) -> ImportResult: ...
def _texts_from_objects(values: Any, na: object) -> Any: ...

class _PolicyDict(TypedDict):
    k: int
    comment_k: int
    show_zero: bool

@final
class Policy:
    """Privacy rules: minimum group size k, comment threshold, empty cells."""

    def __new__(cls, k: int | None = None, comment_k: int | None = None, show_zero: bool = False) -> Policy: ...
    @property
    def k(self) -> int: ...
    @property
    def comment_k(self) -> int: ...
    @property
    def show_zero(self) -> bool: ...
    def withholds(self, n: int) -> bool: ...
    def to_dict(self) -> _PolicyDict: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Headcount:
    """Headcount per org unit per quarter, read once for any number of reports."""

    def __new__(cls, source: Sequence[_Mapping[str, Any]] | _Path) -> Headcount: ...
    @staticmethod
    def from_csv(data: str | bytes) -> Headcount: ...
    @property
    def span(self) -> tuple[tuple[int, int], tuple[int, int]] | None: ...
    def person_years(self, org_unit: Sequence[str]) -> float: ...

@final
class Stayers:
    """Current staff with their tenure so far, read once for any number of reports."""

    def __new__(cls, rows: Sequence[_Mapping[str, Any]]) -> Stayers: ...
    def __len__(self) -> int: ...

@final
class Redactor:
    """Replaces e-mail addresses, phone numbers, IBANs, BSNs and roster names by placeholders."""

    def __new__(cls, roster: Sequence[str] = ...) -> Redactor: ...
    def redact(self, text: str, lang: str = "nl") -> str: ...

class _CellDecision(TypedDict):
    """The decision for one cell; `n` is None unless the cell is released."""

    key: list[tuple[str, str]]
    n: int | None
    withheld: Literal["primary", "homogeneous", "secondary"] | None
    comments: bool

class _Audit(TypedDict):
    """Cells considered, released, and withheld by reason."""

    cells: int
    released: int
    primary: int
    homogeneous: int
    secondary: int
    comments_withheld: int

class _NoiseInfo(TypedDict):
    """How a differentially private release was noised."""

    epsilon: float
    scale: float

class _ReleaseDict(TypedDict):
    policy: _PolicyDict
    cells: list[_CellDecision]
    audit: _Audit
    noise: NotRequired[_NoiseInfo]

_CellKey = Sequence[tuple[str, str] | Sequence[str]] | dict[str, str]

@final
class Release:
    """A decided release: every cell, the audit, the policy and the noise."""

    @property
    def cells(self) -> list[_CellDecision]: ...
    @property
    def audit(self) -> _Audit: ...
    @property
    def policy(self) -> Policy: ...
    @property
    def noise(self) -> _NoiseInfo | None: ...
    def to_dict(self) -> _ReleaseDict: ...
    def comments(
        self,
        key: _CellKey,
        question: str,
        *,
        roster: Sequence[str] | Redactor | None = None,
        lang: str = "en",
    ) -> list[str] | None: ...

@final
class Ledger:
    """What earlier releases of a data set published."""

    def __new__(cls) -> Ledger: ...
    def record(self, dataset: Dataset, release: Release) -> None: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(json: str) -> Ledger: ...
    def __len__(self) -> int: ...

@final
class CellNoise:
    """The secret key of the noise on differentially private counts."""

    def __new__(cls, key: str | _Bytes) -> CellNoise: ...

@final
class Budget:
    """The epsilon budget of one data set."""

    def __new__(cls, total_epsilon: float) -> Budget: ...
    @property
    def spent(self) -> float: ...
    @property
    def remaining(self) -> float: ...
    @property
    def total(self) -> float: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(json: str) -> Budget: ...

class _Insight(TypedDict):
    """A significant finding as a sentence in Dutch and English."""

    finding: dict[str, Any]
    effect: float
    nl: str
    en: str

@final
class Report:
    """The whole analysis under a policy, rendered as JSON, Markdown or HTML."""

    def to_json(self) -> str: ...
    def to_markdown(self) -> str: ...
    def to_html(self) -> str: ...
    def _repr_html_(self) -> str: ...
    @property
    def analysis(self) -> Analysis: ...
    @property
    def title(self) -> str: ...

@final
class Analysis:
    """The result of `Dataset.analyse`: released numbers only."""

    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str: ...
    @property
    def policy(self) -> Policy: ...
    @property
    def audit(self) -> _Audit: ...
    @property
    def overall(self) -> dict[str, Any]: ...
    @property
    def breakdowns(self) -> list[dict[str, Any]]: ...
    @property
    def trends(self) -> dict[str, Any] | None: ...
    @property
    def survival(self) -> dict[str, Any] | None: ...
    @property
    def comments(self) -> list[dict[str, Any]]: ...
    @property
    def drivers(self) -> list[dict[str, Any]]: ...
    @property
    def findings(self) -> list[dict[str, Any]]: ...
    @property
    def insights(self) -> list[_Insight]: ...
    def insight_texts(self, lang: str = "en") -> list[str]: ...
    def reasons_frame(self) -> Any: ...
    def items_frame(self) -> Any: ...
    def findings_frame(self) -> Any: ...

def iban_is_valid(candidate: str) -> bool: ...
def bsn_is_valid(candidate: str) -> bool: ...
def themes() -> list[_ThemeInfo]: ...

@final
class SyntheticOrg:
    """A generated organisation: questionnaire, exit records, headcount, units."""

    @property
    def questionnaire(self) -> Questionnaire: ...
    @property
    def records(self) -> list[dict[str, Any]]: ...
    @property
    def headcount(self) -> list[dict[str, Any]]: ...
    @property
    def stayers(self) -> list[dict[str, Any]]: ...
    @property
    def units(self) -> list[list[str]]: ...
    def load(self) -> LoadResult: ...
    @overload
    def to_csv(self, path: None = None) -> str: ...
    @overload
    def to_csv(self, path: _Path) -> None: ...
    def csv_mapping(self) -> Mapping: ...

def generate(
    seed: int | None = None,
    exits: int | None = None,
    *,
    divisions: int | None = None,
    departments_per_division: int | None = None,
    teams_per_department: int | None = None,
    job_families: int | None = None,
    managers: int | None = None,
    quarters: int | None = None,
    start_year: int | None = None,
    comment_rate: float | None = None,
    plants: Sequence[_Plant] | None = None,
    group_effects: bool | None = None,
) -> SyntheticOrg: ...
