//! One connection to one cluster node over SphinxQL (the MySQL protocol, through the
//! `mysql` crate), with retries and back-off, and errors that name the node.

use std::fmt;
use std::thread::sleep;
use std::time::Duration;

use mysql::prelude::Queryable;

/// Attempts of a statement before giving up on a node.
const ATTEMPTS: u32 = 5;
/// Wait before the second attempt; doubled for each next one (0.1 + 0.2 + 0.4 + 0.8 s).
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const IO_TIMEOUT: Duration = Duration::from_secs(120);

/// A result set as text: the column names and the rows (NULL as an empty string).
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The position of a column, or an error naming it.
    pub fn column(&self, name: &str) -> anyhow::Result<usize> {
        self.columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(name))
            .ok_or_else(|| anyhow::anyhow!("the cluster answered without a column {name:?}"))
    }
}

/// A connected node.
pub struct Node {
    /// What the node is, for messages: `head`, `newsfind_shard1`.
    pub name: String,
    pub host: String,
    pub port: u16,
    conn: Option<mysql::Conn>,
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}:{}", self.name, self.host, self.port)
    }
}

impl Node {
    /// Connects, retrying with back-off; the error says which node does not answer.
    pub fn connect(name: &str, host: &str, port: u16) -> anyhow::Result<Node> {
        let mut node = Node {
            name: name.to_string(),
            host: host.to_string(),
            port,
            conn: None,
        };
        node.with_retries(|_| Ok(()))?;
        Ok(node)
    }

    /// Runs a statement that returns rows (the first result set).
    pub fn query(&mut self, sql: &str) -> anyhow::Result<Table> {
        self.with_retries(|conn| {
            let mut result = conn.query_iter(sql)?;
            let mut table = Table::default();
            if let Some(set) = result.iter() {
                table.columns = set
                    .columns()
                    .as_ref()
                    .iter()
                    .map(|c| c.name_str().into_owned())
                    .collect();
                for row in set {
                    let row = row?;
                    table.rows.push(
                        row.unwrap()
                            .into_iter()
                            .map(|v| match v {
                                mysql::Value::Bytes(b) => String::from_utf8_lossy(&b).into_owned(),
                                mysql::Value::NULL => String::new(),
                                other => other.as_sql(true).trim_matches('\'').to_string(),
                            })
                            .collect(),
                    );
                }
            }
            Ok(table)
        })
    }

    /// Runs a statement without rows; returns the rows it affected.
    pub fn execute(&mut self, sql: &str) -> anyhow::Result<u64> {
        self.with_retries(|conn| {
            conn.query_drop(sql)?;
            Ok(conn.affected_rows())
        })
    }

    /// Runs `f` on a live connection. Lost connections and refused connects are retried
    /// (the statements newsfind sends are all idempotent: REPLACE, DELETE by id, SELECT);
    /// an error the server answers is not.
    fn with_retries<T>(
        &mut self,
        mut f: impl FnMut(&mut mysql::Conn) -> Result<T, mysql::Error>,
    ) -> anyhow::Result<T> {
        let mut wait = FIRST_BACKOFF;
        let mut attempt = 1;
        loop {
            let result = match self.conn.as_mut() {
                Some(conn) => f(conn),
                None => self.open().and_then(|conn| f(self.conn.insert(conn))),
            };
            match result {
                Ok(value) => return Ok(value),
                Err(mysql::Error::MySqlError(err)) => {
                    anyhow::bail!("cluster node {self}: {}", err.message)
                }
                Err(err) if attempt >= ATTEMPTS => {
                    anyhow::bail!(
                        "cluster node {self} does not answer ({err}) after {ATTEMPTS} attempts: \
                         is its searchd running?"
                    )
                }
                Err(_) => {
                    self.conn = None;
                    sleep(wait);
                    wait *= 2;
                    attempt += 1;
                }
            }
        }
    }

    fn open(&self) -> Result<mysql::Conn, mysql::Error> {
        let opts = mysql::OptsBuilder::new()
            .ip_or_hostname(Some(self.host.clone()))
            .tcp_port(self.port)
            .prefer_socket(false)
            .tcp_connect_timeout(Some(CONNECT_TIMEOUT))
            .read_timeout(Some(IO_TIMEOUT))
            .write_timeout(Some(IO_TIMEOUT));
        mysql::Conn::new(opts)
    }
}
