//! WebAssembly bindings for exitcore.
