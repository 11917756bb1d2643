//! Follow-up activities (跟进记录).

use crate::text_enum;

text_enum! {
    /// What kind of follow-up an activity was.
    ActivityKind {
        /// A phone call.
        Call => "call",
        /// A visit to the customer.
        Visit => "visit",
        /// A meeting.
        Meeting => "meeting",
        /// An email.
        Email => "email",
        /// A note.
        Note => "note",
        /// A check-in on site, with a location.
        CheckIn => "check_in",
    }
}

impl ActivityKind {
    /// Whether an activity of this kind must carry a location (a check-in).
    pub fn requires_location(self) -> bool {
        self == ActivityKind::CheckIn
    }

    /// Whether an activity of this kind may carry a location (a check-in or a visit).
    pub fn allows_location(self) -> bool {
        matches!(self, ActivityKind::CheckIn | ActivityKind::Visit)
    }
}

/// How far in the future an activity may be dated: clocks differ, and a rep
/// in another time zone may log tomorrow's date, but a follow-up that has not
/// happened yet belongs in `next_follow_up_at`.
pub const MAX_FUTURE: chrono::TimeDelta = chrono::TimeDelta::days(1);

/// A point on the earth, in degrees (WGS 84). Not money, so floats are fine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinates {
    /// −90 to 90.
    pub latitude: f64,
    /// −180 to 180.
    pub longitude: f64,
}

/// Which records an activity links to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Links {
    /// Linked to a lead.
    pub lead: bool,
    /// Linked to an account.
    pub account: bool,
    /// Linked to a contact.
    pub contact: bool,
    /// Linked to an opportunity.
    pub opportunity: bool,
}

/// A broken activity rule. Each names the API field it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ActivityRuleError {
    /// Links to nothing.
    #[error("link the activity to at least one of a lead, an account, a contact or an opportunity")]
    NoLink,
    /// A check-in without a location.
    #[error("a check-in needs a location")]
    LocationRequired,
    /// A location on a kind that does not take one.
    #[error("only check-ins and visits carry a location")]
    LocationNotAllowed,
    /// Latitude outside −90..=90 (or not a number).
    #[error("latitude must be between -90 and 90")]
    LatitudeOutOfRange,
    /// Longitude outside −180..=180 (or not a number).
    #[error("longitude must be between -180 and 180")]
    LongitudeOutOfRange,
    /// Dated more than [`MAX_FUTURE`] ahead.
    #[error("an activity cannot be dated more than a day in the future; use next_follow_up_at for plans")]
    TooFarInFuture,
}

impl ActivityRuleError {
    /// The API field the error concerns.
    pub fn field(self) -> &'static str {
        match self {
            ActivityRuleError::NoLink => "(body)",
            ActivityRuleError::LocationRequired | ActivityRuleError::LocationNotAllowed => "location",
            ActivityRuleError::LatitudeOutOfRange => "location.latitude",
            ActivityRuleError::LongitudeOutOfRange => "location.longitude",
            ActivityRuleError::TooFarInFuture => "occurred_at",
        }
    }

    /// A stable error code for the field.
    pub fn code(self) -> &'static str {
        match self {
            ActivityRuleError::NoLink | ActivityRuleError::LocationRequired => "required",
            ActivityRuleError::LocationNotAllowed => "not_allowed",
            ActivityRuleError::LatitudeOutOfRange
            | ActivityRuleError::LongitudeOutOfRange
            | ActivityRuleError::TooFarInFuture => "range",
        }
    }
}

/// An activity must link to at least one record.
pub fn check_links(links: Links) -> Result<(), ActivityRuleError> {
    if links.lead || links.account || links.contact || links.opportunity {
        Ok(())
    } else {
        Err(ActivityRuleError::NoLink)
    }
}

/// A check-in needs a location, a visit may have one, other kinds may not;
/// coordinates must lie on the globe. Every broken rule is returned.
pub fn check_location(kind: ActivityKind, location: Option<Coordinates>) -> Vec<ActivityRuleError> {
    let Some(at) = location else {
        return if kind.requires_location() { vec![ActivityRuleError::LocationRequired] } else { Vec::new() };
    };
    if !kind.allows_location() {
        return vec![ActivityRuleError::LocationNotAllowed];
    }
    let mut errors = Vec::new();
    // `contains` is false for NaN, so NaN is refused too.
    if !(-90.0..=90.0).contains(&at.latitude) {
        errors.push(ActivityRuleError::LatitudeOutOfRange);
    }
    if !(-180.0..=180.0).contains(&at.longitude) {
        errors.push(ActivityRuleError::LongitudeOutOfRange);
    }
    errors
}

/// An activity may be dated in the past, or up to [`MAX_FUTURE`] ahead of `now`.
pub fn check_occurred_at<T>(occurred_at: T, now: T) -> Result<(), ActivityRuleError>
where
    T: std::ops::Add<chrono::TimeDelta, Output = T> + PartialOrd,
{
    if occurred_at > now + MAX_FUTURE {
        Err(ActivityRuleError::TooFarInFuture)
    } else {
        Ok(())
    }
}

/// The `last_activity_at` a linked record gets: the later of what it had and
/// when this activity happened, so back-dated activities never move it back.
pub fn last_activity_after<T: Ord + Copy>(existing: Option<T>, occurred_at: T) -> T {
    existing.map_or(occurred_at, |e| e.max(occurred_at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, NaiveDateTime};

    fn at(h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 1).and_then(|d| d.and_hms_opt(h, 0, 0)).expect("valid")
    }

    #[test]
    fn an_activity_links_to_something() {
        assert_eq!(check_links(Links::default()), Err(ActivityRuleError::NoLink));
        assert_eq!(check_links(Links { contact: true, ..Links::default() }), Ok(()));
        assert_eq!(check_links(Links { opportunity: true, lead: true, ..Links::default() }), Ok(()));
    }

    #[test]
    fn check_ins_need_a_location_and_visits_may_have_one() {
        let here = Coordinates { latitude: 31.23, longitude: 121.47 };
        assert_eq!(check_location(ActivityKind::CheckIn, None), vec![ActivityRuleError::LocationRequired]);
        assert!(check_location(ActivityKind::CheckIn, Some(here)).is_empty());
        assert!(check_location(ActivityKind::Visit, Some(here)).is_empty());
        assert!(check_location(ActivityKind::Visit, None).is_empty());
        for kind in [ActivityKind::Call, ActivityKind::Meeting, ActivityKind::Email, ActivityKind::Note] {
            assert!(check_location(kind, None).is_empty());
            assert_eq!(check_location(kind, Some(here)), vec![ActivityRuleError::LocationNotAllowed]);
        }
    }

    #[test]
    fn coordinates_must_lie_on_the_globe() {
        let check =
            |latitude, longitude| check_location(ActivityKind::CheckIn, Some(Coordinates { latitude, longitude }));
        assert!(check(90.0, -180.0).is_empty());
        assert!(check(-90.0, 180.0).is_empty());
        assert_eq!(check(90.5, 0.0), vec![ActivityRuleError::LatitudeOutOfRange]);
        assert_eq!(check(0.0, -180.1), vec![ActivityRuleError::LongitudeOutOfRange]);
        assert_eq!(
            check(f64::NAN, f64::INFINITY),
            vec![ActivityRuleError::LatitudeOutOfRange, ActivityRuleError::LongitudeOutOfRange]
        );
        assert_eq!(ActivityRuleError::LatitudeOutOfRange.field(), "location.latitude");
    }

    #[test]
    fn activities_are_dated_at_most_a_day_ahead() {
        assert_eq!(check_occurred_at(at(0), at(12)), Ok(()));
        let now = at(0);
        assert_eq!(check_occurred_at(now + MAX_FUTURE, now), Ok(()));
        assert_eq!(
            check_occurred_at(now + MAX_FUTURE + chrono::TimeDelta::seconds(1), now),
            Err(ActivityRuleError::TooFarInFuture)
        );
    }

    #[test]
    fn last_activity_only_moves_forward() {
        assert_eq!(last_activity_after(None, at(3)), at(3));
        assert_eq!(last_activity_after(Some(at(5)), at(3)), at(5));
        assert_eq!(last_activity_after(Some(at(1)), at(3)), at(3));
    }
}
