//! Python bindings for exitcore: the compiled module `exitcore._exitcore`
//! behind the `exitcore` Python package.
//!
//! The bindings only translate (types, errors, ownership); every rule and
//! statistic lives in the core.

mod analysis;
mod arrow;
mod convert;
mod dataset;
mod errors;
mod frames;
mod inputs;
mod privacy;
mod pseudonym;
mod questionnaire;
mod release;
mod report;
mod synthetic;

use pyo3::prelude::*;

// An import of a million rows allocates and frees a few hundred megabytes
// of columns and chunk buffers. Under glibc's allocator each `from_pandas`
// call took ~37,000 page faults (~145 MB faulted in 4 KB pages, again on
// every call); mimalloc reuses its segments and backs them with huge pages
// (~2,400 faults a call), and the call uses 10 to 20% less CPU. A Rust
// caller picks its own allocator; here this module is the application's
// choice to make, as pydantic-core and polars make it for theirs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The compiled part of the `exitcore` package.
#[pymodule]
fn _exitcore(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(m)?;
    m.add_class::<questionnaire::PyQuestionnaire>()?;
    m.add_class::<dataset::PyDataset>()?;
    m.add_class::<dataset::LoadResult>()?;
    m.add_class::<dataset::ImportResult>()?;
    m.add_class::<dataset::PyMapping>()?;
    m.add_class::<pseudonym::PyPseudonymiser>()?;
    m.add_function(wrap_pyfunction!(pseudonym::pseudonymise, m)?)?;
    m.add_function(wrap_pyfunction!(questionnaire::themes, m)?)?;
    m.add_class::<privacy::PyPolicy>()?;
    m.add_class::<privacy::PyRedactor>()?;
    m.add_class::<inputs::PyHeadcount>()?;
    m.add_class::<inputs::PyStayers>()?;
    m.add_class::<release::PyRelease>()?;
    m.add_class::<release::PyLedger>()?;
    m.add_class::<release::PyCellNoise>()?;
    m.add_class::<release::PyBudget>()?;
    m.add_class::<analysis::PyAnalysis>()?;
    m.add_class::<report::PyReport>()?;
    m.add_function(wrap_pyfunction!(privacy::iban_is_valid, m)?)?;
    m.add_function(wrap_pyfunction!(privacy::bsn_is_valid, m)?)?;
    m.add_class::<synthetic::PySyntheticOrg>()?;
    m.add_function(wrap_pyfunction!(synthetic::generate, m)?)?;
    m.add_function(wrap_pyfunction!(frames::texts_from_objects, m)?)?;
    m.add_function(wrap_pyfunction!(frames::import_frame, m)?)?;
    Ok(())
}
