//! The customer pool (公海): the limits on claiming, and when an owned account is recalled.
//!
//! Every time is UTC and passed in, so the rules can be checked at any instant.
//! A rule that is `None` is switched off.
//!
//! - **Recall.** An owned account is recalled when *more than* the rule's number of
//!   whole days have passed since its reference time: for the activity rule the later
//!   of its last activity and when its owner got it; for the won-deal rule the later of
//!   its last won deal and when its owner got it. So with a limit of 30 it is due 31
//!   days after the reference time. An account with an open opportunity is exempt when
//!   the pool says so.
//! - **Claims.** A day is a UTC calendar day.

use crate::text_enum;
use chrono::{Duration, NaiveDateTime, NaiveTime};

text_enum! {
    /// The rule that recalls an owned account into its pool.
    RecallRule {
        /// `recall_after_days_without_activity` fired.
        NoActivity => "no_activity",
        /// `recall_after_days_without_won_deal` fired.
        NoWonDeal => "no_won_deal",
    }
}

text_enum! {
    /// A pool limit on claiming, named as the pool's field.
    ClaimLimit {
        /// Claims by one user in one UTC day.
        MaxClaimsPerRepPerDay => "max_claims_per_rep_per_day",
        /// Accounts one user owns at once.
        MaxOwnedAccountsPerRep => "max_owned_accounts_per_rep",
        /// Days before a previous owner may claim the account back.
        PreviousOwnerCooldownDays => "previous_owner_cooldown_days",
    }
}

/// The rules of one pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolRules {
    /// Recall after more than this many days without activity.
    pub recall_after_days_without_activity: Option<i32>,
    /// Recall after more than this many days without a won deal.
    pub recall_after_days_without_won_deal: Option<i32>,
    /// An account with an open opportunity is never recalled.
    pub exempt_with_open_opportunity: bool,
    /// How many days ahead the upcoming recalls are listed.
    pub warn_days_before_recall: i32,
    /// Claims per user per UTC day.
    pub max_claims_per_rep_per_day: Option<i32>,
    /// Accounts one user may own before claiming more is refused.
    pub max_owned_accounts_per_rep: Option<i32>,
    /// Days a user who released an account (or had it recalled) must wait to claim it back.
    pub previous_owner_cooldown_days: Option<i32>,
}

/// What the recall rules look at on an owned account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecallFacts {
    /// When the current owner got it.
    pub owned_since: NaiveDateTime,
    /// Its last activity, if any.
    pub last_activity_at: Option<NaiveDateTime>,
    /// When it last won a deal, if ever.
    pub last_won_at: Option<NaiveDateTime>,
    /// Whether it has an open opportunity.
    pub has_open_opportunity: bool,
}

/// When one rule recalls an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecallDue {
    /// The rule.
    pub rule: RecallRule,
    /// The rule's limit in days.
    pub limit_days: i32,
    /// The time the days are counted from.
    pub since: NaiveDateTime,
    /// The first instant the account is recalled.
    pub due_at: NaiveDateTime,
}

impl RecallDue {
    /// Whole days from `since` to `now`.
    pub fn days_at(&self, now: NaiveDateTime) -> i64 {
        (now - self.since).num_days()
    }

    /// Why the account is (or will be) recalled, in words, as of `now`.
    pub fn describe(&self, now: NaiveDateTime) -> String {
        let what = match self.rule {
            RecallRule::NoActivity => "no activity",
            RecallRule::NoWonDeal => "no won deal",
        };
        format!("{what} for {} days (limit {})", self.days_at(now), self.limit_days)
    }
}

/// The latest time a rule's days may have started for an account to be recalled at
/// `now`: recalled when its reference time is at or before this.
pub fn recall_cutoff(limit_days: i32, now: NaiveDateTime) -> NaiveDateTime {
    now - Duration::days(i64::from(limit_days) + 1)
}

impl PoolRules {
    /// When each enabled rule recalls the account, earliest first; empty when the
    /// account is exempt or no rule is on.
    pub fn recall_dues(&self, facts: &RecallFacts) -> Vec<RecallDue> {
        if self.exempt_with_open_opportunity && facts.has_open_opportunity {
            return Vec::new();
        }
        let rules = [
            (RecallRule::NoActivity, self.recall_after_days_without_activity, facts.last_activity_at),
            (RecallRule::NoWonDeal, self.recall_after_days_without_won_deal, facts.last_won_at),
        ];
        let mut dues: Vec<RecallDue> = rules
            .into_iter()
            .filter_map(|(rule, limit, event)| {
                let limit_days = limit?;
                let since = event.map_or(facts.owned_since, |e| e.max(facts.owned_since));
                let due_at = since + Duration::days(i64::from(limit_days) + 1);
                Some(RecallDue { rule, limit_days, since, due_at })
            })
            .collect();
        dues.sort_by_key(|d| d.due_at);
        dues
    }

    /// The first rule that recalls the account, whether or not it is due yet.
    pub fn next_recall(&self, facts: &RecallFacts) -> Option<RecallDue> {
        self.recall_dues(facts).into_iter().next()
    }

    /// The rule that recalls the account at `now`, if one does.
    pub fn recall_at(&self, facts: &RecallFacts, now: NaiveDateTime) -> Option<RecallDue> {
        self.next_recall(facts).filter(|d| d.due_at <= now)
    }

    /// Whether the account is recalled within the warning window after `now`
    /// (or is already due): its recall, if so.
    pub fn recall_within_warning(&self, facts: &RecallFacts, now: NaiveDateTime) -> Option<RecallDue> {
        let horizon = now + Duration::days(i64::from(self.warn_days_before_recall.max(0)));
        self.next_recall(facts).filter(|d| d.due_at <= horizon)
    }

    /// Check a claim against the pool's limits.
    pub fn check_claim(&self, facts: &ClaimFacts) -> Result<(), ClaimRefusal> {
        if let Some(max) = self.max_claims_per_rep_per_day {
            if facts.claims_today >= i64::from(max) {
                return Err(ClaimRefusal {
                    limit: ClaimLimit::MaxClaimsPerRepPerDay,
                    detail: format!(
                        "you have claimed {} account(s) today (UTC); the pool allows {max} a day",
                        facts.claims_today
                    ),
                });
            }
        }
        if let Some(max) = self.max_owned_accounts_per_rep {
            if facts.owned_accounts >= i64::from(max) {
                return Err(ClaimRefusal {
                    limit: ClaimLimit::MaxOwnedAccountsPerRep,
                    detail: format!("you own {} account(s); the pool allows {max} per rep", facts.owned_accounts),
                });
            }
        }
        if let (Some(days), Some(left_at)) = (self.previous_owner_cooldown_days, facts.last_left_caller_at) {
            let until = left_at + Duration::days(i64::from(days));
            if facts.now < until {
                return Err(ClaimRefusal {
                    limit: ClaimLimit::PreviousOwnerCooldownDays,
                    detail: format!(
                        "you owned this account until {}; previous owners wait {days} day(s) before claiming it back (until {})",
                        left_at.format("%Y-%m-%d %H:%M UTC"),
                        until.format("%Y-%m-%d %H:%M UTC"),
                    ),
                });
            }
        }
        Ok(())
    }

    /// How far back to look for the caller leaving the account, for the cooldown.
    pub fn cooldown_since(&self, now: NaiveDateTime) -> Option<NaiveDateTime> {
        self.previous_owner_cooldown_days.map(|d| now - Duration::days(i64::from(d)))
    }
}

/// What the claim limits look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimFacts {
    /// The time of the claim.
    pub now: NaiveDateTime,
    /// Accounts the caller claimed since the start of today (UTC), from any pool.
    pub claims_today: i64,
    /// Live accounts the caller owns now, in any pool.
    pub owned_accounts: i64,
    /// The last time this account left the caller by release or recall, if within the cooldown.
    pub last_left_caller_at: Option<NaiveDateTime>,
}

/// A claim refused by a pool limit. The API answers `409 invalid_transition`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct ClaimRefusal {
    /// The limit that refused it.
    pub limit: ClaimLimit,
    /// Why, with the numbers.
    pub detail: String,
}

/// The start of `now`'s UTC day, from which the daily claim limit counts.
pub fn start_of_day(now: NaiveDateTime) -> NaiveDateTime {
    now.date().and_time(NaiveTime::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 1, day).and_then(|d| d.and_hms_opt(hour, 0, 0)).unwrap()
    }

    fn facts(owned_since: NaiveDateTime) -> RecallFacts {
        RecallFacts { owned_since, last_activity_at: None, last_won_at: None, has_open_opportunity: false }
    }

    fn activity_rule(days: i32) -> PoolRules {
        PoolRules {
            recall_after_days_without_activity: Some(days),
            exempt_with_open_opportunity: true,
            ..PoolRules::default()
        }
    }

    #[test]
    fn an_account_is_recalled_only_after_more_than_the_limit_in_whole_days() {
        let rules = activity_rule(10);
        let f = facts(at(1, 9));
        assert_eq!(rules.recall_at(&f, at(11, 9)), None, "exactly 10 days is not more than 10");
        assert_eq!(rules.recall_at(&f, at(12, 8)), None, "10 days and 23 hours is still 10 whole days");
        let due = rules.recall_at(&f, at(12, 9)).expect("11 days");
        assert_eq!(due.rule, RecallRule::NoActivity);
        assert_eq!(due.due_at, at(12, 9));
        assert_eq!(due.describe(at(13, 9)), "no activity for 12 days (limit 10)");
    }

    #[test]
    fn the_later_of_activity_and_owning_counts() {
        let rules = activity_rule(10);
        let mut f = facts(at(1, 0));
        f.last_activity_at = Some(at(5, 0));
        assert_eq!(rules.next_recall(&f).map(|d| d.due_at), Some(at(16, 0)));
        // Activity before the current owner got it does not push the date back.
        f.owned_since = at(8, 0);
        assert_eq!(rules.next_recall(&f).map(|d| d.due_at), Some(at(19, 0)));
    }

    #[test]
    fn the_earliest_rule_wins_and_switched_off_rules_never_fire() {
        let mut rules = activity_rule(20);
        rules.recall_after_days_without_won_deal = Some(5);
        let f = facts(at(1, 0));
        let due = rules.next_recall(&f).expect("a rule");
        assert_eq!(due.rule, RecallRule::NoWonDeal);
        assert_eq!(due.describe(at(8, 0)), "no won deal for 7 days (limit 5)");
        assert_eq!(PoolRules::default().next_recall(&f), None);
    }

    #[test]
    fn an_open_opportunity_exempts_only_when_the_pool_says_so() {
        let mut rules = activity_rule(1);
        let mut f = facts(at(1, 0));
        f.has_open_opportunity = true;
        assert_eq!(rules.recall_at(&f, at(20, 0)), None);
        rules.exempt_with_open_opportunity = false;
        assert!(rules.recall_at(&f, at(20, 0)).is_some());
    }

    #[test]
    fn the_warning_window_reaches_warn_days_ahead() {
        let mut rules = activity_rule(10);
        rules.warn_days_before_recall = 3;
        let f = facts(at(1, 0)); // due on the 12th
        assert_eq!(rules.recall_within_warning(&f, at(8, 0)), None);
        assert!(rules.recall_within_warning(&f, at(9, 0)).is_some());
        assert!(rules.recall_within_warning(&f, at(20, 0)).is_some(), "overdue counts too");
    }

    #[test]
    fn the_cutoff_matches_the_due_date() {
        let rules = activity_rule(10);
        let f = facts(at(1, 9));
        let now = at(12, 9);
        assert!(f.owned_since <= recall_cutoff(10, now));
        assert!(rules.recall_at(&f, now).is_some());
        assert!(f.owned_since > recall_cutoff(10, now - Duration::seconds(1)));
    }

    fn claim(claims_today: i64, owned_accounts: i64, last_left_caller_at: Option<NaiveDateTime>) -> ClaimFacts {
        ClaimFacts { now: at(10, 12), claims_today, owned_accounts, last_left_caller_at }
    }

    #[test]
    fn each_claim_limit_refuses_by_name() {
        let rules = PoolRules {
            max_claims_per_rep_per_day: Some(2),
            max_owned_accounts_per_rep: Some(5),
            previous_owner_cooldown_days: Some(3),
            ..PoolRules::default()
        };
        assert_eq!(rules.check_claim(&claim(1, 4, None)), Ok(()));
        assert_eq!(rules.check_claim(&claim(2, 0, None)).map_err(|e| e.limit), Err(ClaimLimit::MaxClaimsPerRepPerDay));
        assert_eq!(rules.check_claim(&claim(0, 5, None)).map_err(|e| e.limit), Err(ClaimLimit::MaxOwnedAccountsPerRep));
        assert_eq!(
            rules.check_claim(&claim(0, 0, Some(at(8, 12)))).map_err(|e| e.limit),
            Err(ClaimLimit::PreviousOwnerCooldownDays)
        );
        assert_eq!(rules.check_claim(&claim(0, 0, Some(at(7, 12)))), Ok(()), "three days later it is over");
        assert_eq!(PoolRules::default().check_claim(&claim(100, 100, Some(at(10, 11)))), Ok(()));
    }

    #[test]
    fn the_claim_day_starts_at_utc_midnight() {
        assert_eq!(start_of_day(at(10, 23)), at(10, 0));
    }
}
