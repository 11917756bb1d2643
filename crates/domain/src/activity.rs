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
