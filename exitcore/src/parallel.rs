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
        // The first part runs here while the others run on threads of
        // their own: one thread fewer to start, and this one not idle.
        let handles: Vec<_> = parts[1..]
            .iter()
            .map(|part| {
                let spawned = std::thread::Builder::new().spawn_scoped(scope, move || work(part));
                (part, spawned)
            })
            .collect();
        // A part run on this thread (the first, or one whose thread could
        // not start) that panics is an error too, as on a thread of its own.
        let here = |part: &P| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(part)))
                .unwrap_or_else(|_| Err(thread_failed(what)))
        };
        let mut out = Vec::with_capacity(parts.len());
        out.push(here(&parts[0]));
        // Every thread is joined before any error returns: a thread that
        // panicked and was not joined would make the scope panic.
        for (part, spawned) in handles {
            out.push(match spawned {
                Ok(handle) => handle.join().unwrap_or_else(|_| Err(thread_failed(what))),
                Err(_) => here(part),
            });
        }
        out.into_iter().collect()
    })
}

/// `a` on this thread and `b` on another at the same time, for two
/// independent steps where one alone would leave a core idle (the release
/// decision is serial; counting that does not depend on it can run beside
/// it). On WebAssembly, or when no thread can start, `b` runs after `a`. A
/// panic in `b` (a bug) becomes an error naming `what`.
pub(crate) fn join<A, B: Send>(
    what: &str,
    a: impl FnOnce() -> A,
    b: impl FnOnce() -> B + Send,
) -> Result<(A, B)> {
    if threads(2) < 2 {
        let first = a();
        return Ok((first, b()));
    }
    // The thread takes `b` from the slot when it starts; if it cannot
    // start, `b` is still there to run here.
    let slot = std::sync::Mutex::new(Some(b));
    let (first, second) = std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new().spawn_scoped(scope, || {
            let b = slot.lock().ok().and_then(|mut b| b.take());
            b.map(|b| b())
        });
        let first = a();
        let second = spawned.ok().and_then(|h| h.join().ok().flatten());
        (first, second)
    });
    match (second, slot.into_inner().ok().flatten()) {
        (Some(second), _) => Ok((first, second)),
        (None, Some(b)) => Ok((first, b())),
        // Taken by the thread, which then panicked.
        (None, None) => Err(thread_failed(what)),
    }
}

/// `produce` on another thread, handing what it makes to `consume` here
/// as it goes, for a first step that is independent of the second (reading
/// a table's next chunk while the one before is imported). Its sink
/// returns false when nothing will take the item (stop). At most two items wait
/// between the two. On WebAssembly, for fewer than [`FROM_RECORDS`]
/// `records`, or when no thread can start, each item is consumed as soon
/// as it is made, on this thread. With the thread, a panic in `produce`
/// or `consume` (a bug) becomes an error naming `what`.
pub(crate) fn pipeline<T: Send>(
    what: &str,
    records: usize,
    produce: impl FnOnce(&mut dyn FnMut(T) -> bool) + Send,
    mut consume: impl FnMut(T),
) -> Result<()> {
    if records < FROM_RECORDS || threads(2) < 2 {
        in_turn(produce, &mut consume);
        return Ok(());
    }
    // The thread takes `produce` from the slot when it starts; if it
    // cannot start, `produce` is still there to run here.
    let slot = std::sync::Mutex::new(Some(produce));
    let (tx, rx) = std::sync::mpsc::sync_channel::<T>(2);
    let (done, consumed) = std::thread::scope(|scope| {
        let slot = &slot;
        let spawned = std::thread::Builder::new().spawn_scoped(scope, move || {
            let produce = slot.lock().ok().and_then(|mut p| p.take());
            if let Some(produce) = produce {
                produce(&mut |item| tx.send(item).is_ok());
            }
        });
        match spawned {
            Ok(handle) => {
                // Ends when the thread has made its last item (or failed).
                let consumed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    for item in &rx {
                        consume(item);
                    }
                }))
                .is_ok();
                // After a panic in `consume` (a bug) the thread may wait
                // for room: with the receiver gone its send fails and it
                // stops, so the join below cannot wait forever.
                drop(rx);
                (handle.join().is_ok(), consumed)
            }
            Err(_) => (false, true),
        }
    });
    if !consumed {
        return Err(thread_failed(what));
    }
    if done {
        return Ok(());
    }
    match slot.into_inner().ok().flatten() {
        Some(produce) => {
            in_turn(produce, &mut consume);
            Ok(())
        }
        // Taken by the thread, which then panicked.
        None => Err(thread_failed(what)),
    }
}

/// [`pipeline`] on one thread: each item consumed as soon as it is made.
fn in_turn<T>(produce: impl FnOnce(&mut dyn FnMut(T) -> bool), consume: &mut impl FnMut(T)) {
    produce(&mut |item| {
        consume(item);
        true
    });
}

/// The error for a thread that panicked (a bug) while doing `what`.
fn thread_failed(what: &str) -> crate::Error {
    crate::Error::argument(what, "a worker thread failed")
}

/// `work` on every item of `items`, in item order; when `threaded`, the
/// items are shared out over the machine's threads, interleaved (item `i`
/// to thread `i % threads`) so that runs of costly neighbours (the large
/// units at the top of an org tree) are split. Errors as [`on_threads`].
pub(crate) fn map<T: Sync, R: Send>(
    what: &str,
    items: &[T],
    threaded: bool,
    work: &(dyn Fn(&T) -> Result<R> + Sync),
) -> Result<Vec<R>> {
    let parts = if threaded { threads(items.len()) } else { 1 };
    if parts <= 1 {
        return items.iter().map(work).collect();
    }
    let groups = interleaved(items.len(), parts);
    let done = on_threads(what, &groups, &|group: &Vec<usize>| {
        group
            .iter()
            .filter_map(|&i| items.get(i))
            .map(work)
            .collect::<Result<Vec<R>>>()
    })?;
    // Group `p` holds items p, p + parts, ...: dealing the results out
    // again, a round at a time, puts them back in item order.
    let mut done: Vec<std::vec::IntoIter<R>> = done.into_iter().map(Vec::into_iter).collect();
    let mut out = Vec::with_capacity(items.len());
    'rounds: loop {
        for group in &mut done {
            match group.next() {
                Some(r) => out.push(r),
                None => break 'rounds,
            }
        }
    }
    Ok(out)
}

/// `items` split into `parts` interleaved groups (item `i` in group
/// `i % parts`): equal shares of work when the items cost about the same.
pub(crate) fn interleaved(items: usize, parts: usize) -> Vec<Vec<usize>> {
    let parts = parts.max(1);
    (0..parts)
        .map(|p| (p..items).step_by(parts).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both sides run and come back in place; a panicking side is an
    /// error naming the work, not a panic through the caller.
    #[test]
    fn join_gives_both_results_and_turns_a_panic_into_an_error() {
        let data: Vec<u64> = (1..=1000).collect();
        let (a, b) = join(
            "sums",
            || data.iter().sum::<u64>(),
            || data.iter().max().copied(),
        )
        .unwrap();
        assert_eq!((a, b), (500_500, Some(1000)));
        if threads(2) < 2 {
            return; // one core: `b` runs on this thread, as the doc says
        }
        let failed = join("sums", || 1, || -> u64 { panic!("a bug") });
        let err = failed.unwrap_err().to_string();
        assert!(
            err.contains("sums") && err.contains("thread failed"),
            "{err}"
        );
    }

    /// Results come back in item order at any number of threads, equal to
    /// the work done in turn; a failing item is the error.
    #[test]
    fn map_keeps_item_order() {
        for n in [0, 1, 2, 3, 17, 1000] {
            let items: Vec<u64> = (0..n).map(|i| i * 7 % 13).collect();
            let square = |x: &u64| -> Result<u64> { Ok(x * x) };
            let want: Vec<u64> = items.iter().map(|x| x * x).collect();
            assert_eq!(map("squares", &items, false, &square).unwrap(), want);
            assert_eq!(map("squares", &items, true, &square).unwrap(), want);
        }
        let items: Vec<u64> = (0..10).collect();
        let failing = |x: &u64| -> Result<u64> {
            if *x == 7 {
                Err(crate::Error::argument("x", "seven"))
            } else {
                Ok(*x)
            }
        };
        for threaded in [false, true] {
            let err = map("numbers", &items, threaded, &failing).unwrap_err();
            assert!(err.to_string().contains("seven"), "{err}");
        }
    }

    /// A consumer that panics (a bug) at the first of more items than
    /// the channel holds: an error naming the work comes back, rather than
    /// the producer waiting for room forever and the scope for the producer.
    #[test]
    fn a_panic_while_consuming_is_an_error_and_stops_the_producer() {
        let err = pipeline(
            "numbers",
            FROM_RECORDS,
            |sink| {
                for i in 0..100 {
                    if !sink(i) {
                        break;
                    }
                }
            },
            |_: i32| panic!("a bug in the consumer"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("numbers"), "{err}");
    }

    /// Every item arrives, in order, whether or not a thread is used; a
    /// producer that panics is an error, not a panic.
    #[test]
    fn pipeline_hands_over_every_item_in_order() {
        for records in [0, FROM_RECORDS] {
            let mut got = Vec::new();
            pipeline(
                "numbers",
                records,
                |sink| {
                    for i in 0..100 {
                        if !sink(i) {
                            break;
                        }
                    }
                },
                |i| got.push(i),
            )
            .unwrap();
            assert_eq!(got, (0..100).collect::<Vec<_>>());
        }
        let failed = pipeline(
            "numbers",
            FROM_RECORDS,
            |sink: &mut dyn FnMut(usize) -> bool| {
                sink(1);
                panic!("a bug");
            },
            |_| {},
        );
        let err = failed.unwrap_err().to_string();
        assert!(
            err.contains("numbers") && err.contains("thread failed"),
            "{err}"
        );
    }

    #[test]
    fn on_threads_keeps_the_order_of_the_parts() {
        let parts = interleaved(10, 3);
        assert_eq!(parts, [vec![0, 3, 6, 9], vec![1, 4, 7], vec![2, 5, 8]]);
        let sums = on_threads("sums", &parts, &|p: &Vec<usize>| {
            Ok(p.iter().sum::<usize>())
        })
        .unwrap();
        assert_eq!(sums, [18, 12, 15]);
    }

    /// A part that panics (a bug), whether it runs on this thread (the
    /// first) or on one of its own, is an error naming the work; so is a
    /// part's error, after every thread has been joined.
    #[test]
    fn on_threads_turns_a_panic_in_any_part_into_an_error() {
        let parts = interleaved(9, 3);
        for bad in 0..3 {
            let err = on_threads("sums", &parts, &|p: &Vec<usize>| {
                assert!(p[0] != bad, "a bug in part {bad}");
                Ok(p.iter().sum::<usize>())
            })
            .unwrap_err()
            .to_string();
            assert!(
                err.contains("sums") && err.contains("thread failed"),
                "{err}"
            );
            let err = on_threads("sums", &parts, &|p: &Vec<usize>| {
                if p[0] == bad {
                    return Err(crate::Error::argument("part", "refused"));
                }
                Ok(p.iter().sum::<usize>())
            })
            .unwrap_err()
            .to_string();
            assert!(err.contains("refused"), "{err}");
        }
    }
}
