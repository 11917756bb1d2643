//! Commissions: plans with tiers, assignments, credit splits, runs with statements whose
//! every line explains itself, clawbacks after a paid period, and simulations that write
//! nothing. The hand-checked figures follow DOMAIN.md's determinism rules; every refused
//! command changes nothing.

use crate::both_databases;
use crate::fixtures::{id_of, items, str_of};
use crate::helpers::{TestApp, TestResponse, TestUser};
use crate::payment_plans::cny;
use crate::payments::{collect, refund};
use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use salesops_persistence::schema::{
    audit_events, commission_assignments, commission_lines, commission_plan_versions, commission_plans,
    commission_runs, commission_statements, credit_splits, payments, target_months, targets,
};
use serde_json::{json, Value};

/// Three marginal tiers: 3% to 80% of target, 5% to 100%, 8% beyond.
fn three_tiers() -> Value {
    json!([
        {"from_bps": 0, "to_bps": 8000, "rate_bps": 300},
        {"from_bps": 8000, "to_bps": 10000, "rate_bps": 500},
        {"from_bps": 10000, "to_bps": null, "rate_bps": 800}
    ])
}

/// A monthly booking plan body with `tiers`, `mode` and `cap` (fen), paying from January of `year`.
fn plan_body(year: i32, tiers: Value, mode: &str, cap: Option<i64>) -> Value {
    json!({
        "name": "Direct sales", "basis": "booking", "period": "month", "tier_mode": mode, "tiers": tiers,
        "cap": cap.map(cny), "effective_from": format!("{year}-01-01")
    })
}

/// The business day today.
fn today(app: &TestApp) -> NaiveDate {
    app.state.business_today()
}

/// The first day of last month, on the business calendar.
fn last_month(app: &TestApp) -> NaiveDate {
    let first = today(app).with_day(1).expect("day 1");
    first.pred_opt().expect("a day before").with_day(1).expect("day 1")
}

/// The month `day` is in, as a period name.
fn month_of(day: NaiveDate) -> String {
    format!("{}-{:02}", day.year(), day.month())
}

/// A booking target of `monthly` fen in every month of `year` for `user_id`, inserted
/// directly (the fixture does not depend on the targets API).
fn set_target(app: &TestApp, user_id: &str, year: i32, monthly: i64) {
    set_metric_target(app, user_id, (year, "booking"), ("CNY", monthly));
}

/// A `metric` target of `monthly` minor units of `currency` in every month of `year` for
/// `user_id`, inserted directly.
fn set_metric_target(app: &TestApp, user_id: &str, (year, metric): (i32, &str), (currency, monthly): (&str, i64)) {
    let id = salesops_domain::new_id();
    let now = chrono::Utc::now().naive_utc();
    app.with_conn(|c| {
        diesel::insert_into(targets::table)
            .values((
                targets::id.eq(&id),
                targets::subject_type.eq("user"),
                targets::subject_id.eq(user_id),
                targets::subject_key.eq(user_id),
                targets::year.eq(year),
                targets::metric.eq(metric),
                targets::currency.eq(currency),
                targets::total.eq(monthly * 12),
                targets::version.eq(1i64),
                targets::created_at.eq(now),
                targets::updated_at.eq(now),
            ))
            .execute(c)?;
        for month in 1..=12 {
            diesel::insert_into(target_months::table)
                .values((
                    target_months::target_id.eq(&id),
                    target_months::month.eq(month),
                    target_months::amount.eq(monthly),
                ))
                .execute(c)?;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .expect("insert target");
}

/// A new plan from `body` as the admin, asserting 201.
async fn create_plan(app: &TestApp, body: Value) -> Value {
    let res = app.post("/api/v1/commission-plans").token(&app.admin_token).json(body).send().await;
    res.assert_created("/api/v1/commission-plans");
    res.body
}

/// Assign plan `plan_id` to `user_id` from `from` as the admin.
async fn assign(app: &TestApp, plan_id: &str, user_id: &str, from: &str) -> TestResponse {
    let body = json!({"user_id": user_id, "from": from});
    app.post(&format!("/api/v1/commission-plans/{plan_id}/assignments")).token(&app.admin_token).json(body).send().await
}

/// A rep on plan `plan_id` with a monthly booking target of `monthly` fen this year and last.
async fn rep_on(app: &TestApp, plan_id: &str, monthly: i64) -> TestUser {
    let rep = app.user("rep", None, None).await;
    for year in [today(app).year() - 1, today(app).year()] {
        set_target(app, &rep.id, year, monthly);
    }
    let res = assign(app, plan_id, &rep.id, &format!("{}-01-01", today(app).year() - 1)).await;
    assert_eq!(res.status, 201, "assign: {}", res.body);
    rep
}

/// An order of `quantity` × ¥1,000.00 owned by `owner`, activated by the admin and booked
/// on `booked_at`; returns it.
async fn booked(app: &TestApp, owner: &TestUser, quantity: &str, booked_at: NaiveDate) -> Value {
    let draft = app.draft_order_of(owner, quantity).await;
    let body = json!({"booked_at": booked_at.to_string()});
    let res =
        app.post(&format!("/api/v1/orders/{}/activate", id_of(&draft))).token(&app.admin_token).json(body).send().await;
    assert_eq!(res.status, 200, "activate: {}", res.body);
    res.body
}

/// POST `/commission-runs` for `plan_id` and `period` as `token`.
async fn start_run(app: &TestApp, token: &str, plan_id: &str, period: &str) -> TestResponse {
    let body = json!({"plan_id": plan_id, "period": period});
    app.post("/api/v1/commission-runs").token(token).json(body).send().await
}

/// POST a run command as `token`.
async fn command(app: &TestApp, token: &str, run_id: &str, command: &str) -> TestResponse {
    app.post(&format!("/api/v1/commission-runs/{run_id}/{command}")).token(token).send().await
}

/// The statements of run `run_id` as the admin sees them.
async fn statements(app: &TestApp, run_id: &str) -> Vec<Value> {
    items(&app.get_ok(&app.admin_token, &format!("/api/v1/commission-statements?run_id={run_id}")).await).clone()
}

/// `user_id`'s statement in run `run_id` as `GET /commission-statements/{id}` answers it,
/// with its lines under `lines` (see [`with_lines`]).
async fn statement_of(app: &TestApp, run_id: &str, user_id: &str) -> Value {
    let all = statements(app, run_id).await;
    let listed = all.into_iter().find(|s| s["user_id"] == user_id).expect("a statement for the user");
    let statement = app.get_ok(&app.admin_token, &format!("/api/v1/commission-statements/{}", id_of(&listed))).await;
    assert_eq!(statement, listed, "the list and the statement agree");
    with_lines(app, &app.admin_token, statement).await
}

/// `statement` with every page of its lines, two at a time, under `lines`; asserts the
/// pages follow each other in position order and add up to its `line_count`.
async fn with_lines(app: &TestApp, token: &str, mut statement: Value) -> Value {
    let mut lines = Vec::new();
    let mut cursor = String::new();
    for _ in 0..100 {
        let path = format!("/api/v1/commission-statements/{}/lines?limit=2{cursor}", id_of(&statement));
        let page = app.get_ok(token, &path).await;
        lines.extend(items(&page).iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => cursor.clear(),
        }
        if cursor.is_empty() {
            break;
        }
    }
    assert!(cursor.is_empty(), "the lines end within 100 pages");
    let positions: Vec<i64> = lines.iter().filter_map(|l| l["position"].as_i64()).collect();
    assert_eq!(positions, (1..=lines.len() as i64).collect::<Vec<_>>(), "positions 1, 2, … across pages");
    assert_eq!(statement["line_count"].as_i64(), Some(lines.len() as i64), "{statement}");
    statement["lines"] = Value::Array(lines);
    statement
}

/// (source_number, tier, rate_bps, credited, earning, reason) of each line.
fn lines(statement: &Value) -> Vec<(String, Value, Value, i64, i64, Value)> {
    statement["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            (
                str_of(l, "source_number").to_owned(),
                l["tier"].clone(),
                l["rate_bps"].clone(),
                l["credited_amount"]["amount"].as_i64().expect("credited"),
                l["earning"]["amount"].as_i64().expect("earning"),
                l["reason"].clone(),
            )
        })
        .collect()
}

/// A run for this month of `plan_id` as finance (or the admin), asserting 201.
async fn run_ok(app: &TestApp, plan_id: &str, period: &str) -> Value {
    let res = start_run(app, &app.admin_token, plan_id, period).await;
    res.assert_created("/api/v1/commission-runs");
    res.body
}

/// How many rows each commission table, and the audit log, holds.
fn row_counts(app: &TestApp) -> [i64; 8] {
    app.with_conn(|c| {
        Ok::<_, diesel::result::Error>([
            commission_plans::table.count().get_result(c)?,
            commission_plan_versions::table.count().get_result(c)?,
            commission_assignments::table.count().get_result(c)?,
            commission_runs::table.count().get_result(c)?,
            commission_statements::table.count().get_result(c)?,
            commission_lines::table.count().get_result(c)?,
            credit_splits::table.count().get_result(c)?,
            audit_events::table.count().get_result(c)?,
        ])
    })
    .expect("counts")
}

both_databases! {
    async fn a_credit_crossing_two_tier_edges_gives_three_lines_and_a_recompute_gives_the_same_lines(app) {
        let plan = create_plan(&app, plan_body(today(&app).year() - 1, three_tiers(), "marginal", None)).await;
        let plan_id = id_of(&plan);
        // Target ¥20,000.00 a month: the tier edges are at ¥16,000.00 and ¥20,000.00.
        let rep = rep_on(&app, &plan_id, 2_000_000).await;
        let first = booked(&app, &rep, "10", today(&app)).await;
        let second = booked(&app, &rep, "15", today(&app)).await;
        let run = run_ok(&app, &plan_id, &month_of(today(&app))).await;
        assert_eq!((run["status"].as_str(), run["total"]["amount"].as_i64()), (Some("draft"), Some(108_000)), "{run}");

        let statement = statement_of(&app, &id_of(&run), &rep.id).await;
        let (n1, n2) = (str_of(&first, "number").to_owned(), str_of(&second, "number").to_owned());
        // ¥10,000 at 3%; then ¥15,000 runs ¥6,000 at 3%, ¥4,000 at 5% and ¥5,000 at 8%.
        assert_eq!(lines(&statement), vec![
            (n1, json!(0), json!(300), 1_000_000, 30_000, Value::Null),
            (n2.clone(), json!(0), json!(300), 600_000, 18_000, Value::Null),
            (n2.clone(), json!(1), json!(500), 400_000, 20_000, Value::Null),
            (n2, json!(2), json!(800), 500_000, 40_000, Value::Null),
        ]);
        assert_eq!(statement["total"]["amount"], 108_000);
        assert_eq!(statement["credited"]["amount"], 2_500_000);
        assert_eq!(statement["attainment_bps"], 12_500);
        assert_eq!(statement["lines"][0]["split_bps"], 10_000);
        assert_eq!(statement["lines"][0]["source_type"], "order");
        assert_eq!(statement["lines"][0]["source_id"], id_of(&first));

        let res = command(&app, &app.admin_token, &id_of(&run), "recompute").await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["version"], 2);
        assert_eq!(statement_of(&app, &id_of(&run), &rep.id).await, statement, "the same inputs give the same statement");

        // The plan's rules are frozen now; a second run of the period is a duplicate.
        let patch = json!({"tiers": [{"from_bps": 0, "to_bps": null, "rate_bps": 100}]});
        let res = app.patch(&format!("/api/v1/commission-plans/{plan_id}")).token(&app.admin_token).json(patch).send().await;
        res.assert_problem(409, "conflict");
        assert_eq!(app.get_ok(&app.admin_token, &format!("/api/v1/commission-plans/{plan_id}")).await["tiers"], three_tiers());
        let before = row_counts(&app);
        start_run(&app, &app.admin_token, &plan_id, &month_of(today(&app))).await.assert_problem(409, "duplicate");
        assert_eq!(row_counts(&app), before);
    }

    async fn a_three_way_split_of_an_odd_amount_sums_exactly(app) {
        let plan = create_plan(&app, plan_body(today(&app).year() - 1, three_tiers(), "marginal", None)).await;
        let plan_id = id_of(&plan);
        let (a, b, c) = (rep_on(&app, &plan_id, 2_000_000).await, rep_on(&app, &plan_id, 2_000_000).await, rep_on(&app, &plan_id, 2_000_000).await);
        // ¥10,001.00: 1000100 fen shared 33.34 / 33.33 / 33.33%.
        let order = app.draft_order_of(&a, "10.001").await;
        let splits = json!({"splits": [
            {"user_id": a.id, "share_bps": 3334}, {"user_id": b.id, "share_bps": 3333}, {"user_id": c.id, "share_bps": 3333}
        ]});
        let res = app.put(&format!("/api/v1/orders/{}/credit-splits", id_of(&order))).token(&app.admin_token).json(splits.clone()).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body, splits);
        let res = app.post(&format!("/api/v1/orders/{}/activate", id_of(&order))).token(&app.admin_token).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let run = run_ok(&app, &plan_id, &month_of(today(&app))).await;
        let mut credited = Vec::new();
        for (user, share) in [(&a, 3334), (&b, 3333), (&c, 3333)] {
            let statement = statement_of(&app, &id_of(&run), &user.id).await;
            assert_eq!(statement["lines"][0]["split_bps"], share);
            credited.push(statement["credited"]["amount"].as_i64().expect("credited"));
        }
        assert_eq!(credited, vec![333_434, 333_333, 333_333]);
        assert_eq!(credited.iter().sum::<i64>(), 1_000_100);
    }

    async fn the_cap_is_reached_mid_credit(app) {
        let plan = create_plan(&app, plan_body(today(&app).year() - 1, three_tiers(), "marginal", Some(20_000))).await;
        let plan_id = id_of(&plan);
        let rep = rep_on(&app, &plan_id, 2_000_000).await;
        let first = booked(&app, &rep, "10", today(&app)).await;
        let second = booked(&app, &rep, "1", today(&app)).await;
        let run = run_ok(&app, &plan_id, &month_of(today(&app))).await;
        let statement = statement_of(&app, &id_of(&run), &rep.id).await;
        assert_eq!(lines(&statement), vec![
            (str_of(&first, "number").to_owned(), json!(0), json!(300), 1_000_000, 20_000, json!("capped")),
            (str_of(&second, "number").to_owned(), json!(0), json!(300), 100_000, 0, json!("cap_reached")),
        ]);
        assert_eq!(statement["total"]["amount"], 20_000);
    }

    async fn a_flat_plan_pays_everything_at_the_tier_reached(app) {
        let plan = create_plan(&app, plan_body(today(&app).year() - 1, three_tiers(), "flat", None)).await;
        let plan_id = id_of(&plan);
        let rep = rep_on(&app, &plan_id, 2_000_000).await;
        booked(&app, &rep, "10", today(&app)).await;
        booked(&app, &rep, "7", today(&app)).await;
        // ¥17,000 of ¥20,000 is 85%: tier 1's 5% on both credits.
        let run = run_ok(&app, &plan_id, &month_of(today(&app))).await;
        let statement = statement_of(&app, &id_of(&run), &rep.id).await;
        let paid: Vec<(Value, i64)> = lines(&statement).into_iter().map(|l| (l.1, l.4)).collect();
        assert_eq!(paid, vec![(json!(1), 50_000), (json!(1), 35_000)]);
    }

    async fn a_cancellation_after_a_paid_period_is_clawed_back_in_the_next_run(app) {
        let this_month = today(&app).with_day(1).expect("day 1");
        let last_month = this_month.pred_opt().expect("a day before").with_day(1).expect("day 1");
        let plan = create_plan(&app, plan_body(last_month.year(), three_tiers(), "marginal", None)).await;
        let plan_id = id_of(&plan);
        let rep = rep_on(&app, &plan_id, 2_000_000).await;
        let finance = app.user("finance", None, None).await;
        let kept = booked(&app, &rep, "10", last_month).await;
        let cancelled = booked(&app, &rep, "10", last_month).await;
        // Last month: ¥16,000 at 3% and ¥4,000 at 5%, paid.
        let paid_run = run_ok(&app, &plan_id, &month_of(last_month)).await;
        assert_eq!(paid_run["total"]["amount"], 68_000);
        assert_eq!(command(&app, &app.admin_token, &id_of(&paid_run), "approve").await.status, 200);
        let res = command(&app, &finance.token, &id_of(&paid_run), "pay").await;
        assert_eq!((res.status.as_u16(), res.body["status"].as_str()), (200, Some("paid")), "{}", res.body);
        let paid_statement = statement_of(&app, &id_of(&paid_run), &rep.id).await;

        let res = app.post(&format!("/api/v1/orders/{}/cancel", id_of(&cancelled))).token(&app.admin_token)
            .json(json!({"reason": "Customer withdrew"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        // The split of an order a paid statement used is final; a cancelled order credits nobody.
        let splits = json!({"splits": [{"user_id": rep.id, "share_bps": 10000}]});
        let res = app.put(&format!("/api/v1/orders/{}/credit-splits", id_of(&kept))).token(&app.admin_token).json(splits.clone()).send().await;
        res.assert_problem(409, "conflict");
        let res = app.put(&format!("/api/v1/orders/{}/credit-splits", id_of(&cancelled))).token(&app.admin_token).json(splits).send().await;
        res.assert_problem(409, "invalid_transition");

        // This month: no credits, one clawback line. Recomputed without the order, last
        // month earns ¥10,000 at 3% = ¥300: ¥680 − ¥300 is taken back.
        let next = run_ok(&app, &plan_id, &month_of(this_month)).await;
        let statement = statement_of(&app, &id_of(&next), &rep.id).await;
        let line = &statement["lines"][0];
        assert_eq!(statement["lines"].as_array().map(Vec::len), Some(1), "{statement}");
        assert_eq!((line["reason"].as_str(), line["source_type"].as_str()), (Some("clawback"), Some("order")));
        assert_eq!(line["source_id"], id_of(&cancelled));
        assert_eq!(line["corrects_statement_id"], id_of(&paid_statement));
        assert_eq!((line["earning"]["amount"].as_i64(), line["credited_amount"]["amount"].as_i64()), (Some(-38_000), Some(-1_000_000)));
        assert_eq!((line["tier"].clone(), line["rate_bps"].clone()), (Value::Null, Value::Null));
        assert_eq!(statement["total"]["amount"], -38_000);
        // The clawback plus what the period earns recomputed is what was paid.
        assert_eq!(38_000 + 30_000, paid_statement["total"]["amount"].as_i64().expect("paid"));

        // Recomputing carries it once; the paid statement never changed.
        assert_eq!(command(&app, &app.admin_token, &id_of(&next), "recompute").await.status, 200);
        assert_eq!(statement_of(&app, &id_of(&next), &rep.id).await, statement);
        assert_eq!(statement_of(&app, &id_of(&paid_run), &rep.id).await, paid_statement);
        // A later draft does not carry it again, until the draft that does is deleted.
        let after_next = this_month.checked_add_months(chrono::Months::new(1)).expect("a month on");
        if after_next.year() > today(&app).year() {
            set_target(&app, &rep.id, after_next.year(), 2_000_000);
        }
        let later = run_ok(&app, &plan_id, &month_of(after_next)).await;
        assert!(statement_of(&app, &id_of(&later), &rep.id).await["lines"].as_array().expect("lines").is_empty());
        let res = app.delete(&format!("/api/v1/commission-runs/{}", id_of(&next))).token(&app.admin_token).send().await;
        assert_eq!(res.status, 204);
        assert_eq!(command(&app, &app.admin_token, &id_of(&later), "recompute").await.status, 200);
        let carried = statement_of(&app, &id_of(&later), &rep.id).await;
        assert_eq!(carried["lines"], statement["lines"], "the clawback moves to the remaining draft");
    }

    async fn a_user_who_left_the_plan_still_has_a_clawback(app) {
        let month = last_month(&app);
        let plan_id = id_of(&create_plan(&app, plan_body(month.year(), three_tiers(), "marginal", None)).await);
        let rep = rep_on(&app, &plan_id, 2_000_000).await;
        let cancelled = booked(&app, &rep, "10", month).await;
        let paid = id_of(&run_ok(&app, &plan_id, &month_of(month)).await);
        for step in ["approve", "pay"] {
            assert_eq!(command(&app, &app.admin_token, &paid, step).await.status, 200);
        }
        // The rep leaves the plan at the end of last month; then the order is cancelled.
        let assignments = app.get_ok(&app.admin_token, &format!("/api/v1/commission-plans/{plan_id}/assignments")).await;
        let path = format!("/api/v1/commission-plans/{plan_id}/assignments/{}", str_of(&assignments[0], "id"));
        let end = json!({"to": today(&app).with_day(1).and_then(|d| d.pred_opt()).expect("a day").to_string()});
        assert_eq!(app.patch(&path).token(&app.admin_token).json(end).send().await.status, 200);
        let res = app.post(&format!("/api/v1/orders/{}/cancel", id_of(&cancelled))).token(&app.admin_token)
            .json(json!({"reason": "Customer withdrew"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        // This month's run pays the rep nothing but takes back all of last month's ¥300.
        let next = run_ok(&app, &plan_id, &month_of(today(&app))).await;
        let statement = statement_of(&app, &id_of(&next), &rep.id).await;
        assert_eq!((statement["target"]["amount"].as_i64(), statement["credited"]["amount"].as_i64()), (Some(0), Some(0)));
        assert_eq!(lines(&statement).into_iter().map(|l| (l.4, l.5)).collect::<Vec<_>>(), vec![(-30_000, json!("clawback"))]);
        assert_eq!(next["total"]["amount"], -30_000);
    }

    async fn a_refund_reduces_a_draft_on_recompute_and_is_clawed_back_once_its_period_is_paid(app) {
        // The payment is confirmed last month (set in the store: confirmations are dated today),
        // that month is paid, and this month's run carries the clawbacks.
        let (this_month, next_month) = (last_month(&app), today(&app).with_day(1).expect("day 1"));
        let mut body = plan_body(this_month.year(), three_tiers(), "marginal", None);
        body["basis"] = json!("collection");
        let plan_id = id_of(&create_plan(&app, body).await);
        let rep = app.user("rep", None, None).await;
        for year in this_month.year()..=next_month.year() {
            set_metric_target(&app, &rep.id, (year, "collection"), ("CNY", 2_000_000));
        }
        assert_eq!(assign(&app, &plan_id, &rep.id, &this_month.to_string()).await.status, 201);
        let finance = app.user("finance", None, None).await;
        let order = app.active_order(&rep).await;
        let payment = collect(&app, &rep, &finance, &id_of(&order), 1_000_000).await;
        app.with_conn(|c| {
            diesel::update(payments::table.find(id_of(&payment))).set(payments::confirmed_on.eq(this_month)).execute(c)
        })
        .expect("date the confirmation last month");
        let draft = run_ok(&app, &plan_id, &month_of(this_month)).await;
        assert_eq!(draft["total"]["amount"], 30_000);

        // Refunded while its period is a draft: the recompute reflects it.
        assert_eq!(refund(&app, &finance.token, &id_of(&payment), 200_000).await.status, 201);
        assert_eq!(command(&app, &finance.token, &id_of(&draft), "recompute").await.status, 200);
        let statement = statement_of(&app, &id_of(&draft), &rep.id).await;
        assert_eq!((statement["credited"]["amount"].as_i64(), statement["total"]["amount"].as_i64()), (Some(800_000), Some(24_000)));
        assert_eq!(statement["lines"][0]["source_type"], "payment");
        assert_eq!(statement["lines"][0]["source_number"], order["number"]);
        assert_eq!(command(&app, &app.admin_token, &id_of(&draft), "approve").await.status, 200);
        assert_eq!(command(&app, &finance.token, &id_of(&draft), "pay").await.status, 200);
        let paid = statement_of(&app, &id_of(&draft), &rep.id).await;
        assert_eq!(paid["status"], "paid");

        // Its payment was counted by a paid statement: the order's split is final.
        let splits = json!({"splits": [{"user_id": rep.id, "share_bps": 10000}]});
        app.put(&format!("/api/v1/orders/{}/credit-splits", id_of(&order))).token(&app.admin_token).json(splits).send().await
            .assert_problem(409, "conflict");

        // Refunded twice once paid: a clawback line for each in the next run, naming the refund.
        let first = refund(&app, &finance.token, &id_of(&payment), 200_000).await;
        assert_eq!(first.status, 201, "{}", first.body);
        let second = refund(&app, &finance.token, &id_of(&payment), 100_000).await;
        assert_eq!(second.status, 201, "{}", second.body);
        let next = run_ok(&app, &plan_id, &month_of(next_month)).await;
        let lines = statement_of(&app, &id_of(&next), &rep.id).await["lines"].clone();
        let line = &lines[0];
        assert_eq!((line["source_type"].as_str(), line["source_id"].as_str()), (Some("refund"), Some(id_of(&first.body).as_str())));
        assert_eq!((line["credited_amount"]["amount"].as_i64(), line["earning"]["amount"].as_i64()), (Some(-200_000), Some(-6_000)));
        assert_eq!(line["corrects_statement_id"], statement["id"]);
        assert_eq!(lines[1]["source_id"], id_of(&second.body));
        assert_eq!((lines[1]["credited_amount"]["amount"].as_i64(), lines[1]["earning"]["amount"].as_i64()), (Some(-100_000), Some(-3_000)));
        assert_eq!(statement_of(&app, &id_of(&draft), &rep.id).await, paid, "a paid statement never changes");
    }

    async fn an_approved_run_is_settled_before_it_is_paid(app) {
        let plan_id = id_of(&create_plan(&app, plan_body(today(&app).year() - 1, three_tiers(), "marginal", None)).await);
        let rep = rep_on(&app, &plan_id, 2_000_000).await;
        let other = app.user("rep", None, None).await;
        let counted = booked(&app, &rep, "10", last_month(&app)).await;
        let run_id = id_of(&run_ok(&app, &plan_id, &month_of(last_month(&app))).await);
        // While the run is a draft, the split of what it counted may change.
        let path = format!("/api/v1/orders/{}/credit-splits", id_of(&counted));
        let whole = json!({"splits": [{"user_id": rep.id, "share_bps": 10000}]});
        assert_eq!(app.put(&path).token(&app.admin_token).json(whole.clone()).send().await.status, 200);
        assert_eq!(command(&app, &app.admin_token, &run_id, "approve").await.status, 200);

        // Approved and not yet paid, it will never be recomputed: the split is final, and
        // no booking lands in its month, where no run would count it.
        let draft = app.draft_order_of(&rep, "5").await;
        let before = row_counts(&app);
        let halves = json!({"splits": [{"user_id": rep.id, "share_bps": 5000}, {"user_id": other.id, "share_bps": 5000}]});
        app.put(&path).token(&app.admin_token).json(halves).send().await.assert_problem(409, "conflict");
        let back = json!({"booked_at": last_month(&app).to_string()});
        let res = app.post(&format!("/api/v1/orders/{}/activate", id_of(&draft))).token(&app.admin_token).json(back).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["booked_at"]);
        assert_eq!(res.body["errors"][0]["code"], "period_paid");
        assert_eq!(row_counts(&app), before);
        assert_eq!(app.get_ok(&app.admin_token, &path).await, whole);
        assert_eq!(app.get_ok(&app.admin_token, &format!("/api/v1/orders/{}", id_of(&draft))).await["status"], "draft");
    }

    async fn a_scoped_finance_user_runs_and_recomputes_only_within_their_scope(app) {
        let (east, west) = (app.department("East", None), app.department("West", None));
        let finance = app.user("finance", Some(&east), None).await;
        app.set_scope("finance", "department").await;
        let plan_id = id_of(&create_plan(&app, plan_body(today(&app).year() - 1, three_tiers(), "marginal", None)).await);
        let month = last_month(&app);
        let on_plan = |department: &str| {
            let department = department.to_owned();
            let (app, plan_id) = (&app, plan_id.clone());
            async move {
                let rep = app.user("rep", Some(&department), None).await;
                set_target(app, &rep.id, month.year(), 2_000_000);
                assert_eq!(assign(app, &plan_id, &rep.id, &format!("{}-01-01", month.year())).await.status, 201);
                rep
            }
        };
        on_plan(&east).await;
        let created = start_run(&app, &finance.token, &plan_id, &month_of(month)).await;
        let run_id = created.assert_created("/api/v1/commission-runs");
        // A West rep joins the plan: finance in East may neither recompute the run nor start another.
        on_plan(&west).await;
        let before = row_counts(&app);
        command(&app, &finance.token, &run_id, "recompute").await.assert_problem(403, "forbidden");
        let earlier = month_of(month.with_day(1).and_then(|d| d.pred_opt()).expect("a month before"));
        start_run(&app, &finance.token, &plan_id, &earlier).await.assert_problem(403, "forbidden");
        assert_eq!(row_counts(&app), before);
        assert_eq!(statements(&app, &run_id).await.len(), 1);
        assert_eq!(command(&app, &app.admin_token, &run_id, "recompute").await.status, 200);
        assert_eq!(statements(&app, &run_id).await.len(), 2);
    }

    async fn a_paid_run_never_changes(app) {
        let plan = create_plan(&app, plan_body(today(&app).year() - 1, three_tiers(), "marginal", None)).await;
        let plan_id = id_of(&plan);
        let rep = rep_on(&app, &plan_id, 2_000_000).await;
        booked(&app, &rep, "10", last_month(&app)).await;
        // This month is still running: its draft is not approved yet.
        let running = id_of(&run_ok(&app, &plan_id, &month_of(today(&app))).await);
        command(&app, &app.admin_token, &running, "approve").await.assert_problem(409, "invalid_transition");
        assert_eq!(app.get_ok(&app.admin_token, &format!("/api/v1/commission-runs/{running}")).await["status"], "draft");
        let run = run_ok(&app, &plan_id, &month_of(last_month(&app))).await;
        let run_id = id_of(&run);
        // Paying a draft is refused: approve first.
        command(&app, &app.admin_token, &run_id, "pay").await.assert_problem(409, "invalid_transition");
        assert_eq!(command(&app, &app.admin_token, &run_id, "approve").await.status, 200);
        command(&app, &app.admin_token, &run_id, "approve").await.assert_problem(409, "invalid_transition");
        command(&app, &app.admin_token, &run_id, "recompute").await.assert_problem(409, "invalid_transition");
        app.delete(&format!("/api/v1/commission-runs/{run_id}")).token(&app.admin_token).send().await
            .assert_problem(409, "invalid_transition");
        assert_eq!(command(&app, &app.admin_token, &run_id, "pay").await.status, 200);
        booked(&app, &rep, "5", today(&app)).await;
        // No booking lands in the paid month any more.
        let draft = app.draft_order_of(&rep, "5").await;
        let back = json!({"booked_at": last_month(&app).to_string()});
        let res = app.post(&format!("/api/v1/orders/{}/activate", id_of(&draft))).token(&app.admin_token).json(back).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["booked_at"]);
        assert_eq!(res.body["errors"][0]["code"], "period_paid");
        assert_eq!(app.get_ok(&app.admin_token, &format!("/api/v1/orders/{}", id_of(&draft))).await["status"], "draft");
        // Unless its credit goes to someone that paid month did not pay.
        let other = app.user("rep", None, None).await;
        let splits = json!({"splits": [{"user_id": other.id, "share_bps": 10000}]});
        let res = app.put(&format!("/api/v1/orders/{}/credit-splits", id_of(&draft))).token(&app.admin_token).json(splits).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let back = json!({"booked_at": last_month(&app).to_string()});
        let res = app.post(&format!("/api/v1/orders/{}/activate", id_of(&draft))).token(&app.admin_token).json(back).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let paid = app.get_ok(&app.admin_token, &format!("/api/v1/commission-runs/{run_id}")).await;
        let statement = statement_of(&app, &run_id, &rep.id).await;
        let before = row_counts(&app);
        // The plan and the rep's assignment are in use: no delete, no rule change.
        let plan_path = format!("/api/v1/commission-plans/{plan_id}");
        app.delete(&plan_path).token(&app.admin_token).send().await.assert_problem(409, "conflict");
        app.patch(&plan_path).token(&app.admin_token).json(json!({"cap": cny(1)})).send().await.assert_problem(409, "conflict");
        let assignments = app.get_ok(&app.admin_token, &format!("{plan_path}/assignments")).await;
        let assignment = str_of(&assignments[0], "id").to_owned();
        app.delete(&format!("{plan_path}/assignments/{assignment}")).token(&app.admin_token).send().await
            .assert_problem(409, "conflict");
        for name in ["recompute", "approve", "pay"] {
            command(&app, &app.admin_token, &run_id, name).await.assert_problem(409, "invalid_transition");
        }
        app.delete(&format!("/api/v1/commission-runs/{run_id}")).token(&app.admin_token).send().await
            .assert_problem(409, "invalid_transition");
        assert_eq!(row_counts(&app), before);
        assert_eq!(app.get_ok(&app.admin_token, &format!("/api/v1/commission-runs/{run_id}")).await, paid);
        assert_eq!(statement_of(&app, &run_id, &rep.id).await, statement);
    }

    async fn a_draft_run_is_deleted_with_its_statements(app) {
        let plan = create_plan(&app, plan_body(today(&app).year() - 1, three_tiers(), "marginal", None)).await;
        let plan_id = id_of(&plan);
        let rep = rep_on(&app, &plan_id, 2_000_000).await;
        booked(&app, &rep, "10", today(&app)).await;
        let run = run_ok(&app, &plan_id, &month_of(today(&app))).await;
        let res = app.delete(&format!("/api/v1/commission-runs/{}", id_of(&run))).token(&app.admin_token).send().await;
        assert_eq!(res.status, 204, "{}", res.body);
        let [_, _, _, runs, statements, lines, _, _] = row_counts(&app);
        assert_eq!((runs, statements, lines), (0, 0, 0));
        run_ok(&app, &plan_id, &month_of(today(&app))).await;
    }

    async fn only_the_right_roles_approve_and_pay_and_a_run_outside_ones_scope_is_not_found(app) {
        let plan = create_plan(&app, plan_body(today(&app).year() - 1, three_tiers(), "marginal", None)).await;
        let plan_id = id_of(&plan);
        let east = app.department("East", None);
        let west = app.department("West", None);
        let east_manager = app.user("manager", Some(&east), None).await;
        let west_manager = app.user("manager", Some(&west), None).await;
        let finance = app.user("finance", None, None).await;
        let rep = app.user("rep", Some(&east), Some(&east_manager.id)).await;
        let month = last_month(&app);
        set_target(&app, &rep.id, month.year(), 2_000_000);
        assert_eq!(assign(&app, &plan_id, &rep.id, &format!("{}-01-01", month.year())).await.status, 201);
        booked(&app, &rep, "10", month).await;
        // Reps and managers do not run commissions.
        for token in [&rep.token, &east_manager.token] {
            start_run(&app, token, &plan_id, &month_of(month)).await.assert_problem(403, "forbidden");
        }
        let created = start_run(&app, &finance.token, &plan_id, &month_of(month)).await;
        let run_id = created.assert_created("/api/v1/commission-runs");
        let before = row_counts(&app);
        // The west manager sees none of its users: 404 on reading and approving it.
        app.get(&format!("/api/v1/commission-runs/{run_id}")).token(&west_manager.token).send().await.assert_problem(404, "not_found");
        command(&app, &west_manager.token, &run_id, "approve").await.assert_problem(404, "not_found");
        assert!(items(&app.get_ok(&west_manager.token, "/api/v1/commission-runs").await).is_empty());
        // Finance and reps do not approve; managers do not pay.
        command(&app, &finance.token, &run_id, "approve").await.assert_problem(403, "forbidden");
        command(&app, &rep.token, &run_id, "approve").await.assert_problem(403, "forbidden");
        assert_eq!(row_counts(&app), before);
        assert_eq!(app.get_ok(&app.admin_token, &format!("/api/v1/commission-runs/{run_id}")).await["status"], "draft");
        let res = command(&app, &east_manager.token, &run_id, "approve").await;
        assert_eq!((res.status.as_u16(), res.body["approved_by"].as_str()), (200, Some(east_manager.id.as_str())), "{}", res.body);
        // A manager on the plan may not approve a run that pays them.
        let own_plan = id_of(&create_plan(&app, plan_body(month.year(), three_tiers(), "flat", None)).await);
        set_target(&app, &east_manager.id, month.year(), 2_000_000);
        assert_eq!(assign(&app, &own_plan, &east_manager.id, &format!("{}-01-01", month.year())).await.status, 201);
        let own_run = id_of(&run_ok(&app, &own_plan, &month_of(month)).await);
        command(&app, &east_manager.token, &own_run, "approve").await.assert_problem(403, "forbidden");
        assert_eq!(app.get_ok(&app.admin_token, &format!("/api/v1/commission-runs/{own_run}")).await["status"], "draft");
        command(&app, &east_manager.token, &run_id, "pay").await.assert_problem(403, "forbidden");
        command(&app, &rep.token, &run_id, "pay").await.assert_problem(403, "forbidden");
        assert_eq!(app.get_ok(&app.admin_token, &format!("/api/v1/commission-runs/{run_id}")).await["status"], "approved");
        // The rep reads their own statement; the west manager reads none.
        let mine = app.get_ok(&rep.token, &format!("/api/v1/commission-statements?run_id={run_id}")).await;
        assert_eq!(items(&mine).len(), 1);
        let theirs = app.get_ok(&west_manager.token, &format!("/api/v1/commission-statements?run_id={run_id}")).await;
        assert!(items(&theirs).is_empty());
        let statement_id = id_of(&items(&mine)[0]);
        app.get(&format!("/api/v1/commission-statements/{statement_id}")).token(&west_manager.token).send().await.assert_problem(404, "not_found");
        let lines = format!("/api/v1/commission-statements/{statement_id}/lines");
        app.get(&lines).token(&west_manager.token).send().await.assert_problem(404, "not_found");
        assert_eq!(items(&app.get_ok(&rep.token, &lines).await).len(), 1, "the rep reads their own lines");
        for bad in ["cursor=abc", "limit=0", "limit=201"] {
            app.get(&format!("{lines}?{bad}")).token(&rep.token).send().await.assert_problem(400, "bad_request");
        }
    }

    async fn a_run_with_a_user_without_a_target_is_refused_naming_them(app) {
        let plan = create_plan(&app, plan_body(today(&app).year() - 1, three_tiers(), "marginal", None)).await;
        let plan_id = id_of(&plan);
        rep_on(&app, &plan_id, 2_000_000).await;
        // One rep has no target at all; another has one, but in dollars: the plan pays in yuan.
        let mut untargeted = Vec::new();
        for currency in [None, Some("USD")] {
            let rep = app.user("rep", None, None).await;
            if let Some(currency) = currency {
                set_metric_target(&app, &rep.id, (today(&app).year(), "booking"), (currency, 2_000_000));
            }
            assert_eq!(assign(&app, &plan_id, &rep.id, &format!("{}-01-01", today(&app).year())).await.status, 201);
            untargeted.push(rep.id);
        }
        let before = row_counts(&app);
        let res = start_run(&app, &app.admin_token, &plan_id, &month_of(today(&app))).await;
        res.assert_problem(422, "validation");
        let errors = res.body["errors"].as_array().expect("errors");
        assert_eq!(errors.len(), 2, "one error per user: {}", res.body);
        for error in errors {
            assert_eq!((error["field"].as_str(), error["code"].as_str()), (Some("period"), Some("missing_target")));
        }
        for user in &untargeted {
            let naming = errors.iter().filter(|e| str_of(e, "message").contains(user.as_str())).count();
            assert_eq!(naming, 1, "one error names {user}: {}", res.body);
        }
        assert_eq!(row_counts(&app), before);
        // A period of another length, or before the plan, is refused too.
        start_run(&app, &app.admin_token, &plan_id, &format!("{}-Q1", today(&app).year())).await.assert_problem(422, "validation");
        start_run(&app, &app.admin_token, &plan_id, "2001-01").await.assert_problem(422, "validation");
        assert_eq!(row_counts(&app), before);
    }

    async fn an_overlapping_assignment_is_a_duplicate(app) {
        let plan = create_plan(&app, plan_body(2027, three_tiers(), "marginal", None)).await;
        let other = create_plan(&app, json!({
            "name": "Quarterly", "basis": "booking", "period": "quarter", "tier_mode": "flat",
            "tiers": [{"from_bps": 0, "to_bps": null, "rate_bps": 200}], "effective_from": "2027-01-01"
        })).await;
        let rep = app.user("rep", None, None).await;
        let body = json!({"user_id": rep.id, "from": "2027-01-01", "to": "2027-06-30"});
        let res = app.post(&format!("/api/v1/commission-plans/{}/assignments", id_of(&plan))).token(&app.admin_token).json(body).send().await;
        assert_eq!(res.status, 201, "{}", res.body);
        let first = id_of(&res.body);
        let before = row_counts(&app);
        let res = assign(&app, &id_of(&other), &rep.id, "2027-06-30").await;
        res.assert_problem(409, "duplicate");
        assert_eq!(res.body["duplicate_ids"], json!([first]));
        assert_eq!(row_counts(&app), before);
        // Lengthening the first into the other is refused; shortening it frees the days.
        let first_path = format!("/api/v1/commission-plans/{}/assignments/{first}", id_of(&plan));
        let res = app.patch(&first_path).token(&app.admin_token).json(json!({"to": null})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = assign(&app, &id_of(&other), &rep.id, "2027-07-01").await;
        res.assert_problem(409, "duplicate");
        let res = app.patch(&first_path).token(&app.admin_token).json(json!({"to": "2026-12-31"})).send().await;
        assert_eq!(res.error_fields(), vec!["to"]);
        let res = app.patch(&first_path).token(&app.admin_token).json(json!({"to": "2027-06-30"})).send().await;
        assert_eq!((res.status.as_u16(), res.body["to"].as_str()), (200, Some("2027-06-30")), "{}", res.body);
        // The day after is free; a rep may not assign.
        assert_eq!(assign(&app, &id_of(&other), &rep.id, "2027-07-01").await.status, 201);
        let res = app.patch(&first_path).token(&app.admin_token).json(json!({"to": "2027-07-01"})).send().await;
        res.assert_problem(409, "duplicate");
        let body = json!({"user_id": rep.id, "from": "2028-01-01"});
        let res = app.post(&format!("/api/v1/commission-plans/{}/assignments", id_of(&plan))).token(&rep.token).json(body).send().await;
        res.assert_problem(403, "forbidden");
    }

    async fn splits_must_make_a_whole(app) {
        let rep = app.user("rep", None, None).await;
        let other = app.user("rep", None, None).await;
        let order = app.active_order(&rep).await;
        let path = format!("/api/v1/orders/{}/credit-splits", id_of(&order));
        let before = row_counts(&app);
        let short = json!({"splits": [{"user_id": rep.id, "share_bps": 5000}, {"user_id": other.id, "share_bps": 4000}]});
        let res = app.put(&path).token(&app.admin_token).json(short).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["splits"]);
        let twice = json!({"splits": [{"user_id": rep.id, "share_bps": 5000}, {"user_id": rep.id, "share_bps": 5000}]});
        let res = app.put(&path).token(&app.admin_token).json(twice).send().await;
        assert_eq!(res.error_fields(), vec!["splits[1].user_id"]);
        let whole = json!({"splits": [{"user_id": rep.id, "share_bps": 6000}, {"user_id": other.id, "share_bps": 4000}]});
        app.put(&path).token(&rep.token).json(whole).send().await.assert_problem(403, "forbidden");
        assert_eq!(row_counts(&app), before);
        assert_eq!(app.get_ok(&rep.token, &path).await, json!({"splits": []}));
    }

    async fn a_plan_with_a_gap_between_tiers_is_refused_naming_the_tier(app) {
        let before = row_counts(&app);
        let gap = json!([{"from_bps": 0, "to_bps": 8000, "rate_bps": 300}, {"from_bps": 9000, "to_bps": null, "rate_bps": 500}]);
        let res = app.post("/api/v1/commission-plans").token(&app.admin_token).json(plan_body(2027, gap, "marginal", None)).send().await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["tiers[1]"]);
        let open_early = json!([{"from_bps": 0, "to_bps": null, "rate_bps": 300}, {"from_bps": 8000, "to_bps": null, "rate_bps": 500}]);
        let res = app.post("/api/v1/commission-plans").token(&app.admin_token).json(plan_body(2027, open_early, "marginal", None)).send().await;
        // Tier 0 may not be open-ended, and tier 1 cannot start where an open tier ends.
        assert_eq!(res.error_fields(), vec!["tiers[0]", "tiers[1]"]);
        let mut mid_month = plan_body(2027, three_tiers(), "marginal", Some(-1));
        mid_month["effective_from"] = json!("2027-01-15");
        let res = app.post("/api/v1/commission-plans").token(&app.admin_token).json(mid_month).send().await;
        assert_eq!(res.error_fields(), vec!["cap.amount", "effective_from"]);
        let rep = app.user("rep", None, None).await;
        app.post("/api/v1/commission-plans").token(&rep.token).json(plan_body(2027, three_tiers(), "marginal", None)).send().await
            .assert_problem(403, "forbidden");
        assert_eq!(row_counts(&app), before);
    }

    async fn bad_plans_assignments_runs_and_splits_are_refused_and_change_nothing(app) {
        let mut ended = plan_body(2027, three_tiers(), "marginal", None);
        ended["effective_to"] = json!("2027-06-30");
        let plan_id = id_of(&create_plan(&app, ended).await);
        let plan_path = format!("/api/v1/commission-plans/{plan_id}");
        let other_id = id_of(&create_plan(&app, plan_body(2027, three_tiers(), "flat", None)).await);
        let rep = app.user("rep", None, None).await;
        let gone = app.user("rep", None, None).await;
        app.deactivate_user(&gone.id).await;
        let assigned = assign(&app, &other_id, &rep.id, "2027-01-01").await;
        assert_eq!(assigned.status, 201, "{}", assigned.body);
        let order = app.active_order(&rep).await;
        let before = row_counts(&app);
        // A version after the plan ends; an inactive user; an assignment that ends before it starts.
        let version = json!({"effective_from": "2027-07-01", "tier_mode": "flat", "tiers": [{"from_bps": 0, "to_bps": null, "rate_bps": 100}]});
        let res = app.post(&format!("{plan_path}/versions")).token(&app.admin_token).json(version).send().await;
        assert_eq!(res.error_fields(), vec!["effective_from"]);
        assert_eq!(assign(&app, &plan_id, &gone.id, "2027-01-01").await.error_fields(), vec!["user_id"]);
        let backwards = json!({"user_id": rep.id, "from": "2028-02-01", "to": "2028-01-01"});
        let res = app.post(&format!("{plan_path}/assignments")).token(&app.admin_token).json(backwards).send().await;
        assert_eq!(res.error_fields(), vec!["to"]);
        // Another plan's assignment is not this plan's: 404.
        let res = app.patch(&format!("{plan_path}/assignments/{}", id_of(&assigned.body))).token(&app.admin_token)
            .json(json!({"to": null})).send().await;
        res.assert_problem(404, "not_found");
        // A run of an unknown plan, or of a period that does not exist.
        let res = start_run(&app, &app.admin_token, &salesops_domain::new_id(), "2027-01").await;
        assert_eq!(res.error_fields(), vec!["plan_id"]);
        assert_eq!(start_run(&app, &app.admin_token, &plan_id, "2027-13").await.error_fields(), vec!["period"]);
        // Shares out of range, for an unknown user.
        let bad = json!({"splits": [{"user_id": rep.id, "share_bps": 0}, {"user_id": salesops_domain::new_id(), "share_bps": 10000}]});
        let res = app.put(&format!("/api/v1/orders/{}/credit-splits", id_of(&order))).token(&app.admin_token).json(bad).send().await;
        assert_eq!(res.error_fields(), vec!["splits[0].share_bps", "splits[1].user_id"]);
        assert_eq!(row_counts(&app), before);
    }

    async fn a_stale_if_match_on_a_run_command_changes_nothing(app) {
        let plan_id = id_of(&create_plan(&app, plan_body(today(&app).year() - 1, three_tiers(), "marginal", None)).await);
        let rep = rep_on(&app, &plan_id, 2_000_000).await;
        booked(&app, &rep, "10", last_month(&app)).await;
        let run_id = id_of(&run_ok(&app, &plan_id, &month_of(last_month(&app))).await);
        let res = app.post(&format!("/api/v1/commission-runs/{run_id}/approve")).token(&app.admin_token)
            .header("If-Match", "W/\"7\"").send().await;
        res.assert_problem(412, "precondition_failed");
        assert_eq!(app.get_ok(&app.admin_token, &format!("/api/v1/commission-runs/{run_id}")).await["status"], "draft");
        let res = app.post(&format!("/api/v1/commission-runs/{run_id}/approve")).token(&app.admin_token)
            .header("If-Match", "W/\"1\"").send().await;
        assert_eq!(res.status, 200, "{}", res.body);
    }

    async fn an_unused_plans_rules_change_in_place_and_bad_changes_are_refused(app) {
        let plan = create_plan(&app, plan_body(2027, three_tiers(), "marginal", None)).await;
        let path = format!("/api/v1/commission-plans/{}", id_of(&plan));
        let flat = json!([{"from_bps": 0, "to_bps": null, "rate_bps": 400}]);
        let res = app.patch(&path).token(&app.admin_token).json(json!({"tiers": flat, "tier_mode": "flat"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!((&res.body["tiers"], res.body["tier_mode"].as_str()), (&flat, Some("flat")));
        assert_eq!(res.body["versions"].as_array().map(Vec::len), Some(1), "no run used it: changed in place");
        let before = row_counts(&app);
        let gap = json!([{"from_bps": 100, "to_bps": null, "rate_bps": 400}]);
        let res = app.patch(&path).token(&app.admin_token).json(json!({"tiers": gap})).send().await;
        assert_eq!(res.error_fields(), vec!["tiers[0]"]);
        let res = app.patch(&path).token(&app.admin_token).json(json!({"effective_to": "2026-12-31"})).send().await;
        assert_eq!(res.error_fields(), vec!["effective_to"]);
        let rep = app.user("manager", None, None).await;
        app.patch(&path).token(&rep.token).json(json!({"name": "Mine"})).send().await.assert_problem(403, "forbidden");
        assert_eq!(row_counts(&app), before);
        assert_eq!(app.get_ok(&app.admin_token, &path).await["tiers"], flat);
    }

    async fn stale_if_match_on_plan_writes_changes_nothing(app) {
        let plan = create_plan(&app, plan_body(2027, three_tiers(), "marginal", None)).await;
        let path = format!("/api/v1/commission-plans/{}", id_of(&plan));
        let res = app.patch(&path).token(&app.admin_token).json(json!({"name": "Renamed"})).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let before = row_counts(&app);
        let stale = "W/\"1\"";
        let res = app.patch(&path).token(&app.admin_token).header("If-Match", stale).json(json!({"name": "Again"})).send().await;
        res.assert_problem(412, "precondition_failed");
        let version = json!({"effective_from": "2027-07-01", "tier_mode": "flat", "tiers": [{"from_bps": 0, "to_bps": null, "rate_bps": 400}]});
        let res = app.post(&format!("{path}/versions")).token(&app.admin_token).header("If-Match", stale).json(version).send().await;
        res.assert_problem(412, "precondition_failed");
        app.delete(&path).token(&app.admin_token).header("If-Match", stale).send().await.assert_problem(412, "precondition_failed");
        assert_eq!(row_counts(&app), before);
        let plan = app.get_ok(&app.admin_token, &path).await;
        assert_eq!((plan["name"].as_str(), plan["version"].as_i64()), (Some("Renamed"), Some(2)));
        assert_eq!(plan["versions"].as_array().map(Vec::len), Some(1));
    }

    async fn reps_read_only_their_own_and_malformed_queries_are_refused(app) {
        let plan_id = id_of(&create_plan(&app, plan_body(today(&app).year() - 1, three_tiers(), "marginal", None)).await);
        let (mine, theirs) = (rep_on(&app, &plan_id, 2_000_000).await, rep_on(&app, &plan_id, 2_000_000).await);
        let order = booked(&app, &theirs, "10", today(&app)).await;
        let run_id = id_of(&run_ok(&app, &plan_id, &month_of(today(&app))).await);
        // Another rep's statement, its lines and their order's split are not found for a rep.
        let statement = id_of(&statement_of(&app, &run_id, &theirs.id).await);
        let token = &mine.token;
        for path in [
            format!("/api/v1/commission-statements/{statement}"),
            format!("/api/v1/commission-statements/{statement}/lines"),
            format!("/api/v1/orders/{}/credit-splits", id_of(&order)),
        ] {
            app.get(&path).token(token).send().await.assert_problem(404, "not_found");
        }
        let mine_only = app.get_ok(token, &format!("/api/v1/commission-statements?run_id={run_id}")).await;
        assert_eq!(items(&mine_only).iter().map(|s| s["user_id"].clone()).collect::<Vec<_>>(), [json!(mine.id)]);
        let by_user = app.get_ok(&app.admin_token, &format!("/api/v1/commission-statements?user_id={}", theirs.id)).await;
        assert_eq!(items(&by_user).iter().map(id_of).collect::<Vec<_>>(), vec![statement.clone()]);
        // Malformed filters are 400; a share above the whole is 422, and nothing changes.
        for bad in ["commission-runs?status=done", "commission-runs?cursor=abc", "commission-statements?run_id=nope", "commission-statements?limit=0"] {
            app.get(&format!("/api/v1/{bad}")).token(&app.admin_token).send().await.assert_problem(400, "bad_request");
        }
        let before = row_counts(&app);
        let over = json!({"splits": [{"user_id": theirs.id, "share_bps": 10001}]});
        let res = app.put(&format!("/api/v1/orders/{}/credit-splits", id_of(&order))).token(&app.admin_token).json(over).send().await;
        assert_eq!(res.error_fields(), vec!["splits[0].share_bps"]);
        let body = json!({"plan": plan_body(2027, three_tiers(), "marginal", None), "period": "2027-Q1"});
        let res = app.post("/api/v1/commission-simulations").token(&app.admin_token).json(body).send().await;
        assert_eq!(res.error_fields(), vec!["period"], "a quarter for a monthly plan");
        assert_eq!(row_counts(&app), before);
    }

    async fn a_new_version_pays_later_periods(app) {
        let plan = create_plan(&app, plan_body(2027, three_tiers(), "marginal", None)).await;
        let path = format!("/api/v1/commission-plans/{}/versions", id_of(&plan));
        let body = json!({"effective_from": "2027-07-01", "tier_mode": "flat", "tiers": [{"from_bps": 0, "to_bps": null, "rate_bps": 400}]});
        let res = app.post(&path).token(&app.admin_token).json(body.clone()).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["versions"].as_array().map(Vec::len), Some(2));
        assert_eq!((res.body["tier_mode"].as_str(), res.body["effective_from"].as_str()), (Some("flat"), Some("2027-01-01")));
        // Not after the latest version: refused, nothing added.
        let res = app.post(&path).token(&app.admin_token).json(body).send().await;
        assert_eq!(res.error_fields(), vec!["effective_from"]);
        let plan = app.get_ok(&app.admin_token, &format!("/api/v1/commission-plans/{}", id_of(&plan))).await;
        assert_eq!(plan["versions"].as_array().map(Vec::len), Some(2));
    }

    async fn the_demo_seed_has_targets_a_plan_and_a_paid_and_a_draft_run(app) {
        let summary = salesops_api::seed::load_demo(&app.state).expect("seed");
        assert!(summary.contains("a commission plan for 9 reps"), "{summary}");
        let finance = app.login("finance@demo.salesops", salesops_api::seed::DEMO_PASSWORD).await;
        let runs = app.get_ok(&finance, "/api/v1/commission-runs").await;
        let statuses: Vec<&str> = items(&runs).iter().filter_map(|r| r["status"].as_str()).collect();
        assert_eq!(statuses, vec!["paid", "draft"]);
        let statements = app.get_ok(&finance, "/api/v1/commission-statements?limit=200").await;
        assert_eq!(items(&statements).len(), 18, "a statement per rep in each run");
        let earning: i64 = items(&statements).iter().map(|s| s["total"]["amount"].as_i64().expect("total")).sum();
        assert!(earning > 0, "the demo pays some commission");
        let mut split = false;
        for statement in items(&statements) {
            let statement = with_lines(&app, &finance, statement.clone()).await;
            split |= statement["lines"].as_array().expect("lines").iter().any(|l| l["split_bps"] != 10_000);
        }
        assert!(split, "one order's credit is split");
        let year = today(&app).year();
        let attainment = app.get_ok(&finance, &format!("/api/v1/reports/attainment?year={year}&metric=booking&period=quarter&group_by=user")).await;
        assert!(attainment.to_string().contains("attainment_bps"), "{attainment}");
        let again = salesops_api::seed::load_demo(&app.state).expect("seed again");
        assert_eq!(again, "the demo data is already loaded; nothing to do");
    }

    async fn a_simulation_sets_each_user_beside_their_own_current_plan(app) {
        let flat = |rate: i64| json!([{"from_bps": 0, "to_bps": null, "rate_bps": rate}]);
        let year = today(&app).year() - 1;
        let low = id_of(&create_plan(&app, plan_body(year, flat(200), "flat", None)).await);
        let high = id_of(&create_plan(&app, plan_body(year, flat(600), "flat", None)).await);
        let (a, b) = (rep_on(&app, &low, 2_000_000).await, rep_on(&app, &high, 2_000_000).await);
        booked(&app, &a, "10", today(&app)).await;
        booked(&app, &b, "5", today(&app)).await;
        let proposal = plan_body(today(&app).year(), flat(1000), "flat", None);
        let body = json!({"plan": proposal, "period": month_of(today(&app)), "user_ids": [a.id, b.id]});
        let res = app.post("/api/v1/commission-simulations").token(&app.admin_token).json(body).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let of = |user: &TestUser| {
            let row = res.body["users"].as_array().expect("users").iter().find(|u| u["user_id"] == user.id.as_str()).expect("a row");
            (row["proposed"]["total"]["amount"].as_i64(), row["current"]["total"]["amount"].as_i64(), row["current"]["plan_id"].clone())
        };
        // ¥10,000 at 10% against 2%; ¥5,000 at 10% against 6%.
        assert_eq!(of(&a), (Some(100_000), Some(20_000), json!(low)));
        assert_eq!(of(&b), (Some(50_000), Some(30_000), json!(high)));
        assert_eq!((res.body["proposed_total"]["amount"].as_i64(), res.body["current_total"]["amount"].as_i64()), (Some(150_000), Some(50_000)));
    }

    async fn a_simulation_writes_nothing_and_compares_with_the_current_plan(app) {
        let plan = create_plan(&app, plan_body(today(&app).year() - 1, three_tiers(), "marginal", None)).await;
        let rep = rep_on(&app, &id_of(&plan), 2_000_000).await;
        booked(&app, &rep, "10", today(&app)).await;
        let manager = app.user("manager", None, None).await;
        let mut proposal = plan_body(today(&app).year(), json!([{"from_bps": 0, "to_bps": null, "rate_bps": 1000}]), "marginal", None);
        proposal["name"] = json!("Flat ten percent");
        let body = json!({"plan": proposal, "period": month_of(today(&app)), "user_ids": [rep.id]});
        let before = row_counts(&app);
        let res = app.post("/api/v1/commission-simulations").token(&app.admin_token).json(body.clone()).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(row_counts(&app), before, "a simulation writes nothing");
        let user = &res.body["users"][0];
        assert_eq!(user["proposed"]["total"]["amount"], 100_000);
        assert_eq!(user["current"]["total"]["amount"], 30_000);
        assert_eq!(user["current"]["plan_id"], id_of(&plan));
        assert_eq!(user["difference"]["amount"], 70_000);
        assert_eq!((res.body["proposed_total"]["amount"].as_i64(), res.body["current_total"]["amount"].as_i64()), (Some(100_000), Some(30_000)));
        // A rep may not simulate; a bad tier is named under `plan`; an unseen user is unknown.
        app.post("/api/v1/commission-simulations").token(&rep.token).json(body.clone()).send().await.assert_problem(403, "forbidden");
        let mut bad = body.clone();
        bad["plan"]["tiers"] = json!([{"from_bps": 100, "to_bps": null, "rate_bps": 1000}]);
        let res = app.post("/api/v1/commission-simulations").token(&app.admin_token).json(bad).send().await;
        assert_eq!(res.error_fields(), vec!["plan.tiers[0]"]);
        let res = app.post("/api/v1/commission-simulations").token(&manager.token).json(body).send().await;
        assert_eq!(res.error_fields(), vec!["user_ids[0]"]);
        assert_eq!(row_counts(&app), before);
    }
}
