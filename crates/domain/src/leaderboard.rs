//! The leaderboard: users ranked by one of four figures of a period.

use crate::text_enum;

text_enum! {
    /// What the leaderboard ranks by.
    LeaderboardMetric {
        /// Σ totals of the orders booked in the period.
        Booking => "booking",
        /// Σ confirmed payments, net of refunds, collected in the period.
        Collection => "collection",
        /// Accounts whose first booked order was booked in the period, by that order's owner.
        NewAccounts => "new_accounts",
        /// Activities (跟进记录) that took place in the period.
        Activities => "activities",
    }
}

/// One user's four figures over a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    /// Booked, in minor units.
    pub booking: i64,
    /// Collected, in minor units.
    pub collection: i64,
    /// New accounts won.
    pub new_accounts: i64,
    /// Activities logged.
    pub activities: i64,
}

impl Figures {
    /// The figure `metric` ranks by.
    pub fn get(&self, metric: LeaderboardMetric) -> i64 {
        match metric {
            LeaderboardMetric::Booking => self.booking,
            LeaderboardMetric::Collection => self.collection,
            LeaderboardMetric::NewAccounts => self.new_accounts,
            LeaderboardMetric::Activities => self.activities,
        }
    }
}

/// Order `rows` (a user id and their figures) for the leaderboard: the largest `metric`
/// first, ties by user id, so that every rank is distinct and the order is stable.
/// A row's rank is its position, from 1.
pub fn rank<K: Ord>(rows: &mut [(K, Figures)], metric: LeaderboardMetric) {
    rows.sort_by(|(a_key, a), (b_key, b)| b.get(metric).cmp(&a.get(metric)).then_with(|| a_key.cmp(b_key)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(booking: i64, activities: i64) -> Figures {
        Figures { booking, activities, ..Figures::default() }
    }

    #[test]
    fn the_largest_figure_ranks_first_and_ties_go_by_user_id() {
        let mut rows = vec![("c", figures(100, 1)), ("a", figures(50, 9)), ("b", figures(100, 0))];
        rank(&mut rows, LeaderboardMetric::Booking);
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), ["b", "c", "a"]);
        rank(&mut rows, LeaderboardMetric::Activities);
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), ["a", "c", "b"]);
        rank(&mut rows, LeaderboardMetric::NewAccounts);
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), ["a", "b", "c"]);
    }
}
