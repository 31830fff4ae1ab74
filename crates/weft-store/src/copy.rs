//! Moving the embedded database to PostgreSQL: every table copied from one SQLite read
//! snapshot inside one PostgreSQL transaction, parents before children, secrets copied as the
//! sealed bytes they are (never opened), sequences moved past the copied ids, and each
//! table's rows counted on both sides before the copy is committed. A copy that fails leaves
//! the target as empty as it was.

use std::collections::{BTreeMap, BTreeSet};

use futures::TryStreamExt;
use sqlx::Row;
use sqlx::postgres::{PgPool, Postgres};
use sqlx::sqlite::SqliteRow;

use crate::db::{Pool, failed};
use crate::{Store, StoreError, StoreResult};

/// Tables a fresh migration fills with a row of its own; the copy replaces those rows.
const SEEDED: &[&str] = &["change_counter"];
/// Rows sent to PostgreSQL per statement.
const BATCH: usize = 5_000;

/// One table copied: its name and rows (the same on both sides, or the copy fails).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedTable {
    pub table: String,
    pub rows: i64,
}

/// How a column travels: read from SQLite as this, sent to PostgreSQL as an array of it.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    Integer,
    Boolean,
    Bytes,
    Float,
}

impl Kind {
    fn of(table: &str, column: &str, data_type: &str) -> StoreResult<Kind> {
        Ok(match data_type {
            "text" | "character varying" => Kind::Text,
            "bigint" | "integer" | "smallint" => Kind::Integer,
            "boolean" => Kind::Boolean,
            "bytea" => Kind::Bytes,
            "double precision" | "real" => Kind::Float,
            other => {
                return Err(StoreError::WrongState {
                    message: format!(
                        "{table}.{column} is of type {other} in PostgreSQL, which this copy does not know how to carry"
                    ),
                });
            }
        })
    }

    /// The array type values are bound as (PostgreSQL casts each to the column on insert).
    fn array(self) -> &'static str {
        match self {
            Kind::Text => "text[]",
            Kind::Integer => "bigint[]",
            Kind::Boolean => "boolean[]",
            Kind::Bytes => "bytea[]",
            Kind::Float => "float8[]",
        }
    }
}

/// One column's values of a batch.
enum Values {
    Text(Vec<Option<String>>),
    Integer(Vec<Option<i64>>),
    Boolean(Vec<Option<bool>>),
    Bytes(Vec<Option<Vec<u8>>>),
    Float(Vec<Option<f64>>),
}

impl Values {
    fn new(kind: Kind) -> Values {
        match kind {
            Kind::Text => Values::Text(Vec::new()),
            Kind::Integer => Values::Integer(Vec::new()),
            Kind::Boolean => Values::Boolean(Vec::new()),
            Kind::Bytes => Values::Bytes(Vec::new()),
            Kind::Float => Values::Float(Vec::new()),
        }
    }

    fn push(&mut self, row: &SqliteRow, i: usize) -> Result<(), sqlx::Error> {
        match self {
            Values::Text(v) => v.push(row.try_get(i)?),
            Values::Integer(v) => v.push(row.try_get(i)?),
            Values::Boolean(v) => v.push(row.try_get(i)?),
            Values::Bytes(v) => v.push(row.try_get(i)?),
            Values::Float(v) => v.push(row.try_get(i)?),
        }
        Ok(())
    }

    fn bind<'q>(
        self,
        query: sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
        match self {
            Values::Text(v) => query.bind(v),
            Values::Integer(v) => query.bind(v),
            Values::Boolean(v) => query.bind(v),
            Values::Bytes(v) => query.bind(v),
            Values::Float(v) => query.bind(v),
        }
    }
}

/// A table as PostgreSQL declares it.
struct Table {
    name: String,
    columns: Vec<(String, Kind)>,
}

impl Store {
    /// Copies every table of this embedded store into `target`, a PostgreSQL store migrated to
    /// the same schema and holding nothing yet; answers each table's rows. Refused when this
    /// store is not SQLite, the target not PostgreSQL, their schemas differ, or the target
    /// holds any row.
    pub async fn copy_into(&self, target: &Store) -> StoreResult<Vec<CopiedTable>> {
        let (Pool::Sqlite(from), Pool::Postgres(to)) = (&self.db.pool, &target.db.pool) else {
            return Err(StoreError::WrongState {
                message:
                    "a copy goes from the embedded database (sqlite://) to PostgreSQL (postgres://)"
                        .into(),
            });
        };
        let (ours, _) = self.schema().await?;
        let (theirs, _) = target.schema().await?;
        if ours != theirs {
            return Err(StoreError::WrongState {
                message: format!(
                    "the schemas differ (this database is at migration {}, the target at {}): run the same weft on both",
                    ours.unwrap_or(0),
                    theirs.unwrap_or(0)
                ),
            });
        }
        let tables = tables_in_order(to).await?;
        let mut snapshot = from.begin().await.map_err(failed("reading the database"))?;
        let mut tx = to.begin().await.map_err(failed("the target database"))?;
        for table in &tables {
            if SEEDED.contains(&table.name.as_str()) {
                continue;
            }
            let held: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT EXISTS (SELECT 1 FROM {})",
                quoted(&table.name)
            )))
            .fetch_one(&mut *tx)
            .await
            .map_err(failed("the target database"))?;
            if held {
                return Err(StoreError::Conflict {
                    what: format!(
                        "data in the target database (its table {} has rows): copy only into an empty database",
                        table.name
                    ),
                });
            }
        }
        let mut copied = Vec::with_capacity(tables.len());
        for table in &tables {
            check_columns(&mut snapshot, table).await?;
            if SEEDED.contains(&table.name.as_str()) {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DELETE FROM {}",
                    quoted(&table.name)
                )))
                .execute(&mut *tx)
                .await
                .map_err(failed("the target database"))?;
            }
            let rows = copy_table(&mut snapshot, &mut tx, table).await?;
            let counting = format!("SELECT COUNT(*) FROM {}", quoted(&table.name));
            let source_rows: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(counting.clone()))
                .fetch_one(&mut *snapshot)
                .await
                .map_err(failed("counting rows"))?;
            let target_rows: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(counting))
                .fetch_one(&mut *tx)
                .await
                .map_err(failed("counting the target's rows"))?;
            if source_rows != rows || target_rows != rows {
                return Err(StoreError::WrongState {
                    message: format!(
                        "{}: {source_rows} rows here, {rows} copied, {target_rows} in the target; nothing was committed",
                        table.name
                    ),
                });
            }
            copied.push(CopiedTable {
                table: table.name.clone(),
                rows,
            });
        }
        move_sequences(&mut tx, &tables).await?;
        tx.commit().await.map_err(failed("committing the copy"))?;
        snapshot
            .rollback()
            .await
            .map_err(failed("reading the database"))?;
        Ok(copied)
    }
}

/// A table or column name as SQL takes it (both databases quote with double quotes).
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The target's tables with their columns, each after the tables it refers to.
async fn tables_in_order(to: &PgPool) -> StoreResult<Vec<Table>> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations' \
         ORDER BY table_name",
    )
    .fetch_all(to)
    .await
    .map_err(failed("the target's tables"))?;
    let references: Vec<(String, String)> = sqlx::query_as(
        "SELECT child.relname::text, parent.relname::text FROM pg_constraint c \
         JOIN pg_class child ON child.oid = c.conrelid JOIN pg_class parent ON parent.oid = c.confrelid \
         WHERE c.contype = 'f' AND child.relnamespace = current_schema()::regnamespace",
    )
    .fetch_all(to)
    .await
    .map_err(failed("the target's foreign keys"))?;
    let mut parents: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (child, parent) in &references {
        if child != parent {
            parents.entry(child).or_default().insert(parent);
        }
    }
    // Parents first: each pass takes every table whose parents are placed already.
    let mut placed: Vec<&str> = Vec::with_capacity(names.len());
    while placed.len() < names.len() {
        let ready: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| !placed.contains(n))
            .filter(|n| {
                parents
                    .get(n)
                    .is_none_or(|ps| ps.iter().all(|p| placed.contains(p)))
            })
            .collect();
        if ready.is_empty() {
            return Err(StoreError::WrongState {
                message: "the target's foreign keys form a cycle; the copy cannot order its tables"
                    .into(),
            });
        }
        placed.extend(ready);
    }
    let mut tables = Vec::with_capacity(placed.len());
    for name in placed {
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(name)
        .fetch_all(to)
        .await
        .map_err(failed("the target's columns"))?;
        let columns = columns
            .into_iter()
            .map(|(column, data_type)| {
                let kind = Kind::of(name, &column, &data_type)?;
                Ok((column, kind))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        tables.push(Table {
            name: name.to_owned(),
            columns,
        });
    }
    Ok(tables)
}

/// The embedded database must have every column the target has, by name.
async fn check_columns(
    snapshot: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    table: &Table,
) -> StoreResult<()> {
    let here: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
        .bind(&table.name)
        .fetch_all(&mut **snapshot)
        .await
        .map_err(failed("reading the database"))?;
    if here.is_empty() {
        return Err(StoreError::WrongState {
            message: format!("the table {} is missing from this database", table.name),
        });
    }
    for (column, _) in &table.columns {
        if !here.contains(column) {
            return Err(StoreError::WrongState {
                message: format!("{}.{column} is missing from this database", table.name),
            });
        }
    }
    Ok(())
}

/// Streams one table from the snapshot into the target, a batch a statement; answers rows.
async fn copy_table(
    snapshot: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    tx: &mut sqlx::Transaction<'_, Postgres>,
    table: &Table,
) -> StoreResult<i64> {
    let names: Vec<String> = table.columns.iter().map(|(c, _)| quoted(c)).collect();
    let select = format!("SELECT {} FROM {}", names.join(", "), quoted(&table.name));
    let arrays: Vec<String> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| format!("${}::{}", i + 1, kind.array()))
        .collect();
    let insert = format!(
        "INSERT INTO {} ({}) SELECT * FROM UNNEST({})",
        quoted(&table.name),
        names.join(", "),
        arrays.join(", ")
    );
    let fresh = || -> Vec<Values> {
        table
            .columns
            .iter()
            .map(|(_, kind)| Values::new(*kind))
            .collect()
    };
    let reading = |e: sqlx::Error| StoreError::Database {
        what: format!("reading {}", table.name),
        message: e.to_string(),
    };
    let mut copied = 0i64;
    let mut batch = fresh();
    let mut in_batch = 0usize;
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(select)).fetch(&mut **snapshot);
    loop {
        let row = rows.try_next().await.map_err(reading)?;
        if let Some(row) = &row {
            for (i, values) in batch.iter_mut().enumerate() {
                values.push(row, i).map_err(|e| StoreError::Database {
                    what: format!("reading {}.{}", table.name, table.columns[i].0),
                    message: e.to_string(),
                })?;
            }
            in_batch += 1;
        }
        if in_batch > 0 && (row.is_none() || in_batch == BATCH) {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(insert.clone()));
            for values in std::mem::replace(&mut batch, fresh()) {
                query = values.bind(query);
            }
            let written = query
                .execute(&mut **tx)
                .await
                .map_err(|e| StoreError::Database {
                    what: format!("writing {} to the target", table.name),
                    message: e.to_string(),
                })?;
            copied += written.rows_affected() as i64;
            in_batch = 0;
        }
        if row.is_none() {
            return Ok(copied);
        }
    }
}

/// Moves each serial column's sequence past the ids copied, so the next row gets a new one.
async fn move_sequences(
    tx: &mut sqlx::Transaction<'_, Postgres>,
    tables: &[Table],
) -> StoreResult<()> {
    for table in tables {
        for (column, _) in &table.columns {
            let sequence: Option<String> =
                sqlx::query_scalar("SELECT pg_get_serial_sequence($1, $2)")
                    .bind(&table.name)
                    .bind(column)
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(failed("the target's sequences"))?;
            if let Some(sequence) = sequence {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT setval($1, COALESCE((SELECT MAX({}) FROM {}), 0) + 1, false)",
                    quoted(column),
                    quoted(&table.name)
                )))
                .bind(&sequence)
                .execute(&mut **tx)
                .await
                .map_err(failed("the target's sequences"))?;
            }
        }
    }
    Ok(())
}
