//! Drawing pull and push progress: one bar per blob on a terminal, plain
//! docker-style lines otherwise, nothing with `-q`.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::engine::progress::{BlobEvent, Progress, Quiet};
use crate::store::Digest;

#[derive(Clone, Copy, PartialEq)]
pub enum Verb {
    Pull,
    Push,
}

/// The reporter for a command: quiet, bars, or lines.
pub fn reporter(verb: Verb, quiet: bool) -> Box<dyn Progress> {
    if quiet {
        Box::new(Quiet)
    } else if std::io::stderr().is_terminal() {
        Box::new(Bars {
            verb,
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            bars: Mutex::new(HashMap::new()),
        })
    } else {
        Box::new(Lines { verb })
    }
}

fn short(d: &Digest) -> &str {
    &d.hex()[..12]
}

fn words(verb: Verb, event: BlobEvent) -> Option<&'static str> {
    Some(match (verb, event) {
        (Verb::Pull, BlobEvent::Exists) => "Already exists",
        (Verb::Push, BlobEvent::Exists) => "Layer already exists",
        (_, BlobEvent::Mounted) => "Mounted from another repository",
        (Verb::Pull, BlobEvent::Started { done: 0 }) => "Downloading",
        (Verb::Pull, BlobEvent::Started { .. }) => "Resuming download",
        (Verb::Push, BlobEvent::Started { .. }) => "Pushing",
        (Verb::Pull, BlobEvent::Done) => "Pull complete",
        (Verb::Push, BlobEvent::Done) => "Pushed",
        (_, BlobEvent::Advanced(_)) => return None,
    })
}

struct Lines {
    verb: Verb,
}

impl Progress for Lines {
    fn note(&self, line: &str) {
        eprintln!("{line}");
    }

    fn blob(&self, digest: &Digest, total: u64, event: BlobEvent) {
        if let Some(w) = words(self.verb, event) {
            match event {
                BlobEvent::Started { done } if done > 0 => {
                    eprintln!("{}: {w} ({done} of {total} bytes here)", short(digest))
                }
                _ => eprintln!("{}: {w}", short(digest)),
            }
        }
    }
}

struct Bars {
    verb: Verb,
    multi: MultiProgress,
    bars: Mutex<HashMap<Digest, ProgressBar>>,
}

impl Bars {
    fn bar(&self, digest: &Digest, total: u64) -> ProgressBar {
        let mut bars = self.bars.lock().unwrap();
        bars.entry(digest.clone())
            .or_insert_with(|| {
                let bar = self.multi.add(ProgressBar::new(total));
                bar.set_style(
                    ProgressStyle::with_template(
                        "{prefix}: {msg:<18} [{bar:30}] {bytes:>10}/{total_bytes}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                bar.set_prefix(short(digest).to_string());
                bar
            })
            .clone()
    }
}

impl Progress for Bars {
    fn note(&self, line: &str) {
        let _ = self.multi.println(line);
    }

    fn blob(&self, digest: &Digest, total: u64, event: BlobEvent) {
        let bar = self.bar(digest, total);
        match event {
            BlobEvent::Advanced(n) => bar.inc(n),
            BlobEvent::Started { done } => {
                bar.set_position(done);
                bar.set_message(words(self.verb, event).unwrap_or_default());
            }
            _ => {
                bar.set_position(total);
                bar.finish_with_message(words(self.verb, event).unwrap_or_default());
            }
        }
    }
}
