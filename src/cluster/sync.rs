//! The sync: makes the cluster hold exactly the documents of a local index, sending only
//! what changed since the cluster last acknowledged it.
//!
//! The local ingest stays the one that parses files, plans the incremental run and
//! de-duplicates teasers; the sync reads its result (the live documents, as
//! `crate::index::export` gives them) and compares it with a state file beside the index
//! (`cluster-sync.bin`) that records, per document, the hash of what the cluster
//! acknowledged. New and changed documents are `REPLACE`d in batches into the shard their
//! id hashes to (each shard fed from its own thread, so shards on their own hosts take
//! their batches at once); documents gone from the index are `DELETE`d. A batch enters the state
//! only once its statement succeeded, so nothing is counted as sent that the cluster did
//! not take, and an interrupted sync resumes where it stopped. When the index has not
//! committed since the last sync, nothing is read or sent.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::client::Node;
use super::config::DISTRIBUTED_INDEX;
use super::document::{self, Row, COLUMNS};
use super::ClusterUrl;
use crate::index::{export, schema};

/// The state file, in the index directory.
pub const STATE_FILE: &str = "cluster-sync.bin";
/// Rows per `REPLACE` statement, and bytes (well under `max_packet_size`).
const BATCH_ROWS: usize = 500;
const BATCH_BYTES: usize = 2 << 20;
/// Batches queued for a shard while it works on one.
const BATCHES_IN_FLIGHT: usize = 2;
/// Ids per `DELETE` statement.
const DELETE_BATCH: usize = 1000;

/// What a sync did.
#[derive(Debug, Clone, Default)]
pub struct SyncSummary {
    /// Documents sent (new or changed) and deleted, acknowledged by the cluster.
    pub sent: u64,
    pub deleted: u64,
    /// Documents the cluster already had as they are.
    pub unchanged: u64,
    /// The index had not changed since the last sync: nothing was read.
    pub up_to_date: bool,
    /// Documents the cluster holds after the sync.
    pub cluster_total: u64,
    pub shards: usize,
    pub elapsed: Duration,
}

/// What the cluster acknowledged, as of one commit of the local index.
#[derive(Debug, Default, Serialize, Deserialize)]
struct SyncState {
    /// The head, and the shards it named (`host:port:index`), when it was acknowledged.
    url: String,
    shards: Vec<String>,
    /// The local index's opstamp the cluster is equal to (0: not equal to any).
    opstamp: u64,
    /// Sphinx id → hash of the document the cluster holds.
    docs: HashMap<u64, u64>,
}

impl SyncState {
    fn load(path: &Path) -> anyhow::Result<Option<SyncState>> {
        match fs::read(path) {
            Ok(bytes) => Ok(bincode::deserialize(&bytes).ok()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// Written aside, then renamed: a crash leaves the old state or the new one.
    fn save(&self, path: &Path) -> anyhow::Result<()> {
        let tmp = path.with_extension("tmp");
        fs::write(&tmp, bincode::serialize(self)?)
            .with_context(|| format!("writing {}", tmp.display()))?;
        fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
    }
}

/// A shard as the head names it.
struct Shard {
    node: Node,
    index: String,
}

/// Brings the cluster at `url` to the documents of the index in `index_dir`.
/// `note` hears what the user should know (a cluster that lost documents, …).
pub fn sync(
    index_dir: &Path,
    url: &ClusterUrl,
    note: &mut dyn FnMut(&str),
) -> anyhow::Result<SyncSummary> {
    let started = Instant::now();
    let (index, _) = schema::open_index(index_dir)?;
    let opstamp = index.load_metas()?.opstamp;
    let state_path = index_dir.join(STATE_FILE);
    let mut head = Node::connect("head", &url.host, url.port)?;
    let (mut shards, names) = shards(&mut head)?;
    let mut state = SyncState::load(&state_path)?.unwrap_or_default();
    let held = cluster_count(&mut head)?;
    if state.url != url.to_string() || state.shards != names {
        if !state.docs.is_empty() {
            note(&format!(
                "{url} is not the cluster last synced ({}): sending everything",
                state.url
            ));
        }
        state = fresh(url, names);
        if held > 0 {
            note(&format!(
                "the cluster holds {held} documents newsfind did not send: emptying it"
            ));
            truncate(&mut shards)?;
        }
    } else if held != state.docs.len() as u64 {
        note(&format!(
            "the cluster holds {held} documents, {} were acknowledged: emptying it and \
             sending everything",
            state.docs.len()
        ));
        truncate(&mut shards)?;
        state = fresh(url, names);
    }
    let mut summary = SyncSummary {
        shards: shards.len(),
        ..SyncSummary::default()
    };
    if state.opstamp == opstamp && opstamp != 0 {
        summary.up_to_date = true;
        summary.unchanged = state.docs.len() as u64;
        summary.cluster_total = held;
        summary.elapsed = started.elapsed();
        return Ok(summary);
    }
    // Until the end, the cluster is not equal to any commit.
    state.opstamp = 0;
    let result = send(&index, &mut shards, &mut state, &mut summary);
    let saved = state.save(&state_path);
    result?;
    state.opstamp = opstamp;
    saved?;
    state.save(&state_path)?;
    summary.cluster_total = cluster_count(&mut head)?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

fn fresh(url: &ClusterUrl, shards: Vec<String>) -> SyncState {
    SyncState {
        url: url.to_string(),
        shards,
        ..SyncState::default()
    }
}

/// Sends what changed and deletes what is gone, updating `state` with what the shards
/// acknowledged (also when one of them fails).
fn send(
    index: &tantivy::Index,
    shards: &mut [Shard],
    state: &mut SyncState,
    summary: &mut SyncSummary,
) -> anyhow::Result<()> {
    let live = feed(index, shards, state, summary)?;
    let mut gone: Vec<Vec<u64>> = vec![Vec::new(); shards.len()];
    for id in state.docs.keys().filter(|id| !live.contains(id)) {
        gone[document::shard_of(*id, shards.len())].push(*id);
    }
    for (k, ids) in gone.into_iter().enumerate() {
        for chunk in ids.chunks(DELETE_BATCH) {
            let list: Vec<String> = chunk.iter().map(u64::to_string).collect();
            let shard = &mut shards[k];
            shard.node.execute(&format!(
                "DELETE FROM {} WHERE id IN ({})",
                shard.index,
                list.join(",")
            ))?;
            for id in chunk {
                state.docs.remove(id);
            }
            summary.deleted += chunk.len() as u64;
        }
    }
    Ok(())
}

/// Sends the new and changed documents, each shard from its own thread (shards take
/// their batches at the same time, as they would on their own hosts); returns the ids of
/// every live document.
fn feed(
    index: &tantivy::Index,
    shards: &mut [Shard],
    state: &mut SyncState,
    summary: &mut SyncSummary,
) -> anyhow::Result<HashSet<u64>> {
    let count = shards.len();
    let mut live: HashSet<u64> = HashSet::with_capacity(state.docs.len());
    let (read, outcomes) = std::thread::scope(|scope| {
        let mut senders = Vec::with_capacity(count);
        let mut workers = Vec::with_capacity(count);
        for shard in shards.iter_mut() {
            let (tx, rx) = mpsc::sync_channel::<Batch>(BATCHES_IN_FLIGHT);
            senders.push(tx);
            workers.push(scope.spawn(move || {
                let mut acks: Vec<(u64, u64)> = Vec::new();
                for batch in rx {
                    if let Err(err) = batch.send(shard) {
                        return (acks, Err(err));
                    }
                    acks.extend(batch.acks);
                }
                (acks, Ok(()))
            }));
        }
        let mut pending: Vec<Batch> = (0..count).map(|_| Batch::default()).collect();
        let known = &state.docs;
        let read = export::for_each_document(index, |doc| {
            let Some(row) = document::row(&doc) else {
                return Ok(());
            };
            let hash = xxhash_rust::xxh3::xxh3_64(&serde_json::to_vec(&doc)?);
            live.insert(row.id);
            if known.get(&row.id) == Some(&hash) {
                summary.unchanged += 1;
                return Ok(());
            }
            let k = document::shard_of(row.id, count);
            pending[k].push(row, hash);
            if pending[k].is_full() {
                let batch = std::mem::take(&mut pending[k]);
                // A closed channel: that shard failed; its worker says why.
                senders[k]
                    .send(batch)
                    .map_err(|_| anyhow::anyhow!("a shard stopped taking documents"))?;
            }
            Ok(())
        });
        for (k, batch) in pending.into_iter().enumerate() {
            if !batch.acks.is_empty() {
                let _ = senders[k].send(batch);
            }
        }
        drop(senders);
        let outcomes: Vec<_> = workers
            .into_iter()
            .map(|w| w.join().expect("a shard's sender panicked"))
            .collect();
        (read, outcomes)
    });
    let mut first_error = None;
    for (acks, outcome) in outcomes {
        summary.sent += acks.len() as u64;
        state.docs.extend(acks);
        if let Err(err) = outcome {
            first_error.get_or_insert(err);
        }
    }
    match (first_error, read) {
        (Some(err), _) | (None, Err(err)) => Err(err),
        (None, Ok(())) => Ok(live),
    }
}

/// Rows waiting for one shard.
#[derive(Default)]
struct Batch {
    values: Vec<String>,
    /// Sphinx id and hash of each row, recorded once the shard took them.
    acks: Vec<(u64, u64)>,
    bytes: usize,
}

impl Batch {
    fn push(&mut self, row: Row, hash: u64) {
        let mut sql = format!("({}", row.id);
        for value in &row.values {
            sql.push(',');
            sql.push_str(&value.sql());
        }
        sql.push(')');
        self.bytes += sql.len();
        self.values.push(sql);
        self.acks.push((row.id, hash));
    }

    fn is_full(&self) -> bool {
        self.values.len() >= BATCH_ROWS || self.bytes >= BATCH_BYTES
    }

    /// One `REPLACE` of every row (retried by the node when the connection fails).
    fn send(&self, shard: &mut Shard) -> anyhow::Result<()> {
        let columns: Vec<&str> = COLUMNS.iter().map(|(name, _)| *name).collect();
        let sql = format!(
            "REPLACE INTO {} (id, {}) VALUES {}",
            shard.index,
            columns.join(", "),
            self.values.join(",")
        );
        shard.node.execute(&sql)?;
        Ok(())
    }
}

/// The shards of the head's distributed index, connected, in the order of its agents;
/// and their names (`host:port:index`) for the state. A shard answers SphinxQL one port
/// below its agent port (see `super::config`).
fn shards(head: &mut Node) -> anyhow::Result<(Vec<Shard>, Vec<String>)> {
    let table = head
        .query(&format!("DESCRIBE {DISTRIBUTED_INDEX}"))
        .with_context(|| {
            format!("the head has no index {DISTRIBUTED_INDEX:?}: is it a newsfind cluster?")
        })?;
    let mut shards = Vec::new();
    let mut names = Vec::new();
    for row in &table.rows {
        let Some(agent) = row.first() else { continue };
        let parts: Vec<&str> = agent.rsplitn(3, ':').collect();
        let [index, port, host] = parts.as_slice() else {
            anyhow::bail!("the head names a shard {agent:?}, not HOST:PORT:INDEX");
        };
        let port: u16 = port
            .parse()
            .ok()
            .filter(|&p: &u16| p > 1)
            .with_context(|| format!("the head names a shard {agent:?} with a bad port"))?;
        let node = Node::connect(index, host, port - 1)?;
        names.push(agent.clone());
        shards.push(Shard {
            node,
            index: index.to_string(),
        });
    }
    if shards.is_empty() {
        anyhow::bail!("the head's index {DISTRIBUTED_INDEX:?} has no shards");
    }
    Ok((shards, names))
}

fn cluster_count(head: &mut Node) -> anyhow::Result<u64> {
    let table = head.query(&format!("SELECT COUNT(*) FROM {DISTRIBUTED_INDEX}"))?;
    Ok(table
        .rows
        .first()
        .and_then(|r| r.first())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0))
}

fn truncate(shards: &mut [Shard]) -> anyhow::Result<()> {
    for shard in shards {
        shard
            .node
            .execute(&format!("TRUNCATE RTINDEX {}", shard.index))?;
    }
    Ok(())
}
