//! Accounts: first-run setup, login with rate limits, sessions, roles and the one
//! authorisation rule every entry point uses.

use crate::error::AppError;
use crate::model::{Role, UserView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

pub const SESSION_COOKIE: &str = "resonance_session";

/// What an action needs; roles grant permissions in `authorize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    ViewResults,
    ManageSurveys,
    ManageContacts,
    ManageTokens,
    ManageUsers,
}

pub fn role_allows(role: Role, perm: Permission) -> bool {
    match perm {
        Permission::ViewResults => true,
        // Contacts are personal data: only those who send surveys see them.
        Permission::ManageSurveys | Permission::ManageContacts => {
            matches!(role, Role::Admin | Role::Hr)
        }
        Permission::ManageTokens | Permission::ManageUsers => role == Role::Admin,
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::api::hashing::PASSWORDS;
    use crate::domain::Email;
    use crate::error::ErrorKind;
    use crate::ports::{NewUser, Services, StoreError, User};
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    use chrono::{Duration, Utc};
    use rand::RngCore;

    /// Failed logins allowed per window before the account, or the address, must wait.
    pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
    pub const MAX_FAILURES_PER_IP: i64 = 20;
    pub const FAILURE_WINDOW_MINUTES: i64 = 15;
    pub const MIN_PASSWORD_CHARS: usize = 10;
    /// A hash of a random password, checked against when the email is unknown.
    static UNKNOWN_USER_HASH: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| password_auth::generate_hash(new_secret()));

    pub fn authorize(user: &User, perm: Permission) -> Result<(), AppError> {
        if role_allows(user.role, perm) {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }

    /// 32 random bytes from the OS CSPRNG, URL-safe; only its hash is ever stored.
    /// What a setup request brings besides the account: the `Host` it was sent to and
    /// the setup code typed in (see [`crate::ports::Settings::setup_code`]).
    pub struct SetupRequest<'a> {
        pub host: Option<&'a str>,
        pub code: Option<&'a str>,
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

    fn validate_new_account(
        name: &str,
        email: &str,
        password: &str,
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
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(AppError::bad_input(
                "password",
                format!("The password needs at least {MIN_PASSWORD_CHARS} characters."),
            ));
        }
        Ok(NewAccount {
            name: name.to_string(),
            email,
        })
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
        let account = validate_new_account(name, email, password)?;
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
            })
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => AppError::not_found("Resonance is already set up."),
                other => other.into(),
            })?;
        let secret = start_session(services, &user).await?;
        Ok((user, secret))
    }

    /// Creates another account with its role (admin work).
    // No `err`: its message may repeat what was typed (an email address), which
    // stays out of the log.
    #[tracing::instrument(skip_all)]
    pub async fn create_user(
        services: &Services,
        name: &str,
        email: &str,
        password: &str,
        role: Role,
    ) -> Result<User, AppError> {
        let account = validate_new_account(name, email, password)?;
        services
            .store
            .create_user(NewUser {
                email: account.email.as_str().to_string(),
                name: account.name,
                password_hash: hash_password(password.to_string()).await?,
                role,
            })
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => AppError::new(
                    ErrorKind::Conflict,
                    "An account with this email exists already.",
                )
                .on("email"),
                other => other.into(),
            })
    }

    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn list_users(services: &Services) -> Result<Vec<UserView>, AppError> {
        let users = services.store.list_users().await?;
        Ok(users.iter().map(view).collect())
    }

    async fn start_session(services: &Services, user: &User) -> Result<String, AppError> {
        let secret = new_secret();
        let expires = Utc::now() + Duration::days(services.settings.session_days);
        services
            .store
            .create_session(&services.settings.token_hash(&secret), user.id, expires)
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
        let user = if verify_password(password.to_string(), hash).await? {
            user
        } else {
            None
        };
        let user = user.ok_or_else(|| {
            AppError::new(
                ErrorKind::Unauthorized,
                "The email or the password is not right.",
            )
        })?;
        services.store.mark_login_attempt_succeeded(attempt).await?;
        let secret = start_session(services, &user).await?;
        Ok((user, secret))
    }

    /// 429 once the account or the address has used up its failed attempts in the
    /// window; `own` is how many of the counted failures are this attempt's own.
    async fn refuse_when_limited(
        services: &Services,
        account: &str,
        ip: &str,
        now: chrono::DateTime<Utc>,
        own: i64,
    ) -> Result<(), AppError> {
        let since = now - Duration::minutes(FAILURE_WINDOW_MINUTES);
        let (by_account, by_ip) = services
            .store
            .login_failures_since(account, ip, since)
            .await?;
        if by_account - own >= MAX_FAILURES_PER_ACCOUNT || by_ip - own >= MAX_FAILURES_PER_IP {
            return Err(AppError::new(
                ErrorKind::RateLimited,
                format!("Too many failed attempts. Please wait {FAILURE_WINDOW_MINUTES} minutes and try again."),
            )
            .retry_after(FAILURE_WINDOW_MINUTES as u64 * 60));
        }
        Ok(())
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
    let asked = SetupRequest {
        host: host.as_deref(),
        code: setup_code.as_deref(),
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
    match login(&services, &email, &password, &context::client_ip()).await {
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
    let (services, _) = context::require(Permission::ManageUsers)
        .await
        .or_else(context::fail)?;
    list_users(&services).await.or_else(context::fail)
}

/// Adds an account with a first password the admin passes on; `role` is its name.
#[server(prefix = "/rpc", endpoint = "create_user")]
pub async fn add_user(
    name: String,
    email: String,
    password: String,
    role: String,
) -> Result<(), AppError> {
    use super::context;
    let (services, _) = context::require(Permission::ManageUsers)
        .await
        .or_else(context::fail)?;
    let input = [
        ("name", name.as_str()),
        ("email", email.as_str()),
        ("role", role.as_str()),
    ];
    let result = match Role::parse(&role) {
        Some(role) => create_user(&services, &name, &email, &password, role)
            .await
            .map(|_| ()),
        None => Err(AppError::bad_input(
            "role",
            "Choose one of admin, hr, manager, viewer.",
        )),
    };
    result
        .map_err(|e| e.with_input(input))
        .or_else(context::fail)
}
