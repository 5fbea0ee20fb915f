//! How a class instance inside a plain options object reaches a call:
//! `dataset.release(spec, { ledger, noise, budget })`, and the headcount,
//! current staff and redactor of `dataset.analyse` and `dataset.report`.
//!
//! wasm-bindgen can only take an instance out of a `JsValue` by consuming it
//! (the caller's object would be emptied), so each of these classes has a
//! hidden method that lends its state (a shared `Rc`) to the call through a
//! one-slot thread-local. Calling that method goes through wasm-bindgen's
//! own checked borrow of `&self`, so no pointer is read by hand.

use std::cell::RefCell;
use std::rc::Rc;

use exitcore::analysis::Stayer;
use exitcore::privacy::{Budget, CellNoise, Ledger, Redactor};
use exitcore::{Error, Headcount};
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::convert::arg_error;
use crate::js::type_of;

/// What a class instance lends to a call.
pub(crate) enum Lent {
    Ledger(Rc<RefCell<Ledger>>),
    Noise(Rc<CellNoise>),
    Budget(Rc<RefCell<Budget>>),
    Headcount(Rc<Headcount>),
    Stayers(Rc<[Stayer]>),
    Redactor(Rc<Redactor>),
}

impl Lent {
    /// The JS class that lent it, for errors.
    pub(crate) fn class(&self) -> &'static str {
        match self {
            Lent::Ledger(_) => "Ledger",
            Lent::Noise(_) => "CellNoise",
            Lent::Budget(_) => "Budget",
            Lent::Headcount(_) => "Headcount",
            Lent::Stayers(_) => "Stayers",
            Lent::Redactor(_) => "Redactor",
        }
    }
}

thread_local! {
    static LENT: RefCell<Option<Lent>> = const { RefCell::new(None) };
}

/// The name of the hidden lending method.
const LEND: &str = "__exitcoreLend";

/// What the hidden lending method of each class calls.
pub(crate) fn lend(what: Lent) {
    LENT.with(|slot| *slot.borrow_mut() = Some(what));
}

/// `options[name]`, unless it is `undefined` or `null`.
fn option_value(options: &Object, name: &str) -> Result<Option<JsValue>, Error> {
    let value = Reflect::get(options, &JsValue::from_str(name))
        .map_err(|_| arg_error(format!("options.{name}"), "unreadable"))?;
    Ok((!value.is_undefined() && !value.is_null()).then_some(value))
}

/// The lending method of `value`, if it is one of the lending classes.
fn lending_method(value: &JsValue) -> Option<Function> {
    if !value.is_object() || Array::is_array(value) {
        return None;
    }
    Reflect::get(value, &JsValue::from_str(LEND))
        .ok()
        .and_then(|m| m.dyn_into::<Function>().ok())
}

/// Asks `value` (which has the lending `method`) to lend its state.
fn borrow(value: &JsValue, method: &Function, field: &str, what: &str) -> Result<Lent, Error> {
    LENT.with(|slot| slot.borrow_mut().take());
    method
        .call0(value)
        .map_err(|_| arg_error(field, format!("the {what} was freed or is in use")))?;
    LENT.with(|slot| slot.borrow_mut().take())
        .ok_or_else(|| arg_error(field, "the instance lent nothing"))
}

/// The state behind `options[name]`, which must be an instance if set.
pub(crate) fn borrow_option(
    options: &Object,
    name: &str,
    class: &str,
) -> Result<Option<Lent>, Error> {
    let field = format!("options.{name}");
    let Some(value) = option_value(options, name)? else {
        return Ok(None);
    };
    let method = lending_method(&value).ok_or_else(|| {
        arg_error(
            &field,
            format!("expected a {class}, got {}", type_of(&value)),
        )
    })?;
    borrow(&value, &method, &field, class).map(Some)
}

/// The state behind `options[name]` when it is an instance; `None` when it
/// is unset or plain data (rows, names), which the caller reads as JSON.
pub(crate) fn lent_option(options: &Object, name: &str) -> Result<Option<Lent>, Error> {
    let Some(value) = option_value(options, name)? else {
        return Ok(None);
    };
    match lending_method(&value) {
        Some(method) => borrow(&value, &method, &format!("options.{name}"), "instance").map(Some),
        None => Ok(None),
    }
}
