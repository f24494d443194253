//! Faults on demand, for the host's reliability tests: latency, error
//! statuses, hangs, lost answers and rate limiting. Shares are drawn from a
//! seeded generator, so a run with the same seed and requests repeats itself;
//! `fail_next` and `drop_next` are exact.

use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// What to break. Applies to Kasm's API paths only, never to `/_sim/`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added before every answer, in milliseconds.
    pub latency_ms: u64,
    /// Share (0–1) of requests answered with an error status before Kasm's code runs.
    pub error_rate: f64,
    /// The statuses used for errors, in turn.
    pub error_statuses: Vec<u16>,
    /// Exactly the next N requests get an error status.
    pub fail_next: u32,
    /// Share of requests that hang for `hang_ms` and are then processed (the
    /// client has usually given up by then: did the change happen or not?).
    pub hang_rate: f64,
    /// How long a hang lasts, in milliseconds.
    pub hang_ms: u64,
    /// Share of requests that are processed but whose answer is lost (connection dropped).
    pub drop_rate: f64,
    /// Exactly the next N requests are processed and lose their answer.
    pub drop_next: u32,
    /// At most this many requests per second; more get 429 with `Retry-After`.
    pub rate_limit: Option<u32>,
    /// Seed for the shares.
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency_ms: 0,
            error_rate: 0.0,
            error_statuses: vec![500, 502, 503],
            fail_next: 0,
            hang_rate: 0.0,
            hang_ms: 30_000,
            drop_rate: 0.0,
            drop_next: 0,
            rate_limit: None,
            seed: 1,
        }
    }
}

/// What to do with one request.
#[derive(Debug, Default, PartialEq)]
pub struct Decision {
    /// Wait this long first (latency).
    pub delay: Duration,
    /// Then hang this long before processing, whether or not the client waits.
    pub hang: Duration,
    /// Answer 429 (rate limited) without processing.
    pub limited: bool,
    /// Answer this status without processing.
    pub fail: Option<u16>,
    /// Process, then drop the connection instead of answering.
    pub drop_answer: bool,
}

/// Faults with their running state.
#[derive(Debug)]
pub struct FaultState {
    config: Faults,
    rng: u64,
    errors_sent: usize,
    window: (Instant, u32),
}

impl FaultState {
    /// Starts from a configuration.
    pub fn new(config: Faults) -> Self {
        let rng = config.seed.max(1);
        FaultState {
            config,
            rng,
            errors_sent: 0,
            window: (Instant::now(), 0),
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> &Faults {
        &self.config
    }

    /// A number in [0, 1) from xorshift64.
    fn draw(&mut self) -> f64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Decides the fate of the next request.
    pub fn decide(&mut self) -> Decision {
        let mut d = Decision {
            delay: Duration::from_millis(self.config.latency_ms),
            ..Decision::default()
        };
        if let Some(limit) = self.config.rate_limit {
            let now = Instant::now();
            if now.duration_since(self.window.0) >= Duration::from_secs(1) {
                self.window = (now, 0);
            }
            self.window.1 += 1;
            if self.window.1 > limit {
                d.limited = true;
                return d;
            }
        }
        let fail = if self.config.fail_next > 0 {
            self.config.fail_next -= 1;
            true
        } else {
            self.draw() < self.config.error_rate
        };
        if fail && !self.config.error_statuses.is_empty() {
            let i = self.errors_sent % self.config.error_statuses.len();
            self.errors_sent += 1;
            d.fail = self.config.error_statuses.get(i).copied();
            return d;
        }
        if self.draw() < self.config.hang_rate {
            d.hang = Duration::from_millis(self.config.hang_ms);
        }
        d.drop_answer = if self.config.drop_next > 0 {
            self.config.drop_next -= 1;
            true
        } else {
            self.draw() < self.config.drop_rate
        };
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_counters_then_nothing() {
        let mut f = FaultState::new(Faults {
            fail_next: 2,
            drop_next: 1,
            ..Faults::default()
        });
        assert_eq!(f.decide().fail, Some(500));
        assert_eq!(f.decide().fail, Some(502));
        let d = f.decide();
        assert_eq!((d.fail, d.drop_answer), (None, true));
        assert_eq!(f.decide(), Decision::default());
    }

    #[test]
    fn shares_are_roughly_right_and_repeatable() {
        let run = || {
            let mut f = FaultState::new(Faults {
                error_rate: 0.25,
                seed: 7,
                ..Faults::default()
            });
            (0..4000).filter(|_| f.decide().fail.is_some()).count()
        };
        let n = run();
        assert!((800..1200).contains(&n), "{n}");
        assert_eq!(n, run());
    }

    #[test]
    fn rate_limit_counts_per_second() {
        let mut f = FaultState::new(Faults {
            rate_limit: Some(3),
            ..Faults::default()
        });
        let limited = (0..5).filter(|_| f.decide().limited).count();
        assert_eq!(limited, 2);
    }
}
