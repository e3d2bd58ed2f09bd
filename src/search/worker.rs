//! Search off the UI thread. The worker builds the index on its own
//! connection, then answers queries; when several are waiting it answers
//! only the newest, and a longer query searches only the previous matches.
//! When nothing matches as a run, a second answer adds the texts one
//! character away (近似结果), unless a newer query is already waiting.

use super::engine::{Hit, Index, demote_loose, narrows, wants_excerpts, wants_near};
use crate::store::Store;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::time::{Duration, Instant};

pub struct Response {
    pub generation: u64,
    pub query: String,
    /// The best hits, in order.
    pub hits: Vec<Hit>,
    /// How many entries matched in all (near ones included).
    pub total: usize,
    /// How many of them are one character away (listed last).
    pub near: usize,
    /// False when a second answer, with the near hits, follows.
    pub complete: bool,
    pub elapsed: Duration,
}

/// How many hits an answer carries; the rest are counted.
pub const SHOWN: usize = 500;

pub enum Message {
    /// The index is built: how many entries, how long it took.
    Ready(Arc<Index>, Duration),
    Failed(String),
    Results(Response),
}

/// The answers' sender, waking the receiver after each message.
struct Wakes<W: Fn()>(Sender<Message>, W);

impl<W: Fn()> Wakes<W> {
    fn send(&self, m: Message) -> Result<(), std::sync::mpsc::SendError<Message>> {
        self.0.send(m)?;
        (self.1)();
        Ok(())
    }
}

/// All the hits of `q` at once, best first, as the CLI and the tests see
/// them: the matches, the bases whose excerpt holds it (with a store), and
/// the near ones when nothing matches as a run.
pub fn answer(
    index: &Index,
    store: Option<&Store>,
    q: &str,
) -> Result<Vec<Hit>, crate::store::StoreError> {
    let mut hits = index.matches(q, None);
    if let Some(s) = store
        && wants_excerpts(q)
    {
        let ids = crate::store::catalogue::bases_containing(s.conn(), q)?;
        index.add_excerpt_hits(&mut hits, &ids);
    }
    if wants_near(q, &hits) {
        demote_loose(&mut hits);
        hits.extend(index.near(q, &hits, &|| false).unwrap_or_default());
    }
    Ok(index.best(&hits, hits.len()))
}

pub struct SearchWorker {
    requests: Sender<(u64, String)>,
    answers: Receiver<Message>,
    generation: u64,
    /// The newest generation asked, read by the worker to drop a long
    /// search (the near one) when a newer query is waiting.
    asked: Arc<AtomicU64>,
}

impl SearchWorker {
    /// Starts the worker; `build` makes the index (on the worker thread),
    /// with a connection for full-text search of basis excerpts if given.
    pub fn spawn(
        build: impl FnOnce() -> Result<(Index, Option<Store>), String> + Send + 'static,
    ) -> Self {
        Self::spawn_waking(build, || {})
    }

    /// As `spawn`, calling `wake` after each message is sent (the TUI's
    /// event loop then takes it at once).
    pub fn spawn_waking(
        build: impl FnOnce() -> Result<(Index, Option<Store>), String> + Send + 'static,
        wake: impl Fn() + Send + 'static,
    ) -> Self {
        let (requests, incoming) = channel::<(u64, String)>();
        let (outgoing, answers) = channel::<Message>();
        let asked = Arc::new(AtomicU64::new(0));
        let newest = Arc::clone(&asked);
        std::thread::spawn(move || {
            let asked = newest;
            let outgoing = Wakes(outgoing, wake);
            let started = Instant::now();
            let (index, store) = match build() {
                Ok((i, s)) => (Arc::new(i), s),
                Err(e) => {
                    let _ = outgoing.send(Message::Failed(e));
                    return;
                }
            };
            if outgoing
                .send(Message::Ready(Arc::clone(&index), started.elapsed()))
                .is_err()
            {
                return;
            }
            // The previous query and all its hits: a longer one searches
            // only those, and the near search skips them.
            let mut last: Option<(String, Vec<Hit>)> = None;
            let mut waiting: Option<(u64, String)> = None;
            loop {
                let mut request = match waiting.take() {
                    Some(r) => r,
                    None => match incoming.recv() {
                        Ok(r) => r,
                        Err(_) => return,
                    },
                };
                // Only the newest waiting query matters.
                loop {
                    match incoming.try_recv() {
                        Ok(newer) => request = newer,
                        Err(TryRecvError::Empty) => break,
                        Err(TryRecvError::Disconnected) => return,
                    }
                }
                let (generation, query) = request;
                let t = Instant::now();
                let within = last
                    .as_ref()
                    .filter(|(q, _)| narrows(q, &query))
                    .map(|(_, hits)| hits.as_slice());
                let mut hits = index.matches(&query, within);
                if let Some(s) = &store
                    && wants_excerpts(&query)
                    && let Ok(ids) = crate::store::catalogue::bases_containing(s.conn(), &query)
                {
                    index.add_excerpt_hits(&mut hits, &ids);
                }
                let near_follows = wants_near(&query, &hits);
                if near_follows {
                    demote_loose(&mut hits);
                }
                let total = hits.len();
                let answer = |hits: Vec<Hit>, total: usize, near: usize, complete: bool| {
                    Message::Results(Response {
                        generation,
                        query: query.clone(),
                        hits,
                        total,
                        near,
                        complete,
                        elapsed: t.elapsed(),
                    })
                };
                let shown = index.best(&hits, SHOWN);
                last = Some((query.clone(), hits));
                if outgoing
                    .send(answer(shown, total, 0, !near_follows))
                    .is_err()
                {
                    return;
                }
                if !near_follows {
                    continue;
                }
                // A newer query makes the near hits of this one moot.
                match incoming.try_recv() {
                    Ok(newer) => {
                        waiting = Some(newer);
                        continue;
                    }
                    Err(TryRecvError::Disconnected) => return,
                    Err(TryRecvError::Empty) => {}
                }
                let stale = || asked.load(Ordering::Relaxed) != generation;
                let found = last.as_ref().map_or(&[][..], |(_, h)| h.as_slice());
                let Some(near) = index.near(&query, found, &stale) else {
                    continue;
                };
                let count = near.len() + found.iter().filter(|h| h.is_near()).count();
                let mut all = found.to_vec();
                all.extend(near);
                let shown = index.best(&all, SHOWN);
                if outgoing
                    .send(answer(shown, all.len(), count, true))
                    .is_err()
                {
                    return;
                }
            }
        });
        SearchWorker {
            requests,
            answers,
            generation: 0,
            asked,
        }
    }

    /// Sends a query; its answer carries the returned generation.
    pub fn ask(&mut self, query: &str) -> u64 {
        self.generation += 1;
        self.asked.store(self.generation, Ordering::Relaxed);
        let _ = self.requests.send((self.generation, query.to_string()));
        self.generation
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// What the worker has said since the last call, without waiting.
    pub fn poll(&self) -> Vec<Message> {
        self.answers.try_iter().collect()
    }

    /// Waits for the next message (tests and the benchmark).
    pub fn wait(&self, timeout: Duration) -> Option<Message> {
        self.answers.recv_timeout(timeout).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::engine::{Entry, Kind};

    #[test]
    fn answers_the_newest_query_with_its_generation() {
        let mut w = SearchWorker::spawn(|| {
            Ok((
                Index::new(vec![Entry {
                    kind: Kind::Item,
                    id: 1,
                    code: "101".into(),
                    alt_code: String::new(),
                    text: "对食品安全的监督检查".into(),
                    detail: "".into(),
                }]),
                None,
            ))
        });
        assert!(matches!(
            w.wait(Duration::from_secs(10)),
            Some(Message::Ready(..))
        ));
        let g = w.ask("spaq");
        let Some(Message::Results(r)) = w.wait(Duration::from_secs(10)) else {
            panic!("no answer")
        };
        assert_eq!((r.generation, r.hits.len()), (g, 1));
        w.ask("s");
        let last = w.ask("spaqx");
        let mut seen = Vec::new();
        while let Some(Message::Results(r)) = w.wait(Duration::from_secs(2)) {
            seen.push(r.generation);
            if r.generation == last {
                assert!(r.hits.is_empty());
                break;
            }
        }
        assert_eq!(seen.last(), Some(&last));
    }
}
