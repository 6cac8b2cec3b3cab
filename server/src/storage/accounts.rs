//! Accounts (`app::ports::Accounts`): users, sessions, login attempts and API tokens.

use super::db::query;
use super::rows::{
    corrupt, millis, to_json, AccountPayload, CredentialsRow, SessionRow, TokenRow, UserRow,
    SESSION_ID_CHARS, TOKEN_COLUMNS, USER_COLUMNS,
};
use super::Storage;
use app::domain::access::Scope;
use app::domain::Locale;
use app::model::Role;
use app::ports::{
    ApiTokenRecord, LinkFor, LinkPurpose, LinkSent, LoginFailures, MessageKind, NewAccountLink,
    NewUser, SessionRecord, StoreError, User,
};
use chrono::{DateTime, Utc};

#[async_trait::async_trait]
impl app::ports::Accounts for Storage {
    async fn count_users(&self) -> Result<i64, StoreError> {
        query("SELECT COUNT(*) FROM users").scalar(&self.db).await
    }

    async fn create_first_user(&self, user: NewUser) -> Result<User, StoreError> {
        let sql = format!(
            "INSERT INTO users (email, name, password_hash, role, scope, created_at) \
             SELECT $1, $2, $3, $4, $5, $6 WHERE NOT EXISTS (SELECT 1 FROM users) \
             RETURNING {USER_COLUMNS}"
        );
        query(&sql)
            .bind(&user.email)
            .bind(&user.name)
            .bind(&user.password_hash)
            .bind(user.role.as_str())
            .bind(user.scope.stored())
            .bind(Utc::now())
            .fetch_optional::<UserRow>(&self.db)
            .await?
            .ok_or_else(|| StoreError::Conflict("an account exists already".into()))?
            .try_into()
    }

    async fn create_user(&self, user: NewUser) -> Result<User, StoreError> {
        let sql = format!(
            "INSERT INTO users (email, name, password_hash, role, scope, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {USER_COLUMNS}"
        );
        query(&sql)
            .bind(&user.email)
            .bind(&user.name)
            .bind(&user.password_hash)
            .bind(user.role.as_str())
            .bind(user.scope.stored())
            .bind(Utc::now())
            .fetch_one::<UserRow>(&self.db)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => {
                    StoreError::Conflict("An account with this email exists already.".into())
                }
                other => other,
            })?
            .try_into()
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY id");
        query(&sql)
            .fetch_all::<UserRow>(&self.db)
            .await?
            .into_iter()
            .map(User::try_from)
            .collect()
    }

    async fn set_user_locale(&self, id: i64, locale: Locale) -> Result<bool, StoreError> {
        let done = query("UPDATE users SET locale = $2 WHERE id = $1")
            .bind(id)
            .bind(locale.as_str())
            .execute(&self.db)
            .await?;
        Ok(done == 1)
    }

    async fn set_user_access(
        &self,
        id: i64,
        role: Role,
        scope: &Scope,
    ) -> Result<Option<User>, StoreError> {
        let sql = format!(
            "UPDATE users SET role = $2, scope = $3 WHERE id = $1 RETURNING {USER_COLUMNS}"
        );
        query(&sql)
            .bind(id)
            .bind(role.as_str())
            .bind(scope.stored())
            .fetch_optional::<UserRow>(&self.db)
            .await?
            .map(User::try_from)
            .transpose()
    }

    async fn user_credentials(&self, email: &str) -> Result<Option<(User, String)>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = $1");
        let row = query(&sql)
            .bind(email)
            .fetch_optional::<CredentialsRow>(&self.db)
            .await?;
        row.map(|r| Ok((r.user.try_into()?, r.password_hash)))
            .transpose()
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        expires_at: DateTime<Utc>,
        client: &str,
    ) -> Result<(), StoreError> {
        query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, client) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(Utc::now())
        .bind(expires_at)
        .bind(client)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    async fn user_sessions(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionRecord>, StoreError> {
        let rows: Vec<SessionRow> = query(
            "SELECT token_hash, client, created_at, expires_at FROM sessions \
             WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC",
        )
        .bind(user_id)
        .bind(now)
        .fetch_all(&self.db)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn end_user_session(&self, user_id: i64, id: &str) -> Result<bool, StoreError> {
        let done = query(format!(
            "DELETE FROM sessions WHERE user_id = $1 AND substr(token_hash, 1, {SESSION_ID_CHARS}) = $2"
        ))
        .bind(user_id)
        .bind(id)
        .execute(&self.db)
        .await?;
        Ok(done > 0)
    }

    async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(user_id)
            .bind(password_hash)
            .execute(&mut tx)
            .await?;
        query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep.unwrap_or_default())
            .execute(&mut tx)
            .await?;
        tx.commit().await
    }

    async fn set_user_disabled(
        &self,
        user_id: i64,
        disabled: bool,
        at: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        let mut tx = self.db.begin().await?;
        let sql =
            format!("UPDATE users SET disabled_at = $2 WHERE id = $1 RETURNING {USER_COLUMNS}");
        let user = query(&sql)
            .bind(user_id)
            .bind(disabled.then_some(at))
            .fetch_optional::<UserRow>(&mut tx)
            .await?;
        // Their tokens are revoked, not only paused: enabling them again revives none.
        if disabled && user.is_some() {
            query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut tx)
                .await?;
            query("DELETE FROM account_links WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut tx)
                .await?;
            query(
                "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
            )
            .bind(user_id)
            .bind(at)
            .execute(&mut tx)
            .await?;
        }
        tx.commit().await?;
        user.map(User::try_from).transpose()
    }

    async fn send_account_link(&self, link: &NewAccountLink) -> Result<LinkSent, StoreError> {
        let mut tx = self.db.begin().await?;
        // The user's row is locked first (an update that changes nothing), so requests
        // made at once count their links one after another: on PostgreSQL two of them
        // would otherwise both count two and both send a third.
        let lock = "UPDATE users SET disabled_at = disabled_at WHERE disabled_at IS NULL AND ";
        let user: Option<i64> = match &link.to {
            LinkFor::User(id) => query(format!("{lock}id = $1 RETURNING id")).bind(*id),
            LinkFor::Email(email) => query(format!("{lock}email = $1 RETURNING id")).bind(email),
        }
        .scalar_optional(&mut tx)
        .await?;
        let Some(user) = user else {
            return Ok(LinkSent::NoSuchUser);
        };
        let kind = match link.purpose {
            LinkPurpose::Invite => MessageKind::AccountInvite,
            LinkPurpose::Reset => MessageKind::PasswordReset,
        };
        let now = millis(link.now);
        let recent: i64 = query(
            "SELECT COUNT(*) FROM outbox WHERE user_id = $1 AND kind = $2 AND created_at > $3",
        )
        .bind(user)
        .bind(kind.as_str())
        .bind(now - 3_600_000)
        .scalar(&mut tx)
        .await?;
        if recent >= link.most_per_hour {
            return Ok(LinkSent::TooMany);
        }
        query(
            "INSERT INTO account_links (user_id, purpose, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(user)
        .bind(link.purpose.as_str())
        .bind(&link.token_hash)
        .bind(link.now)
        .bind(link.expires_at)
        .execute(&mut tx)
        .await?;
        let payload = to_json(&AccountPayload {
            token: Some(link.token.clone()),
        })?;
        query(
            "INSERT INTO outbox (kind, user_id, payload, status, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, 'queued', $4, $4)",
        )
        .bind(kind.as_str())
        .bind(user)
        .bind(payload)
        .bind(now)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(LinkSent::Sent)
    }

    async fn account_link(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(User, LinkPurpose)>, StoreError> {
        let link: Option<(i64, String)> = query(
            "SELECT user_id, purpose FROM account_links WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.db)
        .await?;
        let Some((user_id, purpose)) = link else {
            return Ok(None);
        };
        let purpose = LinkPurpose::parse(&purpose).ok_or_else(|| corrupt("purpose", &purpose))?;
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND disabled_at IS NULL");
        let user = query(&sql)
            .bind(user_id)
            .fetch_optional::<UserRow>(&self.db)
            .await?
            .map(User::try_from)
            .transpose()?;
        Ok(user.map(|user| (user, purpose)))
    }

    async fn use_account_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        let mut tx = self.db.begin().await?;
        // The delete is the claim: of two uses at once, one gets the row.
        let user_id: Option<i64> = query(
            "DELETE FROM account_links WHERE token_hash = $1 AND expires_at > $2 \
             RETURNING user_id",
        )
        .bind(token_hash)
        .bind(now)
        .scalar_optional(&mut tx)
        .await?;
        let Some(user_id) = user_id else {
            return Ok(None);
        };
        let sql = format!(
            "UPDATE users SET password_hash = $2 WHERE id = $1 AND disabled_at IS NULL \
             RETURNING {USER_COLUMNS}"
        );
        let Some(user) = query(&sql)
            .bind(user_id)
            .bind(password_hash)
            .fetch_optional::<UserRow>(&mut tx)
            .await?
        else {
            return Ok(None);
        };
        for sql in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM account_links WHERE user_id = $1",
        ] {
            query(sql).bind(user_id).execute(&mut tx).await?;
        }
        tx.commit().await?;
        user.try_into().map(Some)
    }

    async fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        query(
            "SELECT u.id, u.email, u.name, u.role, u.scope, u.disabled_at IS NOT NULL AS disabled, \
             u.password_hash = '' AS invited, u.locale, u.created_at FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional::<UserRow>(&self.db)
        .await?
        .map(User::try_from)
        .transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    async fn prune_auth_records(
        &self,
        now: DateTime<Utc>,
        attempts_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        for sql in [
            "DELETE FROM sessions WHERE expires_at <= $1",
            "DELETE FROM account_links WHERE expires_at <= $1",
        ] {
            query(sql).bind(now).execute(&self.db).await?;
        }
        query("DELETE FROM login_attempts WHERE at < $1")
            .bind(attempts_before)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    async fn record_login_attempt(
        &self,
        account: &str,
        ip: &str,
        success: bool,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        query(
            "INSERT INTO login_attempts (account, ip, success, at) VALUES ($1, $2, $3, $4) \
             RETURNING id",
        )
        .bind(account)
        .bind(ip)
        .bind(success)
        .bind(at)
        .scalar(&self.db)
        .await
    }

    async fn mark_login_attempt_succeeded(&self, id: i64) -> Result<(), StoreError> {
        query("UPDATE login_attempts SET success = $1 WHERE id = $2")
            .bind(true)
            .bind(id)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    async fn login_failures_since(
        &self,
        account: &str,
        ip: &str,
        since: DateTime<Utc>,
    ) -> Result<LoginFailures, StoreError> {
        let count = |column: &'static str, value: &str| {
            query(format!(
                "SELECT COUNT(*) FROM login_attempts \
                 WHERE {column} = $1 AND at > $2 AND success = $3"
            ))
            .bind(value)
            .bind(since)
            .bind(false)
            .scalar::<i64>(&self.db)
        };
        let by_both = query(
            "SELECT COUNT(*) FROM login_attempts \
             WHERE account = $1 AND at > $2 AND success = $3 AND ip = $4",
        )
        .bind(account)
        .bind(since)
        .bind(false)
        .bind(ip)
        .scalar::<i64>(&self.db)
        .await?;
        let latest = query(
            "SELECT at FROM login_attempts WHERE account = $1 AND at > $2 AND success = $3 \
             ORDER BY at DESC LIMIT 2",
        )
        .bind(account)
        .bind(since)
        .bind(false)
        .scalars::<DateTime<Utc>>(&self.db)
        .await?;
        Ok(LoginFailures {
            by_both,
            by_account: count("account", account).await?,
            by_address: count("ip", ip).await?,
            latest,
        })
    }

    async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        prefix: &str,
        token_hash: &str,
        role: Role,
        scope: &Scope,
    ) -> Result<ApiTokenRecord, StoreError> {
        let sql = format!(
            "INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at, role, scope) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {TOKEN_COLUMNS}"
        );
        query(&sql)
            .bind(user_id)
            .bind(name)
            .bind(prefix)
            .bind(token_hash)
            .bind(Utc::now())
            .bind(role.as_str())
            .bind(scope.stored())
            .fetch_one::<TokenRow>(&self.db)
            .await?
            .try_into()
    }

    async fn list_api_tokens(&self, owner: Option<i64>) -> Result<Vec<ApiTokenRecord>, StoreError> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE $1 IS NULL OR user_id = $1 ORDER BY id DESC"
        );
        query(&sql)
            .bind(owner)
            .fetch_all::<TokenRow>(&self.db)
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }

    async fn revoke_api_token(&self, id: i64, owner: Option<i64>) -> Result<bool, StoreError> {
        let done = query(
            "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL \
             AND ($3 IS NULL OR user_id = $3)",
        )
        .bind(id)
        .bind(Utc::now())
        .bind(owner)
        .execute(&self.db)
        .await?;
        Ok(done == 1)
    }

    async fn api_token_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(User, Role, Scope)>, StoreError> {
        // Refreshed at most once a minute so busy scripts do not write on every call.
        let sql = format!(
            "UPDATE api_tokens SET last_used_at = $2 \
             WHERE token_hash = $1 AND revoked_at IS NULL \
               AND (last_used_at IS NULL OR last_used_at < $3) \
             RETURNING {TOKEN_COLUMNS}"
        );
        let refreshed = query(&sql)
            .bind(token_hash)
            .bind(now)
            .bind(now - chrono::Duration::minutes(1))
            .fetch_optional::<TokenRow>(&self.db)
            .await?;
        let row = match refreshed {
            Some(row) => Some(row),
            None => {
                let sql = format!(
                    "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL"
                );
                query(&sql)
                    .bind(token_hash)
                    .fetch_optional::<TokenRow>(&self.db)
                    .await?
            }
        };
        let Some(token) = row.map(ApiTokenRecord::try_from).transpose()? else {
            return Ok(None);
        };
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND disabled_at IS NULL");
        let user = query(&sql)
            .bind(token.user_id)
            .fetch_optional::<UserRow>(&self.db)
            .await?
            .map(User::try_from)
            .transpose()?;
        Ok(user.map(|user| (user, token.role, token.scope)))
    }
}
