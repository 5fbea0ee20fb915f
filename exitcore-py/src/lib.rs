//! Python bindings for exitcore.
