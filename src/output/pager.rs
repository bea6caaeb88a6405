//! A pager for long text on a terminal, as git does: `$PAGER` (run by the shell), else
//! `less` with `LESS=FRX` unless `LESS` is set (quit when the text fits one screen, keep
//! colours, leave the text on the screen). Without a pager, or when it cannot start,
//! text goes straight to stdout.

use std::io::{self, Write};
use std::process::{Child, Command, Stdio};

/// Where `show` writes: a pager's stdin, or stdout.
pub struct Pager {
    child: Option<Child>,
}

impl Pager {
    /// A pager when `wanted` and stdout is a terminal, else none. `pager` is `$PAGER`:
    /// empty or `cat` means no pager.
    pub fn start(wanted: bool, pager: Option<&str>) -> Pager {
        use std::io::IsTerminal;
        if !wanted || !io::stdout().is_terminal() {
            return Pager { child: None };
        }
        let command = match pager.map(str::trim) {
            Some("" | "cat") => return Pager { child: None },
            Some(command) => {
                let mut c = Command::new("sh");
                c.arg("-c").arg(command);
                c
            }
            None => {
                let mut c = Command::new("less");
                if std::env::var_os("LESS").is_none() {
                    c.env("LESS", "FRX");
                }
                c
            }
        };
        Pager {
            child: spawn(command),
        }
    }

    /// Writes `text` to the pager (or stdout) and waits for the pager to quit. A pager
    /// quit early (`q` in less) is not an error.
    pub fn show(self, text: &[u8]) -> io::Result<()> {
        let Some(mut child) = self.child else {
            let mut out = io::stdout().lock();
            out.write_all(text)?;
            return out.flush();
        };
        if let Some(mut stdin) = child.stdin.take() {
            match stdin.write_all(text) {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => return Err(e),
                _ => {}
            }
        }
        child.wait()?;
        Ok(())
    }
}

fn spawn(mut command: Command) -> Option<Child> {
    command.stdin(Stdio::piped()).spawn().ok()
}
