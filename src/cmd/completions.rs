//! `newsfind completions SHELL` and `newsfind man`: generated from the clap definitions.

use std::io::Write;

use clap::CommandFactory;

use anyhow::Context;

use crate::cli::{Cli, CompletionsArgs, ManArgs};

pub fn run(args: CompletionsArgs) -> anyhow::Result<u8> {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cmd, "newsfind", &mut out);
    out.flush()?;
    Ok(super::EXIT_OK)
}

/// newsfind(1), whose SEE ALSO names a page per subcommand (newsfind-index(1), ...); one
/// of those with a subcommand's name; or all of them written to `--dir`.
pub fn man(args: ManArgs) -> anyhow::Result<u8> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        clap_mangen::generate_to(cmd, dir)
            .with_context(|| format!("writing man pages into {}", dir.display()))?;
        return Ok(super::EXIT_OK);
    }
    let page = match &args.command {
        None => cmd,
        Some(name) => {
            let names: Vec<&str> = cmd
                .get_subcommands()
                .filter(|s| !s.is_hide_set())
                .map(|s| s.get_name())
                .collect();
            match cmd.find_subcommand(name).filter(|s| !s.is_hide_set()) {
                Some(sub) => sub.clone(),
                None => anyhow::bail!(
                    "no subcommand {name:?}: man pages exist for {}",
                    names.join(", ")
                ),
            }
        }
    };
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(page).render(&mut out)?;
    out.flush()?;
    Ok(super::EXIT_OK)
}
