//! Document numbering (单据编号): the rules every role reads and admins set, and the
//! per-day counters numbers are taken from, under concurrency on both databases.

use crate::both_databases;
use crate::fixtures::{items, str_of};
use crate::helpers::{TestApp, TestResponse};
use chrono::NaiveDate;
use salesops_api::app::AppError;
use salesops_api::numbering_rules::service::next_number;
use salesops_domain::numbering::DocumentType;
use salesops_persistence::{numbering, write_transaction, PoolSettings};
use serde_json::{json, Value};

const RULES: &str = "/api/v1/numbering-rules";

async fn set_rule(app: &TestApp, token: &str, document_type: &str, body: Value) -> TestResponse {
    app.put(&format!("{RULES}/{document_type}")).token(token).json(body).send().await
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).expect("a date")
}

/// Take the next number of `document_type` on `day` in a transaction of its own, as a document would.
fn take(app: &TestApp, document_type: DocumentType, on: NaiveDate) -> String {
    app.with_conn(|c| write_transaction(c, |c| next_number(c, document_type, on))).expect("a number")
}

/// The business day's stamp in numbers (`20261206`), read around `during` so a test at midnight still passes.
async fn stamps_around<T>(app: &TestApp, during: impl std::future::Future<Output = T>) -> (Vec<String>, T) {
    let before = app.state.business_today();
    let value = during.await;
    let after = app.state.business_today();
    (vec![before.format("%Y%m%d").to_string(), after.format("%Y%m%d").to_string()], value)
}

/// The `(field, code)` pairs of a validation problem, sorted.
fn field_codes(res: &TestResponse) -> Vec<(String, String)> {
    let errors = res.body["errors"].as_array().cloned().unwrap_or_default();
    let mut codes: Vec<_> =
        errors.iter().map(|e| (str_of(e, "field").to_owned(), str_of(e, "code").to_owned())).collect();
    codes.sort();
    codes
}

both_databases! {
    async fn every_signed_in_role_reads_the_default_rules_with_todays_example(app) {
        let rep = app.user("rep", None, None).await;
        let (stamps, list) = stamps_around(&app, app.get_ok(&rep.token, RULES)).await;
        let data = items(&list);
        assert_eq!(data.len(), 2, "{list}");
        for (entry, (document_type, prefix)) in data.iter().zip([("quote", "QT"), ("order", "SO")]) {
            assert_eq!(entry["document_type"], document_type);
            assert_eq!(entry["prefix"], prefix);
            assert_eq!(entry["counter_width"], 4);
            assert_eq!(entry["is_default"], true);
            let example = str_of(entry, "example");
            assert!(stamps.iter().any(|s| example == format!("{prefix}-{s}-0001")), "{example} for {stamps:?}");
        }
        app.get(RULES).send().await.assert_problem(401, "unauthenticated");
    }

    async fn a_changed_rule_shows_in_the_list_and_is_audited(app) {
        let finance = app.user("finance", None, None).await;
        let (stamps, res) = stamps_around(&app, set_rule(&app, &app.admin_token, "order", json!({"prefix": "HT2026", "counter_width": 6}))).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["document_type"], "order");
        assert_eq!(res.body["prefix"], "HT2026");
        assert_eq!(res.body["counter_width"], 6);
        assert_eq!(res.body["is_default"], false);
        assert!(stamps.iter().any(|s| res.body["example"] == format!("HT2026-{s}-000001")), "{}", res.body);
        let listed = app.get_ok(&finance.token, RULES).await;
        assert_eq!(listed["data"][1]["prefix"], "HT2026");
        assert_eq!(listed["data"][1]["counter_width"], 6);
        assert_eq!(listed["data"][0]["is_default"], true, "quotes keep their rule");

        let events = items(&app.audit_trail(&app.admin_token, "numbering_rule", "order").await).clone();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["action"], "update");
        assert_eq!(events[0]["changes"], json!({
            "prefix": {"before": "SO", "after": "HT2026"},
            "counter_width": {"before": 4, "after": 6},
        }));
        // The default values again make the default rule again.
        let res = set_rule(&app, &app.admin_token, "order", json!({"prefix": "SO", "counter_width": 4})).await;
        assert_eq!(res.body["is_default"], true);
    }

    async fn a_bad_prefix_or_width_is_422_on_its_field_and_changes_nothing(app) {
        let refused: Vec<(Value, Vec<(&str, &str)>)> = vec![
            (json!({"prefix": "so", "counter_width": 4}), vec![("prefix", "invalid_format")]),
            (json!({"prefix": "", "counter_width": 4}), vec![("prefix", "invalid_format")]),
            (json!({"prefix": "S-O", "counter_width": 4}), vec![("prefix", "invalid_format")]),
            (json!({"prefix": " SO", "counter_width": 4}), vec![("prefix", "invalid_format")]),
            (json!({"prefix": "报价", "counter_width": 4}), vec![("prefix", "invalid_format")]),
            (json!({"prefix": "ABCDEFGHIJKLMNOPQ", "counter_width": 4}), vec![("prefix", "invalid_format")]),
            (json!({"prefix": "SO", "counter_width": 0}), vec![("counter_width", "range")]),
            (json!({"prefix": "SO", "counter_width": 10}), vec![("counter_width", "range")]),
            (json!({"prefix": "x", "counter_width": -1}), vec![("counter_width", "range"), ("prefix", "invalid_format")]),
            (json!({"prefix": "SO"}), vec![("counter_width", "required")]),
            (json!({"counter_width": 4}), vec![("prefix", "required")]),
            (json!({"prefix": "SO", "counter_width": 4, "suffix": "X"}), vec![("suffix", "unknown_field")]),
        ];
        for (body, expected) in refused {
            let res = set_rule(&app, &app.admin_token, "quote", body.clone()).await;
            res.assert_problem(422, "validation");
            let expected: Vec<(String, String)> = expected.iter().map(|(f, c)| ((*f).to_owned(), (*c).to_owned())).collect();
            assert_eq!(field_codes(&res), expected, "{body}");
        }
        // The bounds themselves are allowed.
        let res = set_rule(&app, &app.admin_token, "order", json!({"prefix": "ABCDEFGHIJKLMNOP", "counter_width": 9})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = set_rule(&app, &app.admin_token, "order", json!({"prefix": "Q", "counter_width": 1})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let quote = &app.get_ok(&app.admin_token, RULES).await["data"][0];
        assert_eq!((quote["prefix"].clone(), quote["is_default"].clone()), (json!("QT"), json!(true)));
        assert!(items(&app.audit_trail(&app.admin_token, "numbering_rule", "quote").await).is_empty());
    }

    async fn an_unknown_document_type_is_404(app) {
        for unknown in ["invoice", "Quote", "quotes"] {
            set_rule(&app, &app.admin_token, unknown, json!({"prefix": "IN", "counter_width": 4})).await.assert_problem(404, "not_found");
        }
    }

    async fn only_admins_set_a_rule(app) {
        for role in ["rep", "manager", "finance"] {
            let user = app.user(role, None, None).await;
            set_rule(&app, &user.token, "quote", json!({"prefix": "X", "counter_width": 2})).await.assert_problem(403, "forbidden");
        }
        let list = app.get_ok(&app.admin_token, RULES).await;
        assert!(items(&list).iter().all(|rule| rule["is_default"] == true), "{list}");
        assert!(items(&app.audit_trail(&app.admin_token, "numbering_rule", "quote").await).is_empty());
    }

    async fn numbers_count_per_type_and_day_and_follow_the_rule_in_force(app) {
        assert_eq!(take(&app, DocumentType::Quote, day(6)), "QT-20261206-0001");
        assert_eq!(take(&app, DocumentType::Quote, day(6)), "QT-20261206-0002");
        // Types count separately.
        assert_eq!(take(&app, DocumentType::Order, day(6)), "SO-20261206-0001");
        // A new day starts at 1; the old day runs on where it was.
        assert_eq!(take(&app, DocumentType::Quote, day(7)), "QT-20261207-0001");
        assert_eq!(take(&app, DocumentType::Quote, day(6)), "QT-20261206-0003");
        // A changed rule applies to the next number; the day's counter runs on.
        let res = set_rule(&app, &app.admin_token, "quote", json!({"prefix": "BJ", "counter_width": 6})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(take(&app, DocumentType::Quote, day(7)), "BJ-20261207-000002");
        assert_eq!(take(&app, DocumentType::Order, day(7)), "SO-20261207-0001");
        // A counter wider than the rule's width is written in full.
        set_rule(&app, &app.admin_token, "order", json!({"prefix": "SO", "counter_width": 1})).await;
        let numbers: Vec<String> = (0..10).map(|_| take(&app, DocumentType::Order, day(8))).collect();
        assert_eq!(numbers[0], "SO-20261208-1");
        assert_eq!(numbers[9], "SO-20261208-10");
    }

    async fn a_rolled_back_document_gives_its_number_back(app) {
        assert_eq!(take(&app, DocumentType::Order, day(6)), "SO-20261206-0001");
        let failed: Result<String, AppError> = app.with_conn(|c| {
            write_transaction(c, |c| {
                let number = next_number(c, DocumentType::Order, day(6))?;
                assert_eq!(number, "SO-20261206-0002");
                Err(AppError::Conflict("the document could not be saved".into()))
            })
        });
        assert!(failed.is_err());
        assert_eq!(take(&app, DocumentType::Order, day(6)), "SO-20261206-0002");
    }

    async fn parallel_transactions_never_take_the_same_number(app) {
        const WRITERS: usize = 8;
        let url = app.state.settings.database_url.clone();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(WRITERS));
        let writers: Vec<_> = (0..WRITERS)
            .map(|_| {
                let (url, barrier) = (url.clone(), barrier.clone());
                // A pool of its own per writer: a connection (and a transaction) each, as separate requests or replicas have.
                std::thread::spawn(move || {
                    let pool = salesops_persistence::build_pool(&url, &PoolSettings { max_size: 1, ..PoolSettings::default() })
                        .expect("a pool");
                    let mut conn = pool.get().expect("a connection");
                    barrier.wait();
                    write_transaction(&mut conn, |c| {
                        let counter = numbering::take_next(c, DocumentType::Quote, day(6))?;
                        // Hold the transaction open a little, so the others queue behind it.
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        Ok::<_, salesops_persistence::StoreError>(counter)
                    })
                    .expect("a counter")
                })
            })
            .collect();
        let mut counters: Vec<i32> = writers.into_iter().map(|w| w.join().expect("the writer finished")).collect();
        counters.sort_unstable();
        let expected: Vec<i32> = (1..=WRITERS as i32).collect();
        assert_eq!(counters, expected);
        assert_eq!(take(&app, DocumentType::Quote, day(6)), format!("QT-20261206-{:04}", WRITERS + 1));
    }
}

/// The example follows `SALESOPS_BUSINESS_TIME_ZONE`: UTC+14 (Kiritimati) and UTC−11 (Pago Pago,
/// neither with daylight saving) are on different days at every moment.
#[actix_web::test]
async fn the_example_is_numbered_on_the_business_day_of_the_configured_zone() {
    let mut examples = Vec::new();
    for (zone, offset_hours) in [("Pacific/Kiritimati", 14), ("Pacific/Pago_Pago", -11)] {
        let app = TestApp::spawn_with(crate::helpers::Backend::Sqlite, |s| {
            s.business_time_zone = zone.parse().expect("a time zone");
        })
        .await;
        let local_stamp = || (chrono::Utc::now() + chrono::Duration::hours(offset_hours)).format("%Y%m%d").to_string();
        let before = local_stamp();
        let list = app.get_ok(&app.admin_token, RULES).await;
        let after = local_stamp();
        let example = str_of(&list["data"][0], "example").to_owned();
        assert!([before, after].iter().any(|s| example == format!("QT-{s}-0001")), "{zone}: {example}");
        examples.push(example);
    }
    assert_ne!(examples[0], examples[1]);
}
