//! The plans PostgreSQL chooses for the hot list queries over 100,000 rows: a lead list
//! reads its page from the index of its sort key, under the scope filter, on the first
//! page and deep in the list, and never scans the table. PostgreSQL only: SQLite has no
//! cost-based choice between these plans to regress.

use crate::helpers::{Backend, TestApp};
use chrono::NaiveDateTime;
use diesel::sql_types::Text;
use diesel::RunQueryDsl;
use salesops_persistence::leads::{self, CursorValue, Keyset, LeadFilter, LeadSortField, SortKey};
use salesops_persistence::plan;
use salesops_persistence::scope::Visibility;

const LEADS: i64 = 100_000;

/// The id of the `n`th generated lead, as the loading SQL writes it.
fn lead_id(n: i64) -> String {
    format!("01900000-0000-7000-8000-{n:012}")
}

fn base_time() -> NaiveDateTime {
    NaiveDateTime::parse_from_str("2026-01-01 00:00:00", "%Y-%m-%d %H:%M:%S").expect("time")
}

/// Load [`LEADS`] leads in one statement, owned in turn by each of `owners` and the pool.
fn load_leads(app: &TestApp, owners: &[String]) {
    let owners = owners.join(",");
    app.with_conn(|c| {
        diesel::sql_query(
            "INSERT INTO leads (id, name, source, status, owner_id, score, version, created_at, updated_at) \
             SELECT format('01900000-0000-7000-8000-%s', lpad(n::text, 12, '0')), \
                    format('Lead %s', lpad(((n * 7919) % 100000)::text, 6, '0')), 'web', 'new', \
                    (string_to_array($1, ',') || NULL::text)[1 + n % (array_length(string_to_array($1, ','), 1) + 1)], \
                    (n % 101)::int, 1, \
                    TIMESTAMP '2026-01-01' + n * INTERVAL '1 minute', \
                    TIMESTAMP '2026-01-01' + ((n * 31) % 100000) * INTERVAL '1 minute' \
             FROM generate_series(1, $2::bigint) AS n",
        )
        .bind::<Text, _>(&owners)
        .bind::<Text, _>(LEADS.to_string())
        .execute(c)?;
        diesel::sql_query("ANALYZE leads").execute(c)
    })
    .expect("load leads");
}

/// The sort value the loading SQL gives lead `n` under `field` (minutes after
/// [`base_time`] for the timestamps, the number in the name, the score).
fn key_of(field: LeadSortField, n: i64) -> i64 {
    match field {
        LeadSortField::CreatedAt => n,
        LeadSortField::UpdatedAt => (n * 31) % LEADS,
        LeadSortField::Name => (n * 7919) % LEADS,
        LeadSortField::Score => n % 101,
    }
}

/// Where a page deep in the list starts: the cursor of a lead in the middle of `field`'s order.
fn deep_keyset(field: LeadSortField) -> Keyset {
    let middle = if field == LeadSortField::Score { 50 } else { LEADS / 2 };
    let n = (LEADS / 2..=LEADS).chain(1..LEADS / 2).find(|n| key_of(field, *n) == middle).expect("a middle lead");
    let key = key_of(field, n);
    let value = match field {
        LeadSortField::CreatedAt | LeadSortField::UpdatedAt => {
            CursorValue::Time(base_time() + chrono::Duration::minutes(key))
        }
        LeadSortField::Name => CursorValue::Text(format!("Lead {key:06}")),
        LeadSortField::Score => CursorValue::Int(key),
    };
    Keyset { values: vec![value], id: lead_id(n) }
}

fn index_of(field: LeadSortField) -> &'static str {
    match field {
        LeadSortField::CreatedAt => "leads_created_at_idx",
        LeadSortField::UpdatedAt => "leads_updated_at_idx",
        LeadSortField::Name => "leads_name_idx",
        LeadSortField::Score => "leads_score_idx",
    }
}

#[actix_web::test]
async fn lead_lists_read_the_sort_index_and_never_scan_the_table() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let reps = [app.user("rep", None, None).await.id, app.user("rep", None, None).await.id];
    let admin_id = app.get_ok(&app.admin_token, "/api/v1/me").await["id"].as_str().expect("id").to_owned();
    load_leads(&app, &[admin_id, reps[0].clone(), reps[1].clone()]);

    let scopes = [("all", Visibility::All), ("one rep", Visibility::Owners(vec![reps[0].clone()]))];
    let fields = [LeadSortField::CreatedAt, LeadSortField::UpdatedAt, LeadSortField::Name, LeadSortField::Score];
    let mut checked = 0;
    for (scope_name, visibility) in &scopes {
        for field in fields {
            for descending in [true, false] {
                let sort = [SortKey { field, descending }];
                for keyset in [None, Some(deep_keyset(field))] {
                    let query = leads::list_query(&LeadFilter::default(), visibility, &sort, keyset.as_ref(), 51)
                        .expect("a valid keyset");
                    let lines = app.with_conn(|c| plan::explain(c, query)).expect("explain");
                    let plan = lines.join("\n");
                    let case = format!("{scope_name}, {field:?} desc={descending}, deep={}", keyset.is_some());
                    assert!(!plan.contains("Seq Scan"), "{case}: a sequential scan\n{plan}");
                    assert!(plan.contains(index_of(field)), "{case}: not read from {}\n{plan}", index_of(field));
                    assert!(!plan.contains("Sort  ("), "{case}: sorted after reading\n{plan}");
                    if keyset.is_some() {
                        // A seek to the cursor, not a walk of the index from its start filtering rows out.
                        let column = index_of(field).trim_start_matches("leads_").trim_end_matches("_idx");
                        let seeks = lines.iter().any(|l| l.contains("Index Cond") && l.contains(column));
                        assert!(seeks, "{case}: the index is not entered at the cursor\n{plan}");
                    }
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 32);
}
