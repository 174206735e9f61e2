//! Threads kept for reuse. A run of many files hashes each input and output on a
//! thread of its own and syncs each output on another; starting a thread (its
//! stack mapped and faulted in, its signal stack, its exit) cost about 37 µs, a
//! few hundred times in a run of a hundred files. A thread that has finished its
//! task waits [`KEEP`] for the next one of the same name before it ends.

use std::io;
use std::sync::mpsc;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// How long a finished thread waits for another task.
const KEEP: Duration = Duration::from_secs(1);

type Job = Box<dyn FnOnce() + Send>;

/// A thread waiting for a task.
struct Idle {
    name: &'static str,
    id: u64,
    tasks: mpsc::Sender<Job>,
}

/// The threads waiting, and the next thread's id.
static IDLE: Mutex<(Vec<Idle>, u64)> = Mutex::new((Vec::new(), 0));

fn idle() -> std::sync::MutexGuard<'static, (Vec<Idle>, u64)> {
    IDLE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A task started by [`spawn`]: its result, once it is done.
pub struct Task<R> {
    result: mpsc::Receiver<std::thread::Result<R>>,
    got: Option<std::thread::Result<R>>,
}

impl<R> Task<R> {
    /// Waits for the task: its result, or Err if it panicked (as
    /// [`std::thread::JoinHandle::join`]).
    pub fn join(mut self) -> std::thread::Result<R> {
        match self.got.take() {
            Some(r) => r,
            None => self
                .result
                .recv()
                .unwrap_or_else(|_| Err(Box::new("the thread stopped"))),
        }
    }

    /// Whether the task is done (its result is kept for [`Task::join`]).
    pub fn is_finished(&mut self) -> bool {
        if self.got.is_none() {
            match self.result.try_recv() {
                Ok(r) => self.got = Some(r),
                Err(mpsc::TryRecvError::Empty) => return false,
                Err(mpsc::TryRecvError::Disconnected) => {
                    self.got = Some(Err(Box::new("the thread stopped")));
                }
            }
        }
        true
    }
}

/// Runs `f` on a thread named `name`: one that has finished an earlier task of
/// that name if one is waiting, a new one otherwise. Err only when no thread can
/// be started.
pub fn spawn<R: Send + 'static>(
    name: &'static str,
    f: impl FnOnce() -> R + Send + 'static,
) -> io::Result<Task<R>> {
    let (tx, result) = mpsc::sync_channel(1);
    let mut job: Job = Box::new(move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let _ = tx.send(r);
    });
    let (waiting, id) = {
        let mut idle = idle();
        let at = idle.0.iter().rposition(|t| t.name == name);
        let waiting = at.map(|p| idle.0.swap_remove(p));
        idle.1 += 1;
        (waiting, idle.1)
    };
    if let Some(t) = waiting {
        // A thread taken from the list waits for this task (see `serve`).
        match t.tasks.send(job) {
            Ok(()) => return Ok(Task { result, got: None }),
            Err(mpsc::SendError(back)) => job = back,
        }
    }
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || serve(name, id, job))?;
    Ok(Task { result, got: None })
}

/// A thread's life: `job`, then each task it is given, until none comes for
/// [`KEEP`].
fn serve(name: &'static str, id: u64, mut job: Job) {
    let (tasks, inbox) = mpsc::channel::<Job>();
    loop {
        job();
        idle().0.push(Idle {
            name,
            id,
            tasks: tasks.clone(),
        });
        job = match inbox.recv_timeout(KEEP) {
            Ok(next) => next,
            Err(_) => {
                let mut idle = idle();
                if let Some(p) = idle.0.iter().position(|t| t.id == id) {
                    idle.0.swap_remove(p);
                    return;
                }
                drop(idle);
                // Taken from the list just now: its task is on the way.
                match inbox.recv() {
                    Ok(next) => next,
                    Err(_) => return,
                }
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finished_thread_runs_the_next_task_of_its_name() {
        let first = spawn("ikou-test-reuse", || std::thread::current().id())
            .unwrap()
            .join()
            .unwrap();
        // The thread puts itself on the list just after it sends its result.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !idle().0.iter().any(|t| t.name == "ikou-test-reuse") {
            assert!(std::time::Instant::now() < deadline, "never idle");
            std::thread::yield_now();
        }
        let second = spawn("ikou-test-reuse", || std::thread::current().id())
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(first, second);
        // Another name gets a thread of its own.
        let other = spawn("ikou-test-other", || std::thread::current().id())
            .unwrap()
            .join()
            .unwrap();
        assert_ne!(first, other);
    }

    #[test]
    fn tasks_at_once_run_on_threads_at_once_and_a_panic_is_an_error() {
        // Each task waits for the other: on one thread they would never end.
        let (a_tx, a_rx) = mpsc::channel::<()>();
        let (b_tx, b_rx) = mpsc::channel::<()>();
        let a = spawn("ikou-test-twice", move || {
            a_tx.send(()).unwrap();
            b_rx.recv_timeout(Duration::from_secs(20)).is_ok()
        })
        .unwrap();
        let b = spawn("ikou-test-twice", move || {
            b_tx.send(()).unwrap();
            a_rx.recv_timeout(Duration::from_secs(20)).is_ok()
        })
        .unwrap();
        assert!(a.join().unwrap() && b.join().unwrap());
        let mut p = spawn("ikou-test-twice", || -> u8 { panic!("a bug") }).unwrap();
        while !p.is_finished() {
            std::thread::yield_now();
        }
        assert!(p.join().is_err());
        // The thread that caught the panic still serves.
        assert_eq!(spawn("ikou-test-twice", || 7).unwrap().join().unwrap(), 7);
    }
}
