//! The one deadline helper. Every network wait runs through [`Deadline::run`] (a passed deadline
//! is a `timeout` error naming the phase, the target and the budget) or [`Deadline::race`]
//! (a passed deadline is an answer: a read returns what arrived, a wait returns nothing).
//!
//! A deadline is an instant plus the budget it was set from, so that one connect deadline can
//! cover DNS, TCP, the proxy and TLS handshakes, and each of them still says "timed out after
//! 30s" about the whole budget rather than the part that was left.

use std::future::Future;
use std::time::Duration;

use tokio::time::{Instant, timeout_at};

use super::error::{Error, Phase, Result};

/// When a wait ends; [`Deadline::NONE`] never does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Deadline {
    at: Option<Instant>,
    budget: Duration,
}

impl Deadline {
    /// No limit: waits for the future, however long it takes.
    pub(crate) const NONE: Deadline = Deadline {
        at: None,
        budget: Duration::ZERO,
    };

    /// `budget` from now.
    pub(crate) fn after(budget: Duration) -> Deadline {
        Deadline {
            at: Some(Instant::now() + budget),
            budget,
        }
    }

    /// `budget` from now, or no limit for `None`.
    pub(crate) fn within(budget: Option<Duration>) -> Deadline {
        budget.map_or(Deadline::NONE, Deadline::after)
    }

    /// Whether the deadline has come.
    pub(crate) fn passed(&self) -> bool {
        self.at.is_some_and(|at| Instant::now() >= at)
    }

    /// Runs `fut` until the deadline; past it, a `timeout` error in `phase` naming `peer`.
    pub(crate) async fn run<F: Future>(
        &self,
        phase: Phase,
        peer: &str,
        fut: F,
    ) -> Result<F::Output> {
        self.race(fut)
            .await
            .ok_or_else(|| self.timeout_error(phase, peer))
    }

    /// The error of a wait in `phase` that this deadline ended: it names the whole budget.
    pub(crate) fn timeout_error(&self, phase: Phase, peer: &str) -> Error {
        Error::timeout(phase, peer, self.budget)
    }

    /// The budget the deadline was set from.
    pub(crate) fn budget(&self) -> Duration {
        self.budget
    }

    /// Runs `fut` until the deadline; `None` when the deadline came first.
    pub(crate) async fn race<F: Future>(&self, fut: F) -> Option<F::Output> {
        match self.at {
            Some(at) => timeout_at(at, fut).await.ok(),
            None => Some(fut.await),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passed_deadline_names_the_whole_budget() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let d = Deadline::after(Duration::from_millis(20));
            let e = d
                .run(Phase::Connect, "h:1", std::future::pending::<()>())
                .await
                .unwrap_err();
            assert_eq!(e.to_string(), "connect to h:1: timed out after 20ms");
            assert_eq!(d.race(std::future::pending::<()>()).await, None);
            assert_eq!(Deadline::NONE.race(async { 7 }).await, Some(7));
        });
    }
}
