//! WebAssembly bindings for exitcore: a camelCase JS API over the core,
//! plain objects in and out, TypeScript declarations, and errors that are JS
//! `Error`s with a `code` and the failing `field`.
//!
//! The bindings only translate (types, errors, ownership); every rule and
//! statistic lives in the `exitcore` crate. The translation itself is in
//! host-testable functions (`convert`), the `#[wasm_bindgen]` wrappers (`js`)
//! only move values across the boundary. Build with
//! `cargo build -p exitcore-wasm --target wasm32-unknown-unknown --release`
//! and `wasm-bindgen`; see the crate's README.

mod analysis;
mod convert;
mod inputs;
mod js;
mod lend;
mod privacy;
mod release;
mod report;
mod synthetic;
mod typescript;

pub use inputs::{JsHeadcount, JsStayers};
pub use js::{Dataset, JsMapping, JsQuestionnaire, pseudonymise, to_js_error};
pub use privacy::{JsPolicy, JsRedactor, bsn_is_valid, iban_is_valid};
pub use release::{JsBudget, JsCellNoise, JsLedger, JsRelease};
pub use report::JsReport;
pub use synthetic::generate;
