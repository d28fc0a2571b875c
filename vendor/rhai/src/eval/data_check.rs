//! Data size checks during evaluation.
#![cfg(not(feature = "unchecked"))]

use super::GlobalRuntimeState;
use crate::types::dynamic::Union;
use crate::{Dynamic, Engine, Position, RhaiResultOf, ERR};
use std::borrow::Borrow;
#[cfg(feature = "no_std")]
use std::prelude::v1::*;

/// One walk over a value: its data sizes and how deeply it nests. (opi-tcp patch: the walk
/// stops going down below `max_depth`, so a value nested deeper than the limit is measured
/// without recursing through all of it, and it also goes down into the values curried into
/// function pointers, closures' captured variables included, counting their depth only.)
struct Walk {
    /// `(` [`Array`][crate::Array], [`Map`][crate::Map], [`String`] `)`
    sizes: (usize, usize, usize),
    /// Levels of the deepest container seen, at most `max_depth + 1`.
    deepest: usize,
    max_depth: usize,
    /// Shared cells already walked: a closure that holds itself is walked once.
    #[cfg(not(feature = "no_closure"))]
    seen: Option<std::collections::BTreeSet<usize>>,
}

impl Walk {
    fn new(max_depth: usize) -> Self {
        Self {
            sizes: (0, 0, 0),
            deepest: 0,
            max_depth: if max_depth == 0 { usize::MAX - 1 } else { max_depth },
            #[cfg(not(feature = "no_closure"))]
            seen: None,
        }
    }

    /// Enter a container below `depth` enclosing ones: `false` when it lies below the limit.
    fn enter(&mut self, depth: usize) -> bool {
        let level = depth + 1;
        self.deepest = self.deepest.max(level);
        level <= self.max_depth
    }

    /// A value at the top (`top`) or inside a container; `count` is false inside curried values.
    fn value(&mut self, value: &Dynamic, depth: usize, top: bool, count: bool) {
        match value.0 {
            #[cfg(not(feature = "no_index"))]
            Union::Array(ref arr, ..) => {
                if self.enter(depth) {
                    for item in &**arr {
                        if count {
                            self.sizes.0 += 1;
                        }
                        self.value(item, depth + 1, false, count);
                    }
                }
            }
            #[cfg(not(feature = "no_index"))]
            Union::Blob(ref blob, ..) if count => {
                self.sizes.0 += blob.len() + usize::from(!top);
            }
            #[cfg(not(feature = "no_object"))]
            Union::Map(ref map, ..) => {
                if self.enter(depth) {
                    for item in map.values() {
                        if count {
                            self.sizes.1 += 1;
                        }
                        self.value(item, depth + 1, false, count);
                    }
                }
            }
            Union::Str(ref s, ..) if count => self.sizes.2 += s.len(),
            Union::FnPtr(ref f, ..) => {
                if !f.curry().is_empty() && self.enter(depth) {
                    for item in f.curry() {
                        self.value(item, depth + 1, false, false);
                    }
                }
            }
            #[cfg(not(feature = "no_closure"))]
            Union::Shared(ref cell, ..) if top => {
                if let Some(guard) = crate::func::locked_read(cell) {
                    self.value(&guard, depth, true, count);
                }
            }
            // Inside data only as a curried capture. One being written to is an enclosing
            // value, already being walked.
            #[cfg(not(feature = "no_closure"))]
            Union::Shared(ref cell, ..) => {
                let key = crate::Shared::as_ptr(cell) as *const () as usize;
                if self.seen.get_or_insert_with(Default::default).insert(key) && self.enter(depth) {
                    if let Some(guard) = crate::func::locked_read(cell) {
                        self.value(&guard, depth + 1, false, count);
                    }
                }
            }
            _ => (),
        }
    }
}

/// Calculate the sizes of an array.
///
/// Sizes returned are `(` [`Array`][crate::Array], [`Map`][crate::Map] and [`String`] `)`.
#[cfg(not(feature = "no_index"))]
#[inline]
pub fn calc_array_sizes(array: &crate::Array) -> (usize, usize, usize) {
    let mut walk = Walk::new(0);
    for item in array {
        walk.sizes.0 += 1;
        walk.value(item, 1, false, true);
    }
    walk.sizes
}

/// Calculate the sizes of a map.
///
/// Sizes returned are `(` [`Array`][crate::Array], [`Map`][crate::Map] and [`String`] `)`.
#[cfg(not(feature = "no_object"))]
#[inline]
pub fn calc_map_sizes(map: &crate::Map) -> (usize, usize, usize) {
    let mut walk = Walk::new(0);
    for item in map.values() {
        walk.sizes.1 += 1;
        walk.value(item, 1, false, true);
    }
    walk.sizes
}

/// Calculate the sizes of a value.
///
/// Sizes returned are `(` [`Array`][crate::Array], [`Map`][crate::Map] and [`String`] `)`.
#[inline]
pub fn calc_data_sizes(value: &Dynamic, top: bool) -> (usize, usize, usize) {
    calc_data_sizes_and_depth(value, top, 0).0
}

/// Calculate the sizes of a value and its depth (levels of arrays, maps and curried values;
/// a value with none has depth 0), going down at most `max_depth` levels (0 for no limit): a
/// depth of `max_depth + 1` means deeper than the limit. (opi-tcp patch)
#[inline]
pub fn calc_data_sizes_and_depth(
    value: &Dynamic,
    top: bool,
    max_depth: usize,
) -> ((usize, usize, usize), usize) {
    // Most values checked are results of calls: a number, a string or a blob needs no walk.
    match value.0 {
        Union::Str(ref s, ..) => return ((0, 0, s.len()), 0),
        #[cfg(not(feature = "no_index"))]
        Union::Blob(ref blob, ..) => return ((blob.len(), 0, 0), 0),
        Union::Unit(..) | Union::Bool(..) | Union::Int(..) | Union::Char(..) => {
            return ((0, 0, 0), 0)
        }
        _ => (),
    }
    let mut walk = Walk::new(max_depth);
    walk.value(value, 0, top, true);
    (walk.sizes, walk.deepest)
}

#[cold]
fn too_deep(max: usize) -> Box<crate::EvalAltResult> {
    ERR::ErrorDataTooLarge(
        format!("Nesting of data (more than {max} levels)"),
        Position::NONE,
    )
    .into()
}

impl Engine {
    /// Raise an error if any data size exceeds limit.
    ///
    /// [`Position`] in [`EvalAltResult`][crate::EvalAltResult] is always [`NONE`][Position::NONE]
    /// and should be set afterwards.
    #[cfg(not(feature = "unchecked"))]
    pub(crate) fn throw_on_size(&self, (_arr, _map, s): (usize, usize, usize)) -> RhaiResultOf<()> {
        if self.limits.string_len.map_or(false, |max| s > max.get()) {
            return Err(
                ERR::ErrorDataTooLarge("Length of string".to_string(), Position::NONE).into(),
            );
        }

        #[cfg(not(feature = "no_index"))]
        if self.limits.array_size.map_or(false, |max| _arr > max.get()) {
            return Err(
                ERR::ErrorDataTooLarge("Size of array/BLOB".to_string(), Position::NONE).into(),
            );
        }

        #[cfg(not(feature = "no_object"))]
        if self.limits.map_size.map_or(false, |max| _map > max.get()) {
            return Err(
                ERR::ErrorDataTooLarge("Size of object map".to_string(), Position::NONE).into(),
            );
        }

        Ok(())
    }

    /// Raise an error if data nests deeper than the limit. (opi-tcp patch)
    ///
    /// [`Position`] in [`EvalAltResult`][crate::EvalAltResult] is always [`NONE`][Position::NONE]
    /// and should be set afterwards.
    #[cfg(not(feature = "unchecked"))]
    #[inline(always)]
    pub(crate) fn throw_on_depth(&self, depth: usize) -> RhaiResultOf<()> {
        match self.limits.data_depth {
            Some(max) if depth > max.get() => Err(too_deep(max.get())),
            _ => Ok(()),
        }
    }

    /// Check whether the size of a [`Dynamic`] is within limits.
    #[cfg(not(feature = "unchecked"))]
    #[inline]
    pub(crate) fn check_data_size<T: Borrow<Dynamic>>(
        &self,
        value: T,
        pos: Position,
    ) -> RhaiResultOf<T> {
        // If no data size limits, just return
        if !self.has_data_size_limit() {
            return Ok(value);
        }

        let (sizes, depth) = calc_data_sizes_and_depth(value.borrow(), true, self.max_data_depth());

        self.throw_on_size(sizes)
            .and_then(|()| self.throw_on_depth(depth))
            .map_err(|err| err.fill_position(pos))?;

        Ok(value)
    }

    /// Raise an error if the size of a [`Dynamic`] is out of limits (if any).
    ///
    /// Not available under `unchecked`.
    #[cfg(not(feature = "unchecked"))]
    #[inline(always)]
    pub fn ensure_data_size_within_limits(&self, value: &Dynamic) -> RhaiResultOf<()> {
        self.check_data_size(value, Position::NONE).map(|_| ())
    }

    /// Check if the number of operations stay within limit.
    #[inline(always)]
    pub(crate) fn track_operation(
        &self,
        global: &mut GlobalRuntimeState,
        pos: Position,
    ) -> RhaiResultOf<()> {
        let mut num_ops = None;

        let mut num_operations = || {
            *num_ops.get_or_insert_with(|| {
                // Increment operations count
                #[cfg(atomic_ops_count)]
                return global
                    .num_operations
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                    + 1;

                #[cfg(not(atomic_ops_count))]
                {
                    global.num_operations += 1;
                    return global.num_operations;
                }
            })
        };

        // Guard against too many operations
        #[cfg(not(feature = "unchecked"))]
        if self.max_operations() > 0 && num_operations() > self.max_operations() {
            return Err(ERR::ErrorTooManyOperations(pos).into());
        }

        if let Some(progress) = self.progress.as_ref() {
            return progress(num_operations())
                .map(|token| Err(ERR::ErrorTerminated(token, pos).into()))
                .unwrap_or(Ok(()));
        }

        Ok(())
    }
}
