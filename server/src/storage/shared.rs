//! The storage contract written once. Both backends accept the same SQL (numbered `$n`
//! parameters, `RETURNING`, `ON CONFLICT`), so the implementation is generated for each
//! backend's pool type; what differs between them lives in `sqlite.rs` / `postgres.rs`.

/// Contacts per upsert statement: 6 parameters each stays under both backends' limits.
pub const CONTACT_CHUNK: usize = 1000;

/// How many rows each survey's response count is spread over.
pub const COUNT_SHARDS: i64 = 8;

macro_rules! impl_store {
    ($store:ty, $db:ty) => {
        bump_bucket_fn!($db);

        /// A response's answers.
        async fn answers_of(
            pool: &sqlx::Pool<$db>,
            response_id: i64,
        ) -> Result<Vec<StoredAnswer>, StoreError> {
            sqlx::query_as::<_, AnswerRow>(
                "SELECT question_key, value, follow_up FROM answers WHERE response_id = $1",
            )
            .bind(response_id)
            .fetch_all(pool)
            .await
            .map_err(backend)?
            .into_iter()
            .map(StoredAnswer::try_from)
            .collect()
        }

        /// Upserts contacts by email inside a transaction: an empty name or language keeps
        /// the stored one, attributes are merged.
        async fn upsert_contacts_in(
            tx: &mut sqlx::Transaction<'_, $db>,
            contacts: &[NewContact],
        ) -> Result<Upserted, StoreError> {
            let now = Utc::now();
            let mut done = Upserted::default();
            for chunk in contacts.chunks($crate::storage::shared::CONTACT_CHUNK) {
                // Which of them exist already, to report inserts and updates apart.
                let mut existing = sqlx::QueryBuilder::<$db>::new(
                    "SELECT COUNT(*) FROM contacts WHERE email IN (",
                );
                let mut emails = existing.separated(", ");
                for contact in chunk {
                    emails.push_bind(&contact.email);
                }
                emails.push_unseparated(")");
                let found: i64 = existing
                    .build_query_scalar()
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(backend)?;
                let rows = chunk
                    .iter()
                    .map(|c| Ok((c, to_json(&c.attributes)?)))
                    .collect::<Result<Vec<_>, StoreError>>()?;
                let mut insert = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO contacts (email, name, locale, attributes, created_at, updated_at) ",
                );
                insert.push_values(rows, |mut row, (contact, attributes)| {
                    row.push_bind(&contact.email)
                        .push_bind(&contact.name)
                        .push_bind(contact.locale.map(Locale::as_str))
                        .push_bind(attributes)
                        .push_bind(now)
                        .push_bind(now);
                });
                insert.push(format!(
                    " ON CONFLICT (email) DO UPDATE SET \
                     name = CASE WHEN excluded.name = '' THEN contacts.name ELSE excluded.name END, \
                     locale = COALESCE(excluded.locale, contacts.locale), \
                     attributes = {MERGE_ATTRIBUTES}, updated_at = excluded.updated_at"
                ));
                insert.build().execute(&mut **tx).await.map_err(backend)?;
                let found = u64::try_from(found).unwrap_or(0);
                done.updated += found;
                done.inserted += (chunk.len() as u64).saturating_sub(found);
            }
            Ok(done)
        }

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
                let d = &survey.definition;
                let definition = to_json(d)?;
                let now = Utc::now();
                let mut tx = self.pool.begin().await.map_err(backend)?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO surveys (kind, title, status, public_slug, anonymous, default_locale, \
                     version, definition, created_by, created_at, updated_at) \
                     VALUES ($1, $2, 'draft', $3, $4, $5, 1, $6, $7, $8, $8) RETURNING id",
                )
                .bind(d.kind.as_str())
                .bind(d.title.get(d.default_locale))
                .bind(&survey.public_slug)
                .bind(d.anonymous)
                .bind(d.default_locale.as_str())
                .bind(&definition)
                .bind(survey.created_by)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
                sqlx::query(
                    "INSERT INTO survey_versions (survey_id, version, definition, created_at) \
                     VALUES ($1, 1, $2, $3)",
                )
                .bind(id)
                .bind(&definition)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
                tx.commit().await.map_err(backend)?;
                self.survey(id)
                    .await?
                    .ok_or_else(|| StoreError::Backend("the new survey vanished".into()))
            }

            async fn list_surveys(&self) -> Result<Vec<Survey>, StoreError> {
                let sql = format!("{SURVEY_SELECT} ORDER BY id DESC");
                sqlx::query_as::<_, SurveyRow>(&sql)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend)?
                    .into_iter()
                    .map(Survey::try_from)
                    .collect()
            }

            async fn survey(&self, id: i64) -> Result<Option<Survey>, StoreError> {
                let sql = format!("{SURVEY_SELECT} WHERE id = $1");
                sqlx::query_as::<_, SurveyRow>(&sql)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend)?
                    .map(Survey::try_from)
                    .transpose()
            }

            async fn survey_by_slug(&self, slug: &str) -> Result<Option<Survey>, StoreError> {
                let sql = format!("{SURVEY_SELECT} WHERE public_slug = $1");
                sqlx::query_as::<_, SurveyRow>(&sql)
                    .bind(slug)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend)?
                    .map(Survey::try_from)
                    .transpose()
            }

            async fn save_definition(
                &self,
                id: i64,
                definition: &SurveyDefinition,
            ) -> Result<Option<SavedAs>, StoreError> {
                let json = to_json(definition)?;
                let now = Utc::now();
                let mut tx = self.pool.begin().await.map_err(backend)?;
                // Answers given to the current version decide whether it may still change.
                let current: Option<(i64, bool)> = sqlx::query_as(
                    "SELECT s.version, EXISTS (SELECT 1 FROM responses r \
                     WHERE r.survey_id = s.id AND r.version = s.version) \
                     FROM surveys s WHERE s.id = $1",
                )
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
                let Some((version, answered)) = current else { return Ok(None) };
                let saved = if answered {
                    sqlx::query(
                        "INSERT INTO survey_versions (survey_id, version, definition, created_at) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(id)
                    .bind(version + 1)
                    .bind(&json)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                    SavedAs::NewVersion(version + 1)
                } else {
                    sqlx::query(
                        "UPDATE survey_versions SET definition = $3, created_at = $4 \
                         WHERE survey_id = $1 AND version = $2",
                    )
                    .bind(id)
                    .bind(version)
                    .bind(&json)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                    SavedAs::SameVersion(version)
                };
                let new_version = match saved {
                    SavedAs::SameVersion(v) | SavedAs::NewVersion(v) => v,
                };
                sqlx::query(
                    "UPDATE surveys SET kind = $2, title = $3, anonymous = $4, default_locale = $5, \
                     definition = $6, version = $7, updated_at = $8 WHERE id = $1",
                )
                .bind(id)
                .bind(definition.kind.as_str())
                .bind(definition.title.get(definition.default_locale))
                .bind(definition.anonymous)
                .bind(definition.default_locale.as_str())
                .bind(&json)
                .bind(new_version)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
                tx.commit().await.map_err(backend)?;
                Ok(Some(saved))
            }

            async fn survey_version(
                &self,
                id: i64,
                version: i64,
            ) -> Result<Option<SurveyDefinition>, StoreError> {
                let json: Option<String> = sqlx::query_scalar(
                    "SELECT definition FROM survey_versions WHERE survey_id = $1 AND version = $2",
                )
                .bind(id)
                .bind(version)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
                json.map(|json| from_json("definition", &json)).transpose()
            }

            async fn update_survey_settings(
                &self,
                id: i64,
                settings: &SurveySettings,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    // The capped count restarts from the true count whenever the cap is set.
                    "UPDATE surveys SET status = $2, closes_at = $3, response_cap = $4, \
                     response_count = (SELECT COALESCE(SUM(n), 0) FROM response_counts WHERE survey_id = $1), \
                     thank_you_email = $5, detractor_alerts = $6 WHERE id = $1",
                )
                .bind(id)
                .bind(settings.status.as_str())
                .bind(settings.closes_at)
                .bind(settings.response_cap)
                .bind(settings.notifications.thank_you_email)
                .bind(settings.notifications.detractor_alerts)
                .execute(&self.pool)
                .await
                .map_err(backend)?;
                Ok(done.rows_affected() == 1)
            }

            async fn version_answered(&self, survey_id: i64, version: i64) -> Result<bool, StoreError> {
                sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM responses WHERE survey_id = $1 AND version = $2)",
                )
                .bind(survey_id)
                .bind(version)
                .fetch_one(&self.pool)
                .await
                .map_err(backend)
            }

            async fn save_draft(
                &self,
                survey_id: i64,
                draft: &EditorDraft,
                user_id: i64,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO survey_drafts (survey_id, draft, updated_by, updated_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (survey_id) DO UPDATE SET \
                     draft = excluded.draft, updated_by = excluded.updated_by, \
                     updated_at = excluded.updated_at",
                )
                .bind(survey_id)
                .bind(to_json(draft)?)
                .bind(user_id)
                .bind(Utc::now())
                .execute(&self.pool)
                .await
                .map_err(backend)?;
                Ok(())
            }

            async fn draft(&self, survey_id: i64) -> Result<Option<EditorDraft>, StoreError> {
                let json: Option<String> =
                    sqlx::query_scalar("SELECT draft FROM survey_drafts WHERE survey_id = $1")
                        .bind(survey_id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend)?;
                json.map(|json| from_json("draft", &json)).transpose()
            }

            async fn discard_draft(&self, survey_id: i64) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM survey_drafts WHERE survey_id = $1")
                    .bind(survey_id)
                    .execute(&self.pool)
                    .await
                    .map_err(backend)?;
                Ok(())
            }

            async fn upsert_contacts(&self, contacts: &[NewContact]) -> Result<Upserted, StoreError> {
                let mut tx = self.pool.begin().await.map_err(backend)?;
                let done = upsert_contacts_in(&mut tx, contacts).await?;
                tx.commit().await.map_err(backend)?;
                Ok(done)
            }

            async fn list_contacts(&self, after_id: i64, limit: i64) -> Result<Vec<Contact>, StoreError> {
                let sql = format!(
                    "SELECT {CONTACT_COLUMNS} FROM contacts WHERE id > $1 ORDER BY id LIMIT $2"
                );
                sqlx::query_as::<_, ContactRow>(&sql)
                    .bind(after_id)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend)?
                    .into_iter()
                    .map(Contact::try_from)
                    .collect()
            }

            async fn contact_by_email(&self, email: &str) -> Result<Option<Contact>, StoreError> {
                let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE email = $1");
                sqlx::query_as::<_, ContactRow>(&sql)
                    .bind(email)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend)?
                    .map(Contact::try_from)
                    .transpose()
            }

            async fn set_suppression(
                &self,
                contact_id: i64,
                reason: Option<&str>,
            ) -> Result<bool, StoreError> {
                let now = Utc::now();
                let done = sqlx::query(
                    "UPDATE contacts SET suppressed = $2, suppressed_at = $3, updated_at = $4 \
                     WHERE id = $1",
                )
                .bind(contact_id)
                .bind(reason)
                .bind(reason.map(|_| now))
                .bind(now)
                .execute(&self.pool)
                .await
                .map_err(backend)?;
                Ok(done.rows_affected() == 1)
            }

            async fn count_matching(
                &self,
                filter: &SegmentFilter,
            ) -> Result<(i64, i64), StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "SELECT COUNT(*), COUNT(*) - COUNT(suppressed) FROM contacts WHERE 1 = 1",
                );
                push_audience(&mut q, filter);
                q.build_query_as::<(i64, i64)>()
                    .fetch_one(&self.pool)
                    .await
                    .map_err(backend)
            }

            async fn create_segment(
                &self,
                name: &str,
                filter: &SegmentFilter,
                user_id: i64,
            ) -> Result<Segment, StoreError> {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO segments (name, filter, created_by, created_at) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(name)
                .bind(to_json(filter)?)
                .bind(user_id)
                .bind(Utc::now())
                .fetch_one(&self.pool)
                .await
                .map_err(|e| match backend(e) {
                    StoreError::Conflict(_) => {
                        StoreError::Conflict("Another segment has this name.".into())
                    }
                    other => other,
                })?;
                Ok(Segment {
                    id,
                    name: name.to_owned(),
                    filter: filter.clone(),
                })
            }

            async fn list_segments(&self) -> Result<Vec<Segment>, StoreError> {
                let rows: Vec<(i64, String, String)> =
                    sqlx::query_as("SELECT id, name, filter FROM segments ORDER BY name")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(backend)?;
                rows.into_iter()
                    .map(|(id, name, filter)| {
                        Ok(Segment {
                            id,
                            name,
                            filter: from_json("filter", &filter)?,
                        })
                    })
                    .collect()
            }

            async fn delete_segment(&self, id: i64) -> Result<bool, StoreError> {
                let done = sqlx::query("DELETE FROM segments WHERE id = $1")
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map_err(backend)?;
                Ok(done.rows_affected() == 1)
            }

            async fn contact_history(
                &self,
                contact_id: i64,
            ) -> Result<(Vec<ContactInvitation>, Vec<ContactResponse>), StoreError> {
                let invitations: Vec<(i64, DateTime<Utc>, bool)> = sqlx::query_as(
                    "SELECT survey_id, created_at, answered FROM invitations \
                     WHERE contact_id = $1 ORDER BY id",
                )
                .bind(contact_id)
                .fetch_all(&self.pool)
                .await
                .map_err(backend)?;
                let responses: Vec<(i64, i64, i64, NaiveDate, Option<DateTime<Utc>>)> =
                    sqlx::query_as(
                        "SELECT id, survey_id, version, day, submitted_at FROM responses \
                         WHERE contact_id = $1 ORDER BY id",
                    )
                    .bind(contact_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend)?;
                // One query for every response's answers, grouped here by response.
                let answers: Vec<ResponseAnswerRow> = sqlx::query_as(
                    "SELECT a.response_id, a.question_key, a.value, a.follow_up \
                     FROM answers a JOIN responses r ON r.id = a.response_id \
                     WHERE r.contact_id = $1 ORDER BY a.response_id, a.question_key",
                )
                .bind(contact_id)
                .fetch_all(&self.pool)
                .await
                .map_err(backend)?;
                let mut by_response = std::collections::HashMap::<i64, Vec<StoredAnswer>>::new();
                for row in answers {
                    by_response
                        .entry(row.response_id)
                        .or_default()
                        .push(StoredAnswer::try_from(row.answer)?);
                }
                let given = responses
                    .into_iter()
                    .map(|(id, survey_id, version, day, submitted_at)| ContactResponse {
                        survey_id,
                        version,
                        day,
                        submitted_at,
                        answers: by_response.remove(&id).unwrap_or_default(),
                    })
                    .collect();
                let invitations = invitations
                    .into_iter()
                    .map(|(survey_id, created_at, answered)| ContactInvitation {
                        survey_id,
                        created_at,
                        answered,
                    })
                    .collect();
                Ok((invitations, given))
            }

            async fn erase_contact(&self, contact_id: i64) -> Result<u64, StoreError> {
                let mut tx = self.pool.begin().await.map_err(backend)?;
                // Free text may name the person, so it goes; scores and choices stay
                // (and the dashboards' counts with them). Text answers are stored as
                // serde's `{"type":"text",…}`.
                let theirs = "response_id IN (SELECT id FROM responses WHERE contact_id = $1)";
                sqlx::query(&format!(
                    "DELETE FROM answers WHERE {theirs} AND value LIKE '{{\"type\":\"text\"%'"
                ))
                .bind(contact_id)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
                sqlx::query(&format!("UPDATE answers SET follow_up = NULL WHERE {theirs}"))
                    .bind(contact_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                let responses = sqlx::query(
                    "UPDATE responses SET contact_id = NULL, submitted_at = NULL, updated_at = NULL \
                     WHERE contact_id = $1",
                )
                .bind(contact_id)
                .execute(&mut *tx)
                .await
                .map_err(backend)?
                .rows_affected();
                sqlx::query(
                    "UPDATE invitations SET contact_id = NULL, attributes = '{}' WHERE contact_id = $1",
                )
                .bind(contact_id)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
                sqlx::query("DELETE FROM contacts WHERE id = $1")
                    .bind(contact_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                tx.commit().await.map_err(backend)?;
                Ok(responses)
            }

            async fn save_import(
                &self,
                file_name: &str,
                outcome: &ImportOutcome,
                user_id: i64,
            ) -> Result<i64, StoreError> {
                sqlx::query_scalar(
                    "INSERT INTO contact_imports (file_name, report, created_by, created_at) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(file_name)
                .bind(to_json(outcome)?)
                .bind(user_id)
                .bind(Utc::now())
                .fetch_one(&self.pool)
                .await
                .map_err(backend)
            }

            async fn count_contacts(&self) -> Result<i64, StoreError> {
                sqlx::query_scalar("SELECT COUNT(*) FROM contacts")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(backend)
            }

            async fn create_invitation(&self, invitation: NewInvitation) -> Result<i64, StoreError> {
                sqlx::query_scalar(
                    "INSERT INTO invitations (survey_id, token_hash, contact_id, locale, attributes, \
                     created_at, send_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(invitation.survey_id)
                .bind(&invitation.token_hash)
                .bind(invitation.contact_id)
                .bind(invitation.locale.map(|l| l.as_str()))
                .bind(to_json(&invitation.attributes)?)
                .bind(Utc::now())
                .bind(invitation.send_id)
                .fetch_one(&self.pool)
                .await
                .map_err(backend)
            }

            async fn invitation(&self, token_hash: &str) -> Result<Option<Invitation>, StoreError> {
                sqlx::query_as::<_, InvitationRow>(
                    "SELECT id, survey_id, contact_id, locale, attributes, answered, send_id \
                     FROM invitations WHERE token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?
                .map(Invitation::try_from)
                .transpose()
            }

            async fn record_answers(&self, batch: AnswerBatch) -> Result<Recorded, StoreError> {
                let mut tx = self.pool.begin().await.map_err(backend)?;
                let inserted: Option<(i64, NaiveDate)> = sqlx::query_as(
                    "INSERT INTO responses (survey_id, version, response_key, contact_id, groups, locale, day, submitted_at, updated_at, completed) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) \
                     ON CONFLICT (response_key) DO NOTHING RETURNING id, day",
                )
                .bind(batch.survey_id)
                .bind(batch.version)
                .bind(&batch.response_key)
                .bind(batch.contact_id)
                .bind(to_json(&batch.groups)?)
                .bind(batch.locale.as_str())
                .bind(batch.day)
                .bind(batch.at)
                .bind(batch.completed)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
                let (response_id, day, recorded) = match inserted {
                    Some((id, day)) => {
                        if batch.capped {
                            // The cap is checked and counted in one statement, so
                            // concurrent first answers cannot overshoot it.
                            let counted = sqlx::query(
                                "UPDATE surveys SET response_count = response_count + 1 \
                                 WHERE id = $1 AND (response_cap IS NULL OR response_count < response_cap)",
                            )
                            .bind(batch.survey_id)
                            .execute(&mut *tx)
                            .await
                            .map_err(backend)?;
                            if counted.rows_affected() == 0 {
                                return Ok(Recorded::Full);
                            }
                        }
                        // Spread over a few rows, so concurrent answers do not wait for
                        // each other's lock (see migration 0004).
                        sqlx::query(
                            "INSERT INTO response_counts (survey_id, shard, n) VALUES ($1, $2, 1) \
                             ON CONFLICT (survey_id, shard) DO UPDATE SET n = response_counts.n + 1",
                        )
                        .bind(batch.survey_id)
                        .bind(i32::try_from(id % $crate::storage::shared::COUNT_SHARDS).unwrap_or(0))
                        .execute(&mut *tx)
                        .await
                        .map_err(backend)?;
                        (id, day, Recorded::New)
                    }
                    None => {
                        let (id, day): (i64, NaiveDate) = sqlx::query_as(
                            "UPDATE responses SET version = $3, updated_at = $4 \
                             WHERE response_key = $1 AND survey_id = $2 RETURNING id, day",
                        )
                        .bind(&batch.response_key)
                        .bind(batch.survey_id)
                        .bind(batch.version)
                        .bind(batch.at)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(backend)?;
                        (id, day, Recorded::Updated)
                    }
                };
                // Completed once: by the new row, or by this change to a partial one.
                let first_completion = match recorded {
                    _ if !batch.completed => false,
                    Recorded::New => true,
                    _ => {
                        sqlx::query("UPDATE responses SET completed = TRUE WHERE id = $1 AND NOT completed")
                            .bind(response_id)
                            .execute(&mut *tx)
                            .await
                            .map_err(backend)?
                            .rows_affected()
                            == 1
                    }
                };
                if first_completion {
                    let now = Utc::now();
                    for message in &batch.on_completion {
                        insert_message(&mut tx, message, response_id, now).await?;
                    }
                }
                // A new response has nothing to replace.
                let replaced = batch
                    .answers
                    .iter()
                    .map(|a| a.question_key.as_str())
                    .chain(batch.cleared.iter().map(String::as_str))
                    .filter(|_| recorded == Recorded::Updated);
                for key in replaced {
                    // Take back what an earlier answer added to the counts.
                    let old: Option<Option<i32>> = sqlx::query_scalar(
                        "DELETE FROM answers WHERE response_id = $1 AND question_key = $2 RETURNING score",
                    )
                    .bind(response_id)
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend)?;
                    if let Some(Some(score)) = old {
                        bump_bucket(&mut tx, batch.survey_id, key, day, score, -1).await?;
                    }
                }
                // One statement for all answers of the page and one for their day buckets,
                // however many questions it has (a question appears once per batch).
                if !batch.answers.is_empty() {
                    let values = batch
                        .answers
                        .iter()
                        .map(|a| Ok((a, to_json(&a.value)?)))
                        .collect::<Result<Vec<_>, StoreError>>()?;
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO answers (response_id, question_key, score, value, follow_up) ",
                    );
                    insert.push_values(values, |mut row, (answer, value)| {
                        row.push_bind(response_id)
                            .push_bind(&answer.question_key)
                            .push_bind(answer.score().map(i32::from))
                            .push_bind(value)
                            .push_bind(&answer.follow_up);
                    });
                    insert.build().execute(&mut *tx).await.map_err(backend)?;
                }
                let scored: Vec<(&str, i32)> = batch
                    .answers
                    .iter()
                    .filter_map(|a| Some((a.question_key.as_str(), i32::from(a.score()?))))
                    .collect();
                if !scored.is_empty() {
                    let mut buckets = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO answer_buckets (survey_id, question_key, day, segment, score, n) ",
                    );
                    buckets.push_values(scored, |mut row, (key, score)| {
                        row.push_bind(batch.survey_id)
                            .push_bind(key)
                            .push_bind(day)
                            .push_bind("")
                            .push_bind(score)
                            .push_bind(1_i64);
                    });
                    buckets.push(
                        " ON CONFLICT (survey_id, question_key, day, segment, score) \
                         DO UPDATE SET n = answer_buckets.n + excluded.n",
                    );
                    buckets.build().execute(&mut *tx).await.map_err(backend)?;
                }
                if let Some(invitation_id) = batch.invitation_id {
                    sqlx::query("UPDATE invitations SET answered = TRUE WHERE id = $1")
                        .bind(invitation_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend)?;
                }
                tx.commit().await.map_err(backend)?;
                Ok(recorded)
            }

            async fn response(&self, response_key: &str) -> Result<Option<ResponseRecord>, StoreError> {
                let found: Option<(i64, bool)> = sqlx::query_as(
                    "SELECT id, completed FROM responses WHERE response_key = $1",
                )
                .bind(response_key)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
                let Some((id, completed)) = found else { return Ok(None) };
                let answers = answers_of(&self.pool, id).await?;
                Ok(Some(ResponseRecord { id, answers, completed }))
            }

            async fn response_by_id(&self, id: i64) -> Result<Option<StoredResponse>, StoreError> {
                let Some(row) = sqlx::query_as::<_, ResponseRow>(
                    "SELECT id, survey_id, version, contact_id, groups, locale, day, submitted_at, \
                     updated_at, completed FROM responses WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?
                else {
                    return Ok(None);
                };
                let answers = answers_of(&self.pool, id).await?;
                row.into_response(answers).map(Some)
            }

            async fn score_histograms(
                &self,
                survey_id: i64,
            ) -> Result<std::collections::BTreeMap<String, [u64; 11]>, StoreError> {
                let rows: Vec<(String, i32, i64)> = sqlx::query_as(
                    "SELECT question_key, score, CAST(SUM(n) AS BIGINT) FROM answer_buckets \
                     WHERE survey_id = $1 AND segment = '' GROUP BY question_key, score",
                )
                .bind(survey_id)
                .fetch_all(&self.pool)
                .await
                .map_err(backend)?;
                let mut histograms = std::collections::BTreeMap::<String, [u64; 11]>::new();
                for (key, score, n) in rows {
                    let slot = usize::try_from(score)
                        .ok()
                        .and_then(|i| histograms.entry(key).or_default().get_mut(i))
                        .ok_or_else(|| StoreError::Backend(format!("score {score} out of range")))?;
                    *slot = u64::try_from(n).unwrap_or(0);
                }
                Ok(histograms)
            }

            async fn value_counts(
                &self,
                survey_id: i64,
            ) -> Result<Vec<(String, String, i64)>, StoreError> {
                sqlx::query_as(
                    "SELECT a.question_key, a.value, COUNT(*) FROM answers a \
                     JOIN responses r ON r.id = a.response_id \
                     WHERE r.survey_id = $1 AND a.score IS NULL \
                     GROUP BY a.question_key, a.value ORDER BY a.question_key, a.value",
                )
                .bind(survey_id)
                .fetch_all(&self.pool)
                .await
                .map_err(backend)
            }
        }
    };
}

/// Adds `delta` to one day bucket of a question's score counts.
macro_rules! bump_bucket_fn {
    ($db:ty) => {
        async fn bump_bucket(
            tx: &mut sqlx::Transaction<'_, $db>,
            survey_id: i64,
            question_key: &str,
            day: chrono::NaiveDate,
            score: i32,
            delta: i64,
        ) -> Result<(), app::ports::StoreError> {
            sqlx::query(
                "INSERT INTO answer_buckets (survey_id, question_key, day, segment, score, n) \
                 VALUES ($1, $2, $3, '', $4, $5) \
                 ON CONFLICT (survey_id, question_key, day, segment, score) \
                 DO UPDATE SET n = answer_buckets.n + $5",
            )
            .bind(survey_id)
            .bind(question_key)
            .bind(day)
            .bind(score)
            .bind(delta)
            .execute(&mut **tx)
            .await
            .map_err(super::backend)?;
            Ok(())
        }
    };
}
