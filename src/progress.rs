//! Progress bars on stderr for long phases, silenced by `--quiet` (and hidden by indicatif
//! itself when stderr is not a terminal).

use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Hands out progress bars; one byte-counting bar is active at a time.
#[derive(Debug)]
pub struct Progress {
    enabled: bool,
    current: Mutex<Option<ProgressBar>>,
}

impl Progress {
    pub fn new(enabled: bool) -> Self {
        Progress {
            enabled,
            current: Mutex::new(None),
        }
    }

    /// A progress object that never draws (library use, tests).
    pub fn hidden() -> Self {
        Self::new(false)
    }

    fn make(&self, len: Option<u64>) -> ProgressBar {
        if !self.enabled {
            return ProgressBar::hidden();
        }
        match len {
            Some(len) => ProgressBar::new(len),
            None => ProgressBar::new_spinner(),
        }
    }

    /// A bar counting bytes of a file being read.
    pub fn bytes(&self, len: u64, msg: &str) -> ProgressBar {
        let bar = self.make(Some(len));
        if let Ok(style) = ProgressStyle::with_template(
            "{msg:>16} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(msg.to_string());
        if let Ok(mut cur) = self.current.lock() {
            *cur = Some(bar.clone());
        }
        bar
    }

    /// Ends the current byte bar.
    pub fn finish_bytes(&self) {
        if let Ok(mut cur) = self.current.lock()
            && let Some(bar) = cur.take()
        {
            bar.finish_and_clear();
        }
    }

    /// A spinner for a phase of unknown length.
    pub fn spinner(&self, msg: &str) -> ProgressBar {
        let bar = self.make(None);
        bar.set_message(msg.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    /// A bar counting `len` steps of a phase (e.g. searches).
    pub fn bar(&self, len: u64, msg: &str) -> ProgressBar {
        let bar = self.make(Some(len));
        if let Ok(style) =
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({per_sec}, {eta})")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(msg.to_string());
        bar
    }
}
