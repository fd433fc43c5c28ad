//! What one client may take of the endpoint: how long it may take to send a request, how
//! many connections it may hold, and when connections are refused.
//!
//! "One client cannot monopolize the endpoint" means here, for a client identified by its
//! source address (every local program shares 127.0.0.1, so on loopback the address is all
//! local clients together):
//! - **time**: a request's head must arrive within [`Limits::header_timeout`] of the
//!   connection being ready for it (an idle keep-alive connection is closed after as long),
//!   and its body within [`Limits::body_timeout`]; a client that trickles bytes loses its
//!   connection instead of holding it;
//! - **connections**: at most [`Limits::max_connections`] in all and
//!   [`Limits::max_connections_per_address`] from one address, so that one host filling its
//!   share leaves the rest to others; a connection over either cap is closed at once;
//! - **turns**: requests are carried out one at a time, taking turns between source
//!   addresses ([`super::fair`]), so a client with many connections and an endless stream of
//!   requests makes another address's request wait for at most one of its own.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The endpoint's limits; [`Limits::default`] is what `coffer serve` uses unless told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The time a request's head (request line and headers) may take to arrive, counted
    /// from when the connection is ready for it; also how long an idle connection is kept.
    pub header_timeout: Duration,
    /// The time a request's body may take to arrive once its head has.
    pub body_timeout: Duration,
    /// Connections open at once, from everyone.
    pub max_connections: usize,
    /// Connections open at once from one source address.
    pub max_connections_per_address: usize,
    /// After a shutdown signal, how long requests already being answered may take to finish
    /// before their connections are dropped. A connection with no request in progress is
    /// closed at once.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_connections_per_address: 128,
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

impl Limits {
    /// Refuses limits that would make the endpoint unusable (a zero cap or timeout).
    pub fn check(&self) -> Result<(), String> {
        if self.header_timeout.is_zero() || self.body_timeout.is_zero() {
            return Err("the header and body timeouts must be longer than zero".into());
        }
        if self.max_connections == 0 || self.max_connections_per_address == 0 {
            return Err("the connection caps must be at least 1".into());
        }
        Ok(())
    }
}

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// [`Limits::max_connections`] are open.
    Full,
    /// [`Limits::max_connections_per_address`] are open from this address.
    AddressFull,
}

impl Refused {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "connection cap reached",
            Self::AddressFull => "connection cap for this address reached",
        }
    }
}

/// Admits connections within the caps; each admitted connection holds a [`Slot`] until it
/// closes.
#[derive(Debug)]
pub struct Gate {
    max: usize,
    per_address: usize,
    open: Mutex<Open>,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// An admitted connection's place; dropping it frees the place.
#[derive(Debug)]
pub struct Slot {
    gate: Arc<Gate>,
    address: IpAddr,
    /// Connections open, this one included, when it was admitted.
    open_at_admission: usize,
}

impl Gate {
    pub fn new(limits: &Limits) -> Arc<Self> {
        Arc::new(Self {
            max: limits.max_connections,
            per_address: limits.max_connections_per_address,
            open: Mutex::new(Open::default()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Open> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A slot for a connection from `address`, or why there is none.
    pub fn admit(self: &Arc<Self>, address: IpAddr) -> Result<Slot, Refused> {
        let mut open = self.lock();
        if open.total >= self.max {
            return Err(Refused::Full);
        }
        let n = open.by_address.entry(address).or_default();
        if *n >= self.per_address {
            return Err(Refused::AddressFull);
        }
        *n += 1;
        open.total += 1;
        Ok(Slot {
            gate: self.clone(),
            address,
            open_at_admission: open.total,
        })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.lock().total
    }
}

impl Slot {
    /// Connections open, this one included, when this one was admitted: what the AWS
    /// Secrets Manager Agent holds each connection's requests to (`validate_max_conn`).
    pub fn open_at_admission(&self) -> usize {
        self.open_at_admission
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.gate.lock();
        open.total -= 1;
        if let Some(n) = open.by_address.get_mut(&self.address) {
            *n -= 1;
            if *n == 0 {
                open.by_address.remove(&self.address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max: usize, per_address: usize) -> Limits {
        Limits {
            max_connections: max,
            max_connections_per_address: per_address,
            ..Limits::default()
        }
    }

    #[test]
    fn one_address_cannot_take_more_than_its_share_of_connections() {
        let gate = Gate::new(&limits(10, 3));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let held: Vec<Slot> = (0..3).map(|_| gate.admit(a).unwrap()).collect();
        assert_eq!(gate.admit(a).unwrap_err(), Refused::AddressFull);
        let other = gate.admit(b).expect("another address still gets in");
        drop(held);
        assert_eq!(gate.open(), 1);
        gate.admit(a).expect("a closed connection frees its place");
        drop(other);
    }

    #[test]
    fn the_total_cap_holds_across_addresses_and_frees_on_close() {
        let gate = Gate::new(&limits(2, 2));
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "::1".parse().unwrap();
        let first = gate.admit(a).unwrap();
        let _second = gate.admit(b).unwrap();
        assert_eq!(gate.admit(b).unwrap_err(), Refused::Full);
        drop(first);
        gate.admit(b).expect("a freed place is given again");
    }

    #[test]
    fn zero_caps_and_timeouts_are_refused() {
        assert!(Limits::default().check().is_ok());
        assert!(limits(0, 1).check().is_err());
        assert!(limits(1, 0).check().is_err());
        let l = Limits {
            body_timeout: Duration::ZERO,
            ..Limits::default()
        };
        assert!(l.check().is_err());
    }
}
