//! Reconnection delays as socket.io-client computes them: base 1 s doubling to
//! a 5 s cap, with ±50 % jitter.

use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
    pub jitter: f64,
    attempt: u32,
    rng: u64,
}

impl Backoff {
    pub fn new(base: Duration, max: Duration, jitter: f64, seed: u64) -> Self {
        Backoff {
            base,
            max,
            jitter,
            attempt: 0,
            rng: seed | 1,
        }
    }

    /// socket.io-client's defaults.
    pub fn reference(seed: u64) -> Self {
        Self::new(Duration::from_millis(1000), Duration::from_millis(5000), 0.5, seed)
    }

    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// A uniform number in [0, 1) from xorshift; jitter needs no better randomness.
    fn uniform(&mut self) -> f64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The delay before the next attempt.
    pub fn next_delay(&mut self) -> Duration {
        let base = self.base.as_millis() as f64;
        let mut ms = base * 2f64.powi(self.attempt.min(31) as i32);
        self.attempt += 1;
        if self.jitter > 0.0 {
            let r = self.uniform();
            let deviation = (r * self.jitter * ms).floor();
            ms = if ((r * 10.0).floor() as u64).is_multiple_of(2) {
                ms - deviation
            } else {
                ms + deviation
            };
        }
        Duration::from_millis(ms.min(self.max.as_millis() as f64).max(0.0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_follow_the_reference_ranges() {
        for seed in 1..200u64 {
            let mut b = Backoff::reference(seed * 7919);
            let d: Vec<u64> = (0..5).map(|_| b.next_delay().as_millis() as u64).collect();
            assert!((500..=1500).contains(&d[0]), "{d:?}");
            assert!((1000..=3000).contains(&d[1]), "{d:?}");
            assert!((2000..=5000).contains(&d[2]), "{d:?}");
            assert!(d[3] <= 5000 && d[4] <= 5000, "{d:?}");
        }
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(1), 0.0, 1);
        assert_eq!(b.next_delay(), Duration::from_millis(100));
        assert_eq!(b.next_delay(), Duration::from_millis(200));
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_millis(100));
    }
}
