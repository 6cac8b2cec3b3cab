//! Accounts: first-run setup, login with rate limits, sessions, roles and the one
//! authorisation rule every entry point uses.

use crate::error::AppError;
use crate::model::{AccountLinkView, SessionView, UserView};
// Only the server's code names a role here; the browser's build would warn of it.
#[cfg(feature = "ssr")]
use crate::model::Role;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

pub const SESSION_COOKIE: &str = "resonance_session";
/// How long an invitation's link lets the invited user choose a password.
pub const INVITE_VALID_DAYS: i64 = 7;
/// How long a reset link works: long enough to find the email, short for a thief.
pub const RESET_VALID_MINUTES: i64 = 60;

pub use crate::domain::access::{Access, Action};

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::api::hashing::PASSWORDS;
    use crate::domain::access::Scope;
    use crate::domain::Email;
    use crate::error::ErrorKind;
    use crate::ports::{
        LinkFor, LinkPurpose, LinkSent, LoginFailures, NewAccountLink, NewUser, Services,
        StoreError, User,
    };
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    use chrono::{Duration, Utc};
    use rand::RngCore;

    /// Failed logins allowed per window before one client must wait for an account
    /// (or, from many clients, before the account is slowed down).
    pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
    /// Failed logins allowed per window from one address, whatever the accounts.
    pub const MAX_FAILURES_PER_IP: i64 = 20;
    pub const FAILURE_WINDOW_MINUTES: i64 = 15;
    /// The longest pause between two sign-ins to an account failing from many addresses.
    pub const MAX_SLOWDOWN_SECS: u64 = 30;
    pub const MIN_PASSWORD_CHARS: usize = 10;
    /// Links of one purpose a user is sent in an hour at most, so a reset asked for
    /// again and again cannot flood their mailbox.
    pub const LINKS_PER_HOUR: i64 = 3;
    /// A hash of a random password, checked against when the email is unknown.
    static UNKNOWN_USER_HASH: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| password_auth::generate_hash(new_secret()));

    /// The one gate every entry point passes: what `user` may do, and how far (a
    /// manager's results come narrowed to their scope). Denied is a 403.
    pub fn authorize(user: &User, action: Action<'_>) -> Result<Access, AppError> {
        match crate::domain::access::decide(user.role, &user.scope, action) {
            Access::Denied => Err(AppError::forbidden()),
            access => Ok(access),
        }
    }

    /// 32 random bytes from the OS CSPRNG, URL-safe; only its hash is ever stored.
    /// What a setup request brings besides the account: the `Host` it was sent to and
    /// the setup code typed in (see [`crate::ports::Settings::setup_code`]).
    pub struct SetupRequest<'a> {
        pub host: Option<&'a str>,
        pub code: Option<&'a str>,
        /// The browser's User-Agent, kept with the session.
        pub agent: Option<&'a str>,
    }

    /// A setup code to print at start: short enough to type, 72 random bits.
    pub fn new_setup_code() -> String {
        new_secret().chars().take(12).collect()
    }

    pub fn new_secret() -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    pub fn view(user: &User) -> UserView {
        UserView {
            id: user.id,
            email: user.email.clone(),
            name: user.name.clone(),
            role: user.role,
            scope: user.scope.items(),
            disabled: user.disabled,
            invited: user.invited,
        }
    }

    pub fn session_cookie(settings: &crate::ports::Settings, secret: &str) -> String {
        let secure = if settings.secure_cookies {
            "; Secure"
        } else {
            ""
        };
        let max_age = settings.session_days * 24 * 3600;
        format!(
            "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
        )
    }

    pub fn clear_session_cookie(settings: &crate::ports::Settings) -> String {
        let secure = if settings.secure_cookies {
            "; Secure"
        } else {
            ""
        };
        format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
    }

    async fn hash_password(password: String) -> Result<String, AppError> {
        PASSWORDS
            .run(move || password_auth::generate_hash(password))
            .await
    }

    /// Checks a password against a stored hash, or against a hash of a random password
    /// when there is none: the same work either way, so timing does not tell which
    /// emails have accounts.
    async fn verify_password(password: String, hash: Option<String>) -> Result<bool, AppError> {
        PASSWORDS
            .run(move || {
                let hash = hash.as_deref().unwrap_or(&UNKNOWN_USER_HASH);
                password_auth::verify_password(password, hash).is_ok()
            })
            .await
    }

    /// `password`: none for an invited user, who chooses one through their link.
    fn validate_new_account(
        name: &str,
        email: &str,
        password: Option<&str>,
    ) -> Result<NewAccount, AppError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(AppError::bad_input("name", "Please enter your name."));
        }
        if name.chars().count() > 200 {
            return Err(AppError::bad_input(
                "name",
                "The name is longer than 200 characters.",
            ));
        }
        let email = Email::parse(email).map_err(|e| AppError::bad_input("email", e.to_string()))?;
        if let Some(password) = password {
            check_new_password("password", password)?;
        }
        Ok(NewAccount {
            name: name.to_string(),
            email,
        })
    }

    fn check_new_password(field: &str, password: &str) -> Result<(), AppError> {
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(AppError::bad_input(
                field,
                format!("The password needs at least {MIN_PASSWORD_CHARS} characters."),
            ));
        }
        Ok(())
    }

    struct NewAccount {
        name: String,
        email: Email,
    }

    /// Creates the first admin; refused once any user exists. Returns a session secret.
    // No `err`: its message may repeat what was typed (an email address), which
    // stays out of the log.
    #[tracing::instrument(skip_all)]
    pub async fn setup(
        services: &Services,
        asked: &SetupRequest<'_>,
        name: &str,
        email: &str,
        password: &str,
    ) -> Result<(User, String), AppError> {
        let settings = &services.settings;
        // A page of another name for this server (DNS rebinding, or an address someone
        // else controls) may not create its first account.
        let expected = settings
            .base_url
            .split_once("://")
            .map_or(settings.base_url.as_str(), |(_, rest)| rest)
            .split('/')
            .next()
            .unwrap_or_default();
        if !asked.host.is_some_and(|h| h.eq_ignore_ascii_case(expected)) {
            return Err(AppError::new(
                ErrorKind::Forbidden,
                format!("Set Resonance up at {} (its base URL).", settings.base_url),
            ));
        }
        if let Some(code) = &settings.setup_code {
            // Compared as keyed hashes: equal lengths, no early exit on the first byte.
            let given = asked.code.unwrap_or_default().trim();
            if settings.token_hash(given) != settings.token_hash(code) {
                return Err(AppError::bad_input(
                    "setup_code",
                    "Enter the setup code the server printed when it started.",
                ));
            }
        }
        let account = validate_new_account(name, email, Some(password))?;
        if services.store.count_users().await? > 0 {
            return Err(AppError::not_found("Resonance is already set up."));
        }
        let user = services
            .store
            .create_first_user(NewUser {
                email: account.email.as_str().to_string(),
                name: account.name,
                password_hash: hash_password(password.to_string()).await?,
                role: Role::Admin,
                scope: Scope::default(),
            })
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => AppError::not_found("Resonance is already set up."),
                other => other.into(),
            })?;
        let secret = start_session(services, &user, asked.agent.unwrap_or_default()).await?;
        Ok((user, secret))
    }

    /// Creates another account with its role (admin work). Without a password the user
    /// is invited: a link to choose one goes out by email, valid [`INVITE_VALID_DAYS`].
    // No `err`: its message may repeat what was typed (an email address), which
    // stays out of the log.
    #[tracing::instrument(skip_all)]
    pub async fn create_user(
        services: &Services,
        name: &str,
        email: &str,
        password: Option<&str>,
        role: Role,
        scope: &[String],
    ) -> Result<User, AppError> {
        let password = password.filter(|p| !p.is_empty());
        let account = validate_new_account(name, email, password)?;
        let scope = parse_scope(role, scope)?;
        let password_hash = match password {
            Some(password) => hash_password(password.to_string()).await?,
            None => String::new(),
        };
        let user = services
            .store
            .create_user(NewUser {
                email: account.email.as_str().to_string(),
                name: account.name,
                password_hash,
                role,
                scope,
            })
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => AppError::new(
                    ErrorKind::Conflict,
                    "An account with this email exists already.",
                )
                .on("email"),
                other => other.into(),
            })?;
        if user.invited {
            send_invitation(services, user.id).await?;
        }
        Ok(user)
    }

    /// Makes a link of `purpose` for a user and queues its email.
    async fn send_link(
        services: &Services,
        to: LinkFor,
        purpose: LinkPurpose,
    ) -> Result<LinkSent, AppError> {
        let token = new_secret();
        let now = Utc::now();
        let valid = match purpose {
            LinkPurpose::Invite => Duration::days(INVITE_VALID_DAYS),
            LinkPurpose::Reset => Duration::minutes(RESET_VALID_MINUTES),
        };
        let link = NewAccountLink {
            to,
            purpose,
            token_hash: services.settings.token_hash(&token),
            token,
            now,
            expires_at: now + valid,
            most_per_hour: LINKS_PER_HOUR,
        };
        Ok(services.store.send_account_link(&link).await?)
    }

    /// Sends a user a link to choose their password: their invitation, again (admin work,
    /// checked by the caller).
    #[tracing::instrument(skip_all, fields(user_id = id), err(level = "info"))]
    pub async fn send_invitation(services: &Services, id: i64) -> Result<(), AppError> {
        match send_link(services, LinkFor::User(id), LinkPurpose::Invite).await? {
            LinkSent::Sent => Ok(()),
            LinkSent::NoSuchUser => Err(AppError::not_found(
                "There is no such user, or they are disabled: enable them first.",
            )),
            LinkSent::TooMany => Err(AppError::new(
                ErrorKind::RateLimited,
                format!("This user was sent {LINKS_PER_HOUR} links within the hour: wait before sending another."),
            )
            .retry_after(3600)),
        }
    }

    /// Asks for a reset link for `email`. Whether an account has the address is told to
    /// no one: the answer is the same, and the link is made after the answer, so not even
    /// its timing tells. Each request counts against the address's sign-in allowance
    /// (as a failed sign-in to `reset:<email>`), so neither can be used to spray.
    #[tracing::instrument(skip_all)]
    pub async fn request_password_reset(
        services: &Services,
        email: &str,
        ip: &str,
    ) -> Result<(), AppError> {
        let email = Email::parse(email).map_err(|e| AppError::bad_input("email", e.to_string()))?;
        let email = email.as_str().to_lowercase();
        let account = format!("reset:{email}");
        let now = Utc::now();
        refuse_when_limited(services, &account, ip, now, 0).await?;
        services
            .store
            .record_login_attempt(&account, ip, false, now)
            .await?;
        let services = services.clone();
        tokio::spawn(async move {
            if let Err(e) = send_link(&services, LinkFor::Email(email), LinkPurpose::Reset).await {
                tracing::error!(error = %e.message, "making a reset link");
            }
        });
        Ok(())
    }

    /// Who a live account link is for and what it does; 404 when it is not live.
    pub async fn account_link(
        services: &Services,
        token: &str,
    ) -> Result<AccountLinkView, AppError> {
        let found = services
            .store
            .account_link(&services.settings.token_hash(token), Utc::now())
            .await?;
        let (user, purpose) = found.ok_or_else(dead_link)?;
        Ok(AccountLinkView {
            email: user.email,
            name: user.name,
            invite: purpose == LinkPurpose::Invite,
        })
    }

    fn dead_link() -> AppError {
        AppError::not_found(
            "This link has expired or was used already. Ask for a new one: a reset link from the sign-in page, or a new invitation from your admin.",
        )
    }

    /// Sets the password through a live link, once: every session of the user ends,
    /// every link of theirs is forgotten, and a new session starts. Its secret.
    #[tracing::instrument(skip_all)]
    pub async fn set_password_with_link(
        services: &Services,
        token: &str,
        password: &str,
        repeated: &str,
        agent: &str,
    ) -> Result<(User, String), AppError> {
        check_new_password("password", password)?;
        if password != repeated {
            return Err(AppError::bad_input(
                "repeated",
                "The two passwords differ: type the same one twice.",
            ));
        }
        // A cheap look first: a dead link costs no password hash, which is what an
        // unauthenticated caller could otherwise make the server do at will.
        let token_hash = services.settings.token_hash(token);
        if services
            .store
            .account_link(&token_hash, Utc::now())
            .await?
            .is_none()
        {
            return Err(dead_link());
        }
        let hash = hash_password(password.to_owned()).await?;
        let user = services
            .store
            .use_account_link(&token_hash, &hash, Utc::now())
            .await?
            .ok_or_else(dead_link)?;
        let secret = start_session(services, &user, agent).await?;
        Ok((user, secret))
    }

    #[tracing::instrument(skip_all, err(level = "info"))]
    /// A scope for `role`: a manager needs one (without it they would see nothing), the
    /// other roles reach what they reach without one.
    pub fn parse_scope(role: Role, items: &[String]) -> Result<Scope, AppError> {
        let scope = Scope::parse(items.iter().map(String::as_str))
            .map_err(|message| AppError::bad_input("scope", message))?;
        match (role, scope.is_empty()) {
            (Role::Manager, true) => Err(AppError::bad_input(
                "scope",
                "A manager needs a scope, such as team=Sales: it is what their results are narrowed to.",
            )),
            (Role::Manager, false) | (_, true) => Ok(scope),
            (_, false) => Err(AppError::bad_input(
                "scope",
                format!("Only managers have a scope; a {} sees what the role reaches.", role.as_str()),
            )),
        }
    }

    /// Changes another user's role and scope (admins only, checked by the caller).
    #[tracing::instrument(skip_all, fields(user_id = id), err(level = "info"))]
    pub async fn set_access(
        services: &Services,
        by: &User,
        id: i64,
        role: Role,
        scope: &[String],
    ) -> Result<UserView, AppError> {
        let scope = parse_scope(role, scope)?;
        if id == by.id && role != Role::Admin {
            return Err(AppError::bad_input(
                "role",
                "You cannot take the admin role from yourself: ask another admin.",
            ));
        }
        let changed = services.store.set_user_access(id, role, &scope).await?;
        changed
            .as_ref()
            .map(view)
            .ok_or_else(|| AppError::not_found("There is no such user."))
    }

    /// Disables a user, which ends their sessions and stops their tokens at once, or
    /// enables them again (admins only, checked by the caller).
    #[tracing::instrument(skip_all, fields(user_id = id, disabled), err(level = "info"))]
    pub async fn set_disabled(
        services: &Services,
        by: &User,
        id: i64,
        disabled: bool,
    ) -> Result<UserView, AppError> {
        if id == by.id && disabled {
            return Err(AppError::bad_input(
                "disabled",
                "You cannot disable yourself: ask another admin.",
            ));
        }
        let changed = services
            .store
            .set_user_disabled(id, disabled, Utc::now())
            .await?;
        changed
            .as_ref()
            .map(view)
            .ok_or_else(|| AppError::not_found("There is no such user."))
    }

    /// `user`'s live sessions, newest first; `current`: the secret of the caller's own.
    pub async fn sessions(
        services: &Services,
        user: &User,
        current: Option<&str>,
    ) -> Result<Vec<SessionView>, AppError> {
        let current = current.map(|secret| services.settings.token_hash(secret));
        let shown = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
        let sessions = services.store.user_sessions(user.id, Utc::now()).await?;
        Ok(sessions
            .into_iter()
            .map(|s| SessionView {
                current: current.as_deref() == Some(s.token_hash.as_str()),
                id: s.id,
                browser: crate::domain::user_agent::describe(&s.client),
                client: s.client,
                started: shown(s.created_at),
                expires: shown(s.expires_at),
            })
            .collect())
    }

    /// Ends one of `user`'s sessions (signs a browser out), by its id.
    #[tracing::instrument(skip_all, fields(user_id = user.id), err(level = "info"))]
    pub async fn end_session(services: &Services, user: &User, id: &str) -> Result<(), AppError> {
        let valid = id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit());
        if valid && services.store.end_user_session(user.id, id).await? {
            Ok(())
        } else {
            Err(AppError::not_found("You have no session with this id."))
        }
    }

    /// Changes `user`'s password after checking their current one, and ends their other
    /// sessions (`keep`: the secret of the one this came with, if any).
    #[tracing::instrument(skip_all, fields(user_id = user.id))]
    pub async fn change_password(
        services: &Services,
        user: &User,
        current: &str,
        new: &str,
        keep: Option<&str>,
    ) -> Result<(), AppError> {
        let hash = services
            .store
            .user_credentials(&user.email)
            .await?
            .map(|(_, hash)| hash);
        if !verify_password(current.to_owned(), hash).await? {
            return Err(AppError::bad_input(
                "current",
                "This is not your current password.",
            ));
        }
        check_new_password("new", new)?;
        let hash = hash_password(new.to_owned()).await?;
        let keep = keep.map(|secret| services.settings.token_hash(secret));
        Ok(services
            .store
            .set_password(user.id, &hash, keep.as_deref())
            .await?)
    }

    pub async fn list_users(services: &Services) -> Result<Vec<UserView>, AppError> {
        let users = services.store.list_users().await?;
        Ok(users.iter().map(view).collect())
    }

    /// A new session of `user`'s, started from `agent` (a User-Agent); its secret.
    async fn start_session(
        services: &Services,
        user: &User,
        agent: &str,
    ) -> Result<String, AppError> {
        let secret = new_secret();
        let expires = Utc::now() + Duration::days(services.settings.session_days);
        // Enough to tell one browser from another; no more is kept.
        let client: String = agent
            .chars()
            .filter(|c| !c.is_control())
            .take(160)
            .collect();
        services
            .store
            .create_session(
                &services.settings.token_hash(&secret),
                user.id,
                expires,
                &client,
            )
            .await?;
        Ok(secret)
    }

    /// Checks the password, limited per account and per client address so neither a
    /// targeted nor a spraying attack gets many guesses. Returns a session secret.
    // No `err`: its message may repeat what was typed (an email address), which
    // stays out of the log.
    #[tracing::instrument(skip_all)]
    pub async fn login(
        services: &Services,
        email: &str,
        password: &str,
        ip: &str,
        agent: &str,
    ) -> Result<(User, String), AppError> {
        let account = email.trim().to_lowercase();
        let now = Utc::now();
        // A cheap look first, so a flood against a locked account writes nothing.
        refuse_when_limited(services, &account, ip, now, 0).await?;
        // The attempt counts as failed before the password is checked: parallel guesses
        // each see the others' rows, so a burst gets no more tries than a sequence. Each
        // attempt counts its own row, hence the one extra allowed.
        let attempt = services
            .store
            .record_login_attempt(&account, ip, false, now)
            .await?;
        refuse_when_limited(services, &account, ip, now, 1).await?;
        let found = services.store.user_credentials(&account).await?;
        let (user, hash) = found.map_or((None, None), |(user, hash)| (Some(user), Some(hash)));
        // A disabled account is told apart from a wrong password by no one.
        let user = match verify_password(password.to_string(), hash).await? {
            true => user.filter(|u| !u.disabled),
            false => None,
        };
        let user = user.ok_or_else(|| {
            AppError::new(
                ErrorKind::Unauthorized,
                "The email or the password is not right.",
            )
        })?;
        services.store.mark_login_attempt_succeeded(attempt).await?;
        let secret = start_session(services, &user, agent).await?;
        Ok((user, secret))
    }

    /// Why a sign-in must wait, and how many seconds.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum SignInWait {
        /// This client failed too often for this account, or this address for many.
        Locked(u64),
        /// The account failed from many addresses: slowed down, not locked.
        Slowed(u64),
    }

    /// Whether a sign-in may go on, given the failures in the window (`own` of them this
    /// attempt's). One client failing for an account, or one address failing across
    /// accounts, waits out the window. Failures from many addresses only slow the account
    /// down: each beyond the allowance doubles the pause between two attempts, up to
    /// [`MAX_SLOWDOWN_SECS`], so an attacker elsewhere cannot lock the owner out.
    pub fn sign_in_wait(
        f: &LoginFailures,
        own: i64,
        now: chrono::DateTime<Utc>,
    ) -> Option<SignInWait> {
        if f.by_both - own >= MAX_FAILURES_PER_ACCOUNT || f.by_address - own >= MAX_FAILURES_PER_IP
        {
            return Some(SignInWait::Locked(FAILURE_WINDOW_MINUTES as u64 * 60));
        }
        let beyond = u32::try_from(f.by_account - own - MAX_FAILURES_PER_ACCOUNT).ok()?;
        let pause = 1_u64
            .checked_shl(beyond)
            .unwrap_or(u64::MAX)
            .min(MAX_SLOWDOWN_SECS);
        // The latest failure that is not this attempt's own.
        let previous = f.latest.get(usize::try_from(own).unwrap_or(0))?;
        let waited = u64::try_from((now - *previous).num_seconds()).unwrap_or(0);
        (waited < pause).then(|| SignInWait::Slowed(pause - waited))
    }

    /// 429 with how long to wait when [`sign_in_wait`] says so.
    async fn refuse_when_limited(
        services: &Services,
        account: &str,
        ip: &str,
        now: chrono::DateTime<Utc>,
        own: i64,
    ) -> Result<(), AppError> {
        let since = now - Duration::minutes(FAILURE_WINDOW_MINUTES);
        let failures = services
            .store
            .login_failures_since(account, ip, since)
            .await?;
        match sign_in_wait(&failures, own, now) {
            None => Ok(()),
            Some(SignInWait::Locked(secs)) => Err(AppError::new(
                ErrorKind::RateLimited,
                format!("Too many failed attempts. Please wait {FAILURE_WINDOW_MINUTES} minutes and try again."),
            )
            .retry_after(secs)),
            Some(SignInWait::Slowed(secs)) => Err(AppError::new(
                ErrorKind::RateLimited,
                format!("This account has had many failed sign-ins, so sign-ins to it are slowed down. Please wait {secs} seconds and try again."),
            )
            .retry_after(secs)),
        }
    }

    /// Deletes expired sessions and sign-in attempts too old to count, the scheduler's
    /// housekeeping. Attempts are kept a day, well past the window, for a look in the
    /// database after an attack.
    #[tracing::instrument(skip_all, err(level = "warn"))]
    pub async fn prune_auth_records(
        services: &Services,
        now: chrono::DateTime<Utc>,
    ) -> Result<(), AppError> {
        Ok(services
            .store
            .prune_auth_records(now, now - Duration::days(1))
            .await?)
    }

    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn user_for_session(
        services: &Services,
        secret: &str,
    ) -> Result<Option<User>, AppError> {
        Ok(services
            .store
            .session_user(&services.settings.token_hash(secret), Utc::now())
            .await?)
    }

    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn logout(services: &Services, secret: &str) -> Result<(), AppError> {
        Ok(services
            .store
            .delete_session(&services.settings.token_hash(secret))
            .await?)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// The failures counted, the account's latest `ago` seconds before `now()`.
        fn failures(by_both: i64, by_account: i64, by_address: i64, ago: &[i64]) -> LoginFailures {
            let now = now();
            LoginFailures {
                by_both,
                by_account,
                by_address,
                latest: ago.iter().map(|&s| now - Duration::seconds(s)).collect(),
            }
        }

        fn now() -> chrono::DateTime<Utc> {
            chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
        }

        #[test]
        fn one_client_failing_for_an_account_waits_out_the_window() {
            let locked = Some(SignInWait::Locked(15 * 60));
            assert_eq!(sign_in_wait(&failures(5, 5, 5, &[0]), 0, now()), locked);
            assert_eq!(sign_in_wait(&failures(5, 5, 5, &[0, 1]), 1, now()), None);
            assert_eq!(sign_in_wait(&failures(0, 0, 20, &[]), 0, now()), locked);
        }

        #[test]
        fn failures_from_many_addresses_slow_the_account_down_but_never_lock_it() {
            let now = now();
            assert_eq!(sign_in_wait(&failures(1, 4, 1, &[0]), 0, now), None);
            // Five failures elsewhere, the latest just now: wait a second.
            assert_eq!(
                sign_in_wait(&failures(0, 5, 0, &[0]), 0, now),
                Some(SignInWait::Slowed(1))
            );
            assert_eq!(sign_in_wait(&failures(0, 5, 0, &[2]), 0, now), None);
            // Each failure beyond doubles the pause, up to the cap.
            assert_eq!(
                sign_in_wait(&failures(0, 8, 0, &[3]), 0, now),
                Some(SignInWait::Slowed(5))
            );
            assert_eq!(
                sign_in_wait(&failures(0, 400, 0, &[0]), 0, now),
                Some(SignInWait::Slowed(MAX_SLOWDOWN_SECS))
            );
            assert_eq!(sign_in_wait(&failures(0, 400, 0, &[31]), 0, now), None);
            // This attempt's own row is not the failure it waits after.
            assert_eq!(sign_in_wait(&failures(0, 6, 0, &[0, 2]), 1, now), None);
        }
    }
}

/// True while no account exists: the setup page is offered only then.
#[server(prefix = "/rpc", endpoint = "needs_setup")]
pub async fn needs_setup() -> Result<bool, AppError> {
    let services = super::context::services()?;
    Ok(services.store.count_users().await? == 0)
}

#[server(prefix = "/rpc", endpoint = "me")]
pub async fn me() -> Result<Option<UserView>, AppError> {
    Ok(super::context::current_user().await?.as_ref().map(view))
}

/// Whether creating the first account asks for the code the server printed at start.
#[server(prefix = "/rpc", endpoint = "setup_code")]
pub async fn setup_needs_code() -> Result<bool, AppError> {
    Ok(super::context::services()?.settings.setup_code.is_some())
}

#[server(prefix = "/rpc", endpoint = "setup")]
pub async fn setup_admin(
    name: String,
    email: String,
    password: String,
    #[server(default)] setup_code: Option<String>,
) -> Result<(), AppError> {
    use super::context;
    let services = context::services()?;
    let host = context::header(http::header::HOST);
    let agent = context::header(http::header::USER_AGENT);
    let asked = SetupRequest {
        host: host.as_deref(),
        code: setup_code.as_deref(),
        agent: agent.as_deref(),
    };
    match setup(&services, &asked, &name, &email, &password).await {
        Ok((_, secret)) => {
            context::set_cookie(&session_cookie(&services.settings, &secret));
            leptos_axum::redirect("/surveys");
            Ok(())
        }
        Err(e) => context::fail(e.with_input([("name", name.as_str()), ("email", email.as_str())])),
    }
}

#[server(prefix = "/rpc", endpoint = "login")]
pub async fn log_in(email: String, password: String) -> Result<(), AppError> {
    use super::context;
    let services = context::services()?;
    let agent = context::header(http::header::USER_AGENT).unwrap_or_default();
    match login(&services, &email, &password, &context::client_ip(), &agent).await {
        Ok((_, secret)) => {
            context::set_cookie(&session_cookie(&services.settings, &secret));
            leptos_axum::redirect("/surveys");
            Ok(())
        }
        Err(e) => context::fail(e.with_input([("email", email.as_str())])),
    }
}

#[server(prefix = "/rpc", endpoint = "logout")]
pub async fn log_out() -> Result<(), AppError> {
    use super::context;
    let services = context::services()?;
    if let Some(secret) = context::cookie(SESSION_COOKIE) {
        logout(&services, &secret).await?;
    }
    context::set_cookie(&clear_session_cookie(&services.settings));
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "users")]
pub async fn load_users() -> Result<Vec<UserView>, AppError> {
    use super::context;
    let (services, _) = context::require(Action::ManageUsers)
        .await
        .or_else(context::fail)?;
    list_users(&services).await.or_else(context::fail)
}

/// A scope as typed in a form: `attribute=value` items separated by commas.
#[cfg(feature = "ssr")]
pub fn scope_items(typed: &str) -> Vec<String> {
    typed
        .split(',')
        .map(|item| item.trim().to_owned())
        .collect()
}

#[cfg(feature = "ssr")]
fn parse_role(role: &str) -> Result<Role, AppError> {
    Role::parse(role)
        .ok_or_else(|| AppError::bad_input("role", "Choose one of admin, hr, manager, viewer."))
}

/// Adds an account: invited by email, or (with `password`) with a first password the
/// admin passes on; `role` is its name and `scope` a manager's `attribute=value` items,
/// separated by commas.
#[server(prefix = "/rpc", endpoint = "create_user")]
pub async fn add_user(
    name: String,
    email: String,
    #[server(default)] password: Option<String>,
    role: String,
    #[server(default)] scope: Option<String>,
) -> Result<(), AppError> {
    use super::context;
    let (services, _) = context::require(Action::ManageUsers)
        .await
        .or_else(context::fail)?;
    let scope = scope.unwrap_or_default();
    let input = [
        ("name", name.as_str()),
        ("email", email.as_str()),
        ("role", role.as_str()),
        ("scope", scope.as_str()),
    ];
    let result = match parse_role(&role) {
        Ok(role) => create_user(
            &services,
            &name,
            &email,
            password.as_deref(),
            role,
            &scope_items(&scope),
        )
        .await
        .map(|_| ()),
        Err(e) => Err(e),
    };
    result
        .map_err(|e| e.with_input(input))
        .or_else(context::fail)
}

/// Sends an invited user a new link to choose their password (admins only).
#[server(prefix = "/rpc", endpoint = "invite_again")]
pub async fn invite_again(id: i64) -> Result<(), AppError> {
    use super::context;
    let (services, _) = context::require(Action::ManageUsers)
        .await
        .or_else(context::fail)?;
    send_invitation(&services, id).await.or_else(context::fail)
}

/// Asks for a password reset link; the page then says the same whoever asked.
#[server(prefix = "/rpc", endpoint = "forgot_password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    use super::context;
    let services = context::services()?;
    match request_password_reset(&services, &email, &context::client_ip()).await {
        Ok(()) => {
            leptos_axum::redirect("/forgot?sent=1");
            Ok(())
        }
        Err(e) => context::fail(e.with_input([("email", email.as_str())])),
    }
}

/// Who an account link is for (its page's form); 404 once it is used or expired.
#[server(prefix = "/rpc", endpoint = "account_link")]
pub async fn load_account_link(token: String) -> Result<AccountLinkView, AppError> {
    use super::context;
    let services = context::services()?;
    account_link(&services, &token).await.or_else(context::fail)
}

/// Chooses a password through an account link, and signs in.
#[server(prefix = "/rpc", endpoint = "set_password")]
pub async fn choose_password(
    token: String,
    password: String,
    repeated: String,
) -> Result<(), AppError> {
    use super::context;
    let services = context::services()?;
    let agent = context::header(http::header::USER_AGENT).unwrap_or_default();
    match set_password_with_link(&services, &token, &password, &repeated, &agent).await {
        Ok((_, secret)) => {
            context::set_cookie(&session_cookie(&services.settings, &secret));
            leptos_axum::redirect("/surveys");
            Ok(())
        }
        Err(e) => context::fail(e),
    }
}

/// Changes a user's role and scope (admins only).
#[server(prefix = "/rpc", endpoint = "change_user")]
pub async fn change_user(
    id: i64,
    role: String,
    #[server(default)] scope: Option<String>,
) -> Result<(), AppError> {
    use super::context;
    let (services, admin) = context::require(Action::ManageUsers)
        .await
        .or_else(context::fail)?;
    let scope = scope.unwrap_or_default();
    let result = match parse_role(&role) {
        Ok(role) => set_access(&services, &admin, id, role, &scope_items(&scope))
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    result
        .map_err(|e| e.with_input([("role", role.as_str()), ("scope", scope.as_str())]))
        .or_else(context::fail)
}

/// Disables a user (`disabled` = "true") or enables them again (admins only).
#[server(prefix = "/rpc", endpoint = "disable_user")]
pub async fn disable_user(id: i64, disabled: String) -> Result<(), AppError> {
    use super::context;
    let (services, admin) = context::require(Action::ManageUsers)
        .await
        .or_else(context::fail)?;
    set_disabled(&services, &admin, id, disabled == "true")
        .await
        .map(|_| ())
        .or_else(context::fail)
}

/// The signed-in user's sessions.
#[server(prefix = "/rpc", endpoint = "account_sessions")]
pub async fn load_sessions() -> Result<Vec<SessionView>, AppError> {
    use super::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    let current = context::cookie(SESSION_COOKIE);
    sessions(&services, &user, current.as_deref())
        .await
        .or_else(context::fail)
}

/// Signs one of the user's own sessions out.
#[server(prefix = "/rpc", endpoint = "end_session")]
pub async fn sign_out_session(id: String) -> Result<(), AppError> {
    use super::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    end_session(&services, &user, &id)
        .await
        .or_else(context::fail)
}

/// Changes the user's own password; their other sessions end.
#[server(prefix = "/rpc", endpoint = "change_password")]
pub async fn change_own_password(current: String, new: String) -> Result<(), AppError> {
    use super::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    let keep = context::cookie(SESSION_COOKIE);
    change_password(&services, &user, &current, &new, keep.as_deref())
        .await
        .or_else(context::fail)
}
