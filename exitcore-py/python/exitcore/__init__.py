"""exitcore: exit-interview analytics with validated records and anonymised statistics.

The work is done by the compiled module :mod:`exitcore._exitcore`; this package
re-exports it. Everything that goes in or comes out is plain Python data
(dicts, lists, str, int, float, bool, None). Every error raised by exitcore is
an :class:`ExitcoreError`, itself a :class:`ValueError`, with the attributes
``code``, ``field`` and ``problems``.
"""

from exitcore._exitcore import (
    Analysis,
    Report,
    Budget,
    BudgetExhaustedError,
    CellNoise,
    CsvError,
    Dataset,
    ExitcoreError,
    FileError,
    ImportResult,
    InvalidArgumentError,
    InvalidRecordError,
    JsonError,
    Ledger,
    LoadResult,
    Mapping,
    MappingError,
    Policy,
    Pseudonymiser,
    Questionnaire,
    QuestionnaireError,
    Redactor,
    Release,
    SyntheticOrg,
    __version__,
    bsn_is_valid,
    generate,
    iban_is_valid,
    pseudonymise,
    themes,
)
from exitcore.frames import from_pandas, from_polars

__all__ = [
    "Analysis",
    "Report",
    "Budget",
    "BudgetExhaustedError",
    "CellNoise",
    "CsvError",
    "Dataset",
    "ExitcoreError",
    "FileError",
    "ImportResult",
    "InvalidArgumentError",
    "InvalidRecordError",
    "JsonError",
    "Ledger",
    "LoadResult",
    "Mapping",
    "MappingError",
    "Policy",
    "Pseudonymiser",
    "Questionnaire",
    "QuestionnaireError",
    "Redactor",
    "Release",
    "SyntheticOrg",
    "__version__",
    "bsn_is_valid",
    "from_pandas",
    "from_polars",
    "generate",
    "iban_is_valid",
    "pseudonymise",
    "themes",
]
