//! The `Store` implementation shared by the SQL backends, written once as a macro: the
//! queries are the same text on SQLite and PostgreSQL (`$N` placeholders, Unix-second
//! integers, text and byte columns); only the pool type and the migrations differ, and
//! those stay in each backend's crate. Expanded there, so `::sqlx` is the backend's sqlx.

/// Implements `weft_store::Store` for a type with a field `pool: sqlx::Pool<$db>`.
#[macro_export]
macro_rules! sql_store {
    ($store:ty, $db:ty, $backend:literal, { $($backend_specific:tt)* }) => {
        fn __db_err(e: ::sqlx::Error, what: &str) -> $crate::StoreError {
            match &e {
                ::sqlx::Error::Database(db) if db.is_unique_violation() => $crate::StoreError::Conflict { what: what.to_owned() },
                _ => $crate::StoreError::Database(format!("{what}: {e}")),
            }
        }

        fn __user(row: &<$db as ::sqlx::Database>::Row) -> Result<$crate::User, ::sqlx::Error> {
            use ::sqlx::Row;
            let role: String = row.try_get("role")?;
            Ok($crate::User {
                id: row.try_get("id")?,
                username: row.try_get("username")?,
                password_hash: row.try_get("password_hash")?,
                role: weft_core::roles::Role::parse(&role).map_err(|e| ::sqlx::Error::Decode(e.into()))?,
                created_at: row.try_get("created_at")?,
            })
        }

        fn __split(text: String) -> Vec<String> {
            text.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect()
        }

        fn __connection(row: &<$db as ::sqlx::Database>::Row) -> Result<$crate::Connection, ::sqlx::Error> {
            use ::sqlx::Row;
            let kind: String = row.try_get("kind")?;
            let checked_at: Option<i64> = row.try_get("checked_at")?;
            let class: Option<String> = row.try_get("health_class")?;
            let health = match checked_at {
                Some(checked_at) => Some($crate::Health {
                    healthy: row.try_get("healthy")?,
                    class: class.and_then(|c| serde_json::from_value(serde_json::Value::String(c)).ok()),
                    message: row.try_get("health_message")?,
                    checked_at,
                }),
                None => None,
            };
            Ok($crate::Connection {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                kind: $crate::ConnectionKind::parse(&kind).ok_or_else(|| ::sqlx::Error::Decode(format!("connection kind {kind:?}").into()))?,
                api_base: row.try_get("api_base")?,
                identity: $crate::WrikeIdentity {
                    account_id: row.try_get("account_id")?,
                    account_name: row.try_get("account_name")?,
                    user_id: row.try_get("wrike_user_id")?,
                    user_name: row.try_get("wrike_user_name")?,
                    user_email: row.try_get("wrike_user_email")?,
                    admin: row.try_get("wrike_user_admin")?,
                },
                scopes: __split(row.try_get("scopes")?),
                features: __split(row.try_get("features")?),
                health,
                created_at: row.try_get("created_at")?,
                created_by: row.try_get("created_by")?,
            })
        }

        #[async_trait::async_trait]
        impl $crate::Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

            $($backend_specific)*

            async fn create_user(&self, user: $crate::NewUser) -> $crate::StoreResult<$crate::User> {
                ::sqlx::query("INSERT INTO users (id, username, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&user.id).bind(&user.username).bind(&user.password_hash).bind(user.role.as_str()).bind(user.created_at)
                    .execute(&self.pool).await.map_err(|e| __db_err(e, &format!("user {}", user.username)))?;
                Ok($crate::User { id: user.id, username: user.username, password_hash: user.password_hash, role: user.role, created_at: user.created_at })
            }

            async fn user_by_name(&self, username: &str) -> $crate::StoreResult<Option<$crate::User>> {
                let row = ::sqlx::query("SELECT id, username, password_hash, role, created_at FROM users WHERE username = $1")
                    .bind(username).fetch_optional(&self.pool).await.map_err(|e| __db_err(e, "users"))?;
                row.as_ref().map(__user).transpose().map_err(|e| __db_err(e, "users"))
            }

            async fn list_users(&self) -> $crate::StoreResult<Vec<$crate::User>> {
                let rows = ::sqlx::query("SELECT id, username, password_hash, role, created_at FROM users ORDER BY username")
                    .fetch_all(&self.pool).await.map_err(|e| __db_err(e, "users"))?;
                rows.iter().map(__user).collect::<Result<_, _>>().map_err(|e| __db_err(e, "users"))
            }

            async fn create_connection(&self, c: $crate::NewConnection) -> $crate::StoreResult<$crate::Connection> {
                ::sqlx::query(
                    "INSERT INTO connections (id, name, kind, api_base, account_id, account_name, wrike_user_id, wrike_user_name, wrike_user_email, wrike_user_admin, scopes, features, access_token, refresh_token, expires_at, token_version, created_at, created_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16, $17)",
                )
                .bind(&c.id).bind(&c.name).bind(c.kind.as_str()).bind(&c.api_base)
                .bind(&c.identity.account_id).bind(&c.identity.account_name).bind(&c.identity.user_id).bind(&c.identity.user_name).bind(&c.identity.user_email).bind(c.identity.admin)
                .bind(c.scopes.join(",")).bind(c.features.join(","))
                .bind(&c.tokens.access_token).bind(&c.tokens.refresh_token).bind(c.tokens.expires_at)
                .bind(c.created_at).bind(&c.created_by)
                .execute(&self.pool).await.map_err(|e| __db_err(e, &format!("connection {}", c.name)))?;
                self.connection(&c.id).await?.ok_or_else(|| $crate::StoreError::NotFound { what: format!("connection {}", c.id) })
            }

            async fn connection(&self, id: &str) -> $crate::StoreResult<Option<$crate::Connection>> {
                let row = ::sqlx::query("SELECT id, name, kind, api_base, account_id, account_name, wrike_user_id, wrike_user_name, wrike_user_email, wrike_user_admin, scopes, features, healthy, health_class, health_message, checked_at, created_at, created_by FROM connections WHERE id = $1")
                    .bind(id).fetch_optional(&self.pool).await.map_err(|e| __db_err(e, "connections"))?;
                row.as_ref().map(__connection).transpose().map_err(|e| __db_err(e, "connections"))
            }

            async fn list_connections(&self) -> $crate::StoreResult<Vec<$crate::Connection>> {
                let rows = ::sqlx::query("SELECT id, name, kind, api_base, account_id, account_name, wrike_user_id, wrike_user_name, wrike_user_email, wrike_user_admin, scopes, features, healthy, health_class, health_message, checked_at, created_at, created_by FROM connections ORDER BY name")
                    .fetch_all(&self.pool).await.map_err(|e| __db_err(e, "connections"))?;
                rows.iter().map(__connection).collect::<Result<_, _>>().map_err(|e| __db_err(e, "connections"))
            }

            async fn delete_connection(&self, id: &str) -> $crate::StoreResult<()> {
                let done = ::sqlx::query("DELETE FROM connections WHERE id = $1").bind(id).execute(&self.pool).await.map_err(|e| __db_err(e, "connections"))?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound { what: format!("connection {id}") });
                }
                Ok(())
            }

            async fn connection_secrets(&self, id: &str) -> $crate::StoreResult<$crate::StoredSecrets> {
                use ::sqlx::Row;
                let row = ::sqlx::query("SELECT access_token, refresh_token, expires_at, token_version FROM connections WHERE id = $1")
                    .bind(id).fetch_optional(&self.pool).await.map_err(|e| __db_err(e, "connections"))?
                    .ok_or_else(|| $crate::StoreError::NotFound { what: format!("connection {id}") })?;
                let get = |row: &<$db as ::sqlx::Database>::Row| -> Result<$crate::StoredSecrets, ::sqlx::Error> {
                    Ok($crate::StoredSecrets {
                        tokens: $crate::SealedTokens { access_token: row.try_get("access_token")?, refresh_token: row.try_get("refresh_token")?, expires_at: row.try_get("expires_at")? },
                        version: row.try_get("token_version")?,
                    })
                };
                get(&row).map_err(|e| __db_err(e, "connections"))
            }

            async fn replace_secrets(&self, id: &str, expected_version: i64, t: $crate::SealedTokens) -> $crate::StoreResult<i64> {
                let done = ::sqlx::query("UPDATE connections SET access_token = $1, refresh_token = $2, expires_at = $3, token_version = token_version + 1 WHERE id = $4 AND token_version = $5")
                    .bind(&t.access_token).bind(&t.refresh_token).bind(t.expires_at).bind(id).bind(expected_version)
                    .execute(&self.pool).await.map_err(|e| __db_err(e, "connections"))?;
                if done.rows_affected() == 1 {
                    return Ok(expected_version + 1);
                }
                match self.connection(id).await? {
                    Some(_) => Err($crate::StoreError::Stale { what: format!("tokens of connection {id}") }),
                    None => Err($crate::StoreError::NotFound { what: format!("connection {id}") }),
                }
            }

            async fn record_health(&self, id: &str, h: &$crate::Health) -> $crate::StoreResult<()> {
                let done = ::sqlx::query("UPDATE connections SET healthy = $1, health_class = $2, health_message = $3, checked_at = $4 WHERE id = $5")
                    .bind(h.healthy).bind(h.class.map(|c| c.as_str())).bind(&h.message).bind(h.checked_at).bind(id)
                    .execute(&self.pool).await.map_err(|e| __db_err(e, "connections"))?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound { what: format!("connection {id}") });
                }
                Ok(())
            }

            async fn create_session(&self, s: $crate::NewSession) -> $crate::StoreResult<()> {
                ::sqlx::query("INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&s.id_hash).bind(&s.user_id).bind(&s.csrf).bind(s.created_at).bind(s.expires_at)
                    .execute(&self.pool).await.map_err(|e| __db_err(e, "session"))?;
                Ok(())
            }

            async fn session_user(&self, id_hash: &str, now: i64) -> $crate::StoreResult<Option<($crate::User, String)>> {
                use ::sqlx::Row;
                let row = ::sqlx::query("SELECT u.id, u.username, u.password_hash, u.role, u.created_at, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > $2")
                    .bind(id_hash).bind(now).fetch_optional(&self.pool).await.map_err(|e| __db_err(e, "sessions"))?;
                row.as_ref().map(|r| Ok::<_, ::sqlx::Error>((__user(r)?, r.try_get("csrf")?))).transpose().map_err(|e| __db_err(e, "sessions"))
            }

            async fn delete_session(&self, id_hash: &str) -> $crate::StoreResult<()> {
                ::sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(&self.pool).await.map_err(|e| __db_err(e, "sessions"))?;
                Ok(())
            }

            async fn create_api_token(&self, t: $crate::ApiToken) -> $crate::StoreResult<()> {
                ::sqlx::query("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&t.id).bind(&t.user_id).bind(&t.name).bind(&t.token_hash).bind(t.created_at)
                    .execute(&self.pool).await.map_err(|e| __db_err(e, "API token"))?;
                Ok(())
            }

            async fn api_token_user(&self, token_hash: &str) -> $crate::StoreResult<Option<$crate::User>> {
                let row = ::sqlx::query("SELECT u.id, u.username, u.password_hash, u.role, u.created_at FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1")
                    .bind(token_hash).fetch_optional(&self.pool).await.map_err(|e| __db_err(e, "API tokens"))?;
                row.as_ref().map(__user).transpose().map_err(|e| __db_err(e, "API tokens"))
            }

            async fn list_api_tokens(&self, user_id: &str) -> $crate::StoreResult<Vec<$crate::ApiToken>> {
                use ::sqlx::Row;
                let rows = ::sqlx::query("SELECT id, user_id, name, token_hash, created_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at, id")
                    .bind(user_id).fetch_all(&self.pool).await.map_err(|e| __db_err(e, "API tokens"))?;
                rows.iter()
                    .map(|r| -> Result<$crate::ApiToken, ::sqlx::Error> {
                        Ok($crate::ApiToken { id: r.try_get("id")?, user_id: r.try_get("user_id")?, name: r.try_get("name")?, token_hash: r.try_get("token_hash")?, created_at: r.try_get("created_at")? })
                    })
                    .collect::<Result<_, _>>()
                    .map_err(|e| __db_err(e, "API tokens"))
            }

            async fn put_oauth_state(&self, s: $crate::OAuthState) -> $crate::StoreResult<()> {
                ::sqlx::query("INSERT INTO oauth_states (state_hash, user_id, connection_name, scopes, features, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(&s.state_hash).bind(&s.user_id).bind(&s.connection_name).bind(s.scopes.join(",")).bind(s.features.join(",")).bind(s.expires_at)
                    .execute(&self.pool).await.map_err(|e| __db_err(e, "OAuth state"))?;
                Ok(())
            }

            async fn take_oauth_state(&self, state_hash: &str, now: i64) -> $crate::StoreResult<Option<$crate::OAuthState>> {
                use ::sqlx::Row;
                // DELETE ... RETURNING makes taking a state atomic on both databases.
                let row = ::sqlx::query("DELETE FROM oauth_states WHERE state_hash = $1 RETURNING state_hash, user_id, connection_name, scopes, features, expires_at")
                    .bind(state_hash).fetch_optional(&self.pool).await.map_err(|e| __db_err(e, "OAuth state"))?;
                let Some(r) = row else { return Ok(None) };
                let state = (|| -> Result<$crate::OAuthState, ::sqlx::Error> {
                    Ok($crate::OAuthState {
                        state_hash: r.try_get("state_hash")?,
                        user_id: r.try_get("user_id")?,
                        connection_name: r.try_get("connection_name")?,
                        scopes: __split(r.try_get("scopes")?),
                        features: __split(r.try_get("features")?),
                        expires_at: r.try_get("expires_at")?,
                    })
                })()
                .map_err(|e| __db_err(e, "OAuth state"))?;
                Ok((state.expires_at > now).then_some(state))
            }

            async fn append_audit(&self, e: $crate::NewAuditEntry) -> $crate::StoreResult<()> {
                ::sqlx::query("INSERT INTO audit_trail (at, actor, action, target, before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(e.at).bind(&e.actor).bind(&e.action).bind(&e.target)
                    .bind(e.before.as_ref().map(|v| v.to_string())).bind(e.after.as_ref().map(|v| v.to_string()))
                    .execute(&self.pool).await.map_err(|err| __db_err(err, "audit trail"))?;
                Ok(())
            }

            async fn audit_trail(&self, limit: i64) -> $crate::StoreResult<Vec<$crate::AuditEntry>> {
                use ::sqlx::Row;
                let rows = ::sqlx::query("SELECT id, at, actor, action, target, before_json, after_json FROM audit_trail ORDER BY id DESC LIMIT $1")
                    .bind(limit).fetch_all(&self.pool).await.map_err(|e| __db_err(e, "audit trail"))?;
                let json = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
                rows.iter()
                    .map(|row| -> Result<$crate::AuditEntry, ::sqlx::Error> {
                        Ok($crate::AuditEntry {
                            id: row.try_get("id")?,
                            at: row.try_get("at")?,
                            actor: row.try_get("actor")?,
                            action: row.try_get("action")?,
                            target: row.try_get("target")?,
                            before: json(row.try_get("before_json")?),
                            after: json(row.try_get("after_json")?),
                        })
                    })
                    .collect::<Result<_, _>>()
                    .map_err(|e| __db_err(e, "audit trail"))
            }
        }
    };
}

/// Refuses a database whose applied migrations go beyond what this weft knows. Expanded in
/// each backend, given its pool and its migrator.
#[macro_export]
macro_rules! check_schema_not_newer {
    ($pool:expr, $migrator:expr) => {{
        let known: i64 = $migrator.iter().map(|m| m.version).max().unwrap_or(0);
        // No migrations table yet means a new database.
        let found: Option<i64> = ::sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one($pool)
            .await
            .ok()
            .flatten();
        match found {
            Some(found) if found > known => Err($crate::StoreError::NewerSchema {
                found,
                supported: known,
            }),
            _ => Ok(()),
        }
    }};
}
