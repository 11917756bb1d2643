//! Demo data for `salesops seed-demo`: a department tree, a manager and reps
//! per region, a finance user, a few hundred leads in every state, then customers and
//! a pipeline (see [`pipeline`]), then quotes, orders and money (see [`money`]), then
//! targets and commissions (see [`commissions`]).

mod commissions;
mod money;
mod pipeline;

use crate::auth::password;
use crate::state::AppState;
use chrono::Duration;
use salesops_domain::contact_info::{normalize_company, normalize_email, normalize_phone};
use salesops_domain::lead::{LeadSource, LeadStatus};
use salesops_domain::org::Role;
use salesops_persistence::departments::{self, DepartmentRow};
use salesops_persistence::leads::{self, LeadRow};
use salesops_persistence::users::{self, UserRow};
use salesops_persistence::{clock, demo, write_transaction, DbConnection, StoreError};

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "demo-password-1";
const MARKER_EMAIL: &str = "manager.east@demo.salesops";
const LEADS: usize = 300;

const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"];
const GIVEN: &[&str] = &["芳", "伟", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "涛"];
const COMPANIES: &[&str] = &[
    "明远科技",
    "星河软件",
    "华辰制造",
    "新澜医疗",
    "鼎盛物流",
    "云帆教育",
    "瑞丰食品",
    "博远能源",
    "Northwind Traders",
    "Contoso Ltd",
    "Fabrikam Inc",
    "Tailspin Toys",
];
const CITIES: &[&str] = &["上海", "北京", "深圳", "杭州", "南京", "广州"];
const INDUSTRIES: &[&str] = &["manufacturing", "software", "healthcare", "logistics", "education", "retail"];

fn user(email: &str, name: &str, role: Role, dept: &str, manager: Option<&str>, hash: &str) -> UserRow {
    UserRow {
        department_id: Some(dept.to_owned()),
        manager_id: manager.map(str::to_owned),
        ..UserRow::new(email, name, role, hash, None)
    }
}

fn lead(i: usize, owner: Option<&str>) -> LeadRow {
    let now = clock::now();
    let name = format!("{}{}", SURNAMES[i % SURNAMES.len()], GIVEN[(i / SURNAMES.len()) % GIVEN.len()]);
    let city = CITIES[i % CITIES.len()];
    let company =
        format!("{city}{}{}", COMPANIES[i % COMPANIES.len()], if i.is_multiple_of(3) { "有限公司" } else { "" });
    let email = format!("contact{i}@demo-customer.cn");
    let phone = format!("+86 139 {:04} {:04}", i / 10_000, i % 10_000);
    let status = match i % 10 {
        0..=3 => LeadStatus::New,
        4..=6 => LeadStatus::Working,
        7 | 8 => LeadStatus::Qualified,
        _ => LeadStatus::Disqualified,
    };
    let created = now - Duration::hours(i64::try_from(i).unwrap_or(0) * 7);
    let source = LeadSource::ALL[i % LeadSource::ALL.len()];
    LeadRow {
        company_normalized: normalize_company(&company),
        company: Some(company),
        title: Some(["采购经理", "IT Director", "总经理", "运营总监"][i % 4].to_owned()),
        email_normalized: normalize_email(&email),
        email: Some(email),
        phone_normalized: normalize_phone(&phone),
        phone: Some(phone),
        industry: Some(INDUSTRIES[i % INDUSTRIES.len()].to_owned()),
        region: Some(city.to_owned()),
        status,
        score: i32::try_from((i * 37) % 101).unwrap_or(0),
        next_follow_up_at: Some(now + Duration::days(i64::try_from(i % 14).unwrap_or(0))),
        disqualify_reason: (status == LeadStatus::Disqualified).then(|| "no budget this year".to_owned()),
        external_id: Some(format!("DEMO-{i:05}")),
        created_at: created,
        updated_at: created,
        ..LeadRow::new(&name, source, owner, None)
    }
}

fn load(conn: &mut DbConnection, hash: &str) -> Result<String, StoreError> {
    let hq = DepartmentRow::new("销售总部 Sales HQ", None, None);
    let east = DepartmentRow::new("华东区 East", Some(&hq.id), None);
    let shanghai = DepartmentRow::new("上海 Shanghai", Some(&east.id), None);
    let north = DepartmentRow::new("华北区 North", Some(&hq.id), None);
    let south = DepartmentRow::new("华南区 South", Some(&hq.id), None);
    for d in [&hq, &east, &shanghai, &north, &south] {
        departments::insert(conn, d)?;
    }
    let finance = user("finance@demo.salesops", "财务 Finance", Role::Finance, &hq.id, None, hash);
    users::insert(conn, &finance)?;
    let mut reps = Vec::new();
    for (region, dept, rep_dept) in [("east", &east, &shanghai), ("north", &north, &north), ("south", &south, &south)] {
        let manager = user(
            &format!("manager.{region}@demo.salesops"),
            &format!("Manager {region}"),
            Role::Manager,
            &dept.id,
            None,
            hash,
        );
        users::insert(conn, &manager)?;
        for n in 1..=3 {
            let rep = user(
                &format!("rep{n}.{region}@demo.salesops"),
                &format!("Rep {n} {region}"),
                Role::Rep,
                &rep_dept.id,
                Some(&manager.id),
                hash,
            );
            users::insert(conn, &rep)?;
            reps.push(rep.id);
        }
    }
    for i in 0..LEADS {
        // Every fifth lead waits in the pool.
        let owner = (i % 5 != 4).then(|| reps[i % reps.len()].as_str());
        leads::insert(conn, &lead(i, owner))?;
    }
    Ok(format!("5 departments, 3 managers, {} reps, 1 finance user and {LEADS} leads", reps.len()))
}

/// The ids of the demo reps, region by region.
fn demo_reps(conn: &mut DbConnection) -> Result<Vec<String>, StoreError> {
    let mut reps = Vec::new();
    for region in ["east", "north", "south"] {
        for n in 1..=3 {
            if let Some(rep) = users::find_by_email(conn, &format!("rep{n}.{region}@demo.salesops"))? {
                reps.push(rep.id);
            }
        }
    }
    Ok(reps)
}

/// Load the demo data set once; returns a one-line summary.
///
/// Each part is one transaction, loaded only when its marker record is absent:
/// the organisation and leads (marker: the east manager), then the customers and
/// pipeline (marker: the first demo account), then quote to cash (marker: the first
/// demo product), then targets and commissions (marker: the demo plan), so a database seeded by an older version gets the newer parts on
/// the next run.
pub fn load_demo(state: &AppState) -> Result<String, crate::startup::StartupError> {
    let mut conn = state.pool.get()?;
    let mut loaded = Vec::new();
    if users::find_by_email(&mut conn, MARKER_EMAIL)?.is_none() {
        let hash = password::hash(DEMO_PASSWORD).map_err(|e| e.to_string())?;
        loaded.push(write_transaction(&mut conn, |c| load(c, &hash))?);
    }
    if !demo::account_exists(&mut conn, pipeline::MARKER_ACCOUNT)? {
        let currency = state.settings.base_currency.clone();
        loaded.push(write_transaction(&mut conn, |c| {
            let reps = demo_reps(c)?;
            pipeline::load(c, &reps, &currency, clock::now())
        })?);
    }
    if salesops_persistence::products::find_by_sku(&mut conn, money::MARKER_SKU)?.is_none() {
        let today = state.business_today();
        let summary = write_transaction(&mut conn, |c| money::load(c, today)).map_err(|e| e.to_string())?;
        loaded.push(summary);
    }
    if !demo::plan_exists(&mut conn, commissions::MARKER_PLAN)? {
        let today = state.business_today();
        let summary = write_transaction(&mut conn, |c| {
            let reps = demo_reps(c)?;
            commissions::load(c, &reps, (today, state.settings.business_time_zone))
        })
        .map_err(|e| e.to_string())?;
        loaded.push(summary);
    }
    if loaded.is_empty() {
        return Ok("the demo data is already loaded; nothing to do".to_owned());
    }
    Ok(format!(
        "loaded {}; log in as {MARKER_EMAIL} (or rep1.east@demo.salesops, finance@demo.salesops) \
         with password {DEMO_PASSWORD}",
        loaded.join("; ")
    ))
}
