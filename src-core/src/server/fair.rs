//! The thread that carries out the endpoint's requests, one at a time, taking turns between
//! source addresses.
//!
//! The vault answers one request at a time anyway (behind its lock); on one thread the
//! requests queue and the thread never sleeps under load. The queue is not first come,
//! first served: each source address has its own line and the lines take turns, one request
//! each. A connection has at most one request waiting (HTTP/1.1 answers in order), so a
//! client that opens many connections and sends without pause lengthens only its own line:
//! another address's request waits for at most one request from each other address.

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

type Job = Box<dyn FnOnce(u64) + Send>;

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

/// The request was dropped before it ran (the server is stopping).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dropped;

impl Executor {
    pub fn start() -> std::io::Result<Self> {
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
            .spawn(move || work(&worker))?;
        Ok(Self { shared })
    }

    /// Runs `f` on the request thread in `address`'s turn; returns its result and how many
    /// other requests ran while it waited.
    pub async fn run<R: Send + 'static>(
        &self,
        address: IpAddr,
        f: impl FnOnce() -> R + Send + 'static,
    ) -> Result<(R, u64), Dropped> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |waited| {
            let _ = tx.send((f(), waited));
        });
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

fn work(shared: &Shared) {
    loop {
        let next = {
            let mut q = shared.lock();
            loop {
                if let Some(next) = q.turns.pop() {
                    break next;
                }
                if q.closed {
                    return;
                }
                q.idle = true;
                q = shared.wake.wait(q).unwrap_or_else(|e| e.into_inner());
            }
        };
        let (job, waited) = next;
        job(waited);
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
