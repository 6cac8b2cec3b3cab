//! The storage contract written once. Both backends accept the same SQL (numbered `$n`
//! parameters, `RETURNING`, `ON CONFLICT`), so the implementation is generated for each
//! backend's pool type; what differs between them lives in `sqlite.rs` / `postgres.rs`.

macro_rules! impl_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl app::ports::Store for $store {
            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await.map_err(backend)?;
                Ok(())
            }

            async fn count_users(&self) -> Result<i64, StoreError> {
                sqlx::query_scalar("SELECT COUNT(*) FROM users")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(backend)
            }

            async fn create_first_user(&self, user: NewUser) -> Result<User, StoreError> {
                let sql = format!(
                    "INSERT INTO users (email, name, password_hash, role, created_at) \
                     SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM users) \
                     RETURNING {USER_COLUMNS}"
                );
                sqlx::query_as::<_, UserRow>(&sql)
                    .bind(&user.email)
                    .bind(&user.name)
                    .bind(&user.password_hash)
                    .bind(user.role.as_str())
                    .bind(Utc::now())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend)?
                    .ok_or_else(|| StoreError::Conflict("an account exists already".into()))?
                    .try_into()
            }

            async fn create_user(&self, user: NewUser) -> Result<User, StoreError> {
                let sql = format!(
                    "INSERT INTO users (email, name, password_hash, role, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING {USER_COLUMNS}"
                );
                sqlx::query_as::<_, UserRow>(&sql)
                    .bind(&user.email)
                    .bind(&user.name)
                    .bind(&user.password_hash)
                    .bind(user.role.as_str())
                    .bind(Utc::now())
                    .fetch_one(&self.pool)
                    .await
                    .map_err(|e| match backend(e) {
                        StoreError::Conflict(_) => {
                            StoreError::Conflict("An account with this email exists already.".into())
                        }
                        other => other,
                    })?
                    .try_into()
            }

            async fn list_users(&self) -> Result<Vec<User>, StoreError> {
                let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY id");
                sqlx::query_as::<_, UserRow>(&sql)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend)?
                    .into_iter()
                    .map(User::try_from)
                    .collect()
            }

            async fn user_credentials(
                &self,
                email: &str,
            ) -> Result<Option<(User, String)>, StoreError> {
                let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = $1");
                let row = sqlx::query_as::<_, CredentialsRow>(&sql)
                    .bind(email)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend)?;
                row.map(|r| Ok((r.user.try_into()?, r.password_hash))).transpose()
            }

            async fn create_session(
                &self,
                token_hash: &str,
                user_id: i64,
                expires_at: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(token_hash)
                .bind(user_id)
                .bind(Utc::now())
                .bind(expires_at)
                .execute(&self.pool)
                .await
                .map_err(backend)?;
                Ok(())
            }

            async fn session_user(
                &self,
                token_hash: &str,
                now: DateTime<Utc>,
            ) -> Result<Option<User>, StoreError> {
                sqlx::query_as::<_, UserRow>(
                    "SELECT u.id, u.email, u.name, u.role, u.created_at \
                     FROM sessions s JOIN users u ON u.id = s.user_id \
                     WHERE s.token_hash = $1 AND s.expires_at > $2",
                )
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?
                .map(User::try_from)
                .transpose()
            }

            async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(&self.pool)
                    .await
                    .map_err(backend)?;
                Ok(())
            }

            async fn prune_auth_records(
                &self,
                now: DateTime<Utc>,
                attempts_before: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                    .bind(now)
                    .execute(&self.pool)
                    .await
                    .map_err(backend)?;
                sqlx::query("DELETE FROM login_attempts WHERE at < $1")
                    .bind(attempts_before)
                    .execute(&self.pool)
                    .await
                    .map_err(backend)?;
                Ok(())
            }

            async fn record_login_attempt(
                &self,
                account: &str,
                ip: &str,
                success: bool,
                at: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO login_attempts (account, ip, success, at) VALUES ($1, $2, $3, $4)",
                )
                .bind(account)
                .bind(ip)
                .bind(success)
                .bind(at)
                .execute(&self.pool)
                .await
                .map_err(backend)?;
                Ok(())
            }

            async fn login_failures_since(
                &self,
                account: &str,
                ip: &str,
                since: DateTime<Utc>,
            ) -> Result<(i64, i64), StoreError> {
                let count = |column: &'static str, value: String| {
                    let pool = self.pool.clone();
                    async move {
                        let sql = format!(
                            "SELECT COUNT(*) FROM login_attempts \
                             WHERE {column} = $1 AND at > $2 AND success = $3"
                        );
                        sqlx::query_scalar::<_, i64>(&sql)
                            .bind(value)
                            .bind(since)
                            .bind(false)
                            .fetch_one(&pool)
                            .await
                            .map_err(backend)
                    }
                };
                Ok((count("account", account.to_string()).await?, count("ip", ip.to_string()).await?))
            }

            async fn create_api_token(
                &self,
                user_id: i64,
                name: &str,
                prefix: &str,
                token_hash: &str,
            ) -> Result<ApiTokenRecord, StoreError> {
                sqlx::query_as::<_, TokenRow>(
                    "INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at) \
                     VALUES ($1, $2, $3, $4, $5) \
                     RETURNING id, user_id, name, prefix, created_at, last_used_at, revoked_at",
                )
                .bind(user_id)
                .bind(name)
                .bind(prefix)
                .bind(token_hash)
                .bind(Utc::now())
                .fetch_one(&self.pool)
                .await
                .map(Into::into)
                .map_err(backend)
            }

            async fn list_api_tokens(&self) -> Result<Vec<ApiTokenRecord>, StoreError> {
                let rows = sqlx::query_as::<_, TokenRow>(
                    "SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at \
                     FROM api_tokens ORDER BY id DESC",
                )
                .fetch_all(&self.pool)
                .await
                .map_err(backend)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn revoke_api_token(&self, id: i64) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                )
                .bind(id)
                .bind(Utc::now())
                .execute(&self.pool)
                .await
                .map_err(backend)?;
                Ok(done.rows_affected() == 1)
            }

            async fn api_token_user(
                &self,
                token_hash: &str,
                now: DateTime<Utc>,
            ) -> Result<Option<User>, StoreError> {
                // Refreshed at most once a minute so busy scripts do not write on every call.
                let user_id: Option<i64> = sqlx::query_scalar(
                    "UPDATE api_tokens SET last_used_at = $2 \
                     WHERE token_hash = $1 AND revoked_at IS NULL \
                       AND (last_used_at IS NULL OR last_used_at < $3) \
                     RETURNING user_id",
                )
                .bind(token_hash)
                .bind(now)
                .bind(now - chrono::Duration::minutes(1))
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
                let user_id = match user_id {
                    Some(id) => Some(id),
                    None => sqlx::query_scalar(
                        "SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
                    )
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend)?,
                };
                let Some(user_id) = user_id else { return Ok(None) };
                let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
                sqlx::query_as::<_, UserRow>(&sql)
                    .bind(user_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend)?
                    .map(User::try_from)
                    .transpose()
            }

            async fn create_survey(&self, survey: NewSurvey) -> Result<Survey, StoreError> {
                let mut tx = self.pool.begin().await.map_err(backend)?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO surveys (kind, title, status, public_slug, anonymous, created_by, created_at) \
                     VALUES ($1, $2, 'active', $3, $4, $5, $6) RETURNING id",
                )
                .bind(survey.kind.as_str())
                .bind(&survey.title)
                .bind(&survey.public_slug)
                .bind(survey.anonymous)
                .bind(survey.created_by)
                .bind(Utc::now())
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
                sqlx::query("INSERT INTO questions (survey_id, position, kind, text) VALUES ($1, 0, $2, $3)")
                    .bind(id)
                    .bind(survey.kind.as_str())
                    .bind(&survey.question)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                tx.commit().await.map_err(backend)?;
                self.survey(id)
                    .await?
                    .ok_or_else(|| StoreError::Backend("the new survey vanished".into()))
            }

            async fn list_surveys(&self) -> Result<Vec<Survey>, StoreError> {
                let sql = format!("{SURVEY_SELECT} ORDER BY s.id DESC");
                sqlx::query_as::<_, SurveyRow>(&sql)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend)?
                    .into_iter()
                    .map(Survey::try_from)
                    .collect()
            }

            async fn survey(&self, id: i64) -> Result<Option<Survey>, StoreError> {
                let sql = format!("{SURVEY_SELECT} WHERE s.id = $1");
                sqlx::query_as::<_, SurveyRow>(&sql)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend)?
                    .map(Survey::try_from)
                    .transpose()
            }

            async fn survey_by_slug(&self, slug: &str) -> Result<Option<Survey>, StoreError> {
                let sql = format!("{SURVEY_SELECT} WHERE s.public_slug = $1");
                sqlx::query_as::<_, SurveyRow>(&sql)
                    .bind(slug)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend)?
                    .map(Survey::try_from)
                    .transpose()
            }

            async fn update_survey_settings(
                &self,
                id: i64,
                settings: &SurveySettings,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE surveys SET status = $2, closes_at = $3, response_cap = $4 WHERE id = $1",
                )
                .bind(id)
                .bind(settings.status.as_str())
                .bind(settings.closes_at)
                .bind(settings.response_cap)
                .execute(&self.pool)
                .await
                .map_err(backend)?;
                Ok(done.rows_affected() == 1)
            }

            async fn record_answer(&self, answer: NewAnswer) -> Result<Recorded, StoreError> {
                let mut tx = self.pool.begin().await.map_err(backend)?;
                let response_id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO responses (survey_id, submission_key, day, submitted_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (submission_key) DO NOTHING RETURNING id",
                )
                .bind(answer.survey_id)
                .bind(&answer.submission_key)
                .bind(answer.day)
                .bind(answer.submitted_at)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
                let Some(response_id) = response_id else {
                    return Ok(Recorded::Duplicate);
                };
                // The cap is checked and counted in one statement, so concurrent answers
                // cannot overshoot it.
                let counted = sqlx::query(
                    "UPDATE surveys SET response_count = response_count + 1 \
                     WHERE id = $1 AND (response_cap IS NULL OR response_count < response_cap)",
                )
                .bind(answer.survey_id)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
                if counted.rows_affected() == 0 {
                    return Ok(Recorded::Full);
                }
                let score = answer.score.map(i32::from);
                sqlx::query(
                    "INSERT INTO answers (response_id, question_id, score, comment) VALUES ($1, $2, $3, $4)",
                )
                .bind(response_id)
                .bind(answer.question_id)
                .bind(score)
                .bind(&answer.comment)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
                if let Some(score) = score {
                    sqlx::query(
                        "INSERT INTO answer_buckets (question_id, day, segment, score, n) \
                         VALUES ($1, $2, '', $3, 1) \
                         ON CONFLICT (question_id, day, segment, score) \
                         DO UPDATE SET n = answer_buckets.n + 1",
                    )
                    .bind(answer.question_id)
                    .bind(answer.day)
                    .bind(score)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                }
                tx.commit().await.map_err(backend)?;
                Ok(Recorded::New)
            }

            async fn score_histogram(&self, question_id: i64) -> Result<[u64; 11], StoreError> {
                let rows: Vec<(i32, i64)> = sqlx::query_as(
                    "SELECT score, CAST(SUM(n) AS BIGINT) FROM answer_buckets \
                     WHERE question_id = $1 AND segment = '' GROUP BY score",
                )
                .bind(question_id)
                .fetch_all(&self.pool)
                .await
                .map_err(backend)?;
                let mut histogram = [0u64; 11];
                for (score, n) in rows {
                    let slot = usize::try_from(score)
                        .ok()
                        .and_then(|i| histogram.get_mut(i))
                        .ok_or_else(|| StoreError::Backend(format!("score {score} out of range")))?;
                    *slot = u64::try_from(n).unwrap_or(0);
                }
                Ok(histogram)
            }
        }
    };
}
