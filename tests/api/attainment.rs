//! Attainment against targets, the leaderboard and the forecast's target, with exact
//! numbers on a small hand-made data set: department subtrees, year on year and period on
//! period growth, zero-filled periods, and each role's scope. Orders are made through the
//! API and back-dated by finance into last year and the year before.

use crate::both_databases;
use crate::fixtures::{id_of, EastWest};
use crate::helpers::{TestApp, TestUser};
use chrono::{Datelike, NaiveDate};
use diesel::sql_types::{Date, Text};
use diesel::RunQueryDsl;
use serde_json::{json, Value};

/// [`EastWest`]; a ¥1.00 product; and Y, last calendar year.
struct Org {
    base: EastWest,
    product: String,
    year: i32,
}

impl std::ops::Deref for Org {
    type Target = EastWest;

    fn deref(&self) -> &EastWest {
        &self.base
    }
}

async fn org(app: &TestApp) -> Org {
    let base = app.east_west().await;
    let product = app.unit_product().await;
    Org { base, product, year: app.state.business_today().year() - 1 }
}

impl Org {
    /// The day `month`-`day` of Y, or of the year `back` years before it.
    fn day(&self, back: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year - back, month, day).expect("a day")
    }

    /// An order of `total` fen by `rep` on `account`, activated by finance and booked on `day`; its id.
    async fn booked(&self, app: &TestApp, rep: &TestUser, account: &str, total: i64, day: NaiveDate) -> String {
        let body = json!({
            "account_id": account, "currency": "CNY",
            "lines": [{ "product_id": self.product, "quantity": (total / 100).to_string(), "discount_bps": 0 }]
        });
        let id = id_of(&app.created(&rep.token, "/api/v1/orders", body).await);
        let res = app
            .post(&format!("/api/v1/orders/{id}/activate"))
            .token(&self.finance.token)
            .json(json!({ "booked_at": day }))
            .send()
            .await;
        assert_eq!(res.status.as_u16(), 200, "activate: {}", res.body);
        id
    }

    /// A payment of `amount` on order `order` by `rep`, confirmed by finance, then moved to
    /// the collection day `day` directly (confirmation is always today).
    async fn collected(&self, app: &TestApp, rep: &TestUser, order: &str, amount: i64, day: NaiveDate) {
        let body = json!({ "order_id": order, "amount": { "amount": amount, "currency": "CNY" },
            "received_at": day, "method": "bank_transfer" });
        let payment = id_of(&app.created(&rep.token, "/api/v1/payments", body).await);
        let res = app.post(&format!("/api/v1/payments/{payment}/confirm")).token(&self.finance.token).send().await;
        assert_eq!(res.status.as_u16(), 200, "confirm: {}", res.body);
        let changed = app
            .with_conn(|c| {
                diesel::sql_query("UPDATE payments SET confirmed_on = $1 WHERE id = $2")
                    .bind::<Date, _>(day)
                    .bind::<Text, _>(&payment)
                    .execute(c)
            })
            .expect("move the collection day");
        assert_eq!(changed, 1);
    }

    /// Set a CNY target of `monthly` a month for Y, as the admin.
    async fn target(&self, app: &TestApp, subject: Value, metric: &str, monthly: i64) -> Value {
        let months = vec![json!({ "amount": monthly, "currency": "CNY" }); 12];
        let body = json!({ "subject": subject, "year": self.year, "metric": metric, "months": months });
        app.created(&app.admin_token, "/api/v1/targets", body).await
    }

    /// The data set: in Y, rep1 booked 500 in February and 1000 in March, rep2 300 and
    /// rep3 700 in March; in the year before, rep1 800 in March. rep3 collected 700 in March of Y.
    /// rep1's account had its first order the year before; rep2's and rep3's are new in Y.
    /// rep1 has a booking target of 800 a month, East one of 2000, EastA one of 100.
    async fn seed(&self, app: &TestApp) {
        let (a1, a2, a3) = (
            app.account("A1", Some(&self.rep1.id)),
            app.account("A2", Some(&self.rep2.id)),
            app.account("A3", Some(&self.rep3.id)),
        );
        self.booked(app, &self.rep1, &a1, 800, self.day(1, 3, 10)).await;
        self.booked(app, &self.rep1, &a1, 500, self.day(0, 2, 10)).await;
        self.booked(app, &self.rep1, &a1, 1000, self.day(0, 3, 10)).await;
        self.booked(app, &self.rep2, &a2, 300, self.day(0, 3, 20)).await;
        let west = self.booked(app, &self.rep3, &a3, 700, self.day(0, 3, 5)).await;
        self.collected(app, &self.rep3, &west, 700, self.day(0, 3, 6)).await;
        self.target(app, json!({ "type": "user", "id": self.rep1.id }), "booking", 800).await;
        self.target(app, json!({ "type": "department", "id": self.east }), "booking", 2000).await;
        self.target(app, json!({ "type": "department", "id": self.east_a }), "booking", 100).await;
    }
}

/// The attainment report at `query` as `token`.
async fn attainment(app: &TestApp, token: &str, query: &str) -> Value {
    app.get_ok(token, &format!("/api/v1/reports/attainment?{query}")).await
}

/// The row of `period` and `subject_id`.
fn row<'a>(report: &'a Value, period: &str, subject_id: &str) -> &'a Value {
    rows(report)
        .iter()
        .find(|r| r["period"] == period && r["subject"]["id"] == subject_id)
        .unwrap_or_else(|| panic!("no row {period} {subject_id} in {report}"))
}

/// The distinct subjects of a report's rows, in order of first appearance.
fn subjects(report: &Value) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for r in rows(report) {
        let id = r["subject"]["id"].as_str().expect("an id").to_owned();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// A report's rows.
fn rows(report: &Value) -> &Vec<Value> {
    report["rows"].as_array().unwrap_or_else(|| panic!("no rows in {report}"))
}

fn cny(amount: i64) -> Value {
    json!({ "amount": amount, "currency": "CNY" })
}

both_databases! {
    async fn attainment_by_user_gives_actual_target_and_growth_for_every_month(app) {
        let o = org(&app).await;
        o.seed(&app).await;
        let y = o.year;
        let report = attainment(&app, &app.admin_token, &format!("year={y}")).await;
        assert_eq!(report["filter"], json!({ "year": y, "metric": "booking", "period": "month", "group_by": "user", "currency": "CNY" }));
        let mut users = subjects(&report);
        users.sort();
        let mut expected = vec![o.rep1.id.clone(), o.rep2.id.clone(), o.rep3.id.clone()];
        expected.sort();
        assert_eq!(users, expected);
        assert_eq!(rows(&report).len(), 36, "every month of every user, zero-filled");

        let march = row(&report, &format!("{y}-03"), &o.rep1.id);
        assert_eq!(march["subject"], json!({ "type": "user", "id": o.rep1.id, "name": "Test rep" }));
        assert_eq!(march["period_start"], format!("{y}-03-01"));
        assert_eq!((&march["actual"], &march["target"], &march["attainment_bps"]), (&cny(1000), &cny(800), &json!(12_500)));
        assert_eq!((&march["last_year"], &march["yoy_bps"]), (&cny(800), &json!(2_500)));
        assert_eq!((&march["previous"], &march["mom_bps"]), (&cny(500), &json!(10_000)));
        let january = row(&report, &format!("{y}-01"), &o.rep1.id);
        assert_eq!((&january["actual"], &january["attainment_bps"], &january["yoy_bps"], &january["mom_bps"]),
            (&cny(0), &json!(0), &Value::Null, &Value::Null));
        let april = row(&report, &format!("{y}-04"), &o.rep1.id);
        assert_eq!((&april["previous"], &april["mom_bps"]), (&cny(1000), &json!(-10_000)));
        let rep3 = row(&report, &format!("{y}-03"), &o.rep3.id);
        assert_eq!((&rep3["actual"], &rep3["target"], &rep3["attainment_bps"]), (&cny(700), &Value::Null, &Value::Null));

        let quarters = attainment(&app, &app.admin_token, &format!("year={y}&period=quarter")).await;
        assert_eq!(rows(&quarters).len(), 12);
        let q1 = row(&quarters, &format!("{y}-Q1"), &o.rep1.id);
        assert_eq!((&q1["actual"], &q1["target"], &q1["attainment_bps"]), (&cny(1500), &cny(2400), &json!(6_250)));
        assert_eq!((&q1["last_year"], &q1["yoy_bps"], &q1["previous"], &q1["mom_bps"]), (&cny(800), &json!(8_750), &cny(0), &Value::Null));
        let q2 = row(&quarters, &format!("{y}-Q2"), &o.rep1.id);
        assert_eq!((&q2["previous"], &q2["mom_bps"]), (&cny(1500), &json!(-10_000)));

        let year = attainment(&app, &app.admin_token, &format!("year={y}&period=year")).await;
        let whole = row(&year, &y.to_string(), &o.rep1.id);
        assert_eq!((&whole["actual"], &whole["target"], &whole["yoy_bps"]), (&cny(1500), &cny(9600), &json!(8_750)));

        let collection = attainment(&app, &app.admin_token, &format!("year={y}&metric=collection")).await;
        assert_eq!(subjects(&collection), std::slice::from_ref(&o.rep3.id));
        assert_eq!(row(&collection, &format!("{y}-03"), &o.rep3.id)["actual"], cny(700));
        let usd = attainment(&app, &app.admin_token, &format!("year={y}&currency=USD")).await;
        assert!(rows(&usd).is_empty(), "{usd}");
    }

    async fn a_departments_attainment_covers_its_whole_subtree_against_its_own_target(app) {
        let o = org(&app).await;
        o.seed(&app).await;
        let y = o.year;
        let report = attainment(&app, &app.admin_token, &format!("year={y}&period=quarter&group_by=department")).await;
        assert_eq!(rows(&report).len(), 12, "East, East A and West, four quarters each");
        let east = row(&report, &format!("{y}-Q1"), &o.east);
        assert_eq!(east["subject"]["name"], "East");
        assert_eq!((&east["actual"], &east["target"], &east["attainment_bps"]), (&cny(1800), &cny(6000), &json!(3_000)));
        assert_eq!(east["last_year"], cny(800));
        let east_a = row(&report, &format!("{y}-Q1"), &o.east_a);
        assert_eq!((&east_a["actual"], &east_a["target"], &east_a["attainment_bps"]), (&cny(300), &cny(300), &json!(10_000)));
    }

    async fn attainment_counts_only_what_the_caller_sees(app) {
        let o = org(&app).await;
        o.seed(&app).await;
        let y = o.year;
        let manager = attainment(&app, &o.manager.token, &format!("year={y}&period=year")).await;
        let mut seen = subjects(&manager);
        seen.sort();
        let mut expected = vec![o.rep1.id.clone(), o.rep2.id.clone()];
        expected.sort();
        assert_eq!(seen, expected, "the manager sees East's tree, not West");

        let rep2 = attainment(&app, &o.rep2.token, &format!("year={y}&period=year")).await;
        assert_eq!(subjects(&rep2), std::slice::from_ref(&o.rep2.id));
        let depts = attainment(&app, &o.rep2.token, &format!("year={y}&period=year&group_by=department")).await;
        let mut seen = subjects(&depts);
        seen.sort();
        let mut expected = vec![o.east.clone(), o.east_a.clone()];
        expected.sort();
        assert_eq!(seen, expected, "their department and the one above it");
        assert_eq!(row(&depts, &y.to_string(), &o.east)["actual"], cny(300), "only their own orders count");

        let res = app.get("/api/v1/reports/attainment?year=1999").token(&app.admin_token).send().await;
        res.assert_problem(400, "bad_request");
        let res = app.get("/api/v1/reports/attainment").token(&app.admin_token).send().await;
        res.assert_problem(400, "bad_request");
        let res = app.get(&format!("/api/v1/reports/attainment?year={y}&period=week")).token(&app.admin_token).send().await;
        res.assert_problem(400, "bad_request");
        for bad in ["currency=yuan", "metric=revenue", "group_by=team"] {
            let res = app.get(&format!("/api/v1/reports/attainment?year={y}&{bad}")).token(&app.admin_token).send().await;
            res.assert_problem(400, "bad_request");
        }
    }

    async fn the_leaderboard_ranks_the_users_in_scope_with_all_four_figures(app) {
        let o = org(&app).await;
        o.seed(&app).await;
        let y = o.year;
        let account = app.account("A2b", Some(&o.rep2.id));
        for _ in 0..2 {
            let body = json!({ "kind": "call", "subject": "Check-in", "account_id": account,
                "occurred_at": format!("{y}-02-01T10:00:00Z") });
            app.created(&o.rep2.token, "/api/v1/activities", body).await;
        }
        let board = app.get_ok(&app.admin_token, &format!("/api/v1/reports/leaderboard?year={y}&period=Q1")).await;
        assert_eq!(board["filter"], json!({ "from": format!("{y}-01-01"), "to": format!("{y}-03-31"), "metric": "booking", "department_id": null, "currency": "CNY" }));
        let ranked = rows(&board);
        let top: Vec<(&Value, &Value, &Value)> = ranked.iter().take(3).map(|r| (&r["rank"], &r["user_id"], &r["booking"])).collect();
        assert_eq!(top, [
            (&json!(1), &json!(o.rep1.id), &cny(1500)),
            (&json!(2), &json!(o.rep3.id), &cny(700)),
            (&json!(3), &json!(o.rep2.id), &cny(300)),
        ]);
        assert_eq!(ranked.len(), 6, "every active user: the admin, the manager, three reps and finance");
        let rep3 = &ranked[1];
        assert_eq!((&rep3["collection"], &rep3["new_accounts"], &rep3["activities"]), (&cny(700), &json!(1), &json!(0)));
        assert_eq!((&ranked[0]["new_accounts"], &ranked[2]["activities"]), (&json!(0), &json!(2)));

        let by_accounts = app.get_ok(&app.admin_token, &format!("/api/v1/reports/leaderboard?period={y}-Q1&metric=new_accounts")).await;
        let mut tied = vec![o.rep2.id.clone(), o.rep3.id.clone()];
        tied.sort();
        let first_two: Vec<&str> = rows(&by_accounts).iter().take(2).filter_map(|r| r["user_id"].as_str()).collect();
        assert_eq!(first_two, tied, "a tie goes by user id");
        let by_activities = app.get_ok(&app.admin_token, &format!("/api/v1/reports/leaderboard?from={y}-02-01&to={y}-02-28&metric=activities")).await;
        assert_eq!(by_activities["rows"][0]["user_id"], json!(o.rep2.id));
        assert_eq!(by_activities["rows"][0]["booking"], cny(0));

        // East's subtree: the manager and rep1 in East, rep2 in East A; West's rep3 is out.
        let east = app.get_ok(&app.admin_token, &format!("/api/v1/reports/leaderboard?year={y}&period=Q1&department_id={}", o.east)).await;
        assert_eq!(east["filter"]["department_id"], json!(o.east));
        let ranked: Vec<(&Value, &Value)> = rows(&east).iter().map(|r| (&r["user_id"], &r["booking"])).collect();
        assert_eq!(ranked, [(&json!(o.rep1.id), &cny(1500)), (&json!(o.rep2.id), &cny(300)), (&json!(o.manager.id), &cny(0))]);

        // Within the caller's scope only: a rep asking for East's board sees themself alone.
        let path = format!("/api/v1/reports/leaderboard?year={y}&department_id={}", o.east);
        let theirs: Vec<Value> = rows(&app.get_ok(&o.rep2.token, &path).await).iter().map(|r| r["user_id"].clone()).collect();
        assert_eq!(theirs, [json!(o.rep2.id)]);

        let mine = app.get_ok(&o.rep2.token, &format!("/api/v1/reports/leaderboard?year={y}")).await;
        assert_eq!(rows(&mine).iter().map(|r| r["user_id"].clone()).collect::<Vec<_>>(), [json!(o.rep2.id)]);
        let unknown_department = format!("department_id={}", salesops_domain::new_id());
        for bad in [format!("year={y}&from={y}-01-01"), "period=2027-Q5".into(), format!("year={y}&period=2027-Q1"), "metric=revenue".into(),
            "currency=yuan".into(), unknown_department, format!("from={y}-03-01&to={y}-02-01")] {
            let res = app.get(&format!("/api/v1/reports/leaderboard?{bad}")).token(&app.admin_token).send().await;
            res.assert_problem(400, "bad_request");
        }
    }

    async fn the_forecast_holds_the_period_against_the_matching_target(app) {
        let o = org(&app).await;
        let y = o.year;
        let forecast = |token: String, query: String| {
            let app = &app;
            async move { app.get_ok(&token, &format!("/api/v1/reports/forecast?{query}")).await["target"].clone() }
        };
        let admin = app.admin_token.clone();
        assert_eq!(forecast(admin.clone(), format!("from={y}-01-01&to={y}-03-31")).await, Value::Null);
        o.target(&app, json!({ "type": "company" }), "booking", 1000).await;
        o.target(&app, json!({ "type": "company" }), "collection", 5).await;
        o.target(&app, json!({ "type": "user", "id": o.rep1.id }), "booking", 300).await;
        assert_eq!(forecast(admin.clone(), format!("from={y}-01-01&to={y}-03-31")).await, cny(3000));
        assert_eq!(forecast(admin.clone(), format!("from={y}-01-15&to={y}-02-10")).await, cny(2000), "months count whole");
        assert_eq!(forecast(admin.clone(), format!("from={y}-12-01&to={}-01-31", y + 1)).await, cny(1000), "only Y has a target");
        assert_eq!(forecast(admin.clone(), format!("from={y}-01-01&to={y}-03-31&owner_id={}", o.rep1.id)).await, cny(900));
        assert_eq!(forecast(admin.clone(), format!("from={y}-01-01&to={y}-03-31&department_id={}", o.east)).await, Value::Null);
        // A department's own target, once it has one; to a rep in West, East's is out of scope.
        o.target(&app, json!({ "type": "department", "id": o.east }), "booking", 700).await;
        let east = format!("from={y}-02-01&to={y}-03-31&department_id={}", o.east);
        assert_eq!(forecast(admin.clone(), east.clone()).await, cny(1400));
        assert_eq!(forecast(o.rep3.token.clone(), east).await, Value::Null);
        // With both filters, the owner's target.
        let both = format!("from={y}-01-01&to={y}-01-31&owner_id={}&department_id={}", o.rep1.id, o.east);
        assert_eq!(forecast(admin.clone(), both).await, cny(300));
        assert_eq!(forecast(admin.clone(), format!("from={y}-01-01&to={y}-03-31&currency=USD")).await, Value::Null);
        assert_eq!(forecast(o.rep1.token.clone(), format!("from={y}-01-01&to={y}-03-31")).await, cny(3000));
        assert_eq!(forecast(o.rep3.token.clone(), format!("from={y}-01-01&to={y}-03-31&owner_id={}", o.rep1.id)).await, Value::Null, "not in rep3's scope");
    }
}
