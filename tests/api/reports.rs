//! Reports: funnel, forecast, win/loss, lead conversion and forgotten accounts,
//! with exact numbers on small hand-made data sets, scopes, defaults and validation.

use crate::both_databases;
use crate::fixtures::{id_of, ids};
use crate::helpers::TestApp;
use chrono::{Duration, NaiveDate, NaiveDateTime, SubsecRound, Utc};
use diesel::sql_types::{Nullable, Text, Timestamp};
use diesel::RunQueryDsl;
use salesops_domain::opportunity::{OpportunityAction, OpportunityStatus};
use salesops_persistence::opportunities::OpportunityRow;
use salesops_persistence::pipeline::{self, StageChangeRow};
use serde_json::{json, Value};

fn at(date: &str) -> NaiveDateTime {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("date").and_hms_opt(10, 0, 0).expect("time")
}

fn day(date: &str) -> NaiveDate {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("date")
}

fn money(amount: i64) -> Value {
    json!({ "amount": amount, "currency": "CNY" })
}

/// Append a stage change `from → to` to an opportunity's history, as the stage commands record it.
fn stage_change(app: &TestApp, opportunity_id: &str, from: Option<&str>, to: &str, when: NaiveDateTime) {
    let status = |stage: &str| match stage {
        "closed_won" => OpportunityStatus::Won,
        "closed_lost" => OpportunityStatus::Lost,
        _ => OpportunityStatus::Open,
    };
    let row = StageChangeRow {
        id: salesops_domain::new_id(),
        opportunity_id: opportunity_id.to_owned(),
        action: OpportunityAction::Move,
        from_stage: from.map(str::to_owned),
        to_stage: to.to_owned(),
        from_status: Some(OpportunityStatus::Open),
        to_status: status(to),
        amount: None,
        currency: "CNY".to_owned(),
        probability_bps: 0,
        actor_id: None,
        occurred_at: when,
    };
    app.with_conn(|c| pipeline::insert_stage_change(c, &row)).expect("insert stage change");
}

/// A path of stages an opportunity went through, first to last, recorded as history.
fn history(app: &TestApp, opportunity_id: &str, path: &[&str]) {
    let mut when = at("2025-02-01");
    for pair in path.windows(2) {
        when += Duration::hours(1);
        stage_change(app, opportunity_id, Some(pair[0]), pair[1], when);
    }
}

fn competitor(app: &TestApp, name: &str) -> String {
    let id = salesops_domain::new_id();
    app.with_conn(|c| {
        diesel::sql_query(
            "INSERT INTO competitors (id, name, website, notes, active, version, created_at, updated_at, created_by) \
             VALUES ($1, $2, NULL, NULL, TRUE, 1, $3, $3, NULL)",
        )
        .bind::<Text, _>(&id)
        .bind::<Text, _>(name)
        .bind::<Timestamp, _>(at("2025-01-01"))
        .execute(c)
    })
    .expect("insert competitor");
    id
}

fn listed_competitor(app: &TestApp, opportunity_id: &str, competitor_id: &str) {
    app.with_conn(|c| {
        diesel::sql_query("INSERT INTO opportunity_competitors (opportunity_id, competitor_id) VALUES ($1, $2)")
            .bind::<Text, _>(opportunity_id)
            .bind::<Text, _>(competitor_id)
            .execute(c)
    })
    .expect("insert opportunity competitor");
}

/// Run `sql` binding `$1` to a timestamp and `$2` to an id. (SQLite numbers `$n` by first appearance, so keep them in order.)
fn set_time(app: &TestApp, sql: &str, time: Option<NaiveDateTime>, id: &str) {
    app.with_conn(|c| diesel::sql_query(sql).bind::<Nullable<Timestamp>, _>(time).bind::<Text, _>(id).execute(c))
        .expect("update");
}

/// Put an opportunity in `stage` with that stage's defaults, as the pipeline seeds them.
fn in_stage(row: &mut OpportunityRow, stage: &str) {
    let (probability, category, status) = match stage {
        "qualification" => (1000, "pipeline", "open"),
        "needs_analysis" => (2500, "pipeline", "open"),
        "proposal" => (5000, "best_case", "open"),
        "negotiation" => (7500, "commit", "open"),
        "closed_won" => (10000, "closed", "won"),
        _ => (0, "omitted", "lost"),
    };
    row.stage = stage.to_owned();
    row.probability_bps = probability;
    row.forecast_category = category.parse().expect("a forecast category");
    row.status = status.parse().expect("a status");
}

fn created(row: &mut OpportunityRow, date: &str) {
    row.created_at = at(date);
    row.updated_at = at(date);
    row.stage_entered_at = at(date);
}

const Q1_2025: &str = "from=2025-01-01&to=2025-03-31";

struct Team {
    top: String,
    other: String,
    manager: crate::helpers::TestUser,
    rep1: crate::helpers::TestUser,
    rep2: crate::helpers::TestUser,
}

/// A manager over a department tree (top ⊃ sub) with rep1 in `sub`, and rep2 in another department.
async fn team(app: &TestApp) -> Team {
    let top = app.department("Top", None);
    let sub = app.department("Sub", Some(&top));
    let other = app.department("Other", None);
    let manager = app.user("manager", Some(&top), None).await;
    let rep1 = app.user("rep", Some(&sub), Some(&manager.id)).await;
    let rep2 = app.user("rep", Some(&other), None).await;
    Team { top, other, manager, rep1, rep2 }
}

/// The funnel data set: eight deals of rep1 and one of rep2 created in Q1 2025, and three that do not count.
fn funnel_data(app: &TestApp, t: &Team) {
    let r1 = t.rep1.id.as_str();
    let deal = |owner: &str, stage: &str, amount: Option<i64>, path: &[&str]| {
        let id = app.opportunity(owner, None, |row| {
            in_stage(row, stage);
            created(row, "2025-02-01");
            row.amount = amount;
        });
        history(app, &id, path);
        id
    };
    deal(r1, "qualification", Some(10_000), &[]);
    deal(r1, "qualification", Some(5), &[]); // weighted 0.5 → 1
    deal(r1, "needs_analysis", Some(10_001), &["qualification", "needs_analysis"]); // 2500.25 → 2500
    deal(r1, "proposal", None, &["qualification", "needs_analysis", "proposal"]);
    deal(r1, "negotiation", Some(20_000), &["qualification", "negotiation"]); // skipped two stages
    deal(r1, "closed_won", Some(30_000), &["qualification", "proposal", "closed_won"]);
    deal(r1, "closed_lost", Some(7_000), &["qualification", "needs_analysis", "closed_lost"]);
    deal(r1, "qualification", Some(1_000), &["qualification", "proposal", "qualification"]); // moved back
    deal(&t.rep2.id, "qualification", Some(2_000), &[]);
    // Not counted: created after the period, in another currency, deleted.
    app.opportunity(r1, None, |row| {
        in_stage(row, "negotiation");
        created(row, "2025-04-01");
        row.amount = Some(99_999);
    });
    app.opportunity(r1, None, |row| {
        in_stage(row, "proposal");
        created(row, "2025-02-01");
        row.currency = "USD".into();
        row.amount = Some(50_000);
    });
    app.opportunity(r1, None, |row| {
        created(row, "2025-02-01");
        row.amount = Some(77_777);
        row.deleted_at = Some(at("2025-02-02"));
    });
}

fn stage<'a>(report: &'a Value, key: &str) -> &'a Value {
    report["stages"].as_array().expect("stages").iter().find(|s| s["stage"] == key).expect("stage present")
}

fn stage_numbers(report: &Value, key: &str) -> (i64, i64, i64, i64, Value) {
    let s = stage(report, key);
    assert_eq!(s["amount"]["currency"], "CNY");
    (
        s["count"].as_i64().expect("count"),
        s["amount"]["amount"].as_i64().expect("amount"),
        s["weighted_amount"]["amount"].as_i64().expect("weighted"),
        s["reached"].as_i64().expect("reached"),
        s["conversion_bps"].clone(),
    )
}

both_databases! {
    async fn the_funnel_counts_current_stages_and_conversion_from_stage_history(app) {
        let t = team(&app).await;
        funnel_data(&app, &t);
        let report = app.get_ok(&app.admin_token, &format!("/api/v1/reports/funnel?{Q1_2025}")).await;

        assert_eq!(report["filter"], json!({
            "from": "2025-01-01", "to": "2025-03-31", "owner_id": null, "department_id": null, "currency": "CNY"
        }));
        let keys: Vec<&str> = report["stages"].as_array().expect("stages").iter()
            .map(|s| s["stage"].as_str().expect("key")).collect();
        assert_eq!(keys, ["qualification", "needs_analysis", "proposal", "negotiation", "closed_won", "closed_lost"]);
        assert_eq!(stage(&report, "proposal")["kind"], "open");
        assert_eq!(stage(&report, "proposal")["probability_bps"], 5000);
        assert_eq!(stage(&report, "closed_won")["kind"], "won");

        assert_eq!(stage_numbers(&report, "qualification"), (4, 13_005, 1_301, 9, json!(6667)));
        assert_eq!(stage_numbers(&report, "needs_analysis"), (1, 10_001, 2_500, 6, json!(6667)));
        assert_eq!(stage_numbers(&report, "proposal"), (1, 0, 0, 4, json!(5000)));
        assert_eq!(stage_numbers(&report, "negotiation"), (1, 20_000, 15_000, 2, json!(5000)));
        assert_eq!(stage_numbers(&report, "closed_won"), (1, 30_000, 30_000, 1, Value::Null));
        assert_eq!(stage_numbers(&report, "closed_lost"), (1, 7_000, 0, 1, Value::Null));
        assert_eq!(report["total"], json!({ "count": 9, "amount": money(80_006), "weighted_amount": money(48_801) }));
    }

    async fn moving_a_stage_in_the_pipeline_reranks_how_far_each_deal_got(app) {
        let t = team(&app).await;
        funnel_data(&app, &t);
        let path = format!("/api/v1/reports/funnel?{Q1_2025}");
        let before = app.get_ok(&app.admin_token, &path).await;
        assert_eq!(stage_numbers(&before, "proposal").3, 4);
        assert_eq!(stage_numbers(&before, "negotiation").3, 2);

        // Proposal now comes after negotiation: a deal that reached proposal got further than one in negotiation.
        let res = app.patch("/api/v1/pipeline-stages/proposal").token(&app.admin_token)
            .json(json!({ "position": 45 })).send().await;
        assert_eq!(res.status, 200, "{}", res.body);
        let after = app.get_ok(&app.admin_token, &path).await;
        let keys: Vec<&str> = after["stages"].as_array().expect("stages").iter()
            .map(|s| s["stage"].as_str().expect("key")).collect();
        assert_eq!(keys, ["qualification", "needs_analysis", "negotiation", "proposal", "closed_won", "closed_lost"]);
        assert_eq!(stage_numbers(&after, "qualification").3, 9);
        assert_eq!(stage_numbers(&after, "needs_analysis").3, 6);
        assert_eq!(stage_numbers(&after, "negotiation").3, 4);
        assert_eq!(stage_numbers(&after, "proposal").3, 3);
        assert_eq!(stage_numbers(&after, "closed_won").3, 1);
        assert_eq!(stage_numbers(&after, "negotiation").4, json!(7500));
    }

    async fn the_funnel_counts_only_the_chosen_currency(app) {
        let t = team(&app).await;
        funnel_data(&app, &t);
        let report = app.get_ok(&app.admin_token, &format!("/api/v1/reports/funnel?{Q1_2025}&currency=USD")).await;
        assert_eq!(report["filter"]["currency"], "USD");
        assert_eq!(report["total"]["count"], 1);
        let proposal = stage(&report, "proposal");
        assert_eq!(proposal["amount"], json!({ "amount": 50_000, "currency": "USD" }));
        assert_eq!(proposal["weighted_amount"], json!({ "amount": 25_000, "currency": "USD" }));
        assert_eq!(stage(&report, "qualification")["reached"], 1);
    }

    async fn a_rep_sees_only_their_own_deals_in_the_funnel(app) {
        let t = team(&app).await;
        funnel_data(&app, &t);
        let mine = app.get_ok(&t.rep1.token, &format!("/api/v1/reports/funnel?{Q1_2025}")).await;
        assert_eq!(stage_numbers(&mine, "qualification"), (3, 11_005, 1_101, 8, json!(7500)));
        assert_eq!(mine["total"]["count"], 8);

        let theirs = app.get_ok(&t.rep2.token, &format!("/api/v1/reports/funnel?{Q1_2025}")).await;
        assert_eq!(theirs["total"]["count"], 1);
        // Naming another owner or department narrows to nothing; it never widens the scope.
        let path = format!("/api/v1/reports/funnel?{Q1_2025}&owner_id={}", t.rep1.id);
        assert_eq!(app.get_ok(&t.rep2.token, &path).await["total"]["count"], 0);
        let path = format!("/api/v1/reports/funnel?{Q1_2025}&department_id={}", t.top);
        let narrowed = app.get_ok(&t.rep2.token, &path).await;
        assert_eq!(narrowed["total"]["count"], 0);
        assert_eq!(narrowed["filter"]["department_id"], t.top.as_str());
    }

    async fn a_manager_sees_their_department_tree_and_filters_only_narrow_it(app) {
        let t = team(&app).await;
        funnel_data(&app, &t);
        let report = app.get_ok(&t.manager.token, &format!("/api/v1/reports/funnel?{Q1_2025}")).await;
        assert_eq!(report["total"]["count"], 8, "rep1's deals, not rep2's");

        let path = format!("/api/v1/reports/funnel?{Q1_2025}&department_id={}", t.other);
        assert_eq!(app.get_ok(&t.manager.token, &path).await["total"]["count"], 0);
        let path = format!("/api/v1/reports/funnel?{Q1_2025}&owner_id={}", t.rep2.id);
        assert_eq!(app.get_ok(&t.manager.token, &path).await["total"]["count"], 0);

        // The admin may filter by department: the tree under `top` holds rep1 only.
        let path = format!("/api/v1/reports/funnel?{Q1_2025}&department_id={}", t.top);
        assert_eq!(app.get_ok(&app.admin_token, &path).await["total"]["count"], 8);
        let path = format!("/api/v1/reports/funnel?{Q1_2025}&department_id={}", t.other);
        assert_eq!(app.get_ok(&app.admin_token, &path).await["total"]["count"], 1);
        let path = format!("/api/v1/reports/funnel?{Q1_2025}&owner_id={}", t.rep2.id);
        assert_eq!(app.get_ok(&app.admin_token, &path).await["total"]["count"], 1);

        let finance = app.user("finance", None, None).await;
        assert_eq!(app.get_ok(&finance.token, &format!("/api/v1/reports/funnel?{Q1_2025}")).await["total"]["count"], 9);
    }

    async fn reports_default_to_the_current_quarter(app) {
        let rep = app.user("rep", None, None).await;
        app.opportunity(&rep.id, None, |row| row.amount = Some(100));
        app.opportunity(&rep.id, None, |row| {
            created(row, "2020-01-10");
            row.amount = Some(1);
        });
        let (start, end) = salesops_domain::reports::quarter_of(Utc::now().date_naive());
        for report in ["funnel", "forecast", "win-loss", "lead-conversion"] {
            let body = app.get_ok(&rep.token, &format!("/api/v1/reports/{report}")).await;
            assert_eq!(body["filter"]["from"], start.to_string(), "{report}");
            assert_eq!(body["filter"]["to"], end.to_string(), "{report}");
        }
        let funnel = app.get_ok(&rep.token, "/api/v1/reports/funnel").await;
        assert_eq!(funnel["total"], json!({ "count": 1, "amount": money(100), "weighted_amount": money(10) }));
        // Only `from`: to the end of its quarter. Only `to`: from the start of its quarter.
        let body = app.get_ok(&rep.token, "/api/v1/reports/funnel?from=2020-01-10").await;
        assert_eq!((&body["filter"]["from"], &body["filter"]["to"]), (&json!("2020-01-10"), &json!("2020-03-31")));
        assert_eq!(body["total"]["count"], 1);
        let body = app.get_ok(&rep.token, "/api/v1/reports/funnel?to=2020-05-20").await;
        assert_eq!((&body["filter"]["from"], &body["filter"]["to"]), (&json!("2020-04-01"), &json!("2020-05-20")));
    }

    async fn the_forecast_sums_open_deals_by_category_and_the_won_ones(app) {
        let rep = app.user("rep", None, None).await;
        let open = |category: &str, probability: i32, expected: Option<&str>, amount: i64| {
            app.opportunity(&rep.id, None, |row| {
                row.forecast_category = category.parse().expect("a forecast category");
                row.probability_bps = probability;
                row.expected_close_date = expected.map(day);
                row.amount = Some(amount);
            });
        };
        open("pipeline", 1000, Some("2025-02-10"), 10_000);
        open("best_case", 5000, Some("2025-03-31"), 3); // last day counts; 1.5 → 2
        open("commit", 7500, Some("2025-01-01"), 20_000);
        open("omitted", 2500, Some("2025-02-01"), 5_000);
        open("commit", 7500, Some("2025-04-01"), 40_000); // after the period
        open("pipeline", 1000, None, 40_000); // no date
        let closed = |status: &str, closed_at: NaiveDateTime, amount: i64| {
            app.opportunity(&rep.id, None, |row| {
                in_stage(row, if status == "won" { "closed_won" } else { "closed_lost" });
                row.status = status.parse().expect("a status");
                row.closed_at = Some(closed_at);
                row.expected_close_date = Some(day("2025-02-01"));
                row.amount = Some(amount);
            });
        };
        closed("won", at("2025-03-31") + Duration::hours(13) + Duration::minutes(59), 40_000);
        closed("won", at("2025-04-01") - Duration::hours(10), 1_000_000); // midnight after the period
        closed("lost", at("2025-02-01"), 70_000);

        let report = app.get_ok(&rep.token, &format!("/api/v1/reports/forecast?{Q1_2025}")).await;
        assert_eq!(report["categories"], json!([
            { "category": "pipeline", "count": 1, "amount": money(10_000), "weighted_amount": money(1_000) },
            { "category": "best_case", "count": 1, "amount": money(3), "weighted_amount": money(2) },
            { "category": "commit", "count": 1, "amount": money(20_000), "weighted_amount": money(15_000) },
            { "category": "omitted", "count": 1, "amount": money(5_000), "weighted_amount": money(1_250) },
            { "category": "closed", "count": 1, "amount": money(40_000), "weighted_amount": money(40_000) },
        ]));
        assert_eq!(report["pipeline_weighted"], money(16_002));
        assert_eq!(report["closed_won"], json!({ "count": 1, "amount": money(40_000) }));
    }

    async fn the_forecast_adds_deals_at_the_amount_cap_exactly(app) {
        const CAP: i64 = 10_000_000_000_000;
        let rep = app.user("rep", None, None).await;
        for _ in 0..3 {
            app.opportunity(&rep.id, None, |row| {
                in_stage(row, "negotiation");
                created(row, "2025-01-15");
                row.expected_close_date = Some(day("2025-02-10"));
                row.amount = Some(CAP);
            });
        }
        for _ in 0..2 {
            app.opportunity(&rep.id, None, |row| {
                in_stage(row, "closed_won");
                created(row, "2025-01-15");
                row.closed_at = Some(at("2025-03-01"));
                row.expected_close_date = Some(day("2025-02-10"));
                row.amount = Some(CAP);
            });
        }
        let report = app.get_ok(&rep.token, &format!("/api/v1/reports/forecast?{Q1_2025}")).await;
        let commit = &report["categories"][2];
        assert_eq!(commit["category"], "commit");
        assert_eq!(commit["count"], 3);
        assert_eq!(commit["amount"], money(3 * CAP));
        assert_eq!(commit["weighted_amount"], money(3 * CAP / 4 * 3));
        assert_eq!(report["pipeline_weighted"], money(3 * CAP / 4 * 3));
        assert_eq!(report["closed_won"], json!({ "count": 2, "amount": money(2 * CAP) }));
        let funnel = app.get_ok(&rep.token, &format!("/api/v1/reports/funnel?{Q1_2025}")).await;
        assert_eq!(funnel["total"]["amount"], money(5 * CAP));
    }

    async fn win_loss_gives_the_win_rate_loss_reasons_and_competitors(app) {
        let rep = app.user("rep", None, None).await;
        let acme = competitor(&app, "Acme CRM");
        let beta = competitor(&app, "Beta Sales");
        let deal = |status: &str, amount: i64, reason: Option<&str>, winner: Option<&str>, closed: &str| {
            app.opportunity(&rep.id, None, |row| {
                in_stage(row, if status == "won" { "closed_won" } else { "closed_lost" });
                row.status = status.parse().expect("a status");
                row.amount = Some(amount);
                row.loss_reason = reason.map(str::to_owned);
                row.won_by_competitor_id = winner.map(str::to_owned);
                row.closed_at = Some(at(closed));
            })
        };
        let w1 = deal("won", 30_000, None, None, "2025-01-05");
        deal("won", 10_000, None, None, "2025-03-31");
        let l1 = deal("lost", 5_000, Some("price"), Some(&acme), "2025-02-01");
        deal("lost", 7_000, Some("price"), Some(&beta), "2025-02-02"); // Beta named as winner only
        deal("lost", 1_000, Some("timing"), None, "2025-02-03");
        deal("abandoned", 2_000, None, None, "2025-02-04");
        let late = deal("lost", 9_000, Some("no_budget"), Some(&acme), "2025-04-02");
        listed_competitor(&app, &w1, &acme);
        listed_competitor(&app, &l1, &acme);
        listed_competitor(&app, &l1, &beta);
        listed_competitor(&app, &late, &beta);

        let report = app.get_ok(&rep.token, &format!("/api/v1/reports/win-loss?{Q1_2025}")).await;
        assert_eq!(report["won"], json!({ "count": 2, "amount": money(40_000) }));
        assert_eq!(report["lost"], json!({ "count": 3, "amount": money(13_000) }));
        assert_eq!(report["abandoned"], json!({ "count": 1, "amount": money(2_000) }));
        assert_eq!(report["win_rate_bps"], 4000);
        assert_eq!(report["loss_reasons"], json!([
            { "code": "price", "name": "Price too high", "count": 2, "amount": money(12_000) },
            { "code": "timing", "name": "Timing", "count": 1, "amount": money(1_000) },
        ]));
        assert_eq!(report["competitors"], json!([
            { "competitor_id": acme, "name": "Acme CRM", "involved": 2, "won_against": 1, "lost_to": 1 },
            { "competitor_id": beta, "name": "Beta Sales", "involved": 2, "won_against": 0, "lost_to": 1 },
        ]));

        let other = app.user("rep", None, None).await;
        let theirs = app.get_ok(&other.token, &format!("/api/v1/reports/win-loss?{Q1_2025}")).await;
        assert_eq!(theirs["won"]["count"], 0);
        assert_eq!(theirs["win_rate_bps"], Value::Null);
        assert_eq!(theirs["competitors"], json!([]));
    }

    async fn lead_conversion_counts_outcomes_by_source_with_the_pool(app) {
        let t = team(&app).await;
        let lead = |token: String, source: &'static str| {
            let app = &app;
            async move { id_of(&app.lead(&token, json!({ "name": "Lead", "source": source })).await) }
        };
        let converted = lead(t.rep1.token.clone(), "web").await;
        let disqualified = lead(t.rep1.token.clone(), "web").await;
        lead(t.rep1.token.clone(), "web").await;
        let referral = lead(t.rep1.token.clone(), "referral").await;
        lead(t.rep2.token.clone(), "web").await;
        lead(t.rep2.token.clone(), "web").await;
        let pooled = app.lead(&app.admin_token, json!({ "name": "Pool", "source": "event", "to_pool": true })).await;
        assert_eq!(pooled["owner_id"], Value::Null);
        let old = lead(t.rep1.token.clone(), "web").await;
        let deleted = lead(t.rep1.token.clone(), "web").await;
        for id in [&converted, &referral] {
            set_time(&app, "UPDATE leads SET status = 'converted', converted_at = $1 WHERE id = $2", Some(at("2025-01-01")), id);
        }
        set_time(&app, "UPDATE leads SET status = 'disqualified', next_follow_up_at = $1 WHERE id = $2", None, &disqualified);
        set_time(&app, "UPDATE leads SET created_at = $1 WHERE id = $2", Some(at("2020-01-01")), &old);
        set_time(&app, "UPDATE leads SET deleted_at = $1 WHERE id = $2", Some(at("2025-01-01")), &deleted);

        let outcome = |total: i64, converted: i64, disqualified: i64, open: i64, rate: Value| {
            json!({ "total": total, "converted": converted, "disqualified": disqualified, "open": open, "conversion_rate_bps": rate })
        };
        let source = |report: &Value, source: &str| {
            let mut s = report["sources"].as_array().expect("sources").iter()
                .find(|s| s["source"] == source).expect("source").clone();
            s.as_object_mut().expect("object").remove("source");
            s
        };

        let all = app.get_ok(&app.admin_token, "/api/v1/reports/lead-conversion").await;
        assert_eq!(all["sources"].as_array().expect("sources").len(), 7, "every source, even empty ones");
        assert_eq!(source(&all, "web"), outcome(5, 1, 1, 3, json!(2000)));
        assert_eq!(source(&all, "referral"), outcome(1, 1, 0, 0, json!(10000)));
        assert_eq!(source(&all, "event"), outcome(1, 0, 0, 1, json!(0)));
        assert_eq!(source(&all, "partner"), outcome(0, 0, 0, 0, Value::Null));
        assert_eq!(all["total"], outcome(7, 2, 1, 4, json!(2857)));

        let mine = app.get_ok(&t.rep1.token, "/api/v1/reports/lead-conversion").await;
        assert_eq!(source(&mine, "web"), outcome(3, 1, 1, 1, json!(3333)));
        assert_eq!(mine["total"], outcome(5, 2, 1, 2, json!(4000)), "rep1's leads and the pool's");

        let path = format!("/api/v1/reports/lead-conversion?owner_id={}", t.rep1.id);
        let filtered = app.get_ok(&app.admin_token, &path).await;
        assert_eq!(filtered["total"], outcome(4, 2, 1, 1, json!(5000)), "no pool leads under an owner filter");
        assert_eq!(filtered["filter"]["owner_id"], t.rep1.id.as_str());

        let path = format!("/api/v1/reports/lead-conversion?department_id={}", t.top);
        assert_eq!(app.get_ok(&t.manager.token, &path).await["total"], outcome(4, 2, 1, 1, json!(5000)));
        let path = format!("/api/v1/reports/lead-conversion?department_id={}", t.top);
        assert_eq!(app.get_ok(&t.rep2.token, &path).await["total"], outcome(0, 0, 0, 0, Value::Null));

        let old_days = app.get_ok(&app.admin_token, "/api/v1/reports/lead-conversion?from=2020-01-01&to=2020-01-01").await;
        assert_eq!(old_days["total"], outcome(1, 0, 0, 1, json!(0)));
    }

    async fn forgotten_accounts_are_the_quiet_owned_ones_oldest_first(app) {
        let t = team(&app).await;
        let now = Utc::now().naive_utc().trunc_subsecs(6); // as the app stores times
        let account = |name: &str, owner: Option<&str>, created_days_ago: i64, activity_days_ago: Option<i64>| {
            let id = app.account(name, owner);
            set_time(&app, "UPDATE accounts SET created_at = $1 WHERE id = $2", Some(now - Duration::days(created_days_ago)), &id);
            let activity = activity_days_ago.map(|d| now - Duration::days(d) - Duration::minutes(5));
            set_time(&app, "UPDATE accounts SET last_activity_at = $1 WHERE id = $2", activity, &id);
            id
        };
        let f1 = account("Forty", Some(&t.rep1.id), 100, Some(40));
        let f2 = account("Two hundred", Some(&t.rep1.id), 200, None);
        app.contact(&f2, "张伟"); // a contact is not a sign of life
        account("Recent", Some(&t.rep1.id), 100, Some(5));
        account("Pooled", None, 300, None);
        let f5 = account("Rep two", Some(&t.rep2.id), 60, None);
        let gone = account("Deleted", Some(&t.rep1.id), 300, None);
        set_time(&app, "UPDATE accounts SET deleted_at = $1 WHERE id = $2", Some(now), &gone);
        account("Imported", Some(&t.rep1.id), 1, Some(90)); // activity before creation: quiet since creation

        let all = app.get_ok(&app.admin_token, "/api/v1/reports/forgotten-accounts?count=true").await;
        assert_eq!(ids(&all), [f2.clone(), f5.clone(), f1.clone()]);
        assert_eq!(all["days"], 30);
        assert_eq!(all["total"], 3);
        assert_eq!(all["next_cursor"], Value::Null);
        let first = &all["data"][0];
        assert_eq!(first["name"], "Two hundred");
        assert_eq!(first["owner_id"], t.rep1.id.as_str());
        assert_eq!(first["tier"], "standard");
        assert_eq!(first["lifecycle"], "prospect");
        assert_eq!(first["last_activity_at"], Value::Null);
        assert_eq!(first["days_since_activity"], 200);
        assert_eq!(all["data"][2]["days_since_activity"], 40);
        assert!(all["data"][2]["last_activity_at"].as_str().is_some());

        let page1 = app.get_ok(&app.admin_token, "/api/v1/reports/forgotten-accounts?limit=2").await;
        assert_eq!(ids(&page1), [f2.clone(), f5.clone()]);
        assert!(page1.get("total").is_none());
        let cursor = page1["next_cursor"].as_str().expect("a next page");
        let page2 = app.get_ok(&app.admin_token, &format!("/api/v1/reports/forgotten-accounts?limit=2&cursor={cursor}")).await;
        assert_eq!(ids(&page2), vec![f1.clone()]);
        assert_eq!(page2["next_cursor"], Value::Null);

        let mine = app.get_ok(&t.rep1.token, "/api/v1/reports/forgotten-accounts").await;
        assert_eq!(ids(&mine), [f2.clone(), f1.clone()]);
        let path = format!("/api/v1/reports/forgotten-accounts?owner_id={}", t.rep2.id);
        assert_eq!(ids(&app.get_ok(&t.rep1.token, &path).await), Vec::<String>::new());
        let path = format!("/api/v1/reports/forgotten-accounts?department_id={}", t.top);
        assert_eq!(ids(&app.get_ok(&t.manager.token, &path).await), [f2.clone(), f1.clone()]);

        let fifty = app.get_ok(&app.admin_token, "/api/v1/reports/forgotten-accounts?days=50").await;
        assert_eq!(ids(&fifty), [f2.clone(), f5.clone()]);
        assert_eq!(fifty["days"], 50);
    }

    async fn report_parameters_are_validated(app) {
        let rep = app.user("rep", None, None).await;
        for path in [
            "/api/v1/reports/funnel?from=2025-03-02&to=2025-03-01",
            "/api/v1/reports/forecast?from=2025-03-02&to=2025-03-01",
            "/api/v1/reports/win-loss?from=2025-03-02&to=2025-03-01",
            "/api/v1/reports/lead-conversion?from=2025-03-02&to=2025-03-01",
            "/api/v1/reports/funnel?from=2025-13-01",
            "/api/v1/reports/funnel?to=yesterday",
            "/api/v1/reports/funnel?currency=usd",
            "/api/v1/reports/forecast?currency=DOLLAR",
            "/api/v1/reports/win-loss?department_id=no-such-department",
            "/api/v1/reports/lead-conversion?department_id=no-such-department",
            "/api/v1/reports/forgotten-accounts?days=0",
            "/api/v1/reports/forgotten-accounts?days=3651",
            "/api/v1/reports/forgotten-accounts?days=thirty",
            "/api/v1/reports/forgotten-accounts?limit=0",
            "/api/v1/reports/forgotten-accounts?cursor=garbage",
        ] {
            let res = app.get(path).token(&rep.token).send().await;
            assert_eq!(res.status, 400, "{path}: {}", res.body);
            res.assert_problem(400, "bad_request");
        }
        for ok in ["/api/v1/reports/forgotten-accounts?days=1", "/api/v1/reports/forgotten-accounts?days=3650",
                   "/api/v1/reports/funnel?from=2025-03-01&to=2025-03-01"] {
            assert_eq!(app.get(ok).token(&rep.token).send().await.status, 200, "{ok}");
        }
        let res = app.get("/api/v1/reports/funnel").send().await;
        res.assert_problem(401, "unauthenticated");
    }

    async fn empty_reports_keep_their_shape(app) {
        let rep = app.user("rep", None, None).await;
        let funnel = app.get_ok(&rep.token, "/api/v1/reports/funnel").await;
        let stages = funnel["stages"].as_array().expect("stages");
        assert_eq!(stages.len(), 6);
        for s in stages {
            assert_eq!((s["count"].as_i64(), s["reached"].as_i64()), (Some(0), Some(0)));
            assert_eq!(s["amount"], money(0));
            assert_eq!(s["weighted_amount"], money(0));
            assert_eq!(s["conversion_bps"], Value::Null);
        }
        assert_eq!(funnel["total"], json!({ "count": 0, "amount": money(0), "weighted_amount": money(0) }));

        let forecast = app.get_ok(&rep.token, "/api/v1/reports/forecast").await;
        assert_eq!(forecast["categories"].as_array().expect("categories").len(), 5);
        assert_eq!(forecast["pipeline_weighted"], money(0));
        assert_eq!(forecast["closed_won"], json!({ "count": 0, "amount": money(0) }));

        let win_loss = app.get_ok(&rep.token, "/api/v1/reports/win-loss").await;
        assert_eq!(win_loss["win_rate_bps"], Value::Null);
        assert_eq!(win_loss["loss_reasons"], json!([]));
        assert_eq!(win_loss["competitors"], json!([]));
        assert_eq!(win_loss["abandoned"], json!({ "count": 0, "amount": money(0) }));

        let leads = app.get_ok(&rep.token, "/api/v1/reports/lead-conversion").await;
        assert_eq!(leads["total"]["conversion_rate_bps"], Value::Null);

        let forgotten = app.get_ok(&rep.token, "/api/v1/reports/forgotten-accounts?count=true").await;
        assert_eq!(forgotten["data"], json!([]));
        assert_eq!(forgotten["total"], 0);
        assert_eq!(forgotten["next_cursor"], Value::Null);

        let finance = app.user("finance", None, None).await;
        let manager = app.user("manager", None, None).await;
        for token in [&finance.token, &manager.token] {
            for report in ["funnel", "forecast", "win-loss", "lead-conversion", "forgotten-accounts"] {
                assert_eq!(app.get(&format!("/api/v1/reports/{report}")).token(token).send().await.status, 200);
            }
        }
    }

    async fn the_demo_seed_loads_a_pipeline_the_reports_show(app) {
        let summary = salesops_api::seed::load_demo(&app.state).expect("seed");
        assert!(summary.contains("120 accounts"), "{summary}");
        assert!(summary.contains("250 opportunities"), "{summary}");
        let again = salesops_api::seed::load_demo(&app.state).expect("seed again");
        assert_eq!(again, "the demo data is already loaded; nothing to do");

        let funnel = app.get_ok(&app.admin_token, "/api/v1/reports/funnel").await;
        assert!(funnel["total"]["count"].as_i64().expect("count") >= 150, "{}", funnel["total"]);
        for s in funnel["stages"].as_array().expect("stages") {
            assert!(s["count"].as_i64().expect("count") > 0, "stage {} is empty", s["stage"]);
        }
        let conversion = stage(&funnel, "qualification")["conversion_bps"].as_i64().expect("a conversion");
        assert!((1..10_000).contains(&conversion), "{conversion}");

        let forecast = app.get_ok(&app.admin_token, "/api/v1/reports/forecast").await;
        assert!(forecast["closed_won"]["count"].as_i64().expect("won") > 0);
        assert!(forecast["pipeline_weighted"]["amount"].as_i64().expect("weighted") > 0);
        let win_loss = app.get_ok(&app.admin_token, "/api/v1/reports/win-loss").await;
        assert!(win_loss["win_rate_bps"].as_i64().is_some());
        assert!(!win_loss["loss_reasons"].as_array().expect("reasons").is_empty());
        assert!(!win_loss["competitors"].as_array().expect("competitors").is_empty());
        let leads = app.get_ok(&app.admin_token, "/api/v1/reports/lead-conversion").await;
        assert!(leads["total"]["converted"].as_i64().expect("converted") > 0, "{}", leads["total"]);
        let forgotten = app.get_ok(&app.admin_token, "/api/v1/reports/forgotten-accounts?count=true").await;
        assert!(forgotten["total"].as_i64().expect("total") > 0);

        // A rep sees a slice of it.
        let rep = app.login("rep1.east@demo.salesops", salesops_api::seed::DEMO_PASSWORD).await;
        let mine = app.get_ok(&rep, "/api/v1/reports/funnel").await;
        let (all, own) = (funnel["total"]["count"].as_i64(), mine["total"]["count"].as_i64());
        assert!(own > Some(0) && own < all, "{own:?} of {all:?}");
    }

    async fn a_rep_sees_none_of_another_reps_deals_in_the_forecast(app) {
        let t = team(&app).await;
        for (category, probability) in [("pipeline", 1000), ("commit", 7500)] {
            app.opportunity(&t.rep1.id, None, |row| {
                row.forecast_category = category.parse().expect("a forecast category");
                row.probability_bps = probability;
                row.expected_close_date = Some(day("2025-02-10"));
                row.amount = Some(10_000);
            });
        }
        app.opportunity(&t.rep1.id, None, |row| {
            in_stage(row, "closed_won");
            row.closed_at = Some(at("2025-03-01"));
            row.expected_close_date = Some(day("2025-02-10"));
            row.amount = Some(5_000);
        });
        let mine = app.get_ok(&t.rep1.token, &format!("/api/v1/reports/forecast?{Q1_2025}")).await;
        assert_eq!(mine["pipeline_weighted"], money(8_500));
        assert_eq!(mine["closed_won"], json!({ "count": 1, "amount": money(5_000) }));
        let empty = |report: &Value| {
            for c in report["categories"].as_array().expect("categories") {
                assert_eq!(c["count"], 0, "{c}");
                assert_eq!(c["amount"], money(0), "{c}");
            }
            assert_eq!(report["pipeline_weighted"], money(0));
            assert_eq!(report["closed_won"], json!({ "count": 0, "amount": money(0) }));
        };
        empty(&app.get_ok(&t.rep2.token, &format!("/api/v1/reports/forecast?{Q1_2025}")).await);
        // Naming the other rep narrows to nothing; it never widens the scope.
        let path = format!("/api/v1/reports/forecast?{Q1_2025}&owner_id={}", t.rep1.id);
        empty(&app.get_ok(&t.rep2.token, &path).await);
    }

    async fn an_account_with_an_unknown_stored_tier_fails_the_forgotten_accounts_report(app) {
        let rep = app.user("rep", None, None).await;
        let id = app.account("Quiet", Some(&rep.id));
        let long_ago = Utc::now().naive_utc() - Duration::days(100);
        set_time(&app, "UPDATE accounts SET created_at = $1 WHERE id = $2", Some(long_ago), &id);
        assert_eq!(app.get_ok(&rep.token, "/api/v1/reports/forgotten-accounts").await["data"][0]["id"], id.as_str());

        app.store_raw_word("UPDATE accounts SET tier = $1 WHERE id = $2", "platinum", &id);
        let res = app.get("/api/v1/reports/forgotten-accounts").token(&rep.token).send().await;
        res.assert_problem(500, "internal");
    }
}
