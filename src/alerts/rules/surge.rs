//! Windowed rates against a trailing baseline: the test behind the directional `spike`
//! (complaints or praise in a week), `topic_surge` (one aspect's complaints in a fortnight) and
//! `silence` (a platform far quieter than usual). Pure functions over `(day, count)` series.
//!
//! The test is the same everywhere, and chosen to stay quiet on ordinary weeks at any size of
//! business: the count in the window is compared with a Poisson model of the series' *own*
//! trailing rate, and fires only when the tail probability is tiny (one in a million by default)
//! *and* the count reaches a minimum. A fixed ratio ("three times the usual") cries wolf at a
//! quiet café, where two complaints instead of zero is "infinitely" more, and misses a real surge
//! at a busy one; a tail probability scales with the volume. The baseline rate gets one extra
//! item per period (add-one smoothing): three months without a complaint do not make a complaint
//! impossible, so one week of five is rare, not infinitely rare.

use serde_json::json;

use super::poisson_tail;

/// P(X ≤ k) for X ~ Poisson(λ), summed from k downward in log space so it stays accurate for tiny
/// probabilities and large λ (where e^-λ alone underflows).
pub fn poisson_cdf(k: i64, lambda: f64) -> f64 {
    if k < 0 {
        return 0.0;
    }
    if lambda <= 0.0 {
        return 1.0;
    }
    let ln_fact: f64 = (2..=k).map(|i| (i as f64).ln()).sum();
    let mut term = (k as f64 * lambda.ln() - lambda - ln_fact).exp();
    let mut sum = 0.0;
    let mut i = k;
    while i >= 0 {
        sum += term;
        if term <= sum * 1e-15 || term == 0.0 {
            break;
        }
        term *= i as f64 / lambda;
        i -= 1;
    }
    sum.min(1.0)
}

/// Settings of one windowed test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowParams {
    /// Days in the window tested (a week for spikes, a fortnight for topics).
    pub window_days: i64,
    /// Days before the window that set the usual rate.
    pub baseline_days: i64,
    /// Never an alert below this many items in the window, however small the baseline.
    pub min_items: i64,
    /// Tail probability at or below which the window is unusual.
    pub max_p: f64,
}

/// One run of consecutive unusual windows: the figures of the first (the window that raised the
/// alert, and dates it) and the last day still unusual.
#[derive(Debug, Clone, PartialEq)]
pub struct Surge {
    /// The first unusual window, days `[start, end]` inclusive.
    pub start: i64,
    pub end: i64,
    pub count: i64,
    /// Items the baseline rate expects in the window.
    pub expected: f64,
    pub baseline_start: i64,
    pub baseline_end: i64,
    pub baseline_count: i64,
    pub p_value: f64,
    /// The last day whose window was still unusual.
    pub last_day: i64,
}

impl Surge {
    /// `details.evidence` of the alert: the windows, the test and its statistic.
    pub fn evidence(&self, test: &str, review_ids: &[i64]) -> serde_json::Value {
        let date = |d: i64| super::time(d * 86_400).date_naive().to_string();
        let days = self.end - self.start + 1;
        let base_days = self.baseline_end - self.baseline_start + 1;
        json!({
            "test": test,
            "statistic": { "p_value": self.p_value, "count": self.count,
                           "expected": super::round2(self.expected) },
            "window": { "start": date(self.start), "end": date(self.end), "days": days,
                        "count": self.count },
            "baseline": { "start": date(self.baseline_start), "end": date(self.baseline_end),
                          "days": base_days, "count": self.baseline_count,
                          "per_day": super::round2(self.expected / days as f64) },
            "review_ids": review_ids,
        })
    }
}

/// Running totals of a day series, for O(1) window counts.
struct Cumulative {
    first: i64,
    sums: Vec<i64>,
}

impl Cumulative {
    fn new(days: &[(i64, i64)], first: i64, last: i64) -> Cumulative {
        let len = (last - first + 2).max(1) as usize;
        let mut sums = vec![0i64; len];
        for &(d, n) in days {
            if d >= first && d <= last {
                sums[(d - first + 1) as usize] += n;
            }
        }
        for i in 1..len {
            sums[i] += sums[i - 1];
        }
        Cumulative { first, sums }
    }

    /// Items in days `[from, to]`, clipped to the series.
    fn count(&self, from: i64, to: i64) -> i64 {
        let idx = |d: i64| (d - self.first + 1).clamp(0, self.sums.len() as i64 - 1) as usize;
        self.sums[idx(to)] - self.sums[idx(from - 1)]
    }
}

/// Which way a window is unusual.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tail {
    /// Far more than usual (spikes, surges).
    Upper,
    /// Far fewer than usual (silence).
    Lower,
}

fn scan(
    days: &[(i64, i64)],
    history_from: i64,
    today: i64,
    p: &WindowParams,
    tail: Tail,
) -> Vec<Surge> {
    let w = p.window_days.max(1);
    let b = p.baseline_days.max(1);
    // The first window whose whole baseline lies inside the history: before that the "usual
    // rate" would count days the owner had no data for as silent ones.
    let first_end = history_from + b + w - 1;
    if today < first_end {
        return Vec::new();
    }
    let cum = Cumulative::new(days, history_from, today);
    let mut out: Vec<Surge> = Vec::new();
    let mut in_run = false;
    for d in first_end..=today {
        let (start, base_end) = (d - w + 1, d - w);
        let base_start = base_end - b + 1;
        let k = cum.count(start, d);
        let base = cum.count(base_start, base_end);
        let (unusual, p_value, expected) = match tail {
            Tail::Upper => {
                let expected = (base as f64 + 1.0) / b as f64 * w as f64;
                let pv = poisson_tail(k, expected);
                (k >= p.min_items && pv <= p.max_p, pv, expected)
            }
            Tail::Lower => {
                // Silence needs a baseline worth the name: `min_items` in the baseline, no
                // smoothing (it would only make silence likelier to look unusual).
                let expected = base as f64 / b as f64 * w as f64;
                let pv = poisson_cdf(k, expected);
                (base >= p.min_items && pv <= p.max_p, pv, expected)
            }
        };
        if !unusual {
            in_run = false;
            continue;
        }
        if in_run {
            if let Some(last) = out.last_mut() {
                last.last_day = d;
            }
            continue;
        }
        in_run = true;
        out.push(Surge {
            start,
            end: d,
            count: k,
            expected,
            baseline_start: base_start,
            baseline_end: base_end,
            baseline_count: base,
            p_value,
            last_day: d,
        });
    }
    out
}

/// Runs of windows with far more items than the series' own trailing rate, for every window
/// ending from `history_from + baseline + window − 1` to `today` (days since the epoch).
/// `days` is `(day, count)`, any order; days absent count zero.
pub fn surges(days: &[(i64, i64)], history_from: i64, today: i64, p: &WindowParams) -> Vec<Surge> {
    scan(days, history_from, today, p, Tail::Upper)
}

/// Runs of windows with far fewer items than the series' own trailing rate (`min_items` is then
/// the baseline's minimum).
pub fn lulls(days: &[(i64, i64)], history_from: i64, today: i64, p: &WindowParams) -> Vec<Surge> {
    scan(days, history_from, today, p, Tail::Lower)
}
