//! The initial schema: accounts, Instagram data, crushes, the job queue and tokens.
//!
//! Natural keys (Instagram ids, provider uids, slugs, token hashes) are unique so
//! that every sync write is an idempotent upsert and races cannot duplicate rows.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Timestamps every table carries.
fn stamped(table: &mut TableCreateStatement) -> TableCreateStatement {
    table.col(timestamp_with_time_zone("created_at")).col(timestamp_with_time_zone("updated_at")).take()
}

fn fk(
    from: (&'static str, &'static str),
    to: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{}_{}", from.0, from.1))
        .from(from.0, from.1)
        .to(to, "id")
        .on_delete(on_delete)
        .take()
}

fn index(table: &'static str, name: &str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(*col);
    }
    if unique {
        index.unique();
    }
    index.take()
}

fn users() -> TableCreateStatement {
    stamped(
        Table::create()
            .table("users")
            .col(big_pk_auto("id"))
            // Drives the scheduled resync of recently active users.
            .col(timestamp_with_time_zone_null("last_seen_at")),
    )
}

fn identities() -> TableCreateStatement {
    stamped(
        Table::create()
            .table("identities")
            .col(big_pk_auto("id"))
            .col(big_integer("user_id"))
            .col(string("provider"))
            .col(string("uid"))
            // AES-GCM: nonce || ciphertext of the provider's access token.
            .col(blob_null("access_token_encrypted"))
            .col(timestamp_with_time_zone_null("access_token_expires_at"))
            .col(timestamp_with_time_zone_null("access_token_refreshed_at"))
            .col(string("scopes").default(""))
            // Set when the provider rejected the token: the user must sign in again.
            .col(timestamp_with_time_zone_null("reauth_required_at"))
            .foreign_key(&mut fk(("identities", "user_id"), "users", ForeignKeyAction::Cascade)),
    )
}

fn instagram_users() -> TableCreateStatement {
    stamped(
        Table::create()
            .table("instagram_users")
            .col(big_pk_auto("id"))
            // Instagram's id, not the username: usernames change.
            .col(string_uniq("ig_id"))
            .col(string("username"))
            .col(string_null("name"))
            .col(text_null("profile_picture_url"))
            .col(big_integer_null("followers_count"))
            .col(big_integer_null("follows_count"))
            .col(big_integer_null("media_count"))
            .col(big_integer_null("user_id").unique_key())
            .col(timestamp_with_time_zone_null("last_synced_at"))
            .foreign_key(&mut fk(("instagram_users", "user_id"), "users", ForeignKeyAction::SetNull)),
    )
}

fn instagram_media() -> TableCreateStatement {
    stamped(
        Table::create()
            .table("instagram_media")
            .col(big_pk_auto("id"))
            .col(string_uniq("ig_id"))
            .col(big_integer("owner_id"))
            .col(string("media_type"))
            .col(text_null("caption"))
            .col(text_null("permalink"))
            .col(text_null("media_url"))
            .col(text_null("thumbnail_url"))
            .col(big_integer_null("like_count"))
            .col(big_integer_null("comments_count"))
            .col(timestamp_with_time_zone("posted_at"))
            .foreign_key(&mut fk(
                ("instagram_media", "owner_id"),
                "instagram_users",
                ForeignKeyAction::Cascade,
            )),
    )
}

fn instagram_interactions() -> TableCreateStatement {
    stamped(
        Table::create()
            .table("instagram_interactions")
            .col(big_pk_auto("id"))
            .col(string_uniq("ig_comment_id"))
            .col(big_integer("media_id"))
            .col(big_integer("author_id"))
            // Replies point at the comment they answer; top-level comments have none.
            .col(string_null("parent_ig_comment_id"))
            .col(string("kind"))
            .col(text("text"))
            .col(timestamp_with_time_zone("commented_at"))
            .foreign_key(&mut fk(
                ("instagram_interactions", "media_id"),
                "instagram_media",
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                ("instagram_interactions", "author_id"),
                "instagram_users",
                ForeignKeyAction::Cascade,
            )),
    )
}

fn crushes() -> TableCreateStatement {
    stamped(
        Table::create()
            .table("crushes")
            .col(big_pk_auto("id"))
            .col(big_integer("owner_id"))
            .col(big_integer("crush_id"))
            // Random and unguessable, generated once per (owner, crush), never derived.
            .col(string_uniq("slug"))
            .col(big_integer("comments_count"))
            .col(big_integer("posts_count"))
            .col(timestamp_with_time_zone("computed_at"))
            .foreign_key(&mut fk(("crushes", "owner_id"), "instagram_users", ForeignKeyAction::Cascade))
            .foreign_key(&mut fk(("crushes", "crush_id"), "instagram_users", ForeignKeyAction::Cascade)),
    )
}

fn jobs() -> TableCreateStatement {
    stamped(
        Table::create()
            .table("jobs")
            .col(big_pk_auto("id"))
            .col(string("kind"))
            .col(json("args"))
            // At most one active job per key: see the partial unique index below.
            .col(string_null("dedupe_key"))
            // The periodic tick a scheduled job was enqueued for (`kind@time`):
            // unique, so every process firing the same tick enqueues it once.
            .col(string_null("schedule_key").unique_key())
            // queued | running | succeeded | failed | cancelled
            .col(string("state"))
            .col(integer("attempts").default(0))
            .col(integer("max_attempts"))
            .col(timestamp_with_time_zone("run_at"))
            .col(timestamp_with_time_zone_null("started_at"))
            .col(timestamp_with_time_zone_null("finished_at"))
            // The running attempt's lease; a worker heartbeats to extend it.
            .col(timestamp_with_time_zone_null("lease_expires_at"))
            .col(string_null("worker_id"))
            .col(json_null("progress"))
            // The last error as a problem object (type, title, detail).
            .col(json_null("last_error"))
            // Whose job it is: the status API shows it to its owner only.
            .col(big_integer_null("user_id"))
            .foreign_key(&mut fk(("jobs", "user_id"), "users", ForeignKeyAction::Cascade)),
    )
}

fn refresh_tokens() -> TableCreateStatement {
    stamped(
        Table::create()
            .table("refresh_tokens")
            .col(big_pk_auto("id"))
            .col(big_integer("user_id"))
            // Rotation keeps the family; reuse of a rotated token revokes it whole.
            .col(string("family_id"))
            .col(string_uniq("token_hash"))
            .col(timestamp_with_time_zone("expires_at"))
            .col(timestamp_with_time_zone_null("rotated_at"))
            .col(timestamp_with_time_zone_null("revoked_at"))
            .foreign_key(&mut fk(("refresh_tokens", "user_id"), "users", ForeignKeyAction::Cascade)),
    )
}

fn api_tokens() -> TableCreateStatement {
    stamped(
        Table::create()
            .table("api_tokens")
            .col(big_pk_auto("id"))
            .col(big_integer("user_id"))
            .col(string("name"))
            // The first characters, shown in lists so people can tell tokens apart.
            .col(string("prefix"))
            .col(string_uniq("token_hash"))
            .col(timestamp_with_time_zone_null("last_used_at"))
            .col(timestamp_with_time_zone_null("revoked_at"))
            .foreign_key(&mut fk(("api_tokens", "user_id"), "users", ForeignKeyAction::Cascade)),
    )
}

fn oauth_states() -> TableCreateStatement {
    stamped(
        Table::create()
            .table("oauth_states")
            .col(big_pk_auto("id"))
            // Hash of the random `state`; deleted when used, so each works once.
            .col(string_uniq("state_hash"))
            .col(text("return_to"))
            .col(timestamp_with_time_zone("expires_at")),
    )
}

/// Partial indexes: sea-query has no portable builder for them, but this SQL is
/// identical on SQLite and PostgreSQL.
const PARTIAL_INDEXES: &[&str] = &[
    // Dedupe: however many requests race, one active job per key.
    "CREATE UNIQUE INDEX ux_jobs_dedupe_active ON jobs (dedupe_key) \
     WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'running')",
    // Claim: the next runnable job without scanning finished ones.
    "CREATE INDEX ix_jobs_claim ON jobs (run_at, id) WHERE state = 'queued'",
    // Rescue: running jobs whose lease expired.
    "CREATE INDEX ix_jobs_lease ON jobs (lease_expires_at) WHERE state = 'running'",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            users(),
            identities(),
            instagram_users(),
            instagram_media(),
            instagram_interactions(),
            crushes(),
            jobs(),
            refresh_tokens(),
            api_tokens(),
            oauth_states(),
        ] {
            manager.create_table(table).await?;
        }
        for index in [
            index("identities", "ux_identities_provider_uid", &["provider", "uid"], true),
            index("identities", "ix_identities_user", &["user_id"], false),
            index("instagram_media", "ix_media_owner_posted", &["owner_id", "posted_at"], false),
            index("instagram_interactions", "ix_interactions_media", &["media_id"], false),
            index("instagram_interactions", "ix_interactions_author", &["author_id"], false),
            index("crushes", "ux_crushes_owner_crush", &["owner_id", "crush_id"], true),
            index("crushes", "ix_crushes_crush", &["crush_id"], false),
            index("jobs", "ix_jobs_user", &["user_id", "id"], false),
            index("jobs", "ix_jobs_state_finished", &["state", "finished_at"], false),
            index("refresh_tokens", "ix_refresh_tokens_family", &["family_id"], false),
            index("refresh_tokens", "ix_refresh_tokens_user", &["user_id"], false),
            index("api_tokens", "ix_api_tokens_user", &["user_id"], false),
            index("oauth_states", "ix_oauth_states_expires", &["expires_at"], false),
        ] {
            manager.create_index(index).await?;
        }
        let db = manager.get_connection();
        for sql in PARTIAL_INDEXES {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "oauth_states",
            "api_tokens",
            "refresh_tokens",
            "jobs",
            "crushes",
            "instagram_interactions",
            "instagram_media",
            "instagram_users",
            "identities",
            "users",
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
