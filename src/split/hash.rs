//! SHA-256 of a stream, computed here or on a thread of its own.
//!
//! Hashing is serial (each block after the one before), and at 1.6 GiB/s it is a
//! third of what the reader (read, split) or the writer (write) of one file does.
//! On a thread of its own it runs beside them, so one file is no longer held to
//! the speed of one core doing both. The blocks go to that thread in order over
//! a bounded channel: at most `depth` blocks wait, so memory stays bounded.

use super::{BufferPool, ChunkPool};
use crate::threads::Task;
use sha2::{Digest, Sha256};
use std::io;
use std::sync::{Arc, mpsc};

/// Blocks waiting for the hashing thread.
const DEPTH: usize = 2;

/// SHA-256 of everything given to it, in order.
pub struct StreamHasher {
    inner: Inner,
}

/// A block for the hashing thread.
enum Block {
    /// Handed back once hashed (a copy, or a buffer of the writer's).
    Back(Vec<u8>),
    /// A chunk's data, shared with the workers: whichever of the two is done with
    /// it last gives it to the chunk pool.
    Shared(Arc<Vec<u8>>, Arc<ChunkPool>),
}

enum Inner {
    Here(Sha256),
    /// Nothing hashed ([`StreamHasher::off`]).
    Off,
    Apart {
        /// Blocks to hash, in order (None once finished).
        tx: Option<mpsc::SyncSender<Block>>,
        /// Copies hashed and handed back for reuse.
        back: mpsc::Receiver<Vec<u8>>,
        thread: Option<Task<Sha256>>,
        /// Where owned blocks go once hashed ([`StreamHasher::update_owned`]).
        recycle: Arc<BufferPool>,
    },
}

impl Default for StreamHasher {
    fn default() -> Self {
        StreamHasher::here()
    }
}

impl StreamHasher {
    /// Hashes on the caller's thread.
    pub fn here() -> StreamHasher {
        StreamHasher {
            inner: Inner::Here(Sha256::new()),
        }
    }

    /// Hashes nothing, for a stream read only to be looked at (a sample of
    /// an input, checked before it is converted): [`StreamHasher::finish`]
    /// then fails.
    pub fn off() -> StreamHasher {
        StreamHasher { inner: Inner::Off }
    }

    /// Hashes on a thread of its own; owned blocks are given to `recycle` once
    /// hashed. Hashes here when no thread can be started (the same digest, slower).
    pub fn apart(recycle: Arc<BufferPool>) -> StreamHasher {
        let (tx, rx) = mpsc::sync_channel::<Block>(DEPTH);
        let (back_tx, back) = mpsc::channel::<Vec<u8>>();
        // A thread kept from an earlier stream when one is waiting.
        let started = crate::threads::spawn("ikou-sha256", move || {
            let mut h = Sha256::new();
            for block in rx {
                match block {
                    Block::Back(block) => {
                        h.update(&block);
                        // Handed back for reuse (the sender may be gone: then dropped).
                        let _ = back_tx.send(block);
                    }
                    Block::Shared(data, pool) => {
                        h.update(data.as_slice());
                        pool.give_back(data);
                    }
                }
            }
            h
        });
        match started {
            Ok(thread) => StreamHasher {
                inner: Inner::Apart {
                    tx: Some(tx),
                    back,
                    thread: Some(thread),
                    recycle,
                },
            },
            Err(_) => StreamHasher::here(),
        }
    }

    /// Hashes a copy of `data` (given to the thread when there is one).
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.inner {
            Inner::Here(h) => h.update(data),
            Inner::Off => {}
            Inner::Apart { back, recycle, .. } => {
                let mut block = back.try_recv().unwrap_or_else(|_| recycle.take(data.len()));
                block.clear();
                block.extend_from_slice(data);
                self.send(Block::Back(block));
            }
        }
    }

    /// Hashes a chunk's data without a copy: the hashing thread holds it until it
    /// is hashed, then gives it to `pool` if the workers are done with it.
    pub(super) fn update_shared(&mut self, data: &Arc<Vec<u8>>, pool: &Arc<ChunkPool>) {
        match &mut self.inner {
            Inner::Here(h) => h.update(data.as_slice()),
            Inner::Off => {}
            Inner::Apart { .. } => self.send(Block::Shared(Arc::clone(data), Arc::clone(pool))),
        }
    }

    /// Hashes `data` and gives the buffer to the hasher's pool once done with it.
    pub fn update_owned(&mut self, data: Vec<u8>) {
        match &mut self.inner {
            Inner::Here(h) => h.update(&data),
            Inner::Off => {}
            Inner::Apart { .. } => {
                self.send(Block::Back(data));
                // Buffers handed back go to the pool, not to the next copy.
                if let Inner::Apart { back, recycle, .. } = &self.inner {
                    while let Ok(b) = back.try_recv() {
                        recycle.put(b);
                    }
                }
            }
        }
    }

    fn send(&mut self, block: Block) {
        if let Inner::Apart { tx, .. } = &mut self.inner
            && tx.as_ref().is_some_and(|t| t.send(block).is_err())
        {
            // The thread is gone (it panicked): finish says so.
            *tx = None;
        }
    }

    /// The digest of everything given. Err: the hashing thread stopped before
    /// the end (a bug: the digest would be of part of the stream), or the
    /// hasher is [`StreamHasher::off`].
    pub fn finish(self) -> io::Result<[u8; 32]> {
        match self.inner {
            Inner::Here(h) => Ok(h.finalize().into()),
            Inner::Off => Err(io::Error::other("the stream was read without its SHA-256")),
            Inner::Apart {
                tx,
                thread,
                back,
                recycle,
            } => {
                let complete = tx.is_some();
                drop(tx);
                let h = thread
                    .and_then(|t| t.join().ok())
                    .filter(|_| complete)
                    .ok_or_else(|| io::Error::other("the SHA-256 thread stopped unexpectedly"))?;
                // Every block is back once the thread has ended: all go to the
                // pool, for the next file (never freed on another thread).
                while let Ok(b) = back.try_recv() {
                    recycle.put(b);
                }
                Ok(h.finalize().into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apart_gives_the_digest_of_here_and_recycles_owned_blocks() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut here = StreamHasher::here();
        let pool = Arc::new(BufferPool::default());
        let mut apart = StreamHasher::apart(Arc::clone(&pool));
        for (k, piece) in data.chunks(1 + 977).enumerate() {
            here.update(piece);
            if k % 2 == 0 {
                apart.update(piece);
            } else {
                apart.update_owned(piece.to_vec());
            }
        }
        let expected: [u8; 32] = Sha256::digest(&data).into();
        assert_eq!(here.finish().unwrap(), expected);
        assert_eq!(apart.finish().unwrap(), expected);
        assert!(pool.take(0).capacity() > 0, "blocks came back to the pool");
    }

    /// A hasher that hashes nothing never gives a digest (of nothing, or of
    /// part of a stream).
    #[test]
    fn off_gives_no_digest() {
        let mut off = StreamHasher::off();
        off.update(b"abc");
        off.update_owned(b"def".to_vec());
        assert!(off.finish().is_err());
    }
}
