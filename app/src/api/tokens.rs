//! API tokens: created by an admin, shown once, stored as a SHA-256 hash.

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
    use crate::api::auth::new_secret;
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
        }
    }

    #[tracing::instrument(skip_all, fields(user_id = actor.id), err(level = "info"))]
    pub async fn create(
        services: &Services,
        actor: &User,
        name: &str,
    ) -> Result<CreatedToken, AppError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::bad_input(
                "name",
                "Give the token a name of 1 to 100 characters.",
            ));
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
            )
            .await?;
        Ok(CreatedToken {
            token: token_view(&record),
            secret,
        })
    }

    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn list(services: &Services) -> Result<Vec<ApiTokenView>, AppError> {
        let tokens = services.store.list_api_tokens().await?;
        Ok(tokens.iter().map(token_view).collect())
    }

    #[tracing::instrument(skip_all, fields(token_id = id), err(level = "info"))]
    pub async fn revoke(services: &Services, id: i64) -> Result<(), AppError> {
        if services.store.revoke_api_token(id).await? {
            Ok(())
        } else {
            Err(AppError::not_found(
                "There is no active token with this id.",
            ))
        }
    }

    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn user_for_token(
        services: &Services,
        secret: &str,
    ) -> Result<Option<User>, AppError> {
        Ok(services
            .store
            .api_token_user(&services.settings.token_hash(secret), chrono::Utc::now())
            .await?)
    }
}

#[server(prefix = "/rpc", endpoint = "tokens")]
pub async fn list_tokens() -> Result<Vec<ApiTokenView>, AppError> {
    use crate::api::{auth::Permission, context};
    let (services, _) = context::require(Permission::ManageTokens)
        .await
        .or_else(context::fail)?;
    list(&services).await.or_else(context::fail)
}

#[server(prefix = "/rpc", endpoint = "create_token")]
pub async fn create_token(name: String) -> Result<CreatedToken, AppError> {
    use crate::api::{auth::Permission, context};
    let (services, user) = context::require(Permission::ManageTokens)
        .await
        .or_else(context::fail)?;
    create(&services, &user, &name)
        .await
        .map_err(|e| e.with_input([("name", name.as_str())]))
        .or_else(context::fail)
}

#[server(prefix = "/rpc", endpoint = "revoke_token")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    use crate::api::{auth::Permission, context};
    let (services, _) = context::require(Permission::ManageTokens)
        .await
        .or_else(context::fail)?;
    revoke(&services, id).await.or_else(context::fail)
}
