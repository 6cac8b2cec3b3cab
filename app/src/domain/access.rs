//! Who may do what: the one rule every page, server function, form route and API
//! operation asks, from the caller's role and scope and the survey at hand.
//!
//! | | admin | hr | manager | viewer |
//! |---|---|---|---|---|
//! | results (scores, charts, breakdowns) | all surveys | employee surveys | their scope | all surveys |
//! | comments | all | employee surveys | their scope | — |
//! | single responses (identified surveys) | all | employee surveys | customer surveys, their scope | — |
//! | cases (about single responses) | all | employee surveys | customer surveys, their scope | — |
//! | send counts and funnels | all | employee surveys | — | all |
//! | create, edit, send | all | employee surveys | — | — |
//! | contacts, imports, segments, privacy | yes | yes | — | — |
//! | users | yes | — | — | — |
//!
//! A manager's scope is a set of attribute values (`team = Sales`): every view they get
//! is narrowed to one of them, so a survey that does not group by a scope's attribute is
//! out of their reach. Anonymity rules apply on top, to every role.

use crate::domain::filter::{conditions_of, segment, SEPARATOR};
use serde::{Deserialize, Serialize};

/// A user's role; what it grants is [`decide`]'s table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Hr,
    Manager,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Hr, Role::Manager, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Hr => "hr",
            Role::Manager => "manager",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The attribute values a manager's results are narrowed to, e.g. `team = Sales` and
/// `team = Support`; empty for every other role.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope(Vec<(String, String)>);

/// Why a scope cannot be read: a message for the person.
pub type ScopeError = String;

impl Scope {
    /// Reads `attribute=value` items (as typed, or as the API sends them), sorted and
    /// without repeats.
    pub fn parse<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<Scope, ScopeError> {
        let mut pairs = Vec::new();
        for item in items.into_iter().map(str::trim).filter(|i| !i.is_empty()) {
            let parsed = item
                .split_once('=')
                .map(|(a, v)| (a.trim(), v.trim()))
                .filter(|(a, v)| !a.is_empty() && !v.is_empty());
            let Some((attribute, value)) = parsed else {
                return Err(format!(
                    "Write a scope as attribute=value, such as team=Sales, not \"{item}\"."
                ));
            };
            if item.contains(SEPARATOR) || item.contains('\0') {
                return Err("A scope holds no control characters.".to_owned());
            }
            pairs.push((attribute.to_owned(), value.to_owned()));
        }
        pairs.sort();
        pairs.dedup();
        Ok(Scope(pairs))
    }

    /// Reads what [`Scope::stored`] wrote; an unreadable item is dropped, which narrows.
    pub fn from_stored(text: &str) -> Scope {
        let mut pairs: Vec<(String, String)> = conditions_of(text)
            .into_iter()
            .map(|(a, v)| (a.to_owned(), v.to_owned()))
            .collect();
        pairs.dedup();
        Scope(pairs)
    }

    /// Stored as a dashboard segment is named (see [`crate::domain::filter::segment`]).
    pub fn stored(&self) -> String {
        segment(self.0.iter().map(|(a, v)| (a.as_str(), v.as_str())))
    }

    /// `attribute=value` per item, as the pages and the API show them.
    pub fn items(&self) -> Vec<String> {
        self.0.iter().map(|(a, v)| format!("{a}={v}")).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    pub fn contains(&self, attribute: &str, value: &str) -> bool {
        self.0.iter().any(|(a, v)| a == attribute && v == value)
    }

    /// Whether every item of `self` is one of `other`'s.
    pub fn within(&self, other: &Scope) -> bool {
        self.0.iter().all(|(a, v)| other.contains(a, v))
    }
}

/// What the rule needs to know of a survey.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SurveyFacts {
    /// eNPS, pulse, or marked as asked of employees.
    pub employees: bool,
    pub anonymous: bool,
    /// The attributes its results are grouped by: a manager's scope must be one of them.
    pub grouping: Vec<String>,
}

/// What a caller asks to do. Survey actions name the survey they act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action<'a> {
    /// See the surveys list; each row is then checked as [`Action::ReadResults`].
    ListSurveys,
    /// Scores, charts, breakdowns and movement of a survey.
    ReadResults(&'a SurveyFacts),
    /// Follow-up and free-text answers.
    ReadComments(&'a SurveyFacts),
    /// One response of an identified survey, with who gave it.
    ReadResponse(&'a SurveyFacts),
    /// A survey's sends with their counts, and the response-rate funnel.
    ReadSends(&'a SurveyFacts),
    /// Create a survey for employees (`true`) or customers.
    CreateSurvey { employees: bool },
    /// Change a survey's definition or settings, send it, pause or cancel its sends.
    ManageSurvey(&'a SurveyFacts),
    /// Contacts, imports, segments, privacy requests and frequency rules.
    ManageContacts,
    /// Accounts of others: add, change role and scope.
    ManageUsers,
    /// Webhook endpoints: they receive every survey's responses and cases, so admins only.
    ManageWebhooks,
    /// The caller's own API tokens.
    ManageOwnTokens,
}

/// An action on one survey, named before the survey is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnSurvey {
    ReadResults,
    ReadComments,
    ReadResponse,
    ReadSends,
    Manage,
}

impl OnSurvey {
    pub fn of(self, survey: &SurveyFacts) -> Action<'_> {
        match self {
            OnSurvey::ReadResults => Action::ReadResults(survey),
            OnSurvey::ReadComments => Action::ReadComments(survey),
            OnSurvey::ReadResponse => Action::ReadResponse(survey),
            OnSurvey::ReadSends => Action::ReadSends(survey),
            OnSurvey::Manage => Action::ManageSurvey(survey),
        }
    }
}

/// The rule's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    Allowed,
    /// Allowed only narrowed to one of these (attribute, value) conditions.
    WithinScope(Vec<(String, String)>),
    Denied,
}

impl Access {
    pub fn allowed(&self) -> bool {
        !matches!(self, Access::Denied)
    }
}

/// The one rule: what `role` with `scope` may do.
pub fn decide(role: Role, scope: &Scope, action: Action<'_>) -> Access {
    use Action::*;
    let yes = |allowed: bool| match allowed {
        true => Access::Allowed,
        false => Access::Denied,
    };
    match role {
        Role::Admin => Access::Allowed,
        Role::Hr => match action {
            ListSurveys | ManageContacts | ManageOwnTokens => Access::Allowed,
            CreateSurvey { employees } => yes(employees),
            ReadResults(s) | ReadComments(s) | ReadResponse(s) | ReadSends(s) | ManageSurvey(s) => {
                yes(s.employees)
            }
            ManageUsers | ManageWebhooks => Access::Denied,
        },
        Role::Manager => match action {
            ListSurveys | ManageOwnTokens => Access::Allowed,
            ReadResults(s) | ReadComments(s) => within(scope, s),
            ReadResponse(s) if !s.employees && !s.anonymous => within(scope, s),
            _ => Access::Denied,
        },
        Role::Viewer => match action {
            ListSurveys | ManageOwnTokens | ReadResults(_) | ReadSends(_) => Access::Allowed,
            _ => Access::Denied,
        },
    }
}

/// The scope's conditions that the survey can be narrowed to; none reaches nothing.
fn within(scope: &Scope, survey: &SurveyFacts) -> Access {
    let reachable: Vec<(String, String)> = scope
        .pairs()
        .iter()
        .filter(|(a, _)| survey.grouping.contains(a))
        .cloned()
        .collect();
    match reachable.is_empty() {
        true => Access::Denied,
        false => Access::WithinScope(reachable),
    }
}

/// Whether a token with `role` and `scope` grants no more than its creator has: an
/// admin's token may carry any role; others carry their own role, a manager's within
/// their own scope (the roles in between are not subsets of one another).
pub fn token_within(role: Role, scope: &Scope, creator: Role, creators_scope: &Scope) -> bool {
    match creator {
        Role::Admin => true,
        Role::Manager => role == Role::Manager && scope.within(creators_scope),
        other => role == other && scope.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn survey(employees: bool, anonymous: bool) -> SurveyFacts {
        SurveyFacts {
            employees,
            anonymous,
            grouping: vec!["team".into(), "region".into()],
        }
    }

    fn sales() -> Scope {
        Scope::parse(["team=Sales", "plan=Pro"]).unwrap()
    }

    #[test]
    fn hr_reaches_employee_surveys_and_contacts_but_not_customer_surveys_or_users() {
        let none = Scope::default();
        let staff = survey(true, true);
        let customers = survey(false, false);
        assert_eq!(
            decide(Role::Hr, &none, Action::ManageSurvey(&staff)),
            Access::Allowed
        );
        assert_eq!(
            decide(Role::Hr, &none, Action::ReadResults(&customers)),
            Access::Denied
        );
        assert_eq!(
            decide(Role::Hr, &none, Action::CreateSurvey { employees: false }),
            Access::Denied
        );
        assert!(decide(Role::Hr, &none, Action::ManageContacts).allowed());
        assert!(!decide(Role::Hr, &none, Action::ManageUsers).allowed());
        assert!(!decide(Role::Hr, &none, Action::ManageWebhooks).allowed());
    }

    #[test]
    fn a_manager_sees_results_only_narrowed_to_the_scope_values_the_survey_groups_by() {
        let staff = survey(true, true);
        assert_eq!(
            decide(Role::Manager, &sales(), Action::ReadResults(&staff)),
            Access::WithinScope(vec![("team".into(), "Sales".into())])
        );
        let ungrouped = SurveyFacts {
            grouping: vec!["region".into()],
            ..staff.clone()
        };
        assert_eq!(
            decide(Role::Manager, &sales(), Action::ReadResults(&ungrouped)),
            Access::Denied,
            "no scope attribute to narrow by: nothing"
        );
        assert_eq!(
            decide(
                Role::Manager,
                &Scope::default(),
                Action::ReadResults(&staff)
            ),
            Access::Denied,
            "a manager without a scope sees nothing"
        );
        assert!(!decide(Role::Manager, &sales(), Action::ReadSends(&staff)).allowed());
        assert!(!decide(Role::Manager, &sales(), Action::ManageContacts).allowed());
    }

    #[test]
    fn single_responses_reach_a_manager_on_identified_customer_surveys_only() {
        let allowed = decide(
            Role::Manager,
            &sales(),
            Action::ReadResponse(&survey(false, false)),
        );
        assert!(matches!(allowed, Access::WithinScope(_)));
        for denied in [survey(true, false), survey(false, true)] {
            assert_eq!(
                decide(Role::Manager, &sales(), Action::ReadResponse(&denied)),
                Access::Denied
            );
        }
    }

    #[test]
    fn a_viewer_sees_aggregates_of_every_survey_and_nothing_single() {
        let none = Scope::default();
        let s = survey(false, false);
        assert!(decide(Role::Viewer, &none, Action::ReadResults(&s)).allowed());
        assert!(decide(Role::Viewer, &none, Action::ReadSends(&s)).allowed());
        for action in [
            Action::ReadComments(&s),
            Action::ReadResponse(&s),
            Action::ManageSurvey(&s),
            Action::ManageContacts,
        ] {
            assert_eq!(decide(Role::Viewer, &none, action), Access::Denied);
        }
    }

    #[test]
    fn a_token_grants_no_more_than_its_creator() {
        let none = Scope::default();
        assert!(token_within(Role::Viewer, &none, Role::Admin, &none));
        assert!(!token_within(Role::Admin, &none, Role::Hr, &none));
        assert!(!token_within(Role::Viewer, &none, Role::Hr, &none));
        let narrower = Scope::parse(["team=Sales"]).unwrap();
        assert!(token_within(
            Role::Manager,
            &narrower,
            Role::Manager,
            &sales()
        ));
        let other = Scope::parse(["team=Ops"]).unwrap();
        assert!(!token_within(
            Role::Manager,
            &other,
            Role::Manager,
            &sales()
        ));
    }

    #[test]
    fn a_scope_reads_attribute_value_items_and_refuses_anything_else() {
        let scope = Scope::parse([" team = Sales ", "team=Sales", "", "region=EU"]).unwrap();
        assert_eq!(scope.items(), ["region=EU", "team=Sales"]);
        assert_eq!(Scope::from_stored(&scope.stored()), scope);
        assert!(Scope::parse(["Sales"]).is_err());
        assert!(Scope::parse(["team="]).is_err());
    }
}
