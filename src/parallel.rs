//! Parallel: files' chunks through a function on the worker pool, the results
//! handed back in input order.
//!
//! A reader thread splits a file ([`ChunkReader`]) and gives each chunk to a rayon
//! worker; a consumer receives the file's results in chunk order ([`FileFeed`]).
//! Several files go through lanes at once, each lane's reader going on to its
//! next file while the last one's results are still consumed. At most
//! `2 × jobs` chunks are in flight, so memory is bounded by chunk size and jobs,
//! never by file size or file count. `convert`, `profile` and
//! `mappings diff --corpus` all read their inputs this way.

use crate::error::Error;
use crate::split::{BufferPool, Changed, Chunk, ChunkPool, ChunkReader, SplitConfig, StreamInfo};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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
    /// Chunk slots shared by every file read at once ([`Workers::read_files`]): a
    /// chunk holds one from when it is handed to a worker until its result has
    /// been consumed, so that memory stays bounded by `jobs` however many files
    /// are converted together.
    slots: Slots,
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

    /// Takes a slot, waiting for one.
    fn take(&self) {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            free = self
                .returned
                .wait(free)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
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

/// What a file's reader hands its consumer, in the order sent.
enum Msg<T> {
    /// Chunk `seq`'s result (Err: its worker panicked). It holds a slot until
    /// consumed.
    Chunk(u64, Result<T, ()>),
    /// The reader is done with the file: what it saw, or why it stopped.
    End(Result<StreamInfo, Error>),
}

/// One input's chunk results, as its lane's reader dispatched them: hand them to
/// a consumer with [`FileFeed::consume`]. Dropped unconsumed (the caller stopped
/// on an error), it stops the reader of this file and gives back its slots.
pub struct FileFeed<'w, T> {
    path: &'w Path,
    results: mpsc::Receiver<Msg<T>>,
    slots: &'w Slots,
    /// Results received and not yet consumed: each holds a slot.
    held: usize,
    /// Set when the feed is dropped: the reader stops reading this file.
    stop: Arc<AtomicBool>,
}

impl<T> FileFeed<'_, T> {
    /// Gives the file's chunk results to `consume` in input order. Stops at the
    /// first error of `consume`, of reading, or of a worker (a panic is reported
    /// as an internal error, never hidden). Returns what the reader saw (bytes,
    /// SHA-256, records).
    pub fn consume(
        mut self,
        mut consume: impl FnMut(T) -> Result<(), Error>,
    ) -> Result<StreamInfo, Error> {
        let mut waiting: BTreeMap<u64, T> = BTreeMap::new();
        let mut next_seq = 0;
        let mut end = None;
        // The channel closes once the reader and every chunk's worker are done
        // with it: every message has come by then.
        while let Ok(msg) = self.results.recv() {
            match msg {
                Msg::Chunk(seq, result) => {
                    self.held += 1;
                    let done = result.map_err(|()| {
                        Error::input(
                            self.path,
                            format!(
                                "internal error in chunk {seq}; please report it with this message"
                            ),
                        )
                    })?;
                    waiting.insert(seq, done);
                    while let Some(t) = waiting.remove(&next_seq) {
                        consume(t)?;
                        next_seq += 1;
                        self.held -= 1;
                        self.slots.give(1);
                    }
                }
                Msg::End(info) => end = Some(info?),
            }
        }
        if !waiting.is_empty() {
            return Err(Error::input(
                self.path,
                format!(
                    "internal error: chunk {next_seq} never came; please report it with this message"
                ),
            ));
        }
        end.ok_or_else(|| Error::input(self.path, "the reader thread stopped unexpectedly"))
    }
}

impl<T> Drop for FileFeed<'_, T> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.slots.give(std::mem::take(&mut self.held));
        // What is still coming: the chunks dispatched before the reader saw `stop`.
        for msg in self.results.iter() {
            if let Msg::Chunk(..) = msg {
                self.slots.give(1);
            }
        }
    }
}

/// Which input the lanes' readers take next; none once a file has failed.
struct Claims {
    next: AtomicUsize,
    files: usize,
    failed: AtomicBool,
}

impl Claims {
    fn new(files: usize) -> Claims {
        Claims {
            next: AtomicUsize::new(0),
            files,
            failed: AtomicBool::new(false),
        }
    }

    fn next(&self) -> Option<usize> {
        if self.failed.load(Ordering::SeqCst) {
            return None;
        }
        let i = self.next.fetch_add(1, Ordering::SeqCst);
        (i < self.files).then_some(i)
    }
}

/// The feeds of one lane, in the order its reader took the files.
type Lane<'w, T> = mpsc::Receiver<(usize, FileFeed<'w, T>)>;

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
        })
    }

    /// How many files [`Workers::read_files`] works on at once (its lanes): one
    /// file's reader and writer are serial, so a second lane keeps the workers
    /// busy while the first one fills up or drains; more than `jobs` lanes only
    /// adds readers.
    fn files_at_once(&self, files: usize) -> usize {
        self.jobs.min(files).max(1)
    }

    /// Reads `paths` in chunks, runs `work` on each chunk on the pool, and calls
    /// `each(i, feed)` for every input, whose `feed` gives input `i`'s results in
    /// order ([`FileFeed::consume`]). Returns the results of `each` in input order.
    ///
    /// The inputs go through [`Workers::files_at_once`] lanes. A lane's reader
    /// takes the next input as soon as it has read the last one: the next file is
    /// read and converted while the last one's results are still being consumed,
    /// so the workers never wait for a file to start. Files are taken in order;
    /// after a failure no further file is taken, the files already taken finish,
    /// and the error returned is the one of the first file in input order that
    /// failed: the same error a run one file after another would stop with.
    ///
    /// A file that changes while it is read (its length or modification time differ
    /// from when it was opened, or the bytes read do not add up to that length)
    /// stops its file with an error: its output would be part of a file.
    pub fn read_files<T: Send, R: Send>(
        &self,
        paths: &[PathBuf],
        cfg: SplitConfig,
        work: impl Fn(&Chunk) -> T + Sync,
        each: impl Fn(usize, FileFeed<'_, T>) -> Result<R, Error> + Sync,
    ) -> Result<Vec<R>, Error> {
        cfg.check()?;
        let lanes = self.files_at_once(paths.len());
        let claims = Claims::new(paths.len());
        let results: Mutex<Vec<Option<Result<R, Error>>>> =
            Mutex::new((0..paths.len()).map(|_| None).collect());
        let run_lane = |lane: Lane<'_, T>| {
            for (i, feed) in lane {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| each(i, feed)))
                    .unwrap_or_else(|_| {
                        Err(Error::Stopped(format!(
                            "internal error in input {}; please report it with this message",
                            i + 1
                        )))
                    });
                if r.is_err() {
                    claims.failed.store(true, Ordering::SeqCst);
                }
                results.lock().unwrap_or_else(PoisonError::into_inner)[i] = Some(r);
            }
        };
        let run_lane = &run_lane;
        self.lanes(paths, cfg, &work, lanes, &claims, |mut feeds| {
            std::thread::scope(|scope| {
                let here = feeds.remove(0);
                for (t, lane) in feeds.into_iter().enumerate() {
                    // Fewer threads only means fewer files at once: the lane's
                    // reader stops when its feeds are not taken.
                    let _ = std::thread::Builder::new()
                        .name(format!("ikou-file-{}", t + 1))
                        .spawn_scoped(scope, move || run_lane(lane));
                }
                run_lane(here);
            })
        });
        let results = results.into_inner().unwrap_or_else(PoisonError::into_inner);
        let mut done = Vec::with_capacity(paths.len());
        for (i, r) in results.into_iter().enumerate() {
            match r {
                Some(r) => done.push(r?),
                // Not taken: an earlier file failed (its error came first), or
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
    /// results to `consume` in input order ([`FileFeed::consume`], which says when
    /// it stops). Returns what the reader saw (bytes, SHA-256, records).
    pub fn run_file<T: Send>(
        &self,
        path: &Path,
        cfg: SplitConfig,
        work: impl Fn(&Chunk) -> T + Sync,
        consume: impl FnMut(T) -> Result<(), Error>,
    ) -> Result<StreamInfo, Error> {
        cfg.check()?;
        let claims = Claims::new(1);
        let paths = [path.to_path_buf()];
        self.lanes(&paths, cfg, &work, 1, &claims, |feeds| {
            match feeds.into_iter().next().and_then(|lane| lane.recv().ok()) {
                Some((_, feed)) => feed.consume(consume),
                None => Err(Error::input(path, "the reader thread stopped unexpectedly")),
            }
        })
    }

    /// Starts `lanes` readers over `paths` (each taking the next input from
    /// `claims` when done with its last) and runs `consumers` on their feeds, one
    /// receiver a lane. `cfg` has been checked (once, by the caller). Chunks go to the pool as they are read; each holds a
    /// slot from then until its result is consumed, so that memory stays bounded
    /// by `jobs` however many files are read at once.
    fn lanes<'w, T: Send + 'w, X>(
        &'w self,
        paths: &'w [PathBuf],
        cfg: SplitConfig,
        work: &'w (impl Fn(&Chunk) -> T + Sync),
        lanes: usize,
        claims: &'w Claims,
        consumers: impl FnOnce(Vec<Lane<'w, T>>) -> X,
    ) -> X {
        self.pool.in_place_scope(|workers| {
            std::thread::scope(|scope| {
                let mut feeds = Vec::with_capacity(lanes);
                for t in 0..lanes {
                    // One feed waits while the reader reads the next file.
                    let (tx, rx) = mpsc::sync_channel(1);
                    let started = std::thread::Builder::new()
                        .name(format!("ikou-read-{t}"))
                        .spawn_scoped(scope, move || {
                            while let Some(i) = claims.next() {
                                let path = &paths[i];
                                let (results, feed_rx) = mpsc::channel();
                                let stop = Arc::new(AtomicBool::new(false));
                                let feed = FileFeed {
                                    path,
                                    results: feed_rx,
                                    slots: &self.slots,
                                    held: 0,
                                    stop: Arc::clone(&stop),
                                };
                                if let Err(mpsc::SendError((_, feed))) = tx.send((i, feed)) {
                                    // Nobody takes this lane's feeds: the feed's
                                    // drop must not wait for this thread.
                                    drop(results);
                                    drop(feed);
                                    return;
                                }
                                let end = self.read_one(workers, path, cfg, work, &results, &stop);
                                let _ = results.send(Msg::End(end));
                            }
                        });
                    if started.is_ok() || t == 0 {
                        feeds.push(rx);
                    }
                }
                consumers(feeds)
            })
        })
    }

    /// Reads one file for [`Workers::lanes`]: each chunk, once a slot is free,
    /// to a worker, whose result goes to `results`.
    fn read_one<'w, T: Send + 'w>(
        &'w self,
        workers: &rayon::Scope<'w>,
        path: &Path,
        cfg: SplitConfig,
        work: &'w (impl Fn(&Chunk) -> T + Sync),
        results: &mpsc::Sender<Msg<T>>,
        stop: &AtomicBool,
    ) -> Result<StreamInfo, Error> {
        let file = std::fs::File::open(path).map_err(Error::io(path, "cannot open the input"))?;
        let opened = file
            .metadata()
            .map_err(Error::io(path, "cannot read the input's size"))?;
        let failed = |e: std::io::Error| match Changed::of(&e) {
            Some(c) => Error::input(path, c.to_string()),
            None => Error::io(path, "reading the input failed")(e),
        };
        let stopped = || Error::Stopped(format!("{}: stopped", path.display()));
        let mut r = ChunkReader::with_pool(&file, cfg, Arc::clone(&self.chunks));
        r.hash_apart(Arc::clone(&self.copies));
        if opened.is_file() {
            r.expect_len(opened.len());
        }
        loop {
            if stop.load(Ordering::SeqCst) {
                return Err(stopped());
            }
            let Some(chunk) = r.next_chunk().map_err(failed)? else {
                break;
            };
            // The slots come back as results are consumed (this file's or
            // another lane's), so waiting here always ends.
            self.slots.take();
            if stop.load(Ordering::SeqCst) {
                self.slots.give(1);
                self.chunks.recycle(chunk);
                return Err(stopped());
            }
            let results = results.clone();
            let chunks = &self.chunks;
            workers.spawn(move |_| {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&chunk)));
                let seq = chunk.seq;
                chunks.recycle(chunk);
                // The feed drains its channel before it goes: this send finds it.
                let _ = results.send(Msg::Chunk(seq, r.map_err(|_| ())));
            });
        }
        // The same length can hide a rewrite: the time shows it.
        if let Some(e) = changed_since(&file, &opened) {
            return Err(failed(e));
        }
        r.finish()
            .map_err(Error::io(path, "hashing the input failed"))
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

    /// `n` small CSV files in `dir`, file `k` holding `lines` records "k,j".
    fn inputs(dir: &Path, n: usize, lines: usize) -> Vec<PathBuf> {
        (0..n)
            .map(|k| {
                let path = dir.join(format!("in{k}.csv"));
                let text: String = (0..lines).map(|j| format!("{k},{j}\n")).collect();
                std::fs::write(&path, text).unwrap();
                path
            })
            .collect()
    }

    #[test]
    fn files_run_at_once_and_come_back_in_input_order() {
        let dir = tempfile::tempdir().unwrap();
        let paths = inputs(dir.path(), 5, 300);
        // Input 0 waits for input 1 to start: one file after another would time out.
        let w = Workers::new(2).unwrap();
        let (tx, rx) = mpsc::channel::<()>();
        let rx = Mutex::new(rx);
        let tx = Mutex::new(tx);
        let got = w
            .read_files(
                &paths,
                cfg(64),
                |c| c.records.len() as u64,
                |i, feed| {
                    if i == 0 {
                        let rx = rx.lock().unwrap();
                        rx.recv_timeout(std::time::Duration::from_secs(20))
                            .map_err(|_| Error::Stopped("input 1 never started".into()))?;
                    } else if i == 1 {
                        tx.lock().unwrap().send(()).unwrap();
                    }
                    let mut records = 0;
                    let info = feed.consume(|n| {
                        records += n;
                        Ok(())
                    })?;
                    assert_eq!(info.records, records);
                    Ok((i, records))
                },
            )
            .unwrap();
        assert_eq!(got, (0..5).map(|i| (i, 300)).collect::<Vec<_>>());
        // The first failing input in order is the error, whichever failed first;
        // a feed dropped unconsumed is no error of its own.
        let e = w
            .read_files(
                &paths,
                cfg(64),
                |c| c.seq,
                |i, feed| match i {
                    2 => {
                        std::thread::sleep(std::time::Duration::from_millis(200));
                        Err(Error::Stopped("two".into()))
                    }
                    4 => Err(Error::Stopped("four".into())),
                    _ => feed.consume(|_| Ok(())).map(|_| ()),
                },
            )
            .unwrap_err();
        assert!(e.to_string().contains("two"), "{e}");
        // All slots came back: one file alone still runs.
        assert_eq!(*w.slots.free.lock().unwrap(), 4);
        let info = w.run_file(&paths[3], cfg(64), |_| (), |()| Ok(())).unwrap();
        assert_eq!(info.records, 300);
    }

    #[test]
    fn a_lane_reads_its_next_file_while_the_last_is_consumed() {
        // One lane: input 0's consumer waits, after its last chunk, until a worker
        // has converted a chunk of input 1. A reader that waits for the consumer
        // to finish a file before it opens the next would time out.
        let dir = tempfile::tempdir().unwrap();
        let paths = inputs(dir.path(), 2, 300);
        let w = Workers::new(1).unwrap();
        let next_seen = (Mutex::new(false), Condvar::new());
        let got = w
            .read_files(
                &paths,
                cfg(64),
                |c| {
                    let of_input_1 = c.data.first() == Some(&b'1');
                    if of_input_1 {
                        *next_seen.0.lock().unwrap() = true;
                        next_seen.1.notify_all();
                    }
                    c.records.len()
                },
                |i, feed| {
                    let mut records = 0;
                    feed.consume(|n| {
                        records += n;
                        Ok(())
                    })?;
                    if i == 0 {
                        let seen = next_seen.0.lock().unwrap();
                        let (seen, _) = next_seen
                            .1
                            .wait_timeout_while(seen, std::time::Duration::from_secs(20), |s| !*s)
                            .unwrap();
                        if !*seen {
                            return Err(Error::Stopped("input 1 was not read ahead".into()));
                        }
                    }
                    Ok(records)
                },
            )
            .unwrap();
        assert_eq!(got, [300, 300]);
    }

    #[test]
    fn a_consumer_that_stops_mid_file_gives_every_slot_back() {
        let dir = tempfile::tempdir().unwrap();
        let paths = inputs(dir.path(), 3, 2000);
        for jobs in [1, 2, 3] {
            let w = Workers::new(jobs).unwrap();
            let e = w
                .read_files(
                    &paths,
                    cfg(16),
                    |c| c.seq,
                    |i, feed| {
                        feed.consume(|seq| {
                            if i == 1 && seq == 2 {
                                Err(Error::Stopped("stop".into()))
                            } else {
                                Ok(())
                            }
                        })
                    },
                )
                .unwrap_err();
            assert!(e.to_string().contains("stop"), "{e}");
            assert_eq!(*w.slots.free.lock().unwrap(), 2 * jobs, "jobs {jobs}");
        }
    }
}
