//! The progress bar of bulk work on stderr: `[#####-----] 512/10000  840/s  ETA 11s`, drawn only
//! when stderr is a terminal (and not with `--quiet`), at most ten times a second, erased when
//! the run ends. Hand-written (some 60 lines) rather than a crate: one line redrawn with `\r`
//! needs no terminal library, and stdout is never touched.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// The bar's width in characters.
const WIDTH: usize = 24;

/// A progress bar on stderr (a no-op when disabled).
#[derive(Debug)]
pub struct Bar {
    enabled: bool,
    /// The number of items, when known (ids given as arguments); else the count alone.
    total: Option<u64>,
    done: u64,
    started: Instant,
    drawn: Option<Instant>,
}

impl Bar {
    /// A bar drawn when stderr is a terminal and `quiet` is off.
    pub fn new(quiet: bool, total: Option<u64>) -> Self {
        Bar {
            enabled: !quiet && std::io::stderr().is_terminal(),
            total,
            done: 0,
            started: Instant::now(),
            drawn: None,
        }
    }

    /// One more item done; redrawn if the last drawing is 100 ms old.
    pub fn tick(&mut self) {
        self.done += 1;
        if self.enabled
            && self
                .drawn
                .is_none_or(|t| t.elapsed() >= Duration::from_millis(100))
        {
            self.draw();
        }
    }

    /// The line as drawn.
    pub fn line(&self) -> String {
        let ms = u64::try_from(self.started.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let rate = self.done.saturating_mul(1000) / ms;
        match self.total {
            Some(total) if total > 0 => {
                let done = self.done.min(total);
                let filled = usize::try_from(done.saturating_mul(WIDTH as u64) / total)
                    .unwrap_or(WIDTH)
                    .min(WIDTH);
                let eta = match rate {
                    0 => "?".to_owned(),
                    r => format!("{}s", (total - done).div_ceil(r)),
                };
                format!(
                    "[{}{}] {done}/{total}  {rate}/s  ETA {eta}",
                    "#".repeat(filled),
                    "-".repeat(WIDTH - filled),
                )
            }
            _ => format!("{} done  {rate}/s", self.done),
        }
    }

    fn draw(&mut self) {
        self.drawn = Some(Instant::now());
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{}", self.line());
        let _ = err.flush();
    }

    /// Erases the bar (before the summary, or at the end).
    pub fn clear(&mut self) {
        if self.enabled && self.drawn.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.drawn = None;
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_shows_count_rate_and_eta() {
        let mut bar = Bar::new(true, Some(4));
        bar.tick();
        bar.tick();
        let line = bar.line();
        assert!(
            line.starts_with("[############------------] 2/4  "),
            "{line}"
        );
        assert!(line.contains("/s  ETA "), "{line}");
        let mut open = Bar::new(true, None);
        open.tick();
        assert!(open.line().starts_with("1 done  "), "{}", open.line());
    }
}
