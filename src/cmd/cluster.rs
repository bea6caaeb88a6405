//! `newsfind cluster config` and `newsfind cluster sync` (also run by `newsfind index
//! --to`): a Sphinx/Manticore cluster's configuration, and the sync of an index to it.

use std::fs;
use std::path::Path;

use anyhow::Context;

use crate::cli::{ClusterCommand, ClusterConfigArgs};
use crate::cluster::config::Layout;
use crate::cluster::sync::{sync, SyncSummary};
use crate::cluster::ClusterUrl;
use crate::output::thousands;

pub fn run(command: ClusterCommand) -> anyhow::Result<u8> {
    match command {
        ClusterCommand::Config(args) => config(args),
        ClusterCommand::Sync(args) => {
            sync_and_report(&args.index.dir, &args.to, false)?;
            Ok(super::EXIT_OK)
        }
    }
}

fn config(args: ClusterConfigArgs) -> anyhow::Result<u8> {
    // searchd reads the paths from anywhere: make them absolute.
    let data_dir = std::path::absolute(&args.data_dir)
        .with_context(|| format!("--data-dir {}", args.data_dir.display()))?;
    let out = args.out.unwrap_or_else(|| data_dir.clone());
    let layout = Layout {
        shards: args.shards,
        hosts: args.hosts,
        port: args.port,
        data_dir: data_dir.clone(),
    };
    let nodes = layout.nodes()?;
    fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    for node in &nodes {
        let dir = data_dir.join(&node.name);
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let file = out.join(format!("{}.conf", node.name));
        fs::write(&file, &node.text).with_context(|| format!("writing {}", file.display()))?;
        println!(
            "{:<8} {}:{:<6} {}",
            node.name,
            node.host,
            node.sql_port,
            file.display()
        );
    }
    let head = &nodes[0];
    let url = ClusterUrl {
        host: head.host.clone(),
        port: head.sql_port,
    };
    eprintln!("start each node on its host: searchd --config NODE.conf (the shards first)");
    eprintln!("then: newsfind index ARCHIVE --to {url}");
    eprintln!("      newsfind search QUERY --remote {url}");
    Ok(super::EXIT_OK)
}

/// Syncs the index in `dir` to the cluster and says what happened on stderr.
pub fn sync_and_report(dir: &Path, url: &ClusterUrl, quiet: bool) -> anyhow::Result<()> {
    let summary = sync(dir, url, &mut |note| eprintln!("newsfind: {note}"))
        .with_context(|| format!("syncing {} to {url}", dir.display()))?;
    if !quiet {
        print_summary(&summary, url);
    }
    Ok(())
}

fn print_summary(s: &SyncSummary, url: &ClusterUrl) {
    if s.up_to_date {
        eprintln!(
            "{url} is up to date: {} documents on {} shards, nothing sent",
            thousands(s.cluster_total),
            s.shards
        );
        return;
    }
    let secs = s.elapsed.as_secs_f64();
    eprintln!(
        "sent {} documents and deleted {} on {url} ({} unchanged); it holds {} documents on {} \
         shards",
        thousands(s.sent),
        thousands(s.deleted),
        thousands(s.unchanged),
        thousands(s.cluster_total),
        s.shards
    );
    eprintln!(
        "synced in {secs:.2} s ({} documents/s)",
        thousands(((s.sent + s.deleted) as f64 / secs.max(1e-9)).round() as u64)
    );
}
