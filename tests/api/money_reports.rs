//! Money reports: receivables aging with DSO, and bookings by month or quarter, with
//! exact numbers on small hand-made data sets, grouping, scope, defaults and validation.
//! Orders are made and activated through the API; payment plans are written directly.

use crate::both_databases;
use crate::fixtures::{id_of, str_of};
use crate::helpers::{TestApp, TestUser};
use chrono::{Duration, NaiveDate};
use diesel::sql_types::{BigInt, Text};
use diesel::RunQueryDsl;
use salesops_domain::reports::{quarter_of, ReportInterval};
use salesops_persistence::receivables::{add_paid, replace_plan, InstalmentRow};
use serde_json::{json, Value};

fn money(amount: i64) -> Value {
    json!({ "amount": amount, "currency": "CNY" })
}

/// The aging buckets as the report lists them, in order.
fn buckets(current: i64, d1_30: i64, d31_60: i64, d61_90: i64, over_90: i64) -> Value {
    json!([
        { "bucket": "current", "amount": money(current) },
        { "bucket": "1_30", "amount": money(d1_30) },
        { "bucket": "31_60", "amount": money(d31_60) },
        { "bucket": "61_90", "amount": money(d61_90) },
        { "bucket": "over_90", "amount": money(over_90) },
    ])
}

/// The aging totals: every bucket and their sum.
fn aged(current: i64, d1_30: i64, d31_60: i64, d61_90: i64, over_90: i64) -> Value {
    let total = current + d1_30 + d31_60 + d61_90 + over_90;
    json!({ "buckets": buckets(current, d1_30, d31_60, d61_90, over_90), "total": money(total) })
}

/// Two departments (East under a manager, West), a rep in each and one in none, and finance.
struct Org {
    east: String,
    west: String,
    manager: TestUser,
    rep1: TestUser,
    rep2: TestUser,
    rep3: TestUser,
    finance: TestUser,
    product: String,
}

async fn org(app: &TestApp) -> Org {
    let east = app.department("East", None);
    let west = app.department("West", None);
    let manager = app.user("manager", Some(&east), None).await;
    let rep1 = app.user("rep", Some(&east), Some(&manager.id)).await;
    let rep2 = app.user("rep", Some(&west), None).await;
    let rep3 = app.user("rep", None, None).await;
    let finance = app.user("finance", None, None).await;
    let product = app.unit_product().await;
    Org { east, west, manager, rep1, rep2, rep3, finance, product }
}

impl Org {
    /// A draft order of `total` fen by `rep` for `account`; its id.
    async fn draft(&self, app: &TestApp, rep: &TestUser, account: &str, total: i64) -> String {
        let body = json!({
            "account_id": account, "currency": "CNY",
            "lines": [{ "product_id": self.product, "quantity": (total / 100).to_string(), "discount_bps": 0 }]
        });
        let order = app.created(&rep.token, "/api/v1/orders", body).await;
        assert_eq!(order["total"], money(total));
        id_of(&order)
    }

    /// An order of `total` fen by `rep`, submitted: active, booked today.
    async fn booked(&self, app: &TestApp, rep: &TestUser, account: &str, total: i64) -> String {
        let id = self.draft(app, rep, account, total).await;
        let order = command(app, &rep.token, &id, "submit", None).await;
        assert_eq!(order["status"], "active");
        id
    }

    /// An order of `total` fen by `rep`, activated by finance with the booking date `day`.
    async fn booked_on(&self, app: &TestApp, rep: &TestUser, account: &str, total: i64, day: NaiveDate) -> String {
        let id = self.draft(app, rep, account, total).await;
        let order = command(app, &self.finance.token, &id, "activate", Some(json!({ "booked_at": day }))).await;
        assert_eq!(order["booked_at"], day.to_string());
        id
    }
}

/// `POST /orders/{id}/{name}`, asserting 200; the order after it.
async fn command(app: &TestApp, token: &str, id: &str, name: &str, body: Option<Value>) -> Value {
    let res = app.post(&format!("/api/v1/orders/{id}/{name}")).token(token).maybe_json(body).send().await;
    assert_eq!(res.status, 200, "{name}: {}", res.body);
    res.body
}

/// Cancel order `id` as its owner.
async fn cancel(app: &TestApp, rep: &TestUser, id: &str) {
    let order = command(app, &rep.token, id, "cancel", Some(json!({ "reason": "Customer withdrew" }))).await;
    assert_eq!(order["status"], "cancelled");
}

/// Give order `id` the payment plan `(due date, amount, paid)`, written directly.
fn plan(app: &TestApp, order_id: &str, instalments: &[(NaiveDate, i64, i64)]) {
    let rows: Vec<InstalmentRow> = instalments
        .iter()
        .zip(1..)
        .map(|(&(due_date, amount, _), position)| InstalmentRow {
            id: salesops_domain::new_id(),
            order_id: order_id.to_owned(),
            position,
            due_date,
            amount,
            paid: 0,
            note: None,
        })
        .collect();
    app.with_conn(|c| {
        replace_plan(c, order_id, &rows)?;
        for (row, &(_, _, paid)) in rows.iter().zip(instalments) {
            if paid > 0 {
                add_paid(c, &row.id, paid)?;
            }
        }
        Ok::<_, salesops_persistence::StoreError>(())
    })
    .expect("write the plan");
}

/// Set what order `id` has collected and refunded, directly.
fn collected(app: &TestApp, id: &str, collected: i64, refunded: i64) {
    let changed = app
        .with_conn(|c| {
            diesel::sql_query("UPDATE orders SET collected = $1, refunded = $2 WHERE id = $3")
                .bind::<BigInt, _>(collected)
                .bind::<BigInt, _>(refunded)
                .bind::<Text, _>(id)
                .execute(c)
        })
        .expect("update the order");
    assert_eq!(changed, 1);
}

/// The business day `days` before today.
fn days_ago(app: &TestApp, days: i64) -> NaiveDate {
    app.state.business_today() - Duration::days(days)
}

fn day(date: &str) -> NaiveDate {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("date")
}

/// The aging report at `query` as `token`.
async fn aging(app: &TestApp, token: &str, query: &str) -> Value {
    app.get_ok(token, &format!("/api/v1/reports/receivables-aging?{query}")).await
}

/// The bookings report at `query` as `token`.
async fn bookings(app: &TestApp, token: &str, query: &str) -> Value {
    app.get_ok(token, &format!("/api/v1/reports/bookings?{query}")).await
}

/// A report's groups or rows as `(key, name, total)`.
fn keyed(rows: &Value, total: &str) -> Vec<(Value, Value, i64)> {
    rows.as_array()
        .unwrap_or_else(|| panic!("not an array: {rows}"))
        .iter()
        .map(|r| (r["key"].clone(), r["name"].clone(), r[total]["amount"].as_i64().expect("an amount")))
        .collect()
}

/// A bookings period total.
fn period_total(start: &str, count: i64, amount: i64) -> Value {
    json!({ "period_start": start, "count": count, "amount": money(amount) })
}

both_databases! {
    async fn every_instalment_ages_into_its_bucket_by_days_past_due_on_the_business_day(app) {
        let o = org(&app).await;
        let account = app.account("Acme", Some(&o.rep1.id));
        let id = o.booked(&app, &o.rep1, &account, 1_000_000).await;
        let due = |days: i64| days_ago(&app, days);
        plan(&app, &id, &[
            (due(-10), 2_000, 0),    // not yet due: current
            (due(0), 1_000, 0),      // due today: current
            (due(1), 300, 0),        // 1 day past due: 1_30
            (due(30), 400, 0),       // 30: 1_30
            (due(31), 500, 0),       // 31: 31_60
            (due(60), 600, 0),       // 60: 31_60
            (due(61), 700, 0),       // 61: 61_90
            (due(90), 800, 0),       // 90: 61_90
            (due(91), 900, 0),       // 91: over_90
            (due(200), 5_000, 4_000), // partly paid: 1,000 over_90
            (due(45), 7_000, 7_000), // paid in full: not counted
        ]);
        let report = aging(&app, &o.rep1.token, "").await;
        assert_eq!(report["totals"], aged(3_000, 700, 1_100, 1_500, 1_900));
        assert_eq!(report["groups"], json!([]));
        assert_eq!(report["filter"]["as_of"], app.state.business_today().to_string());
        assert_eq!(report["filter"]["currency"], "CNY");
        assert_eq!(report["filter"]["group_by"], Value::Null);
        assert_eq!(report["dso"]["receivables"], money(8_200));
    }

    async fn only_open_amounts_of_live_active_and_fulfilled_orders_in_the_currency_count(app) {
        let o = org(&app).await;
        let account = app.account("Acme", Some(&o.rep1.id));
        let rep = &o.rep1;
        let yesterday = days_ago(&app, 1);

        let active = o.booked(&app, rep, &account, 10_000).await;
        plan(&app, &active, &[(yesterday, 10_000, 2_500)]);
        // Without a plan: the whole outstanding (total − collected + refunded), due on the booking date.
        let unplanned = o.booked_on(&app, rep, &account, 20_000, days_ago(&app, 45)).await;
        collected(&app, &unplanned, 3_000, 1_000);
        let paid_up = o.booked(&app, rep, &account, 5_000).await;
        collected(&app, &paid_up, 5_000, 0);
        // Fulfilled by delivering every unit.
        let fulfilled = o.draft(&app, rep, &account, 40_000).await;
        let order = command(&app, &rep.token, &fulfilled, "submit", None).await;
        let ship = json!({ "shipped_at": app.state.business_today(),
                           "lines": [{ "order_line_id": str_of(&order["lines"][0], "id"), "quantity": "400" }] });
        app.created(&rep.token, &format!("/api/v1/orders/{fulfilled}/deliveries"), ship).await;
        assert_eq!(app.get_ok(&rep.token, &format!("/api/v1/orders/{fulfilled}")).await["status"], "fulfilled");
        plan(&app, &fulfilled, &[(days_ago(&app, 100), 40_000, 0)]);

        // None of these count.
        let draft = o.draft(&app, rep, &account, 1_000).await;
        plan(&app, &draft, &[(yesterday, 1_000, 0)]);
        let cancelled = o.booked(&app, rep, &account, 1_100).await;
        plan(&app, &cancelled, &[(yesterday, 1_100, 0)]);
        cancel(&app, rep, &cancelled).await;
        let cancelled_unplanned = o.booked(&app, rep, &account, 1_200).await;
        cancel(&app, rep, &cancelled_unplanned).await;
        let completed = o.booked(&app, rep, &account, 1_300).await;
        plan(&app, &completed, &[(yesterday, 1_300, 0)]);
        app.store_raw_word("UPDATE orders SET status = $1 WHERE id = $2", "completed", &completed);
        let deleted = o.booked(&app, rep, &account, 1_400).await;
        app.store_raw_word("UPDATE orders SET notes = $1, deleted_at = updated_at WHERE id = $2", "gone", &deleted);
        let dollars = o.booked(&app, rep, &account, 1_500).await;
        plan(&app, &dollars, &[(yesterday, 1_500, 500)]);
        app.store_raw_word("UPDATE orders SET currency = $1 WHERE id = $2", "USD", &dollars);

        let report = aging(&app, &rep.token, "").await;
        assert_eq!(report["totals"], aged(0, 7_500, 18_000, 0, 40_000));
        let usd = aging(&app, &rep.token, "currency=USD").await;
        let usd_buckets = usd["totals"]["buckets"].as_array().expect("buckets").clone();
        assert_eq!(usd_buckets[1], json!({ "bucket": "1_30", "amount": { "amount": 1_000, "currency": "USD" } }));
        assert_eq!(usd["totals"]["total"], json!({ "amount": 1_000, "currency": "USD" }));
        assert_eq!(usd["filter"]["currency"], "USD");
    }

    async fn aging_groups_by_owner_department_and_account_with_their_names(app) {
        let o = org(&app).await;
        let (acme, beta) = (app.account("Acme", Some(&o.rep1.id)), app.account("Beta", Some(&o.rep1.id)));
        let gamma = app.account("Gamma", Some(&o.rep2.id));
        let delta = app.account("Delta", Some(&o.rep3.id));
        o.booked(&app, &o.rep1, &acme, 1_000).await;
        o.booked_on(&app, &o.rep1, &beta, 2_000, days_ago(&app, 40)).await;
        o.booked(&app, &o.rep2, &gamma, 4_000).await;
        o.booked(&app, &o.rep3, &delta, 500).await;

        let by_owner = aging(&app, &app.admin_token, "group_by=owner").await;
        let name = json!("Test rep");
        assert_eq!(keyed(&by_owner["groups"], "total"), vec![
            (json!(o.rep2.id), name.clone(), 4_000),
            (json!(o.rep1.id), name.clone(), 3_000),
            (json!(o.rep3.id), name.clone(), 500),
        ]);
        assert_eq!(by_owner["groups"][1]["buckets"], buckets(1_000, 0, 2_000, 0, 0));
        assert_eq!(by_owner["totals"], aged(5_500, 0, 2_000, 0, 0));
        assert_eq!(by_owner["filter"]["group_by"], "owner");

        let by_department = aging(&app, &app.admin_token, "group_by=department").await;
        assert_eq!(keyed(&by_department["groups"], "total"), vec![
            (json!(o.west), json!("West"), 4_000),
            (json!(o.east), json!("East"), 3_000),
            (Value::Null, Value::Null, 500),
        ]);
        let by_account = aging(&app, &app.admin_token, "group_by=account").await;
        assert_eq!(keyed(&by_account["groups"], "total"), vec![
            (json!(gamma), json!("Gamma"), 4_000),
            (json!(beta), json!("Beta"), 2_000),
            (json!(acme), json!("Acme"), 1_000),
            (json!(delta), json!("Delta"), 500),
        ]);
        assert_eq!(by_account["groups"][1]["buckets"], buckets(0, 0, 2_000, 0, 0));
        assert_eq!(by_account["totals"], by_owner["totals"]);
    }

    async fn aging_counts_only_the_callers_scope_and_filters_never_widen_it(app) {
        let o = org(&app).await;
        let mine = app.account("Mine", Some(&o.rep1.id));
        let theirs = app.account("Theirs", Some(&o.rep2.id));
        o.booked(&app, &o.rep1, &mine, 1_000).await;
        o.booked(&app, &o.rep2, &theirs, 4_000).await;

        let total = |report: &Value| report["totals"]["total"]["amount"].as_i64().expect("a total");
        assert_eq!(total(&aging(&app, &o.rep1.token, "group_by=owner").await), 1_000);
        assert_eq!(total(&aging(&app, &o.rep2.token, "").await), 4_000);
        // Naming someone outside the scope gives zeros, not their data.
        let outside = aging(&app, &o.rep1.token, &format!("owner_id={}&group_by=owner", o.rep2.id)).await;
        assert_eq!(outside["totals"], aged(0, 0, 0, 0, 0));
        assert_eq!(outside["groups"], json!([]));
        assert_eq!(outside["filter"]["owner_id"], o.rep2.id.as_str());
        assert_eq!(total(&aging(&app, &o.manager.token, "").await), 1_000, "the manager's department tree");
        let west = format!("department_id={}", o.west);
        assert_eq!(total(&aging(&app, &o.manager.token, &west).await), 0);
        assert_eq!(total(&aging(&app, &app.admin_token, &west).await), 4_000);
        assert_eq!(total(&aging(&app, &o.finance.token, "").await), 5_000);
        assert_eq!(total(&aging(&app, &app.admin_token, &format!("owner_id={}", o.rep1.id)).await), 1_000);
    }

    async fn dso_is_receivables_times_days_over_the_periods_bookings(app) {
        let o = org(&app).await;
        let account = app.account("Acme", Some(&o.rep1.id));
        let rep = &o.rep1;
        // In the 60-day period: 30,000 outstanding, 20,000 completed, one cancelled.
        o.booked_on(&app, rep, &account, 30_000, days_ago(&app, 10)).await;
        let completed = o.booked_on(&app, rep, &account, 20_000, days_ago(&app, 59)).await;
        app.store_raw_word("UPDATE orders SET status = $1 WHERE id = $2", "completed", &completed);
        let cancelled = o.booked_on(&app, rep, &account, 50_000, days_ago(&app, 5)).await;
        cancel(&app, rep, &cancelled).await;
        // Before the period: outstanding, but no sale of the period.
        o.booked_on(&app, rep, &account, 10_000, days_ago(&app, 60)).await;

        let period = format!("from={}&to={}", days_ago(&app, 59), days_ago(&app, 0));
        let report = aging(&app, &rep.token, &period).await;
        // 40,000 × 60 / 50,000 = 48.
        assert_eq!(report["dso"], json!({ "receivables": money(40_000), "sales": money(50_000), "days": 60, "value": 48 }));
        assert_eq!(report["filter"]["from"], days_ago(&app, 59).to_string());
        assert_eq!(report["totals"], aged(0, 30_000, 10_000, 0, 0));

        let no_sales = aging(&app, &rep.token, "from=2020-01-01&to=2020-03-31").await;
        assert_eq!(no_sales["dso"], json!({ "receivables": money(40_000), "sales": money(0), "days": 91, "value": null }));

        // The default period is the business day's quarter.
        let (start, end) = quarter_of(app.state.business_today());
        let default = aging(&app, &rep.token, "").await;
        assert_eq!((&default["filter"]["from"], &default["filter"]["to"]), (&json!(start), &json!(end)));
        assert_eq!(default["dso"]["days"], (end - start).num_days() + 1);
    }

    async fn bookings_land_in_their_month_or_quarter_with_every_period_present(app) {
        let o = org(&app).await;
        let (east, west) = (app.account("East Co", Some(&o.rep1.id)), app.account("West Co", Some(&o.rep2.id)));
        o.booked_on(&app, &o.rep1, &east, 1_000, day("2025-01-15")).await;
        o.booked_on(&app, &o.rep2, &west, 2_000, day("2025-01-31")).await;
        o.booked_on(&app, &o.rep1, &east, 4_000, day("2025-03-01")).await;
        o.booked_on(&app, &o.rep1, &east, 8_000, day("2025-05-20")).await;
        // Not bookings: cancelled, a draft, another currency, before the period.
        let cancelled = o.booked_on(&app, &o.rep1, &east, 16_000, day("2025-02-10")).await;
        cancel(&app, &o.rep1, &cancelled).await;
        o.draft(&app, &o.rep1, &east, 32_000).await;
        let dollars = o.booked_on(&app, &o.rep2, &west, 64_000, day("2025-01-20")).await;
        app.store_raw_word("UPDATE orders SET currency = $1 WHERE id = $2", "USD", &dollars);
        o.booked_on(&app, &o.rep1, &east, 128_000, day("2024-12-31")).await;

        let half = "from=2025-01-01&to=2025-06-30";
        let months = bookings(&app, &app.admin_token, half).await;
        assert_eq!(months["totals"], json!([
            period_total("2025-01-01", 2, 3_000), period_total("2025-02-01", 0, 0),
            period_total("2025-03-01", 1, 4_000), period_total("2025-04-01", 0, 0),
            period_total("2025-05-01", 1, 8_000), period_total("2025-06-01", 0, 0),
        ]));
        assert_eq!(months["total"], json!({ "count": 4, "amount": money(15_000) }));
        assert_eq!(months["rows"], json!([]));
        assert_eq!(months["filter"], json!({ "from": "2025-01-01", "to": "2025-06-30", "interval": "month",
            "group_by": null, "owner_id": null, "department_id": null, "currency": "CNY" }));

        let quarters = bookings(&app, &app.admin_token, &format!("{half}&interval=quarter")).await;
        assert_eq!(quarters["totals"], json!([period_total("2025-01-01", 3, 7_000), period_total("2025-04-01", 1, 8_000)]));

        let by_owner = bookings(&app, &app.admin_token, &format!("{half}&group_by=owner")).await;
        let row = |start: &str, key: &str, name: &str, count: i64, amount: i64| {
            json!({ "period_start": start, "key": key, "name": name, "count": count, "amount": money(amount) })
        };
        assert_eq!(by_owner["rows"], json!([
            row("2025-01-01", &o.rep2.id, "Test rep", 1, 2_000),
            row("2025-01-01", &o.rep1.id, "Test rep", 1, 1_000),
            row("2025-03-01", &o.rep1.id, "Test rep", 1, 4_000),
            row("2025-05-01", &o.rep1.id, "Test rep", 1, 8_000),
        ]));
        assert_eq!(by_owner["totals"], months["totals"]);

        let by_department = bookings(&app, &app.admin_token, &format!("{half}&interval=quarter&group_by=department")).await;
        assert_eq!(by_department["rows"], json!([
            row("2025-01-01", &o.east, "East", 2, 5_000),
            row("2025-01-01", &o.west, "West", 1, 2_000),
            row("2025-04-01", &o.east, "East", 1, 8_000),
        ]));

        // A period from mid-month reports under the month's first day, counting only its own days.
        let mid = bookings(&app, &app.admin_token, "from=2025-01-20&to=2025-03-01").await;
        assert_eq!(mid["totals"], json!([
            period_total("2025-01-01", 1, 2_000), period_total("2025-02-01", 0, 0), period_total("2025-03-01", 1, 4_000),
        ]));
        let usd = bookings(&app, &app.admin_token, "from=2025-01-01&to=2025-01-31&currency=USD").await;
        assert_eq!(usd["total"], json!({ "count": 1, "amount": { "amount": 64_000, "currency": "USD" } }));
    }

    async fn bookings_count_only_the_callers_scope_and_default_to_the_business_quarter(app) {
        let o = org(&app).await;
        let (mine, theirs) = (app.account("Mine", Some(&o.rep1.id)), app.account("Theirs", Some(&o.rep2.id)));
        o.booked(&app, &o.rep1, &mine, 1_000).await;
        o.booked(&app, &o.rep2, &theirs, 4_000).await;
        o.booked(&app, &o.rep3, &app.account("Nobody's", Some(&o.rep3.id)), 500).await;

        let today = app.state.business_today();
        let (start, end) = quarter_of(today);
        let report = bookings(&app, &o.rep1.token, "group_by=department").await;
        assert_eq!((&report["filter"]["from"], &report["filter"]["to"]), (&json!(start), &json!(end)));
        let totals = report["totals"].as_array().expect("totals");
        assert_eq!(totals.len(), 3, "three months in a quarter");
        let this_month = ReportInterval::Month.start_of(today);
        let month = totals.iter().find(|t| t["period_start"] == json!(this_month)).expect("this month");
        assert_eq!(month["amount"], money(1_000));
        assert_eq!(keyed(&report["rows"], "amount"), vec![(json!(o.east), json!("East"), 1_000)]);

        let outside = bookings(&app, &o.rep1.token, &format!("owner_id={}", o.rep2.id)).await;
        assert_eq!(outside["total"], json!({ "count": 0, "amount": money(0) }));
        let admin = bookings(&app, &app.admin_token, "group_by=department").await;
        assert_eq!(keyed(&admin["rows"], "amount"), vec![
            (json!(o.west), json!("West"), 4_000),
            (json!(o.east), json!("East"), 1_000),
            (Value::Null, Value::Null, 500),
        ]);
        let east = bookings(&app, &o.finance.token, &format!("department_id={}", o.east)).await;
        assert_eq!(east["total"], json!({ "count": 1, "amount": money(1_000) }));
        assert_eq!(bookings(&app, &o.manager.token, "").await["total"]["amount"], money(1_000));
    }

    async fn empty_money_reports_keep_their_shape_for_every_role(app) {
        let o = org(&app).await;
        for token in [&o.rep1.token, &o.manager.token, &o.finance.token, &app.admin_token] {
            let report = aging(&app, token, "group_by=account").await;
            assert_eq!(report["totals"], aged(0, 0, 0, 0, 0));
            assert_eq!(report["groups"], json!([]));
            assert_eq!(report["dso"]["value"], Value::Null);
            let report = bookings(&app, token, "from=2025-01-01&to=2025-12-31&interval=quarter&group_by=owner").await;
            let zeros: Vec<Value> =
                ["2025-01-01", "2025-04-01", "2025-07-01", "2025-10-01"].iter().map(|s| period_total(s, 0, 0)).collect();
            assert_eq!(report["totals"], json!(zeros));
            assert_eq!(report["rows"], json!([]));
            assert_eq!(report["total"], json!({ "count": 0, "amount": money(0) }));
        }
    }

    async fn money_report_parameters_are_validated(app) {
        let rep = app.user("rep", None, None).await;
        let unknown_department = salesops_domain::new_id();
        for path in [
            "/api/v1/reports/receivables-aging?group_by=region".to_owned(),
            "/api/v1/reports/receivables-aging?from=2025-03-02&to=2025-03-01".to_owned(),
            "/api/v1/reports/receivables-aging?currency=usd".to_owned(),
            "/api/v1/reports/receivables-aging?to=yesterday".to_owned(),
            format!("/api/v1/reports/receivables-aging?department_id={unknown_department}"),
            "/api/v1/reports/bookings?interval=week".to_owned(),
            "/api/v1/reports/bookings?group_by=account".to_owned(),
            "/api/v1/reports/bookings?from=2025-03-02&to=2025-03-01".to_owned(),
            "/api/v1/reports/bookings?currency=DOLLAR".to_owned(),
            "/api/v1/reports/bookings?owner_id=someone".to_owned(),
            "/api/v1/reports/bookings?from=2000-01-01&to=2020-12-31".to_owned(),
        ] {
            let res = app.get(&path).token(&rep.token).send().await;
            res.assert_problem(400, "bad_request");
        }
        for ok in ["/api/v1/reports/bookings?from=2000-01-01&to=2020-12-31&interval=quarter",
                   "/api/v1/reports/bookings?from=2025-03-01&to=2025-03-01",
                   "/api/v1/reports/receivables-aging?from=2025-03-01&to=2025-03-01&currency=USD"] {
            assert_eq!(app.get(ok).token(&rep.token).send().await.status, 200, "{ok}");
        }
        app.get("/api/v1/reports/receivables-aging").send().await.assert_problem(401, "unauthenticated");
        app.get("/api/v1/reports/bookings").send().await.assert_problem(401, "unauthenticated");
    }
}
