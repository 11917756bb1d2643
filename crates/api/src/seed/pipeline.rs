//! The customers-and-pipeline part of the demo data: accounts (some in the
//! pool, some with a valid USCC), contacts, competitors, opportunities across
//! every stage with their stage history, activities, and converted leads.
//!
//! Deterministic: every choice is arithmetic on the record's index, and the
//! dates are laid out relative to today's quarter so the reports show shapes.

use super::{CITIES, COMPANIES, GIVEN, INDUSTRIES, SURNAMES};
use chrono::{Duration, NaiveDateTime};
use salesops_domain::account::{AccountLifecycle, AccountTier, OwnerChangeReason};
use salesops_domain::activity::ActivityKind;
use salesops_domain::contact_info::{normalize_email, normalize_phone};
use salesops_domain::lead::LeadStatus;
use salesops_domain::opportunity::{ForecastCategory, OpportunityStatus, StageKind};
use salesops_domain::reports::quarter_of;
use salesops_domain::uscc;
use salesops_persistence::account_owner_changes::{self, OwnerChangeRow};
use salesops_persistence::accounts::{self, AccountRow};
use salesops_persistence::contacts::{self, ContactRow};
use salesops_persistence::demo::{self, SqlValue};
use salesops_persistence::opportunities::{self, OpportunityRow};
use salesops_persistence::reports::{active_stages, Stage};
use salesops_persistence::{DbConnection, StoreError};

/// The external id of the first demo account: present means this part is loaded.
pub const MARKER_ACCOUNT: &str = "DEMO-ACC-0000";
const ACCOUNTS: usize = 120;
const OPPORTUNITIES: usize = 250;
const ACTIVITIES: usize = 600;
const CONVERTED_LEADS: usize = 24;
const DEFAULT_POOL: &str = "01900000-0000-7000-8000-000000000001";
const COMPETITORS: &[(&str, &str)] = &[
    ("纷享销客 Fxiaoke", "https://www.fxiaoke.com"),
    ("销售易 Neocrm", "https://www.xiaoshouyi.com"),
    ("Salesforce", "https://www.salesforce.com"),
    ("HubSpot", "https://www.hubspot.com"),
    ("Zoho CRM", "https://www.zoho.com"),
];
const LOSS_REASONS: &[&str] = &["price", "competitor", "product_fit", "no_budget", "no_decision", "timing"];
const TITLES: &[&str] = &["采购经理", "IT Director", "总经理", "运营总监", "CFO", "项目经理"];

/// A valid USCC for demo account `i`: registered by market regulation (9), an enterprise (1),
/// a Shanghai division code, an organisation code derived from `i`, and its check character.
fn uscc(i: usize) -> Option<String> {
    let chars: Vec<char> = uscc::CHARSET.chars().collect();
    let org: String = (0..9).map(|k| chars[(i * 7 + k * 13 + (i / 31) * k) % chars.len()]).collect();
    let body = format!("91310000{org}");
    uscc::check_character(&body).map(|c| format!("{body}{c}"))
}

fn idx(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(0)
}

fn activity_columns() -> [&'static str; 19] {
    [
        "id",
        "kind",
        "subject",
        "body",
        "occurred_at",
        "next_follow_up_at",
        "owner_id",
        "lead_id",
        "account_id",
        "contact_id",
        "opportunity_id",
        "latitude",
        "longitude",
        "location_name",
        "version",
        "created_at",
        "updated_at",
        "created_by",
        "deleted_at",
    ]
}

struct Seeded {
    account: AccountRow,
    primary_contact: String,
}

/// Everything the opportunities need to know about the pipeline.
struct Pipeline {
    open: Vec<Stage>,
    won: Stage,
    lost: Stage,
}

impl Pipeline {
    fn load(conn: &mut DbConnection) -> Result<Pipeline, StoreError> {
        let stages = active_stages(conn)?;
        let of_kind = |kind: StageKind| stages.iter().filter(|s| s.kind == kind).cloned().collect::<Vec<_>>();
        let missing = || StoreError::Other("the pipeline has no won or lost stage".into());
        let won = of_kind(StageKind::Won).into_iter().next().ok_or_else(missing)?;
        let lost = of_kind(StageKind::Lost).into_iter().next().ok_or_else(missing)?;
        let open = of_kind(StageKind::Open);
        if open.is_empty() {
            return Err(StoreError::Other("the pipeline has no open stage".into()));
        }
        Ok(Pipeline { open, won, lost })
    }
}

fn stage_change(
    conn: &mut DbConnection,
    row: &OpportunityRow,
    action: &str,
    from: Option<(&str, &str)>,
    to: (&str, &str),
    probability: i32,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    demo::insert(
        conn,
        "opportunity_stage_changes",
        &[
            "id",
            "opportunity_id",
            "action",
            "from_stage",
            "to_stage",
            "from_status",
            "to_status",
            "amount",
            "currency",
            "probability_bps",
            "actor_id",
            "occurred_at",
        ],
        vec![
            SqlValue::text(salesops_domain::new_id()),
            SqlValue::text(row.id.clone()),
            SqlValue::text(action),
            SqlValue::Text(from.map(|f| f.0.to_owned())),
            SqlValue::text(to.0),
            SqlValue::Text(from.map(|f| f.1.to_owned())),
            SqlValue::text(to.1),
            SqlValue::BigInt(row.amount),
            SqlValue::text(row.currency.clone()),
            SqlValue::Integer(Some(probability)),
            SqlValue::text(row.owner_id.clone()),
            SqlValue::Timestamp(Some(at)),
        ],
    )
}

/// Load accounts, contacts, competitors, opportunities, activities and
/// converted leads for `reps`; returns a summary.
pub fn load(
    conn: &mut DbConnection,
    reps: &[String],
    currency: &str,
    now: NaiveDateTime,
) -> Result<String, StoreError> {
    if reps.is_empty() {
        return Err(StoreError::Other("no demo reps to own the demo accounts".into()));
    }
    let today = now.date();
    let (quarter_start, quarter_end) = quarter_of(today);
    let next_quarter_end = quarter_of(quarter_end + Duration::days(1)).1;
    let pipeline = Pipeline::load(conn)?;

    // Competitors.
    let mut competitors = Vec::new();
    for (name, website) in COMPETITORS {
        let id = salesops_domain::new_id();
        demo::insert(
            conn,
            "competitors",
            &["id", "name", "website", "notes", "active", "version", "created_at", "updated_at", "created_by"],
            vec![
                SqlValue::text(id.clone()),
                SqlValue::text(*name),
                SqlValue::text(*website),
                SqlValue::Text(None),
                SqlValue::Bool(true),
                SqlValue::BigInt(Some(1)),
                SqlValue::Timestamp(Some(now)),
                SqlValue::Timestamp(Some(now)),
                SqlValue::Text(None),
            ],
        )?;
        competitors.push(id);
    }

    // Accounts and contacts.
    let mut seeded = Vec::new();
    let mut contact_count = 0;
    for i in 0..ACCOUNTS {
        let city = CITIES[i % CITIES.len()];
        let suffix = if i < 72 { "有限公司" } else { "股份有限公司" };
        let name = format!("{city}{}{suffix}", COMPANIES[(i / CITIES.len()) % COMPANIES.len()]);
        // Every eighth account waits in the pool.
        let owner = (i % 8 != 7).then(|| reps[i % reps.len()].clone());
        let created = now - Duration::days(idx((i * 37) % 400)) - Duration::hours(idx(i % 24));
        let mut account = AccountRow {
            uscc: (i % 3 == 0).then(|| uscc(i)).flatten(),
            industry: Some(INDUSTRIES[i % INDUSTRIES.len()].to_owned()),
            region: Some(city.to_owned()),
            address: Some(format!("{city}市示范路{}号", i + 1)),
            tier: AccountTier::ALL[(i * 5) % AccountTier::ALL.len()],
            lifecycle: AccountLifecycle::Prospect,
            external_id: Some(format!("DEMO-ACC-{i:04}")),
            created_at: created,
            updated_at: created,
            owned_since: owner.as_ref().map(|_| created),
            ..AccountRow::new(&name, owner.as_deref(), Some(DEFAULT_POOL), owner.as_deref())
        };
        if i % 10 == 4 {
            account.lifecycle = AccountLifecycle::Dormant;
        }
        accounts::insert(conn, &account)?;
        let mut history = OwnerChangeRow::new(&account.id, None, owner.as_deref(), OwnerChangeReason::Create, None);
        history.pool_id = owner.is_none().then(|| DEFAULT_POOL.to_owned());
        history.occurred_at = created;
        account_owner_changes::insert(conn, &history)?;

        let mut primary_contact = String::new();
        for c in 0..(1 + i % 3) {
            let n = i * 3 + c;
            let person = format!("{}{}", SURNAMES[n % SURNAMES.len()], GIVEN[(n / SURNAMES.len()) % GIVEN.len()]);
            let email = format!("contact{n}@demo-account.cn");
            let phone = format!("+86 137 {:04} {:04}", n / 10_000, n % 10_000);
            let contact = ContactRow {
                title: Some(TITLES[n % TITLES.len()].to_owned()),
                email_normalized: normalize_email(&email),
                email: Some(email),
                phone_normalized: normalize_phone(&phone),
                phone: Some(phone),
                is_primary: c == 0,
                external_id: Some(format!("DEMO-CON-{n:04}")),
                created_at: created,
                updated_at: created,
                ..ContactRow::new(&account.id, &person, owner.as_deref())
            };
            contacts::insert(conn, &contact)?;
            contact_count += 1;
            if c == 0 {
                primary_contact = contact.id.clone();
            }
        }
        seeded.push(Seeded { account, primary_contact });
    }
    let owned: Vec<&Seeded> = seeded.iter().filter(|s| s.account.owner_id.is_some()).collect();

    // Opportunities, each with a stage path consistent with where it ends.
    let quarter_secs = (now - quarter_start.and_hms_opt(0, 0, 0).unwrap_or(now)).num_seconds().max(3600);
    let mut opps: Vec<OpportunityRow> = Vec::new();
    let mut history_rows = 0;
    for j in 0..OPPORTUNITIES {
        let s = owned[(j * 7) % owned.len()];
        let owner = s.account.owner_id.clone().unwrap_or_default();
        // Four in five were created this quarter, the rest in the previous one.
        let created = if j % 5 == 4 {
            now - Duration::seconds(quarter_secs) - Duration::days(idx(1 + j % 80))
        } else {
            now - Duration::seconds(idx((j * 7919) % usize::try_from(quarter_secs).unwrap_or(3600)))
        };
        let status = match j % 20 {
            0..=11 => OpportunityStatus::Open,
            12..=15 => OpportunityStatus::Won,
            16..=18 => OpportunityStatus::Lost,
            _ => OpportunityStatus::Abandoned,
        };
        // How far along the open stages it got: early stages are the most common.
        let furthest = [0, 0, 0, 1, 1, 1, 2, 2, 3, 3][(j * 7) % 10].min(pipeline.open.len() - 1);
        let furthest = if status == OpportunityStatus::Won { pipeline.open.len() - 1 } else { furthest };
        let mut path: Vec<&Stage> = pipeline
            .open
            .iter()
            .enumerate()
            .filter(|(k, _)| *k <= furthest && !(j % 7 == 0 && *k == 1 && furthest > 1))
            .map(|(_, st)| st)
            .collect();
        if j % 13 == 0 && status == OpportunityStatus::Open && path.len() > 1 {
            path.push(path[path.len() - 2]); // moved back one stage
        }
        match status {
            OpportunityStatus::Won => path.push(&pipeline.won),
            OpportunityStatus::Lost => path.push(&pipeline.lost),
            _ => {}
        }
        let last = path.last().copied().unwrap_or(&pipeline.won);
        let step = (now - created) / i32::try_from(path.len() + 1).unwrap_or(1);
        let amount = (!(j % 9 == 0 && furthest == 0)).then(|| idx(((j * 7919) % 200 + 1) * 1_000_000));
        let category: ForecastCategory = match status {
            OpportunityStatus::Abandoned => ForecastCategory::Omitted,
            _ => last.forecast_category,
        };
        let first = path.first().copied().unwrap_or(last);
        let mut row = OpportunityRow {
            account_id: Some(s.account.id.clone()),
            contact_id: Some(s.primary_contact.clone()),
            amount,
            expected_close_date: Some(if status == OpportunityStatus::Open {
                let horizon = (next_quarter_end - today).num_days().max(1);
                today + Duration::days(idx(j * 11) % horizon)
            } else {
                (created + step * i32::try_from(path.len()).unwrap_or(1)).date()
            }),
            status,
            next_step: (status == OpportunityStatus::Open).then(|| "安排下一次拜访 Schedule the next visit".to_owned()),
            external_id: Some(format!("DEMO-OPP-{j:04}")),
            created_at: created,
            updated_at: created,
            stage_entered_at: created,
            ..OpportunityRow::new(
                &format!("{} · 项目 {}", s.account.name, j + 1),
                &owner,
                currency,
                &first.key,
                first.probability_bps,
                category,
                Some(&owner),
            )
        };
        // The history: created in the first stage, then one move per later stage.
        let mut when = created;
        let mut moves: Vec<(&str, Option<&Stage>, &Stage, NaiveDateTime)> = vec![("create", None, first, when)];
        for pair in path.windows(2) {
            when += step;
            let action = match pair[1].kind {
                StageKind::Won => "win",
                StageKind::Lost => "lose",
                StageKind::Open => "move",
            };
            moves.push((action, Some(pair[0]), pair[1], when));
        }
        row.stage = last.key.clone();
        row.probability_bps = last.probability_bps;
        row.forecast_category = category;
        row.stage_entered_at = when;
        row.updated_at = when;
        if status != OpportunityStatus::Open {
            let closed = if status == OpportunityStatus::Abandoned { when + step } else { when };
            row.closed_at = Some(closed);
            row.updated_at = closed;
        }
        if status == OpportunityStatus::Abandoned {
            row.probability_bps = 0;
        }
        if status == OpportunityStatus::Lost {
            let reason = LOSS_REASONS[(j / 20) % LOSS_REASONS.len()];
            row.loss_reason = Some(reason.to_owned());
            row.loss_note = Some("客户选择了其他方案 The customer chose another option".to_owned());
            if reason == "competitor" || j % 3 == 0 {
                row.won_by_competitor_id = Some(competitors[j % competitors.len()].clone());
            }
        }
        opportunities::insert(conn, &row)?;
        let open_word = OpportunityStatus::Open.as_str();
        for (action, from, to, at) in &moves {
            let to_status = match to.kind {
                StageKind::Won => OpportunityStatus::Won.as_str(),
                StageKind::Lost => OpportunityStatus::Lost.as_str(),
                StageKind::Open => open_word,
            };
            let from = from.map(|f| (f.key.as_str(), open_word));
            stage_change(conn, &row, action, from, (&to.key, to_status), to.probability_bps, *at)?;
            history_rows += 1;
        }
        if status == OpportunityStatus::Abandoned {
            let at = row.closed_at.unwrap_or(when);
            let status_word = OpportunityStatus::Abandoned.as_str();
            stage_change(conn, &row, "abandon", Some((&last.key, open_word)), (&last.key, status_word), 0, at)?;
            history_rows += 1;
        }
        if j % 4 == 0 {
            for k in 0..(1 + j % 2) {
                let competitor = &competitors[(j + k * 2) % competitors.len()];
                demo::insert(
                    conn,
                    "opportunity_competitors",
                    &["opportunity_id", "competitor_id"],
                    vec![SqlValue::text(row.id.clone()), SqlValue::text(competitor.clone())],
                )?;
            }
        }
        if status == OpportunityStatus::Won {
            if let Some(closed) = row.closed_at {
                let acc = &s.account;
                demo::update(
                    conn,
                    "accounts",
                    &acc.id,
                    vec![
                        ("lifecycle", SqlValue::text(AccountLifecycle::Active.as_str())),
                        ("first_won_at", SqlValue::Timestamp(Some(closed))),
                        ("last_won_at", SqlValue::Timestamp(Some(closed))),
                    ],
                )?;
            }
        }
        opps.push(row);
    }

    // Activities of every kind, on opportunities, accounts and leads.
    let leads = demo::leads_by_external_prefix(conn, "DEMO-", None)?;
    let kinds = ActivityKind::ALL;
    for k in 0..ACTIVITIES {
        let kind = kinds[k % kinds.len()];
        let occurred = now - Duration::hours(idx((k * 53) % (24 * 120)));
        let (owner, lead, account, contact, opp) = match k % 10 {
            0..=3 => {
                let o = &opps[(k * 3) % opps.len()];
                (o.owner_id.clone(), None, o.account_id.clone(), o.contact_id.clone(), Some(o.id.clone()))
            }
            4..=8 => {
                // Only four in five owned accounts get visits, so some are forgotten.
                let s = owned[(k * 7) % (owned.len() * 4 / 5).max(1)];
                let owner = s.account.owner_id.clone().unwrap_or_default();
                (owner, None, Some(s.account.id.clone()), Some(s.primary_contact.clone()), None)
            }
            _ => match leads.get((k * 7) % leads.len().max(1)) {
                Some((id, Some(owner))) => (owner.clone(), Some(id.clone()), None, None, None),
                _ => continue,
            },
        };
        let subject = match kind {
            ActivityKind::Call => "电话沟通需求 Call about requirements",
            ActivityKind::Visit => "上门拜访 On-site visit",
            ActivityKind::Meeting => "方案评审会 Solution review meeting",
            ActivityKind::Email => "发送报价说明 Sent pricing notes",
            ActivityKind::Note => "内部备注 Internal note",
            ActivityKind::CheckIn => "客户现场签到 Checked in at the customer",
        };
        let check_in = kind == ActivityKind::CheckIn;
        let offset = f64::from(u32::try_from(k % 100).unwrap_or(0)) / 1000.0;
        demo::insert(
            conn,
            "activities",
            &activity_columns(),
            vec![
                SqlValue::text(salesops_domain::new_id()),
                SqlValue::text(kind.as_str()),
                SqlValue::text(subject),
                SqlValue::Text(Some(format!("跟进记录 #{k}"))),
                SqlValue::Timestamp(Some(occurred)),
                SqlValue::Timestamp((k % 4 == 0).then(|| occurred + Duration::days(7))),
                SqlValue::text(owner.clone()),
                SqlValue::Text(lead),
                SqlValue::Text(account),
                SqlValue::Text(contact),
                SqlValue::Text(opp),
                SqlValue::Double(check_in.then_some(31.23 + offset)),
                SqlValue::Double(check_in.then_some(121.47 + offset)),
                SqlValue::Text(check_in.then(|| "上海市浦东新区".to_owned())),
                SqlValue::BigInt(Some(1)),
                SqlValue::Timestamp(Some(occurred)),
                SqlValue::Timestamp(Some(occurred)),
                SqlValue::text(owner),
                SqlValue::Timestamp(None),
            ],
        )?;
    }
    demo::refresh_last_activity(conn)?;
    // The history was written in bulk, past the stage commands: derive the funnel ranks from it.
    salesops_persistence::pipeline::recompute_funnel_columns(conn)?;

    // Converted leads: qualified demo leads turned into the opportunities of their owner.
    let mut converted = 0;
    for (lead_id, owner) in demo::leads_by_external_prefix(conn, "DEMO-", Some(LeadStatus::Qualified))?
        .into_iter()
        .filter_map(|(id, owner)| owner.map(|o| (id, o)))
        .take(CONVERTED_LEADS)
    {
        let Some(opp) = opps.iter_mut().find(|o| o.owner_id == owner && o.source_lead_id.is_none()) else {
            continue;
        };
        opp.source_lead_id = Some(lead_id.clone());
        demo::update(conn, "opportunities", &opp.id, vec![("source_lead_id", SqlValue::text(lead_id.clone()))])?;
        let at = opp.created_at;
        demo::update(
            conn,
            "leads",
            &lead_id,
            vec![
                ("status", SqlValue::text("converted")),
                ("converted_account_id", SqlValue::Text(opp.account_id.clone())),
                ("converted_contact_id", SqlValue::Text(opp.contact_id.clone())),
                ("converted_opportunity_id", SqlValue::text(opp.id.clone())),
                ("converted_at", SqlValue::Timestamp(Some(at))),
                ("updated_at", SqlValue::Timestamp(Some(at))),
            ],
        )?;
        converted += 1;
    }

    Ok(format!(
        "{ACCOUNTS} accounts ({} in the pool), {contact_count} contacts, {} competitors, {OPPORTUNITIES} opportunities \
         with {history_rows} stage changes, {ACTIVITIES} activities and {converted} converted leads",
        ACCOUNTS - owned.len(),
        competitors.len(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_codes_are_valid_unified_social_credit_codes() {
        for i in 0..ACCOUNTS {
            let code = uscc(i).expect("a code");
            assert_eq!(uscc::parse(&code).as_deref(), Ok(code.as_str()));
        }
    }
}
