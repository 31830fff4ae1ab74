//! The rules of usage analytics: what counts as a person's activity (signals), which seats
//! are paid, and the renewal maths. No I/O; the store and the hub apply these.

use std::fmt;

use serde::{Deserialize, Serialize};
use wrike_api::models::{AuditOperation, ContactType, Role};

/// One kind of evidence that a person used Wrike.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Signal {
    /// A sign-in or sign-out in the audit log.
    Login,
    /// Any other change the person made, from the audit log.
    Change,
    /// A task the person authored (work data).
    Task,
    /// A comment the person wrote or edited (work data).
    Comment,
    /// Time the person logged (work data).
    Timelog,
    /// A sign-in through an API client with OAuth (audit log `Login Type: Oauth2`): the
    /// person works through an integration, without opening Wrike. Counted apart from UI
    /// sign-ins so a report can say that this is what kept someone active.
    Integration,
}

impl Signal {
    pub const ALL: [Signal; 6] = [
        Signal::Login,
        Signal::Change,
        Signal::Task,
        Signal::Comment,
        Signal::Timelog,
        Signal::Integration,
    ];

    /// The bit of this signal in a `Signals` set (and in the stored `signals` column).
    pub fn bit(self) -> i64 {
        match self {
            Signal::Login => 1,
            Signal::Change => 2,
            Signal::Task => 4,
            Signal::Comment => 8,
            Signal::Timelog => 16,
            Signal::Integration => 32,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Signal::Login => "login",
            Signal::Change => "change",
            Signal::Task => "task",
            Signal::Comment => "comment",
            Signal::Timelog => "timelog",
            Signal::Integration => "integration",
        }
    }

    /// What the signal is, in words, with where it comes from.
    pub fn describe(self) -> &'static str {
        match self {
            Signal::Login => "sign-ins (audit log)",
            Signal::Change => "changes recorded in the audit log",
            Signal::Task => "tasks authored",
            Signal::Comment => "comments written",
            Signal::Timelog => "time logged",
            Signal::Integration => "sign-ins by an API client (OAuth, audit log)",
        }
    }

    /// Whether the signal comes from the audit log (Enterprise and Pinnacle only).
    pub fn needs_audit_log(self) -> bool {
        matches!(self, Signal::Login | Signal::Change | Signal::Integration)
    }

    pub fn parse(text: &str) -> Option<Signal> {
        Signal::ALL.into_iter().find(|s| {
            s.name() == text || (text.ends_with('s') && s.name() == &text[..text.len() - 1])
        })
    }
}

/// A set of signals: which kinds of evidence a report counts as activity.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(into = "Vec<Signal>", from = "Vec<Signal>")]
#[schema(value_type = Vec<Signal>)]
pub struct Signals(i64);

impl Signals {
    pub const NONE: Signals = Signals(0);
    /// Every signal: sign-ins, audit-log changes, tasks, comments, timelogs and sign-ins
    /// through integrations.
    pub const ALL: Signals = Signals(63);
    /// Sign-ins to Wrike itself only (what hosted SaaS-management tools count).
    pub const LOGINS: Signals = Signals(1);
    /// What work data shows on any plan.
    pub const WORK: Signals = Signals(4 | 8 | 16);

    pub fn of(signals: &[Signal]) -> Signals {
        Signals(signals.iter().fold(0, |bits, s| bits | s.bit()))
    }

    pub fn bits(self) -> i64 {
        self.0
    }

    pub fn contains(self, signal: Signal) -> bool {
        self.0 & signal.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Signal> {
        Signal::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    pub fn intersect(self, other: Signals) -> Signals {
        Signals(self.0 & other.0)
    }

    pub fn without(self, other: Signals) -> Signals {
        Signals(self.0 & !other.0)
    }

    /// Parses `all`, `logins`, `work`, or a comma list of signal names (`login,comment`).
    pub fn parse(text: &str) -> Result<Signals, String> {
        match text.trim() {
            "all" => return Ok(Signals::ALL),
            "logins" | "login" => return Ok(Signals::LOGINS),
            "work" => return Ok(Signals::WORK),
            _ => {}
        }
        let mut set = Signals::NONE;
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let signal = Signal::parse(part).ok_or_else(|| {
                format!(
                    "unknown signal '{part}': use all, logins, work, or a list of login, change, task, comment, timelog, integration"
                )
            })?;
            set = Signals(set.0 | signal.bit());
        }
        if set.is_empty() {
            return Err("no signals given".into());
        }
        Ok(set)
    }

    /// The set in words: "sign-ins (audit log), tasks authored".
    pub fn describe(self) -> String {
        self.iter()
            .map(Signal::describe)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl From<Signals> for Vec<Signal> {
    fn from(set: Signals) -> Self {
        set.iter().collect()
    }
}

impl From<Vec<Signal>> for Signals {
    fn from(list: Vec<Signal>) -> Self {
        Signals::of(&list)
    }
}

impl fmt::Debug for Signals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl fmt::Display for Signals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Signals::ALL {
            return f.write_str("all");
        }
        let names: Vec<&str> = self.iter().map(Signal::name).collect();
        f.write_str(&names.join(","))
    }
}

/// Audit operations that are sign-in activity (`Signal::Login`).
pub const LOGIN_OPERATIONS: [&str; 2] = ["UserLoggedIn", "UserLogout"];
/// Audit operations that are not activity at all: a failed sign-in is not use.
pub const IGNORED_OPERATIONS: [&str; 1] = ["UserFailLogin"];

/// Audit operations that seat a person anew: the grace period of a policy runs from them.
pub const SEAT_START_OPERATIONS: [&str; 3] =
    ["InvitationAccepted", "UserActivated", "UserRestored"];

/// Whom an audit record seats anew, if anyone: the user it is about (`objectType` `User`),
/// else, for an accepted invitation, the person who accepted it.
pub fn seated_by<'a>(
    operation: &str,
    user_id: Option<&'a str>,
    object_type: Option<&str>,
    object_id: Option<&'a str>,
) -> Option<&'a str> {
    if !SEAT_START_OPERATIONS.contains(&operation) {
        return None;
    }
    match (object_type, object_id) {
        (Some("User"), Some(id)) => Some(id),
        _ if operation == "InvitationAccepted" => user_id,
        _ => None,
    }
}

/// The `Login Type` of a sign-in through an API client; compared without case, as Wrike's
/// spelling of it is documented only by example (`Oauth2`).
pub const INTEGRATION_LOGIN_TYPE: &str = "oauth2";

/// What an audit record says about the person who made it, given its `Login Type` detail
/// where it has one. Failed sign-ins are not use; a sign-in through OAuth is use through an
/// integration; every other operation, known or not, is something the person did in Wrike.
pub fn signal_of(operation: &AuditOperation, login_type: Option<&str>) -> Option<Signal> {
    signal_of_name(operation.as_str(), login_type)
}

/// `signal_of` for an operation's name as stored.
pub fn signal_of_name(name: &str, login_type: Option<&str>) -> Option<Signal> {
    if LOGIN_OPERATIONS.contains(&name) {
        if login_type.is_some_and(|t| t.trim().eq_ignore_ascii_case(INTEGRATION_LOGIN_TYPE)) {
            Some(Signal::Integration)
        } else {
            Some(Signal::Login)
        }
    } else if IGNORED_OPERATIONS.contains(&name) {
        None
    } else {
        Some(Signal::Change)
    }
}

/// The `Login Type` in an audit record's `details` (a JSON object as Wrike sent it), if it
/// is there and a string.
pub fn login_type_in(details: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(details).ok()?;
    value.get("Login Type")?.as_str().map(str::to_owned)
}

/// The day (counted from 1970-01-01, UTC) a Unix time falls on.
pub fn day_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(86_400)
}

/// The Unix time a day starts at.
pub fn day_start(day: i64) -> i64 {
    day * 86_400
}

/// Whether a contact takes a paid seat: a person with the `User` role whose user type, when
/// known, is not a free one (collaborators are free on every Wrike plan).
pub fn is_paid_seat(kind: &ContactType, role: Option<&Role>, license_type: Option<&str>) -> bool {
    if *kind != ContactType::Person {
        return false;
    }
    if role == Some(&Role::Collaborator) {
        return false;
    }
    !license_type.is_some_and(|t| t.eq_ignore_ascii_case("collaborator"))
}

/// What reclaiming seats saves in a year, in cents: each seat at its type's cost when one
/// is set, else at the connection's cost per seat.
pub fn annual_savings_cents<'a>(
    seat_types: impl IntoIterator<Item = Option<&'a str>>,
    seat_cost_cents: i64,
    type_cost_cents: &std::collections::BTreeMap<String, i64>,
) -> i64 {
    seat_types
        .into_iter()
        .map(|t| {
            t.and_then(|t| type_cost_cents.get(t).copied())
                .unwrap_or(seat_cost_cents)
        })
        .sum()
}

/// Cents as money: `12345` in `USD` is `USD 123.45`.
pub fn money(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{currency} {grouped}.{:02}", cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_sets_parse_and_print() {
        assert_eq!(Signals::parse("all").unwrap(), Signals::ALL);
        assert_eq!(Signals::parse("logins").unwrap(), Signals::LOGINS);
        let set = Signals::parse("login, comments").unwrap();
        assert!(set.contains(Signal::Login) && set.contains(Signal::Comment));
        assert!(!set.contains(Signal::Task));
        assert_eq!(set.to_string(), "login,comment");
        assert_eq!(Signals::ALL.to_string(), "all");
        assert!(
            Signals::parse("logins,bogus")
                .unwrap_err()
                .contains("bogus")
        );
        assert!(Signals::parse("").is_err());
        assert_eq!(Signals::WORK.without(Signals::LOGINS), Signals::WORK);
        assert_eq!(
            Signals::ALL.intersect(Signals::WORK).describe(),
            "tasks authored, comments written, time logged"
        );
    }

    #[test]
    fn operations_map_to_signals() {
        assert_eq!(
            signal_of(&AuditOperation::UserLoggedIn, Some("Password")),
            Some(Signal::Login)
        );
        assert_eq!(
            signal_of(&AuditOperation::UserLoggedIn, None),
            Some(Signal::Login)
        );
        for spelling in ["Oauth2", "OAUTH2", " oauth2 "] {
            assert_eq!(
                signal_of(&AuditOperation::UserLoggedIn, Some(spelling)),
                Some(Signal::Integration),
                "{spelling}"
            );
        }
        assert_eq!(
            signal_of(&AuditOperation::UserLogout, None),
            Some(Signal::Login)
        );
        assert_eq!(
            signal_of(&AuditOperation::UserFailLogin, Some("Oauth2")),
            None
        );
        assert_eq!(
            signal_of(&AuditOperation::TaskStatusChanged, Some("Oauth2")),
            Some(Signal::Change)
        );
        assert_eq!(
            signal_of(&AuditOperation::from("UserTypeChangedSomeday"), None),
            Some(Signal::Change),
            "unknown operations are still something the person did"
        );
        assert_eq!(
            login_type_in(r#"{"Login Type":"Oauth2","User Agent":"Nango"}"#).as_deref(),
            Some("Oauth2")
        );
        assert_eq!(login_type_in(r#"{"Login Type":7}"#), None);
        assert_eq!(login_type_in("not json"), None);
        assert_eq!(
            Signals::parse("integrations").unwrap(),
            Signals::of(&[Signal::Integration])
        );
    }

    #[test]
    fn days_and_seats_and_money() {
        assert_eq!(day_of(0), 0);
        assert_eq!(day_of(86_399), 0);
        assert_eq!(day_of(86_400), 1);
        assert_eq!(day_of(-1), -1);
        assert_eq!(day_start(2), 172_800);
        assert!(is_paid_seat(&ContactType::Person, Some(&Role::User), None));
        assert!(!is_paid_seat(
            &ContactType::Person,
            Some(&Role::Collaborator),
            None
        ));
        assert!(!is_paid_seat(&ContactType::Group, Some(&Role::User), None));
        assert!(!is_paid_seat(
            &ContactType::Person,
            Some(&Role::User),
            Some("Collaborator")
        ));
        let mut types = std::collections::BTreeMap::new();
        types.insert("light".to_owned(), 5_000);
        assert_eq!(
            annual_savings_cents([Some("light"), Some("regular"), None], 30_000, &types),
            65_000
        );
        assert_eq!(money(123_456_789, "USD"), "USD 1,234,567.89");
        assert_eq!(money(5, "EUR"), "EUR 0.05");
        assert_eq!(money(-100_000, "USD"), "-USD 1,000.00");
    }
}
