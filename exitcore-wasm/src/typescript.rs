//! TypeScript declarations of the data shapes, appended to the generated `.d.ts`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const DATA_SHAPES: &'static str = r#"
/*
 * Data shapes.
 *
 * Functions and classes use camelCase names. The data objects (records,
 * problems, summaries, questionnaire documents) keep the field names of
 * exitcore's documented JSON schema, which are snake_case (`org_unit`,
 * `exit_date`, `min_months`): a record written by Python, Rust or a JSON
 * file reads the same here. All of them are plain objects (never ES `Map`s);
 * absent optional values come out as `null`.
 */

/** One answer: a Likert point or rating, an option id or text, option ids, yes/no, or an ISO date. */
export type Answer = boolean | number | string | string[];

/** Time in service at exit: `[min_months, max_months)`; `max_months` null means no upper bound. */
export interface Tenure {
  min_months: number;
  max_months?: number | null;
}

export type ExitType = "voluntary" | "involuntary" | "end_of_contract" | "retirement" | "other";
export type InterviewerType = "hr" | "independent" | "manager" | "self_service";

/** Where and how a person left. */
export interface ExitContext {
  /** Path in the org tree from the top, e.g. `["Operations", "Logistics", "Team 3"]`. */
  org_unit: string[];
  job_family?: string | null;
  manager?: string | null;
  location?: string | null;
  tenure?: Tenure | null;
  age_band?: string | null;
  /** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`. */
  exit_date?: string | null;
  exit_type?: ExitType | null;
  regrettable?: boolean | null;
  interviewer?: InterviewerType | null;
}

/** One exit interview, as in exitcore's JSON schema. */
export interface ExitRecord {
  respondent: string;
  questionnaire: string;
  version: number;
  context: ExitContext;
  /** Answers by question id; unanswered questions are absent. */
  answers?: Record<string, Answer>;
}

export type ProblemKind =
  | "unknown_question" | "wrong_type" | "out_of_range" | "missing" | "not_shown"
  | "duplicate_respondent" | "wrong_questionnaire" | "unrecognised_value" | "malformed_row";

/** One bad spot in bulk input. */
export interface Problem {
  /** 1-based row (CSV line or position in the input array), or null. */
  row: number | null;
  respondent: string | null;
  /** `answers.<question id>`, `context.<field>`, `respondent` or a CSV column name. */
  field: string;
  kind: ProblemKind;
  message: string;
}

/** Size and shape of a dataset; no answer data. */
export interface DatasetSummary {
  questionnaire: string;
  version: number;
  records: number;
  org_units: number;
  org_levels: number;
  questions: number;
  job_families: number;
  managers: number;
  locations: number;
}

/** What happened to one CSV column. */
export interface ColumnReport {
  column: string;
  status: "mapped" | "ignored" | "unmapped";
  /** The field it fills (`respondent`, `context.org_unit`, `answers.<id>`). */
  target?: string;
  filled: number;
  missing: number;
  unrecognised: number;
}

/** Per-file and per-column account of an import. */
export interface ImportSummary {
  rows: number;
  imported: number;
  rejected: number;
  skipped: number;
  columns: ColumnReport[];
}

/** Localised text by language code (`nl`, `en`). */
export type Text = Record<string, string>;

/** A question as in the questionnaire JSON (loosely typed: the fields depend on `kind`). */
export interface QuestionDocument {
  id: string;
  kind: "likert" | "rating" | "single_choice" | "multiple_choice" | "yes_no" | "free_text" | "date";
  text: Text;
  theme?: string;
  role?: string;
  required?: boolean;
  show_if?: { question: string; equals?: Answer; any_of?: Answer[] };
  [key: string]: unknown;
}

/** A questionnaire as in its JSON document (loosely typed). */
export interface QuestionnaireDocument {
  id: string;
  version: number;
  title: Text;
  description?: Text;
  questions: QuestionDocument[];
  previous_versions?: unknown[];
  [key: string]: unknown;
}

/** What `Dataset.fromRecords` returns. */
export interface LoadResult {
  /** The valid records. */
  dataset: Dataset;
  /** Every problem, with row, respondent and field. */
  problems: Problem[];
  /** How many input rows were rejected. */
  rejected: number;
}

/** What `Dataset.importCsv` returns. */
export interface ImportResult extends LoadResult {
  summary: ImportSummary;
}

/** One column of `Dataset.importColumns`: values by row (`null`/`undefined`/`NaN` missing). */
export type ColumnData =
  | (string | number | boolean | null | undefined)[]
  | Float64Array | Float32Array | Int32Array | Int16Array | Int8Array
  | Uint32Array | Uint16Array | Uint8Array;

/** Options of `Dataset.importCsv` and `Dataset.importColumns`. */
export interface ImportOptions {
  /** Replace respondent and manager ids by HMAC-SHA256 pseudonyms under this key (at least 16 bytes). */
  pseudonymiseKey?: string | Uint8Array;
}

/** A planted effect in a synthetic organisation: `reason` is `oddsRatio` times as likely in `unit`. */
export interface Plant {
  unit: string[];
  reason: string;
  oddsRatio: number;
}

/** Options of `generate` (exitcore's `OrgConfig` in camelCase); omitted fields keep their defaults. Unknown names throw. */
export interface OrgConfig {
  seed?: number | bigint;
  exits?: number;
  divisions?: number;
  departmentsPerDivision?: number;
  teamsPerDepartment?: number;
  jobFamilies?: number;
  managers?: number;
  quarters?: number;
  startYear?: number;
  commentRate?: number;
  plants?: Plant[];
  /** Whether units and managers shift their leavers' answers (default true); false gives a null organisation. */
  groupEffects?: boolean;
}

/** People in one leaf unit in one quarter of a synthetic organisation. */
export interface HeadcountRow {
  org_unit: string[];
  year: number;
  /** 1-4. */
  quarter: number;
  headcount: number;
}

/** What `generate` returns. */
export interface SyntheticOrg {
  questionnaire: Questionnaire;
  records: ExitRecord[];
  headcount: HeadcountRow[];
  /** Current staff with their tenure so far. */
  stayers: { org_unit: string[]; tenure_months: number }[];
  units: string[][];
}

export type ErrorCode =
  | "questionnaire" | "invalid_record" | "mapping" | "csv" | "json" | "io" | "invalid_argument"
  | "budget_exhausted";

/** Every error thrown by exitcore is an `Error` with these properties. */
export interface ExitcoreError extends Error {
  code: ErrorCode;
  /** The field, JSON path or argument that failed, when there is one. */
  field?: string;
  /** For `invalid_record`: every problem of the record. */
  problems?: Problem[];
}

/** What `Dataset.release` decides; `key` lists [dimension, value] pairs. */
export interface ReleaseSpec {
  tables: string[][];
  distributions?: string[];
  policy?: { k?: number; commentK?: number; showZero?: boolean };
}
/** A cell: one `[dimension, value]` pair per dimension of its table; `[]` is the whole organisation. */
export type CellKey = [string, string][];
export interface CellDecision {
  key: CellKey;
  /** Present only when the cell is released. */
  n: number | null;
  withheld: "primary" | "homogeneous" | "secondary" | null;
  comments: boolean;
}
/** Cells considered, released, and withheld by reason. */
export interface Audit { cells: number; released: number; primary: number; homogeneous: number; secondary: number; comments_withheld: number }
/** A policy in its JSON form. */
export interface PolicyDocument { k: number; comment_k: number; show_zero: boolean }
/** How a differentially private release was noised. */
export interface NoiseInfo {
  /** The privacy loss charged for the release. */
  epsilon: number;
  /** The discrete Laplace scale of the noise on each count. */
  scale: number;
}
/** A release as plain data (`Release.toJSON()`). */
export interface ReleaseData {
  policy: PolicyDocument;
  cells: CellDecision[];
  audit: Audit;
  /** Present only for a differentially private release. */
  noise?: NoiseInfo;
}
/** Options of `Dataset.release`. `noise`, `epsilon` and `budget` go together. */
export interface ReleaseOptions {
  /** Earlier releases of the data set: their cells count as public. */
  ledger?: Ledger;
  /** The secret key of the noise on counts. */
  noise?: CellNoise;
  /** The privacy loss of this release, charged to `budget`. */
  epsilon?: number;
  budget?: Budget;
}
/** Options of `Release.comments`. */
export interface CommentOptions {
  /** Names to redact besides e-mail addresses, phone numbers, IBANs and BSNs (or a `Redactor` made once). */
  roster?: string[] | Redactor;
  /** Language of the placeholders; default `"en"`. */
  lang?: "nl" | "en";
}
/** A ledger in its JSON form (opaque: respondent fingerprints and published cells). */
export interface LedgerDocument { releases: { respondents: string; cells: CellKey[]; comment_cells: CellKey[] }[] }
/** A budget in its JSON form: the total and every charge, replayed on load. */
export interface BudgetDocument { total: number; charges?: { query: string; epsilon: number }[] }

/** What `Dataset.analyse` computes; omitted fields take the core's defaults. */
export interface AnalysisSpec {
  /** Breakdowns, each of one or two dimensions: `[["org_unit"], ["job_family", "tenure_band"]]`. */
  by?: string[][];
  /** Confidence level of every interval; default 0.95. */
  confidence?: number;
  /** False discovery rate of the findings (Benjamini-Hochberg); default 0.05. */
  fdr?: number;
  /** Smallest group tested against the rest; default 20. */
  minTestGroup?: number;
  /** Trends over exit quarters or years; none when absent. */
  trend?: "month" | "quarter" | "year";
  /** Language of comment placeholders and stemming fallback; default "en". */
  lang?: "nl" | "en";
  /** Summarise the comments (themes, distinctive words); default true. */
  comments?: boolean;
  /** Rank the significant findings as insights told in Dutch and English; default true. */
  insights?: boolean;
  /** Correlate each Likert item with eNPS and "would return"; default true. */
  drivers?: boolean;
  /** The options of `new Policy(...)`; default k = 5. */
  policy?: { k?: number; commentK?: number; showZero?: boolean };
}
/** Options of `Dataset.report`. */
export interface ReportOptions {
  lang?: "nl" | "en";
  /** The options of `new Policy(...)`; default k = 5. */
  policy?: { k?: number; commentK?: number; showZero?: boolean };
  /** Breakdowns; default org unit, tenure band, job family and exit type. */
  by?: string[][];
  /** People per org unit per quarter (rows, or a `Headcount` read once), for turnover rates. */
  headcount?: HeadcountRow[] | Headcount;
  /** Current staff (rows, or `Stayers` read once), for survival curves. */
  stayers?: { org_unit: string[]; tenure_months: number }[] | Stayers;
  /** Names redacted from comments (or a `Redactor` built once). */
  roster?: string[] | Redactor;
  title?: string;
}
export interface AnalyseOptions {
  /** Earlier releases of the data set: their cells count as public. */
  ledger?: Ledger;
  /** People per org unit per quarter (rows, or a `Headcount` read once), for turnover rates. */
  headcount?: HeadcountRow[] | Headcount;
  /** Current staff with their tenure so far (rows, or `Stayers` read once), for survival curves. */
  stayers?: { org_unit: string[]; tenure_months: number }[] | Stayers;
  /** Names redacted from comments before they are summarised (or a `Redactor` built once). */
  roster?: string[] | Redactor;
}
/** An interval; `NaN` ends where the data cannot support one. */
export interface Interval { lower: number; upper: number }
/** The share of respondents who chose one option. */
export interface Share { option: string; count: number; share: number; interval: Interval }
/** A share of a group with its Wilson interval. */
export interface Proportion { count: number; n: number; share: number; interval: Interval }
/** A Likert item's scores in one group. */
export interface ItemScore {
  question: string;
  theme: string | null;
  mean: { n: number; mean: number; sd: number; sem: number; interval: Interval };
  /** Mean of the rest of the organisation (null for the whole organisation). */
  rest_mean: number | null;
  /** Mann-Whitney test against the rest (null when `rest_mean` is). */
  vs_rest: { u: number; n1: number; n2: number; z: number; p_value: number; rank_biserial: number } | null;
}
/** Everything released about one group; a withheld group has only `key` and `withheld`. */
export interface GroupResult {
  key: CellKey;
  /** The group's size, when released. */
  n: number | null;
  withheld: "primary" | "homogeneous" | "secondary" | null;
  primary_reasons: Share[];
  contributing_reasons: Share[];
  items: ItemScore[];
  enps: { n: number; promoters: number; detractors: number; score: number; interval: Interval } | null;
  early_leavers: Proportion | null;
  regrettable: Proportion | null;
}
/** One breakdown: its groups and the tests across them (per org tree level for org units). */
export interface Breakdown {
  by: string[];
  groups: GroupResult[];
  reasons: { level: number | null; groups: CellKey[]; chi_square: Record<string, unknown>; residuals: number[][]; small_expected: boolean }[];
  items: { level: number | null; question: string; kruskal_wallis: Record<string, unknown> }[];
}
/** A group-versus-rest test (or a trend), with its p-value adjusted across the analysis. */
export interface Finding {
  key: CellKey;
  n: number;
  kind: "reason" | "item" | "reason_trend" | "item_trend";
  /** `fisher_exact`, `mann_whitney`, `cochran_armitage` or `mann_kendall`. */
  test: string;
  p_value: number;
  q_value: number;
  significant: boolean;
  /** The fields of the kind: `option`, `share`, `rest_share`, `odds_ratio`; `question`, `mean`, `rest_mean`, `rank_biserial`; ... */
  [key: string]: unknown;
}
/** A significant finding as a sentence in Dutch and English. */
export interface Insight {
  finding: Finding;
  /** Effect size on a common scale; its sign says whether the group is above the rest. */
  effect: number;
  nl: string;
  en: string;
}
/** What `Dataset.analyse` returns: released numbers only. */
export interface AnalysisData {
  policy: PolicyDocument;
  audit: Audit;
  overall: GroupResult;
  breakdowns: Breakdown[];
  /** Present when the spec asks for a trend. */
  trends: { period: "month" | "quarter" | "year"; periods: { label: string; n: number | null; withheld: string | null }[]; reasons: unknown[]; items: unknown[] } | null;
  drivers: { question: string; theme: string | null; target: "enps" | "would_return"; spearman: Record<string, unknown> }[];
  /** Every test, most significant first. */
  findings: Finding[];
  /** The significant findings, strongest effect first. */
  insights: Insight[];
}
"#;
