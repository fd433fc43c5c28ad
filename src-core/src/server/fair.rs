//! The thread that carries out the endpoint's requests, one at a time, taking turns between
//! source addresses.
//!
//! The vault answers one request at a time anyway (behind its lock); on one thread the
//! requests queue and the thread never sleeps under load. The queue is not first come,
//! first served: each source address has its own line and the lines take turns, one request
//! each. A connection has at most one request waiting (HTTP/1.1 answers in order), so a
//! client that opens many connections and sends without pause lengthens only its own line:
//! another address's request waits for at most one request from each other address.
//!
//! Reads can share a commit ([`Group`]): the requests that queued up while the thread was
//! busy are carried out one after the other inside one transaction, in the same turns, and
//! their answers leave together once it has committed (group commit). A request that is not
//! to be grouped (a change that waits for fsync) first ends the group before it, then runs
//! alone.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Condvar, Mutex};

/// Lines of waiting items, one per address, served in turns. Each item comes out with the
/// number of items that were taken out while it waited (its wait, counted in requests).
#[derive(Debug)]
pub struct Turns<T> {
    lines: HashMap<IpAddr, VecDeque<(u64, T)>>,
    order: VecDeque<IpAddr>,
    taken: u64,
}

impl<T> Default for Turns<T> {
    fn default() -> Self {
        Self {
            lines: HashMap::new(),
            order: VecDeque::new(),
            taken: 0,
        }
    }
}

impl<T> Turns<T> {
    pub fn push(&mut self, address: IpAddr, item: T) {
        let line = self.lines.entry(address).or_default();
        if line.is_empty() {
            self.order.push_back(address);
        }
        line.push_back((self.taken, item));
    }

    /// The next item: the first of the line whose turn it is, and how many items were taken
    /// out while it waited.
    pub fn pop(&mut self) -> Option<(T, u64)> {
        let address = self.order.pop_front()?;
        let line = self.lines.get_mut(&address)?;
        let (since, item) = line.pop_front()?;
        if line.is_empty() {
            self.lines.remove(&address);
        } else {
            self.order.push_back(address);
        }
        let waited = self.taken - since;
        self.taken += 1;
        Some((item, waited))
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

/// Hands a request's answer over; `false` when the commit it waited for failed.
type Deliver = Box<dyn FnOnce(bool) + Send>;

struct Job {
    run: Box<dyn FnOnce(u64) -> Deliver + Send>,
    /// May share its group's commit.
    grouped: bool,
}

/// A transaction that grouped requests share, opened before the first and committed after
/// the last of them (see the module).
pub trait Group: Send + 'static {
    /// Opens the shared transaction; when it cannot, each request commits on its own.
    fn begin(&self) -> bool;
    /// Commits it; `false` when that failed (none of the group's requests took effect).
    fn commit(&self) -> bool;
}

/// The most requests that share one commit: their answers wait for the last of them.
pub const MAX_GROUP: usize = 64;

struct Queue {
    turns: Turns<Job>,
    /// The worker waits for work (only then does a push need to wake it).
    idle: bool,
    closed: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The request thread. Dropping the executor lets the thread finish what is queued and end.
pub struct Executor {
    shared: Arc<Shared>,
}

/// The request was dropped before it ran (the server is stopping), or the commit it shared
/// failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dropped;

impl Executor {
    pub fn start() -> std::io::Result<Self> {
        Self::start_grouping(None)
    }

    /// The request thread; with `group`, the requests run as grouped share its commits.
    pub fn start_grouping(group: Option<Box<dyn Group>>) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                turns: Turns::default(),
                idle: false,
                closed: false,
            }),
            wake: Condvar::new(),
        });
        let worker = shared.clone();
        std::thread::Builder::new()
            .name("coffer-requests".into())
            .spawn(move || work(&worker, group.as_deref()))?;
        Ok(Self { shared })
    }

    /// Runs `f` on the request thread in `address`'s turn; returns its result and how many
    /// other requests ran while it waited.
    pub async fn run<R: Send + 'static>(
        &self,
        address: IpAddr,
        f: impl FnOnce() -> R + Send + 'static,
    ) -> Result<(R, u64), Dropped> {
        self.run_as(address, false, f).await
    }

    /// [`Executor::run`]; with `grouped`, `f` may run inside a group and its result is
    /// handed over once the group has committed (`Dropped` if that commit failed).
    pub async fn run_as<R: Send + 'static>(
        &self,
        address: IpAddr,
        grouped: bool,
        f: impl FnOnce() -> R + Send + 'static,
    ) -> Result<(R, u64), Dropped> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job = Job {
            run: Box::new(move |waited| {
                let result = f();
                Box::new(move |committed| {
                    if committed {
                        let _ = tx.send((result, waited));
                    }
                })
            }),
            grouped,
        };
        let wake = {
            let mut q = self.shared.lock();
            q.turns.push(address, job);
            std::mem::replace(&mut q.idle, false)
        };
        if wake {
            self.shared.wake.notify_one();
        }
        rx.await.map_err(|_| Dropped)
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.wake.notify_one();
    }
}

/// The open group's answers, handed over once it has committed.
struct Open<'g> {
    group: &'g dyn Group,
    answers: Vec<Deliver>,
}

impl Open<'_> {
    fn commit(self) {
        let committed = self.group.commit();
        for deliver in self.answers {
            deliver(committed);
        }
    }
}

fn work(shared: &Shared, group: Option<&dyn Group>) {
    let mut open: Option<Open<'_>> = None;
    loop {
        let next = {
            let mut q = shared.lock();
            loop {
                if let Some(next) = q.turns.pop() {
                    break Some(next);
                }
                // Nothing more queued: the group commits before the thread waits.
                if open.is_some() {
                    break None;
                }
                if q.closed {
                    return;
                }
                q.idle = true;
                q = shared.wake.wait(q).unwrap_or_else(|e| e.into_inner());
            }
        };
        let Some((job, waited)) = next else {
            if let Some(o) = open.take() {
                o.commit();
            }
            continue;
        };
        let ends_group =
            !job.grouped || open.as_ref().is_some_and(|o| o.answers.len() >= MAX_GROUP);
        if ends_group && let Some(o) = open.take() {
            o.commit();
        }
        if job.grouped && open.is_none() {
            open = group.filter(|g| g.begin()).map(|group| Open {
                group,
                answers: Vec::new(),
            });
        }
        let deliver = (job.run)(waited);
        match open.as_mut() {
            Some(o) if job.grouped => o.answers.push(deliver),
            _ => deliver(true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_flooding_address_makes_another_wait_for_one_of_its_requests_at_most() {
        let mut t = Turns::default();
        let (flood, other) = (ip("192.0.2.1"), ip("192.0.2.2"));
        for i in 0..100 {
            t.push(flood, ("flood", i));
        }
        t.push(other, ("other", 0));
        t.push(other, ("other", 1));
        let order: Vec<_> = std::iter::from_fn(|| t.pop()).collect();
        let others: Vec<_> = order
            .iter()
            .enumerate()
            .filter(|(_, ((who, _), _))| *who == "other")
            .collect();
        // The other address's two requests are the 2nd and 4th out, each after one flood
        // request, although 100 were queued before them.
        assert_eq!(others.len(), 2);
        assert_eq!(others[0].0, 1);
        assert_eq!(others[1].0, 3);
        assert_eq!((others[0].1).1, 1);
        // The flood's own requests come out in order, each having waited its turn.
        let flood: Vec<i32> = order
            .iter()
            .filter(|((who, _), _)| *who == "flood")
            .map(|((_, i), _)| *i)
            .collect();
        assert_eq!(flood, (0..100).collect::<Vec<_>>());
        assert!(t.is_empty());
    }

    #[test]
    fn one_address_alone_is_served_first_come_first_served() {
        let mut t = Turns::default();
        for i in 0..5 {
            t.push(ip("127.0.0.1"), i);
        }
        let order: Vec<_> = std::iter::from_fn(|| t.pop()).collect();
        assert_eq!(order, vec![(0, 0), (1, 1), (2, 2), (3, 3), (4, 4)]);
    }

    /// A group that writes down when it begins and commits, and commits as told.
    struct Recorded {
        log: Arc<Mutex<Vec<String>>>,
        commits: bool,
    }

    impl Group for Recorded {
        fn begin(&self) -> bool {
            self.log.lock().unwrap().push("begin".into());
            true
        }
        fn commit(&self) -> bool {
            self.log.lock().unwrap().push("commit".into());
            self.commits
        }
    }

    /// Queues, from one address, a job that holds the thread until the others are queued,
    /// then `jobs` (name, grouped); returns each one's answer, in order.
    fn queue_behind_a_busy_thread(
        commits: bool,
        jobs: &[(&'static str, bool)],
    ) -> (Vec<String>, Vec<Result<&'static str, Dropped>>) {
        use std::future::Future;
        let log = Arc::new(Mutex::new(Vec::new()));
        let executor = Executor::start_grouping(Some(Box::new(Recorded {
            log: log.clone(),
            commits,
        })))
        .unwrap();
        let (release, held) = std::sync::mpsc::channel::<()>();
        let busy = {
            let log = log.clone();
            executor.run(ip("127.0.0.1"), move || {
                held.recv().unwrap();
                log.lock().unwrap().push("busy".into());
                "busy"
            })
        };
        let mut futures: Vec<std::pin::Pin<Box<dyn Future<Output = _>>>> = vec![Box::pin(busy)];
        for &(name, grouped) in jobs {
            let log = log.clone();
            futures.push(Box::pin(executor.run_as(
                ip("127.0.0.1"),
                grouped,
                move || {
                    log.lock().unwrap().push(name.into());
                    name
                },
            )));
        }
        // A first poll queues each job, in order, while the busy one holds the thread.
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        for f in &mut futures {
            assert!(f.as_mut().poll(&mut cx).is_pending());
        }
        release.send(()).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let answers = futures
            .into_iter()
            .map(|f| rt.block_on(f).map(|(name, _)| name))
            .collect();
        let log = log.lock().unwrap().clone();
        (log, answers)
    }

    #[test]
    fn reads_queued_together_share_one_commit_and_a_change_ends_their_group_before_it_runs() {
        let (log, answers) = queue_behind_a_busy_thread(
            true,
            &[
                ("r1", true),
                ("r2", true),
                ("r3", true),
                ("w", false),
                ("r4", true),
            ],
        );
        assert_eq!(
            log,
            [
                "busy", "begin", "r1", "r2", "r3", "commit", "w", "begin", "r4", "commit"
            ]
        );
        assert_eq!(
            answers,
            [Ok("busy"), Ok("r1"), Ok("r2"), Ok("r3"), Ok("w"), Ok("r4")]
        );
    }

    #[test]
    fn no_answer_of_a_group_whose_commit_failed_is_handed_over() {
        let (log, answers) =
            queue_behind_a_busy_thread(false, &[("r1", true), ("r2", true), ("w", false)]);
        assert_eq!(log, ["busy", "begin", "r1", "r2", "commit", "w"]);
        assert_eq!(answers, [Ok("busy"), Err(Dropped), Err(Dropped), Ok("w")]);
    }

    #[test]
    fn a_group_holds_at_most_max_group_requests() {
        let jobs = vec![("r", true); MAX_GROUP + 1];
        let (log, answers) = queue_behind_a_busy_thread(true, &jobs);
        let commits: Vec<usize> = log
            .iter()
            .enumerate()
            .filter(|(_, l)| *l == "commit")
            .map(|(i, _)| i)
            .collect();
        // busy, begin, MAX_GROUP reads, commit; then begin, the last read, commit.
        assert_eq!(commits, [MAX_GROUP + 2, MAX_GROUP + 5]);
        assert!(answers.iter().all(Result::is_ok));
    }

    #[test]
    fn the_executor_runs_jobs_on_its_own_thread() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let executor = Executor::start().unwrap();
        let (name, waited) = rt
            .block_on(executor.run(ip("127.0.0.1"), || {
                std::thread::current().name().map(str::to_string)
            }))
            .unwrap();
        assert_eq!(name.as_deref(), Some("coffer-requests"));
        assert_eq!(waited, 0);
    }
}
