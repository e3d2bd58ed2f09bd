//! Progress of long work on stderr: a bar on a terminal, a line per tenth
//! otherwise (logs stay readable).

use std::io::{IsTerminal, Write};

pub struct Progress {
    label: &'static str,
    tty: bool,
    last_tenth: usize,
}

impl Progress {
    pub fn new(label: &'static str) -> Self {
        Progress {
            label,
            tty: std::io::stderr().is_terminal(),
            last_tenth: 0,
        }
    }

    /// `total` 0 means not yet known: only the count is shown.
    pub fn update(&mut self, done: usize, total: usize) {
        let mut err = std::io::stderr();
        if total == 0 {
            if self.tty {
                let _ = write!(err, "\r{}：{} 行", self.label, done);
            } else if done.is_multiple_of(10_000) {
                let _ = writeln!(err, "{}：{} 行", self.label, done);
            }
            return;
        }
        if self.tty {
            let filled = done * 30 / total;
            let _ = write!(
                err,
                "\r{} [{}{}] {}/{}",
                self.label,
                "#".repeat(filled),
                "-".repeat(30 - filled),
                done,
                total
            );
            if done >= total {
                let _ = writeln!(err);
            }
        } else {
            let tenth = done * 10 / total;
            if tenth > self.last_tenth || done >= total {
                self.last_tenth = tenth;
                let _ = writeln!(err, "{}：{}/{}", self.label, done, total);
            }
        }
    }
}
