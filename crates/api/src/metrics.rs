//! Request counts and latencies by route and status, rendered as Prometheus text.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{get, web, Error, HttpResponse};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum_seconds: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Shared request statistics.
#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let Ok(mut series) = self.series.lock() else { return };
        let s = series.entry((method.to_owned(), route.to_owned(), status)).or_default();
        s.count += 1;
        s.sum_seconds += seconds;
        for (bucket, bound) in s.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
    }

    /// The Prometheus text exposition of everything observed so far.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP salesops_http_requests_total HTTP requests by method, route and status.\n");
        out.push_str("# TYPE salesops_http_requests_total counter\n");
        let Ok(series) = self.series.lock() else { return out };
        for ((method, route, status), s) in series.iter() {
            let _ = writeln!(
                out,
                "salesops_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {}",
                s.count
            );
        }
        out.push_str("# HELP salesops_http_request_duration_seconds HTTP request latency.\n");
        out.push_str("# TYPE salesops_http_request_duration_seconds histogram\n");
        for ((method, route, status), s) in series.iter() {
            let labels = format!("method=\"{method}\",route=\"{route}\",status=\"{status}\"");
            for (count, bound) in s.buckets.iter().zip(BUCKETS) {
                let _ =
                    writeln!(out, "salesops_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}");
            }
            let _ = writeln!(out, "salesops_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", s.count);
            let _ = writeln!(out, "salesops_http_request_duration_seconds_sum{{{labels}}} {}", s.sum_seconds);
            let _ = writeln!(out, "salesops_http_request_duration_seconds_count{{{labels}}} {}", s.count);
        }
        out
    }
}

/// Middleware: time each request and record it under its route pattern (not its
/// concrete path, so ids do not explode the series).
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let response = next.call(req).await?;
    if let Some(metrics) = metrics {
        let route = response.request().match_pattern().unwrap_or_else(|| "unmatched".to_owned());
        metrics.observe(&method, &route, response.status().as_u16(), started.elapsed().as_secs_f64());
    }
    Ok(response)
}

/// Prometheus metrics.
#[get("/metrics")]
pub async fn render_metrics(metrics: web::Data<Metrics>) -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(metrics.render())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observations_land_in_counters_and_buckets() {
        let m = Metrics::default();
        m.observe("GET", "/api/v1/leads/{id}", 200, 0.003);
        let text = m.render();
        assert!(
            text.contains(r#"salesops_http_requests_total{method="GET",route="/api/v1/leads/{id}",status="200"} 1"#)
        );
        assert!(text.contains(r#"le="0.0025"} 0"#));
        assert!(text.contains(r#"le="0.005"} 1"#));
    }
}
