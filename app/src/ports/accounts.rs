//! Accounts of the people who run surveys: users, their sessions, sign-in attempts and
//! API tokens.

use super::StoreError;
use crate::domain::access::Scope;
use crate::model::Role;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Failed sign-in attempts within a window ([`Accounts::login_failures_since`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoginFailures {
    /// For this account from this address.
    pub by_both: i64,
    /// For this account, from anywhere.
    pub by_account: i64,
    /// From this address, for any account.
    pub by_address: i64,
    /// When the account's latest two failures were, newest first.
    pub latest: Vec<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// A manager's attribute values (see [`crate::domain::access`]).
    pub scope: Scope,
    /// Disabled users cannot sign in, and their sessions and tokens grant nothing.
    pub disabled: bool,
    /// Invited and not yet through their link: no password, so no sign-in.
    pub invited: bool,
    /// The language of the mail the user gets (digests).
    pub locale: crate::domain::Locale,
    pub created_at: DateTime<Utc>,
}

/// One of a user's sessions, named by the start of its hash (never the secret).
#[derive(Clone, Debug, PartialEq)]
pub struct SessionRecord {
    pub id: String,
    pub token_hash: String,
    pub client: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    /// Empty for an invited user, who chooses a password through their link.
    pub password_hash: String,
    pub role: Role,
    pub scope: Scope,
}

#[derive(Clone, Debug)]
pub struct ApiTokenRecord {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked: bool,
    /// What the token grants: no more than its owner (checked again at each use).
    pub role: Role,
    pub scope: Scope,
}

/// What an account link is for ([`Accounts::send_account_link`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkPurpose {
    /// An admin invited the user: the link sets their first password.
    Invite,
    /// The user asked to reset a forgotten password.
    Reset,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Invite => "invite",
            LinkPurpose::Reset => "reset",
        }
    }

    pub fn parse(s: &str) -> Option<LinkPurpose> {
        [LinkPurpose::Invite, LinkPurpose::Reset]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// Whom an account link is for: a user by id (an invitation), or whoever has an address
/// (a reset, which must not tell whether anyone has).
#[derive(Clone, Debug)]
pub enum LinkFor {
    User(i64),
    Email(String),
}

/// An account link to make and mail through the outbox.
#[derive(Clone, Debug)]
pub struct NewAccountLink {
    pub to: LinkFor,
    pub purpose: LinkPurpose,
    /// The secret as it goes into the email, kept in the outbox until the message is
    /// finished, and its hash, kept with the link.
    pub token: String,
    pub token_hash: String,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// No link is made when the user was sent this many of this purpose in the last hour.
    pub most_per_hour: i64,
}

/// What became of a link to send ([`Accounts::send_account_link`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkSent {
    Sent,
    /// No enabled user has the id or the address.
    NoSuchUser,
    /// The user was sent as many links of the purpose as an hour allows.
    TooMany,
}

/// Users, sessions, login attempts and API tokens.
#[async_trait]
pub trait Accounts: Send + Sync {
    async fn count_users(&self) -> Result<i64, StoreError>;
    /// Creates the first admin only while no user exists (the setup page); Conflict after.
    async fn create_first_user(&self, user: NewUser) -> Result<User, StoreError>;
    async fn create_user(&self, user: NewUser) -> Result<User, StoreError>;
    async fn list_users(&self) -> Result<Vec<User>, StoreError>;
    /// False when there is no such user.
    async fn set_user_locale(
        &self,
        id: i64,
        locale: crate::domain::Locale,
    ) -> Result<bool, StoreError>;
    /// Changes a user's role and scope; the user as changed, none when there is no such user.
    async fn set_user_access(
        &self,
        id: i64,
        role: Role,
        scope: &Scope,
    ) -> Result<Option<User>, StoreError>;
    /// The user and their password hash.
    async fn user_credentials(&self, email: &str) -> Result<Option<(User, String)>, StoreError>;
    /// `client`: what the session was started from (a User-Agent), for its owner's list.
    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        expires_at: DateTime<Utc>,
        client: &str,
    ) -> Result<(), StoreError>;
    /// A user's live sessions, newest first.
    async fn user_sessions(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionRecord>, StoreError>;
    /// Ends one of a user's sessions by its id; false when they have no such session.
    async fn end_user_session(&self, user_id: i64, id: &str) -> Result<bool, StoreError>;
    /// Sets a user's password hash and ends every session of theirs but `keep` (a hash).
    async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<(), StoreError>;
    /// Disables a user (ending their sessions and revoking their tokens at once) or
    /// enables them again; the user as changed, none when there is no such user.
    async fn set_user_disabled(
        &self,
        user_id: i64,
        disabled: bool,
        at: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError>;
    /// Makes an account link for an enabled user and queues its email in one
    /// transaction; nothing is made when there is no such enabled user, or they were
    /// sent enough links of the purpose lately.
    async fn send_account_link(&self, link: &NewAccountLink) -> Result<LinkSent, StoreError>;
    /// The user and purpose of a live link (read only: a GET shows its form).
    async fn account_link(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(User, LinkPurpose)>, StoreError>;
    /// Uses a live link once: sets the password of its (enabled) user, ends all their
    /// sessions and forgets all their links; the user, none when the link is not live.
    async fn use_account_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError>;
    async fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError>;
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Deletes sessions that expired and login attempts older than `attempts_before`.
    async fn prune_auth_records(
        &self,
        now: DateTime<Utc>,
        attempts_before: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Records an attempt and returns its id. A sign-in records a failure before it
    /// checks the password, so parallel guesses count against the limit at once.
    async fn record_login_attempt(
        &self,
        account: &str,
        ip: &str,
        success: bool,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError>;
    /// Turns an attempt recorded as failed into a success: its password was right.
    async fn mark_login_attempt_succeeded(&self, id: i64) -> Result<(), StoreError>;
    /// Failed attempts since `since` for this account, this address, and both.
    async fn login_failures_since(
        &self,
        account: &str,
        ip: &str,
        since: DateTime<Utc>,
    ) -> Result<LoginFailures, StoreError>;
    async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        prefix: &str,
        token_hash: &str,
        role: Role,
        scope: &Scope,
    ) -> Result<ApiTokenRecord, StoreError>;
    /// Newest first; `owner`: only theirs (`None`: everyone's).
    async fn list_api_tokens(&self, owner: Option<i64>) -> Result<Vec<ApiTokenRecord>, StoreError>;
    /// True when a live token was revoked.
    /// True when a live token was revoked; `owner`: only if it is theirs (`None`: anyone's).
    async fn revoke_api_token(&self, id: i64, owner: Option<i64>) -> Result<bool, StoreError>;
    /// The owner of a live token and what the token grants; marks it used.
    async fn api_token_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(User, Role, Scope)>, StoreError>;
}
