//! The SQLite reference for `make bench` (scripts/bench.sh): how many times per second SQLite itself
//! runs the SQL an endpoint essentially executes, with nothing of salesops around it.
//!
//! It is the SQLite counterpart of pgbench: `--threads` connections opened like the server opens
//! them (`connection::sqlite_pragmas`: busy_timeout, WAL, `synchronous` as
//! `SALESOPS_SQLITE_SYNCHRONOUS` says, as for the server, foreign_keys), each running a script in a loop for `--seconds`, through diesel's SQLite
//! connection (prepared-statement cache, bound parameters, every column of every row read as
//! text, as pgbench receives it). It prints one line: `<transactions/s> <transactions> <seconds>`.
//!
//! A script is SQL statements, each ending with `;` at the end of a line, with named
//! parameters that take a fresh value on every run of the script:
//!
//! | parameter            | value                                                               |
//! |----------------------|---------------------------------------------------------------------|
//! | `:n`                 | a random row number in `--range LO:HI`                              |
//! | `:id`                | the seeded lead id of row `n` (`0190a000-0000-7000-8000-<n:012>`)   |
//! | `:created_at`, `:created_at2`, `:created_at3` | the seeded `created_at` of row `n`, as diesel writes it |
//! | `:new_id`, `:new_id2`| fresh UUIDv7 strings, like `salesops_domain::new_id`                |
//! | `:now`               | the current UTC time, microseconds, as diesel writes it             |
//! | `:email`, `:email_normalized`, `:phone`, `:phone_normalized` | unique per run of the script |
//! | anything else        | a constant: a `\set name value` line of the script, or `--set name=value` |
//!
//! A parameter has one value per run of the script, whichever statements use it (the lead's
//! `:new_id` is also its audit event's `entity_id`). Constants that read as whole numbers are bound
//! as integers, the rest as text. `SELECT`s are read to the last row; other statements are executed.
//!
//! Usage: cargo run --release -p salesops-persistence --example sqlite_reference -- \
//!     --db bench.db --script scripts/bench/get_lead.sqlite.sql --threads 2 --seconds 15 \
//!     --range 1:100000 [--set admin=<id>]

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::deserialize::{self, FromSql, QueryableByName};
use diesel::row::{Field, NamedRow, Row};
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::{Sqlite, SqliteConnection};
use diesel::{Connection, RunQueryDsl};
use salesops_persistence::SqliteSynchronous;
use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// The server's connection set-up, with `synchronous` read as the server reads it.
fn sqlite_pragmas() -> Result<String, String> {
    let synchronous = match std::env::var("SALESOPS_SQLITE_SYNCHRONOUS") {
        Ok(word) if !word.trim().is_empty() => word.trim().parse::<SqliteSynchronous>()?,
        _ => SqliteSynchronous::default(),
    };
    Ok(salesops_persistence::connection::sqlite_pragmas(synchronous))
}

/// Any row, every column read as text (or NULL): what a client receives, decoded minimally.
struct AnyRow {
    _values: Vec<Option<String>>,
}

impl QueryableByName<Sqlite> for AnyRow {
    fn build<'a>(row: &impl NamedRow<'a, Sqlite>) -> deserialize::Result<Self> {
        let count = Row::field_count(row);
        let mut values = Vec::with_capacity(count);
        for i in 0..count {
            let field = Row::get(row, i).ok_or("a column is missing")?;
            values.push(match field.value() {
                None => None,
                Some(raw) => Some(<String as FromSql<Text, Sqlite>>::from_sql(raw)?),
            });
        }
        Ok(AnyRow { _values: values })
    }
}

/// A parameter's value for one run of the script.
enum Value {
    Int(i64),
    Text(String),
}

/// One statement of the script, with its named parameters in the order SQLite numbers them.
struct Statement {
    sql: String,
    params: Vec<String>,
    select: bool,
}

/// Named parameters (`:name`) outside quotes, each once, in order of first appearance.
fn named_params(sql: &str) -> Vec<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut params: Vec<String> = Vec::new();
    let mut quote: Option<char> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == ':' && chars.get(i + 1).is_some_and(|d| d.is_ascii_alphabetic() || *d == '_') => {
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_') {
                    end += 1;
                }
                let name: String = chars[start..end].iter().collect();
                if !params.contains(&name) {
                    params.push(name);
                }
                i = end;
                continue;
            }
            None => {}
        }
        i += 1;
    }
    params
}

/// Statements end with `;` at the end of a line; `--` comment lines are dropped, and
/// `\set name value` lines define constants.
fn parse_script(text: &str, constants: &mut HashMap<String, String>) -> Vec<Statement> {
    let mut statements = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with("--") {
            continue;
        }
        if let Some(rest) = line.trim_start().strip_prefix("\\set ") {
            let (name, value) = rest.trim().split_once(' ').unwrap_or((rest.trim(), ""));
            constants.entry(name.to_owned()).or_insert_with(|| value.trim().to_owned());
            continue;
        }
        current.push_str(line);
        current.push('\n');
        if line.trim_end().ends_with(';') {
            let sql = current.trim().to_owned();
            current.clear();
            let select = sql.to_ascii_uppercase().starts_with("SELECT");
            statements.push(Statement { params: named_params(&sql), sql, select });
        }
    }
    statements
}

/// A small xorshift generator: random enough to pick row numbers, and no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1).max(1);
        lo + i64::try_from(self.next() % span).unwrap_or(0)
    }
}

/// The seeded `created_at` of row `n` (see scripts/bench/seed_leads.sqlite.sql), as diesel writes it.
fn seeded_created_at(n: i64) -> String {
    let base: NaiveDateTime =
        NaiveDate::from_ymd_opt(2025, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or_default();
    (base + Duration::seconds(n * 300 + (n * 7919) % 300)).format("%F %T%.f").to_string()
}

struct Options {
    db: String,
    script: String,
    threads: usize,
    seconds: f64,
    range: (i64, i64),
    constants: HashMap<String, String>,
}

fn parse_args() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let (mut db, mut script, mut threads, mut seconds, mut range) = (None, None, 2, 10.0, (1, 1));
    let mut constants = HashMap::new();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--db" => db = Some(value()?),
            "--script" => script = Some(value()?),
            "--threads" => threads = value()?.parse().map_err(|e| format!("--threads: {e}"))?,
            "--seconds" => seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--range" => {
                let v = value()?;
                let (lo, hi) = v.split_once(':').ok_or("--range is LO:HI")?;
                range = (lo.parse().map_err(|_| "--range LO")?, hi.parse().map_err(|_| "--range HI")?);
            }
            "--set" => {
                let v = value()?;
                let (k, val) = v.split_once('=').ok_or("--set is name=value")?;
                constants.insert(k.to_owned(), val.to_owned());
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Options {
        db: db.ok_or("--db is required")?,
        script: script.ok_or("--script is required")?,
        threads: threads.max(1),
        seconds,
        range,
        constants,
    })
}

/// Run the script in a loop on one connection until `stop`; the number of complete runs.
fn worker(
    options: &Options,
    statements: &[Statement],
    constants: &HashMap<String, String>,
    thread: usize,
    stop: &AtomicBool,
    done: &AtomicU64,
) -> Result<(), String> {
    let mut conn = SqliteConnection::establish(&options.db).map_err(|e| e.to_string())?;
    conn.batch_execute(&sqlite_pragmas()?).map_err(|e| e.to_string())?;
    let seed = Utc::now().timestamp_nanos_opt().unwrap_or(1).unsigned_abs() ^ ((thread as u64 + 1) << 40);
    let mut rng = Rng(seed | 1);
    let mut counter: u64 = 0;
    while !stop.load(Ordering::Relaxed) {
        counter += 1;
        let n = rng.between(options.range.0, options.range.1);
        let mut values: HashMap<&str, Value> = HashMap::new();
        for statement in statements {
            if statement.params.is_empty() && !statement.select {
                conn.batch_execute(&statement.sql).map_err(|e| format!("{}: {e}", statement.sql))?;
                continue;
            }
            let mut query = diesel::sql_query(statement.sql.as_str()).into_boxed::<Sqlite>();
            for name in &statement.params {
                if !values.contains_key(name.as_str()) {
                    let value = match name.as_str() {
                        "n" => Value::Int(n),
                        "id" => Value::Text(format!("0190a000-0000-7000-8000-{n:012}")),
                        "created_at" | "created_at2" | "created_at3" => Value::Text(seeded_created_at(n)),
                        "new_id" | "new_id2" => Value::Text(uuid::Uuid::now_v7().to_string()),
                        "now" => Value::Text(Utc::now().naive_utc().format("%F %T%.6f").to_string()),
                        "email" => Value::Text(format!("Ref-{thread}-{counter}@Example.com")),
                        "email_normalized" => Value::Text(format!("ref-{thread}-{counter}@example.com")),
                        "phone" => Value::Text(format!("+86 137{}{:07}", thread % 10, counter % 10_000_000)),
                        "phone_normalized" => Value::Text(format!("137{}{:07}", thread % 10, counter % 10_000_000)),
                        other => {
                            let text = constants.get(other).cloned().ok_or_else(|| format!("no value for :{other}"))?;
                            text.parse::<i64>().map(Value::Int).unwrap_or(Value::Text(text))
                        }
                    };
                    values.insert(name.as_str(), value);
                }
                query = match &values[name.as_str()] {
                    Value::Int(i) => query.bind::<BigInt, _>(*i),
                    Value::Text(t) => query.bind::<Text, _>(t.clone()),
                };
            }
            if statement.select {
                let rows: Vec<AnyRow> = query.load(&mut conn).map_err(|e| format!("{}: {e}", statement.sql))?;
                std::hint::black_box(rows);
            } else {
                query.execute(&mut conn).map_err(|e| format!("{}: {e}", statement.sql))?;
            }
        }
        done.fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(o) => Arc::new(o),
        Err(e) => {
            eprintln!("sqlite_reference: {e}");
            return ExitCode::from(2);
        }
    };
    let text = match std::fs::read_to_string(&options.script) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("sqlite_reference: {}: {e}", options.script);
            return ExitCode::from(2);
        }
    };
    let mut constants = options.constants.clone();
    let statements = Arc::new(parse_script(&text, &mut constants));
    let constants = Arc::new(constants);
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let handles: Vec<_> = (0..options.threads)
        .map(|thread| {
            let (options, statements, constants) = (options.clone(), statements.clone(), constants.clone());
            let (stop, done) = (stop.clone(), done.clone());
            std::thread::spawn(move || {
                let result = worker(&options, &statements, &constants, thread, &stop, &done);
                if result.is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
                result
            })
        })
        .collect();
    while started.elapsed().as_secs_f64() < options.seconds && !stop.load(Ordering::Relaxed) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    let mut failed = false;
    for handle in handles {
        match handle.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                eprintln!("sqlite_reference: {e}");
                failed = true;
            }
            Err(_) => {
                eprintln!("sqlite_reference: a worker panicked");
                failed = true;
            }
        }
    }
    if failed {
        return ExitCode::FAILURE;
    }
    let total = done.load(Ordering::Relaxed);
    println!("{:.1} {total} {elapsed:.2}", total as f64 / elapsed);
    ExitCode::SUCCESS
}
