//! Request counters and latency histograms for `/metrics` (Prometheus text format).

use std::collections::BTreeMap;

#[derive(Default)]
pub struct Metrics {
    requests: BTreeMap<(String, u16), u64>,
    latency: BTreeMap<String, ([u64; LATENCY_BUCKETS.len()], u64, f64)>,
    pub cache_hits: u64,
    pub cache_misses: u64,
    /// Computations run on the blocking pool (identical concurrent requests share one).
    pub computations: u64,
    /// Computations stopped because nobody waited for them any more.
    pub cancelled: u64,
    /// Requests in flight (started, not yet answered).
    pub in_flight: u64,
}

const LATENCY_BUCKETS: [f64; 11] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

impl Metrics {
    pub fn record(&mut self, route: &str, status: u16, seconds: f64) {
        *self
            .requests
            .entry((route.to_string(), status))
            .or_default() += 1;
        let e =
            self.latency
                .entry(route.to_string())
                .or_insert(([0; LATENCY_BUCKETS.len()], 0, 0.0));
        for (i, b) in LATENCY_BUCKETS.iter().enumerate() {
            if seconds <= *b {
                e.0[i] += 1;
            }
        }
        e.1 += 1;
        e.2 += seconds;
    }

    /// Prometheus text exposition format.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        s.push_str("# HELP nabij_requests_total HTTP requests by route and status.\n# TYPE nabij_requests_total counter\n");
        for ((route, status), n) in &self.requests {
            let _ = writeln!(
                s,
                "nabij_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        s.push_str("# HELP nabij_request_seconds Request latency by route.\n# TYPE nabij_request_seconds histogram\n");
        for (route, (buckets, count, sum)) in &self.latency {
            for (i, b) in LATENCY_BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "nabij_request_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {}",
                    buckets[i]
                );
            }
            let _ = writeln!(
                s,
                "nabij_request_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(s, "nabij_request_seconds_sum{{route=\"{route}\"}} {sum}");
            let _ = writeln!(
                s,
                "nabij_request_seconds_count{{route=\"{route}\"}} {count}"
            );
        }
        s.push_str("# HELP nabij_cache_hits_total Answers served from the cache.\n# TYPE nabij_cache_hits_total counter\n");
        let _ = writeln!(s, "nabij_cache_hits_total {}", self.cache_hits);
        s.push_str("# HELP nabij_cache_misses_total Answers computed.\n# TYPE nabij_cache_misses_total counter\n");
        let _ = writeln!(s, "nabij_cache_misses_total {}", self.cache_misses);
        s.push_str("# HELP nabij_computations_total Computations run (identical requests in flight share one).\n# TYPE nabij_computations_total counter\n");
        let _ = writeln!(s, "nabij_computations_total {}", self.computations);
        s.push_str("# HELP nabij_computations_cancelled_total Computations stopped because their client left or their time limit passed.\n# TYPE nabij_computations_cancelled_total counter\n");
        let _ = writeln!(s, "nabij_computations_cancelled_total {}", self.cancelled);
        s
    }
}
