//! Group commit for SQLite's hottest small writes (a recipe run's start, a step's end).
//!
//! SQLite has one writer, and each commit writes every page it changed to the WAL, whole. Concurrent writers therefore queue here, in the process, instead of meeting
//! at SQLite's lock; whoever's turn comes writes every write waiting then in one
//! transaction. Consecutive runs' rows share their pages, so a batch costs about what one
//! write did. A write refused as `Stale` must have written nothing (it checks its fence
//! first): it gets its refusal and the others commit. Any other failure leaves part of a
//! write in the transaction, so the batch is rolled back and every write in it gets the
//! error (their callers retry, as after any failed write). Alone, a write is a batch of one
//! and waits for nothing. PostgreSQL takes concurrent transactions well and does not use
//! this.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::oneshot;

use crate::db::failed;
use crate::{StoreError, StoreResult};

/// Writes one item inside the batch's transaction.
pub(crate) type WriteOne<T, R> =
    for<'c> fn(
        &'c mut SqliteConnection,
        &'c T,
    ) -> Pin<Box<dyn Future<Output = StoreResult<R>> + Send + 'c>>;

struct Waiting<T, R> {
    item: T,
    answer: oneshot::Sender<StoreResult<R>>,
}

/// A queue of writes of one kind and the turn to write them.
pub(crate) struct GroupCommit<T, R> {
    waiting: Mutex<Vec<Waiting<T, R>>>,
    turn: tokio::sync::Mutex<()>,
}

impl<T, R> Default for GroupCommit<T, R> {
    fn default() -> Self {
        GroupCommit {
            waiting: Mutex::new(Vec::new()),
            turn: tokio::sync::Mutex::new(()),
        }
    }
}

impl<T: Send + 'static, R: Send + 'static> GroupCommit<T, R> {
    /// Writes `item` with `write` in the next batch; its own answer.
    pub async fn submit(
        &self,
        pool: &SqlitePool,
        item: T,
        write: WriteOne<T, R>,
    ) -> StoreResult<R> {
        let (answer, answered) = oneshot::channel();
        self.lock().push(Waiting { item, answer });
        {
            // In turn: the first to get it writes what waits, this item included unless an
            // earlier turn already took it.
            let _turn = self.turn.lock().await;
            let batch = std::mem::take(&mut *self.lock());
            if !batch.is_empty() {
                // A task of its own: the batch holds other callers' writes, and must not be
                // dropped if this caller is. Awaited here: it outlives no write.
                #[allow(clippy::disallowed_methods)]
                let written = tokio::spawn(write_batch(pool.clone(), batch, write));
                let _ = written.await;
            }
        }
        answered.await.unwrap_or_else(|_| {
            Err(StoreError::Database {
                what: "a grouped write".into(),
                message: "its batch was abandoned".into(),
            })
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Waiting<T, R>>> {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }
}

async fn write_batch<T, R>(pool: SqlitePool, batch: Vec<Waiting<T, R>>, write: WriteOne<T, R>) {
    // The writes read before they write (a run's status, a fence), so the write lock is
    // taken up front: a deferred transaction could not take it later once another
    // connection wrote in between.
    let mut tx = match pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(failed("a grouped write"))
    {
        Ok(tx) => tx,
        Err(e) => {
            for w in batch {
                let _ = w.answer.send(Err(e.clone()));
            }
            return;
        }
    };
    let mut answers = Vec::with_capacity(batch.len());
    let mut batch = batch.into_iter();
    while let Some(w) = batch.next() {
        match write(&mut tx, &w.item).await {
            // Refused before writing anything (a lost lease): the others go on.
            Err(e @ StoreError::Stale { .. }) => answers.push((w.answer, Err(e))),
            Err(e) => {
                // Part of this write may be in the transaction: none of the batch is kept.
                drop(tx);
                let everyone = answers.into_iter().map(|(a, _)| a);
                for answer in everyone.chain([w.answer]).chain(batch.map(|w| w.answer)) {
                    let _ = answer.send(Err(e.clone()));
                }
                return;
            }
            Ok(r) => answers.push((w.answer, Ok(r))),
        }
    }
    match tx.commit().await.map_err(failed("a grouped write")) {
        Ok(()) => {
            for (answer, result) in answers {
                let _ = answer.send(result);
            }
        }
        Err(e) => {
            for (answer, _) in answers {
                let _ = answer.send(Err(e.clone()));
            }
        }
    }
}
