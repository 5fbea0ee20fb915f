//! Work split over the machine's threads: parts of one computation run on
//! scoped threads and come back in order, so results do not depend on how
//! many threads there were.

use crate::Result;

/// From how many records a pass over them is worth sharing out: below it,
/// starting threads costs about what they save. Lower in unit tests, so
/// their oracles check the threaded paths.
pub(crate) const FROM_RECORDS: usize = if cfg!(test) { 1_000 } else { 100_000 };

/// How many threads to use for `items` units of work: the machine's
/// threads (which respects CPU affinity and cgroup limits), at most 8 and
/// at most `items`; one on WebAssembly.
pub(crate) fn threads(items: usize) -> usize {
    if cfg!(target_arch = "wasm32") {
        return 1;
    }
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(8)
        .min(items)
        .max(1)
}

/// `work` on each of `parts`, each on a thread of its own when there are
/// several, the results in the order of `parts`. A thread that cannot
/// start leaves its part to this one; a thread that panics (a bug) becomes
/// an error naming `what`, not a panic across a language boundary.
pub(crate) fn on_threads<P: Sync, T: Send>(
    what: &str,
    parts: &[P],
    work: &(dyn Fn(&P) -> Result<T> + Sync),
) -> Result<Vec<T>> {
    if parts.len() <= 1 {
        return parts.iter().map(work).collect();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .iter()
            .map(|part| {
                let spawned = std::thread::Builder::new().spawn_scoped(scope, move || work(part));
                (part, spawned)
            })
            .collect();
        let mut out = Vec::with_capacity(parts.len());
        for (part, spawned) in handles {
            let result = match spawned {
                Ok(handle) => handle.join().unwrap_or_else(|_| {
                    Err(crate::Error::argument(what, "a counting thread failed"))
                }),
                Err(_) => work(part),
            };
            out.push(result?);
        }
        Ok(out)
    })
}

/// `items` split into `parts` interleaved groups (item `i` in group
/// `i % parts`): equal shares of work when the items cost about the same.
pub(crate) fn interleaved(items: usize, parts: usize) -> Vec<Vec<usize>> {
    let parts = parts.max(1);
    (0..parts)
        .map(|p| (p..items).step_by(parts).collect())
        .collect()
}
