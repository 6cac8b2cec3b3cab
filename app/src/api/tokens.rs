//! API tokens: each user's own, carrying a role and scope no greater than theirs, shown
//! once, stored as a SHA-256 hash.

use crate::error::AppError;
use crate::model::{ApiTokenView, CreatedToken};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

/// Tokens start with this so they are recognisable in configs and secret scanners.
pub const TOKEN_PREFIX: &str = "rsn_";

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::api::auth::{authorize, new_secret, parse_scope, Action};
    use crate::domain::access::token_within;
    use crate::error::ErrorKind;
    use crate::model::Role;
    use crate::ports::{ApiTokenRecord, Services, User};

    pub fn token_view(t: &ApiTokenRecord) -> ApiTokenView {
        ApiTokenView {
            id: t.id,
            name: t.name.clone(),
            prefix: t.prefix.clone(),
            created_at: t.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            last_used_at: t
                .last_used_at
                .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string()),
            revoked: t.revoked,
            role: t.role,
            scope: t.scope.items(),
        }
    }

    /// A token of `actor`'s with `role` (theirs when `None`) and `scope` (theirs when
    /// empty), never granting more than they have.
    #[tracing::instrument(skip_all, fields(user_id = actor.id), err(level = "info"))]
    pub async fn create(
        services: &Services,
        actor: &User,
        name: &str,
        role: Option<Role>,
        scope: &[String],
    ) -> Result<CreatedToken, AppError> {
        authorize(actor, Action::ManageOwnTokens)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::bad_input(
                "name",
                "Give the token a name of 1 to 100 characters.",
            ));
        }
        let role = role.unwrap_or(actor.role);
        let scope = match (role, scope.iter().all(|s| s.trim().is_empty())) {
            (Role::Manager, true) if actor.role == Role::Manager => actor.scope.clone(),
            _ => parse_scope(role, scope)?,
        };
        if !token_within(role, &scope, actor.role, &actor.scope) {
            return Err(AppError::new(
                ErrorKind::Forbidden,
                format!(
                    "A token grants no more than its creator: as {}, yours can be {}.",
                    actor.role.as_str(),
                    match actor.role {
                        Role::Admin => "any role",
                        Role::Manager => "a manager's, within your scope",
                        other => other.as_str(),
                    }
                ),
            )
            .on("role"));
        }
        let secret = format!("{TOKEN_PREFIX}{}", new_secret());
        let prefix = secret[..TOKEN_PREFIX.len() + 6].to_string();
        let record = services
            .store
            .create_api_token(
                actor.id,
                name,
                &prefix,
                &services.settings.token_hash(&secret),
                role,
                &scope,
            )
            .await?;
        Ok(CreatedToken {
            token: token_view(&record),
            secret,
        })
    }

    /// The tokens `actor` may see: an admin's are everyone's, others' their own.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn list(services: &Services, actor: &User) -> Result<Vec<ApiTokenView>, AppError> {
        authorize(actor, Action::ManageOwnTokens)?;
        let tokens = services.store.list_api_tokens(own_only(actor)).await?;
        Ok(tokens.iter().map(token_view).collect())
    }

    #[tracing::instrument(skip_all, fields(token_id = id), err(level = "info"))]
    pub async fn revoke(services: &Services, actor: &User, id: i64) -> Result<(), AppError> {
        authorize(actor, Action::ManageOwnTokens)?;
        match services.store.revoke_api_token(id, own_only(actor)).await? {
            true => Ok(()),
            false => Err(AppError::not_found(
                "There is no active token of yours with this id.",
            )),
        }
    }

    /// Whose tokens `actor` manages: an admin everyone's, anyone else their own.
    fn own_only(actor: &User) -> Option<i64> {
        (actor.role != Role::Admin).then_some(actor.id)
    }

    /// Whom a token acts as: its owner with the token's role and scope, while those are
    /// still within the owner's (a token of someone whose role was narrowed grants
    /// nothing).
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn user_for_token(
        services: &Services,
        secret: &str,
    ) -> Result<Option<User>, AppError> {
        let found = services
            .store
            .api_token_user(&services.settings.token_hash(secret), chrono::Utc::now())
            .await?;
        Ok(found.and_then(|(owner, role, scope)| {
            token_within(role, &scope, owner.role, &owner.scope).then_some(User {
                role,
                scope,
                ..owner
            })
        }))
    }
}

#[server(prefix = "/rpc", endpoint = "tokens")]
pub async fn list_tokens() -> Result<Vec<ApiTokenView>, AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    list(&services, &user).await.or_else(context::fail)
}

/// `role` empty for the creator's own; `scope` as typed (`team=Sales, team=Ops`).
#[server(prefix = "/rpc", endpoint = "create_token")]
pub async fn create_token(
    name: String,
    #[server(default)] role: Option<String>,
    #[server(default)] scope: Option<String>,
) -> Result<CreatedToken, AppError> {
    use crate::api::{auth::scope_items, context};
    use crate::model::Role;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    let role_text = role.unwrap_or_default();
    let scope = scope.unwrap_or_default();
    let result = match role_text.trim() {
        "" => Ok(None),
        text => Role::parse(text).map(Some).ok_or_else(|| {
            AppError::bad_input("role", "Choose one of admin, hr, manager, viewer.")
        }),
    };
    let result = match result {
        Ok(role) => create(&services, &user, &name, role, &scope_items(&scope)).await,
        Err(e) => Err(e),
    };
    result
        .map_err(|e| {
            e.with_input([
                ("name", name.as_str()),
                ("role", role_text.as_str()),
                ("scope", scope.as_str()),
            ])
        })
        .or_else(context::fail)
}

#[server(prefix = "/rpc", endpoint = "revoke_token")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    revoke(&services, &user, id).await.or_else(context::fail)
}
