//! Parallel: one file's chunks through a function on the worker pool, the results
//! handed back in input order.
//!
//! A reader thread splits the file ([`ChunkReader`]); each chunk is given to a
//! rayon worker; the calling thread receives the results in chunk order. At most
//! `2 × jobs` chunks are in flight, so memory is bounded by chunk size and jobs,
//! never by file size. `convert`, `profile` and `mappings diff --corpus` all read
//! their inputs this way.

use crate::error::Error;
use crate::split::{BufferPool, Changed, Chunk, ChunkPool, ChunkReader, SplitConfig, StreamInfo};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, PoisonError, mpsc};

/// The worker pool and the buffers recycled between reader, workers and caller
/// (one pool per use, so that a buffer is never grown for another use; see
/// [`crate::split::Pool`]).
pub struct Workers {
    pool: rayon::ThreadPool,
    jobs: usize,
    /// Chunk buffers: taken by the reader, given back when the chunk's work is done.
    chunks: Arc<ChunkPool>,
    /// Output bytes: `work` may take its output buffers here and `consume` give them back.
    pub buffers: Arc<BufferPool>,
    /// Reject bytes, likewise.
    pub rejects: Arc<BufferPool>,
    /// Copies for the input's SHA-256 thread ([`ChunkReader::hash_apart`]): only a
    /// BOM and what no chunk holds; chunks are hashed in place.
    copies: Arc<BufferPool>,
    /// Chunk slots shared by every file read at once ([`Workers::each_file`]): a
    /// chunk holds one from when it is handed to a worker until its result has
    /// been consumed, so that memory stays bounded by `jobs` however many files
    /// are converted together.
    slots: Slots,
    /// Files being read at once: their readers share `jobs` chunks read ahead.
    at_once: std::sync::atomic::AtomicUsize,
}

/// A counting semaphore of chunk slots.
struct Slots {
    free: Mutex<usize>,
    returned: Condvar,
}

impl Slots {
    fn new(n: usize) -> Slots {
        Slots {
            free: Mutex::new(n),
            returned: Condvar::new(),
        }
    }

    /// Takes a slot; waits for one only when `wait` (a caller holding none may
    /// wait: the others' slots come back as their chunks are consumed).
    fn take(&self, wait: bool) -> bool {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            if !wait {
                return false;
            }
            free = self
                .returned
                .wait(free)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
        true
    }

    fn give(&self, n: usize) {
        if n == 0 {
            return;
        }
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        *free += n;
        self.returned.notify_all();
    }
}

/// Gives back the slots a file still holds when its run ends (an error included).
struct Held<'a> {
    slots: &'a Slots,
    n: usize,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.slots.give(self.n);
    }
}

impl Drop for Workers {
    /// The pooled buffers (tens of MB after a large file) are freed on a thread
    /// of their own: unmapping them took about a millisecond on the path to a
    /// run's end. `convert` drops its workers when the records are done, so this
    /// runs while the report and the manifest are written and synced.
    fn drop(&mut self) {
        let pools = (
            std::mem::take(&mut self.chunks),
            std::mem::take(&mut self.buffers),
            std::mem::take(&mut self.rejects),
            std::mem::take(&mut self.copies),
        );
        let freed = std::thread::Builder::new()
            .name("ikou-free".into())
            .spawn(move || drop(pools));
        // No thread: freed here, as before.
        drop(freed);
    }
}

impl Workers {
    /// The most worker threads: more only adds threads waiting for the reader
    /// (and memory: about three chunks per worker are held at once).
    pub const MAX_JOBS: usize = 256;

    /// `jobs` worker threads, 1 to [`Workers::MAX_JOBS`]; Err (exit 2) otherwise.
    pub fn new(jobs: usize) -> Result<Workers, Error> {
        if !(1..=Self::MAX_JOBS).contains(&jobs) {
            return Err(Error::Usage(format!(
                "{jobs} worker threads is out of range: give --jobs from 1 to {}",
                Self::MAX_JOBS
            )));
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .thread_name(|i| format!("ikou-worker-{i}"))
            .build()
            .map_err(|e| Error::Usage(format!("cannot start {jobs} worker threads: {e}")))?;
        Ok(Workers {
            pool,
            jobs,
            chunks: Arc::new(ChunkPool::default()),
            buffers: Arc::new(BufferPool::default()),
            rejects: Arc::new(BufferPool::default()),
            copies: Arc::new(BufferPool::default()),
            slots: Slots::new(2 * jobs),
            at_once: std::sync::atomic::AtomicUsize::new(1),
        })
    }

    /// How many files [`Workers::each_file`] works on at once: one file's reader
    /// and writer are serial, so a second file keeps the workers busy while the
    /// first one fills up or drains; more than `jobs` files only adds readers.
    pub fn files_at_once(&self, files: usize) -> usize {
        self.jobs.min(files).max(1)
    }

    /// Runs `each(i)` for `i` in `0..files`, up to [`Workers::files_at_once`] at
    /// once (each on its own thread, all sharing the worker pool and its chunk
    /// slots), and returns the results in input order. Files are started in
    /// order; after a failure no further file is started, the files already
    /// started finish, and the error returned is the one of the first file in
    /// input order that failed: the same error a run one file after another
    /// would stop with.
    pub fn each_file<R: Send>(
        &self,
        files: usize,
        each: impl Fn(usize) -> Result<R, Error> + Sync,
    ) -> Result<Vec<R>, Error> {
        let at_once = self.files_at_once(files);
        if at_once <= 1 {
            return (0..files).map(&each).collect();
        }
        self.at_once
            .store(at_once, std::sync::atomic::Ordering::SeqCst);
        let next = Mutex::new(0usize);
        let failed = std::sync::atomic::AtomicBool::new(false);
        let results: Mutex<Vec<Option<Result<R, Error>>>> =
            Mutex::new((0..files).map(|_| None).collect());
        std::thread::scope(|scope| {
            for t in 0..at_once {
                let (next, failed, results, each) = (&next, &failed, &results, &each);
                let started = std::thread::Builder::new()
                    .name(format!("ikou-file-{t}"))
                    .spawn_scoped(scope, move || {
                        loop {
                            let i = {
                                let mut n = next.lock().unwrap_or_else(PoisonError::into_inner);
                                if *n >= files || failed.load(std::sync::atomic::Ordering::SeqCst)
                                {
                                    return;
                                }
                                *n += 1;
                                *n - 1
                            };
                            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                each(i)
                            }))
                            .unwrap_or_else(|_| {
                                Err(Error::Stopped(format!(
                                    "internal error in input {}; please report it with this message",
                                    i + 1
                                )))
                            });
                            if r.is_err() {
                                failed.store(true, std::sync::atomic::Ordering::SeqCst);
                            }
                            results.lock().unwrap_or_else(PoisonError::into_inner)[i] = Some(r);
                        }
                    });
                if started.is_err() {
                    // Fewer threads only means fewer files at once; the first always runs.
                    if t == 0 {
                        failed.store(true, std::sync::atomic::Ordering::SeqCst);
                    }
                    break;
                }
            }
        });
        self.at_once.store(1, std::sync::atomic::Ordering::SeqCst);
        let results = results.into_inner().unwrap_or_else(PoisonError::into_inner);
        let mut done = Vec::with_capacity(files);
        for (i, r) in results.into_iter().enumerate() {
            match r {
                Some(r) => done.push(r?),
                // Not started: an earlier file failed (its error came first), or
                // no thread could be started at all.
                None => {
                    return Err(Error::Stopped(format!(
                        "cannot start a thread to read input {}; the system may be short of memory",
                        i + 1
                    )));
                }
            }
        }
        Ok(done)
    }

    /// Reads `path` in chunks, runs `work` on each chunk on the pool, and gives the
    /// results to `consume` in input order. Stops at the first error of `consume`,
    /// of reading, or of a worker (a panic is reported as an internal error, never
    /// hidden). Returns what the reader saw (bytes, SHA-256, records).
    ///
    /// A file that changes while it is read (its length or modification time differ
    /// from when it was opened, or the bytes read do not add up to that length)
    /// stops the run with an error: its output would be part of a file.
    pub fn run_file<T: Send>(
        &self,
        path: &Path,
        cfg: SplitConfig,
        work: impl Fn(&Chunk) -> T + Sync,
        mut consume: impl FnMut(T) -> Result<(), Error>,
    ) -> Result<StreamInfo, Error> {
        cfg.check()?;
        let file = std::fs::File::open(path).map_err(Error::io(path, "cannot open the input"))?;
        let opened = file
            .metadata()
            .map_err(Error::io(path, "cannot read the input's size"))?;
        // Chunks read ahead: `jobs` in all, shared by the files read at once.
        let ahead = self.jobs.div_ceil(
            self.at_once
                .load(std::sync::atomic::Ordering::SeqCst)
                .max(1),
        );
        std::thread::scope(|scope| {
            let (chunk_tx, chunk_rx) = mpsc::sync_channel::<std::io::Result<Chunk>>(ahead);
            let reader_buffers = Arc::clone(&self.chunks);
            let reader_copies = Arc::clone(&self.copies);
            let reader = scope.spawn(move || {
                let mut r = ChunkReader::with_pool(&file, cfg, reader_buffers);
                r.hash_apart(Arc::clone(&reader_copies));
                if opened.is_file() {
                    r.expect_len(opened.len());
                }
                loop {
                    match r.next_chunk() {
                        Ok(Some(c)) => {
                            if chunk_tx.send(Ok(c)).is_err() {
                                break; // the caller stopped on an error
                            }
                        }
                        Ok(None) => {
                            // The same length can hide a rewrite: the time shows it.
                            if let Some(e) = changed_since(&file, &opened) {
                                let _ = chunk_tx.send(Err(e));
                            }
                            break;
                        }
                        Err(e) => {
                            let _ = chunk_tx.send(Err(e));
                            break;
                        }
                    }
                }
                r.finish()
            });
            // (seq, result); Err: the worker for chunk `seq` panicked.
            let (done_tx, done_rx) = mpsc::channel::<(u64, Result<T, ()>)>();
            let work = &work;
            let consumed = self.pool.in_place_scope(|workers| -> Result<(), Error> {
                // Chunks handed out and not yet consumed: each holds a slot.
                let mut held = Held {
                    slots: &self.slots,
                    n: 0,
                };
                let mut in_flight = 0;
                let mut reader_done = false;
                let mut next_seq = 0;
                let mut waiting: BTreeMap<u64, T> = BTreeMap::new();
                loop {
                    // Waiting for a slot is safe only while this file holds none:
                    // its own results may be what the slots are waiting for.
                    while !reader_done && self.slots.take(held.n == 0) {
                        held.n += 1;
                        match chunk_rx.recv() {
                            Ok(Ok(chunk)) => {
                                let tx = done_tx.clone();
                                let chunks = &self.chunks;
                                workers.spawn(move |_| {
                                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(
                                        || work(&chunk),
                                    ));
                                    let seq = chunk.seq;
                                    chunks.recycle(chunk);
                                    let _ = tx.send((seq, r.map_err(|_| ())));
                                });
                                in_flight += 1;
                            }
                            Ok(Err(e)) => {
                                return Err(match Changed::of(&e) {
                                    Some(c) => Error::input(path, c.to_string()),
                                    None => Error::io(path, "reading the input failed")(e),
                                });
                            }
                            Err(_) => {
                                reader_done = true;
                                held.n -= 1;
                                self.slots.give(1);
                            }
                        }
                    }
                    if in_flight == 0 {
                        return Ok(());
                    }
                    let (seq, result) = done_rx
                        .recv()
                        .map_err(|_| Error::input(path, "a worker stopped unexpectedly"))?;
                    in_flight -= 1;
                    let done = result.map_err(|()| {
                        Error::input(
                            path,
                            format!(
                                "internal error in chunk {seq}; please report it with this message"
                            ),
                        )
                    })?;
                    waiting.insert(seq, done);
                    while let Some(t) = waiting.remove(&next_seq) {
                        consume(t)?;
                        next_seq += 1;
                        held.n -= 1;
                        self.slots.give(1);
                    }
                }
            });
            // Dropping the receiver stops a reader still waiting to send.
            drop(chunk_rx);
            let info = reader
                .join()
                .map_err(|_| Error::input(path, "the reader thread stopped unexpectedly"))?;
            consumed?;
            let info = info.map_err(Error::io(path, "hashing the input failed"))?;
            Ok(info)
        })
    }
}

/// An error when `file` no longer has the length and modification time it had
/// when it was opened (`opened`).
fn changed_since(file: &std::fs::File, opened: &std::fs::Metadata) -> Option<std::io::Error> {
    if !opened.is_file() {
        return None;
    }
    let now = file.metadata().ok()?;
    let same = now.len() == opened.len() && now.modified().ok() == opened.modified().ok();
    (!same).then(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            Changed {
                expected: opened.len(),
                read: now.len(),
            },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Encoding;
    use crate::split::Framing;

    fn cfg(chunk_bytes: usize) -> SplitConfig {
        SplitConfig {
            framing: Framing::Csv {
                delimiter: b',',
                quote: b'"',
            },
            encoding: Encoding::Utf8,
            chunk_bytes,
            max_record: 1 << 20,
        }
    }

    #[test]
    fn results_come_back_in_input_order_for_any_jobs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.csv");
        let text: String = (0..5000).map(|i| format!("{i},x\n")).collect();
        std::fs::write(&path, &text).unwrap();
        for jobs in [1, 2, 4] {
            let w = Workers::new(jobs).unwrap();
            let mut firsts = Vec::new();
            let info = w
                .run_file(
                    &path,
                    cfg(97),
                    |c| c.first_record,
                    |r| {
                        firsts.push(r);
                        Ok(())
                    },
                )
                .unwrap();
            assert_eq!(info.records, 5000);
            assert!(firsts.windows(2).all(|p| p[0] < p[1]), "jobs {jobs}");
        }
    }

    #[test]
    fn a_file_rewritten_to_the_same_length_is_seen_by_its_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.csv");
        std::fs::write(&path, "1\n").unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let opened = file.metadata().unwrap();
        assert!(changed_since(&file, &opened).is_none());
        let earlier = opened.modified().unwrap() - std::time::Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(earlier)
            .unwrap();
        let e = changed_since(&file, &opened).expect("a changed file");
        assert!(
            e.to_string().contains("was rewritten while it was read"),
            "{e}"
        );
        assert!(Workers::new(Workers::MAX_JOBS + 1).is_err());
    }

    #[test]
    fn an_error_of_the_caller_or_a_panic_of_a_worker_stops_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.csv");
        std::fs::write(&path, "1\n2\n3\n4\n".repeat(1000)).unwrap();
        let w = Workers::new(2).unwrap();
        let e = w
            .run_file(
                &path,
                cfg(16),
                |c| c.seq,
                |seq| {
                    if seq == 3 {
                        Err(Error::Stopped("stop".into()))
                    } else {
                        Ok(())
                    }
                },
            )
            .unwrap_err();
        assert!(matches!(e, Error::Stopped(_)));
        let e = w
            .run_file(
                &path,
                cfg(16),
                |c| {
                    if c.seq == 5 {
                        panic!("a bug");
                    }
                },
                |()| Ok(()),
            )
            .unwrap_err();
        assert!(e.to_string().contains("internal error in chunk 5"), "{e}");
        assert!(Workers::new(0).is_err());
    }

    #[test]
    fn files_run_at_once_and_come_back_in_input_order() {
        // Input 0 waits for input 1 to start: one file after another would time out.
        let w = Workers::new(2).unwrap();
        let (tx, rx) = mpsc::channel::<()>();
        let rx = Mutex::new(rx);
        let tx = Mutex::new(tx);
        let got = w
            .each_file(5, |i| {
                if i == 0 {
                    let rx = rx.lock().unwrap();
                    rx.recv_timeout(std::time::Duration::from_secs(20))
                        .map_err(|_| Error::Stopped("input 1 never started".into()))?;
                } else if i == 1 {
                    tx.lock().unwrap().send(()).unwrap();
                }
                Ok(i * 10)
            })
            .unwrap();
        assert_eq!(got, [0, 10, 20, 30, 40]);
        // The first failing input in order is the error, whichever failed first.
        let e = w
            .each_file(6, |i| match i {
                2 => {
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    Err(Error::Stopped("two".into()))
                }
                4 => Err(Error::Stopped("four".into())),
                _ => Ok(()),
            })
            .unwrap_err();
        assert!(e.to_string().contains("two"), "{e}");
        // All slots came back: one file alone still runs.
        assert_eq!(*w.slots.free.lock().unwrap(), 4);
    }
}
