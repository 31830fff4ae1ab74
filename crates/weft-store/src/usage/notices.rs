//! What the hub tells people unasked: renewal reminders (claimed once per connection,
//! renewal date and mark) and the weekly digest (who asked for it, and which weeks went).

use serde::Serialize;

use super::Usage;
use crate::StoreResult;
use crate::db::{failed, on_pool};

/// A renewal reminder sent (or being sent).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReminderSent {
    pub connection_id: String,
    pub renewal_date: String,
    pub days_before: i64,
    pub sent_at: i64,
    /// Where it went, comma separated (`webhook`, `email`).
    pub channels: String,
}

/// Someone who asked for the weekly digest.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DigestSubscription {
    pub user_id: String,
    pub email: String,
    pub subscribed_at: i64,
}

impl Usage<'_> {
    /// Claims a renewal reminder; false when it was claimed before (sent, or being sent).
    pub async fn claim_reminder(
        &self,
        connection_id: &str,
        renewal_date: &str,
        days_before: i64,
        now: i64,
    ) -> StoreResult<bool> {
        let claimed = on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO usage_renewal_reminders (connection_id, renewal_date, days_before, sent_at, channels) \
             VALUES ($1, $2, $3, $4, '') ON CONFLICT DO NOTHING")
            .bind(connection_id).bind(renewal_date).bind(days_before).bind(now)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a renewal reminder")))?;
        Ok(claimed == 1)
    }

    /// Records where a claimed reminder went.
    pub async fn reminder_sent(
        &self,
        connection_id: &str,
        renewal_date: &str,
        days_before: i64,
        channels: &str,
    ) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query(
            "UPDATE usage_renewal_reminders SET channels = $4 WHERE connection_id = $1 AND renewal_date = $2 AND days_before = $3")
            .bind(connection_id).bind(renewal_date).bind(days_before).bind(channels)
            .execute(pool).await.map(|_| ()).map_err(failed("a renewal reminder")))?;
        Ok(())
    }

    /// Gives a claimed reminder back (it reached nobody), so a later round sends it.
    pub async fn release_reminder(
        &self,
        connection_id: &str,
        renewal_date: &str,
        days_before: i64,
    ) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query(
            "DELETE FROM usage_renewal_reminders WHERE connection_id = $1 AND renewal_date = $2 AND days_before = $3")
            .bind(connection_id).bind(renewal_date).bind(days_before)
            .execute(pool).await.map(|_| ()).map_err(failed("a renewal reminder")))?;
        Ok(())
    }

    /// The reminders of a connection, newest first.
    pub async fn reminders(&self, connection_id: &str) -> StoreResult<Vec<ReminderSent>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT connection_id, renewal_date, days_before, sent_at, channels FROM usage_renewal_reminders \
             WHERE connection_id = $1 ORDER BY sent_at DESC, days_before")
            .bind(connection_id).fetch_all(pool).await.map_err(failed("renewal reminders")))
    }

    /// Subscribes someone to the weekly digest at `email` (a new address replaces the old).
    pub async fn subscribe_digest(&self, user_id: &str, email: &str, now: i64) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO usage_digest_subscriptions (user_id, email, subscribed_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET email = excluded.email")
            .bind(user_id).bind(email).bind(now)
            .execute(pool).await.map(|_| ()).map_err(failed("a digest subscription")))?;
        Ok(())
    }

    /// Ends someone's digest; answers whether there was one.
    pub async fn unsubscribe_digest(&self, user_id: &str) -> StoreResult<bool> {
        let gone = on_pool!(self.db, pool => sqlx::query("DELETE FROM usage_digest_subscriptions WHERE user_id = $1")
            .bind(user_id).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a digest subscription")))?;
        Ok(gone > 0)
    }

    pub async fn digest_subscription(
        &self,
        user_id: &str,
    ) -> StoreResult<Option<DigestSubscription>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT user_id, email, subscribed_at FROM usage_digest_subscriptions WHERE user_id = $1")
            .bind(user_id).fetch_optional(pool).await.map_err(failed("a digest subscription")))
    }

    pub async fn digest_subscriptions(&self) -> StoreResult<Vec<DigestSubscription>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT user_id, email, subscribed_at FROM usage_digest_subscriptions ORDER BY user_id")
            .fetch_all(pool).await.map_err(failed("digest subscriptions")))
    }

    /// Claims someone's digest of a week; false when it was claimed before.
    pub async fn claim_digest(&self, user_id: &str, week: &str, now: i64) -> StoreResult<bool> {
        let claimed = on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO usage_digests_sent (user_id, week, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(user_id).bind(week).bind(now)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a digest")))?;
        Ok(claimed == 1)
    }

    /// Gives a week's digest back (the e-mail was refused), so a later round sends it.
    pub async fn release_digest(&self, user_id: &str, week: &str) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query("DELETE FROM usage_digests_sent WHERE user_id = $1 AND week = $2")
            .bind(user_id).bind(week).execute(pool).await.map(|_| ()).map_err(failed("a digest")))?;
        Ok(())
    }
}
