//! The state file: loaded at start (corrupt or invariant-breaking files are an error, never a
//! silent reset), saved atomically after every mutation (temp file in the same directory,
//! fsync, rename, fsync of the directory).

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::{LoadError, State};

/// Where the state is persisted.
#[derive(Debug)]
pub(crate) struct StateFile {
    path: PathBuf,
    /// Makes concurrent temp file names unique.
    temp_counter: AtomicU64,
}

impl StateFile {
    pub(crate) fn new(path: PathBuf) -> StateFile {
        StateFile {
            path,
            temp_counter: AtomicU64::new(0),
        }
    }

    fn error(&self, reason: String) -> LoadError {
        LoadError {
            path: self.path.clone(),
            reason,
        }
    }

    /// Removes stale temp files, then loads the file if it exists (it must be valid), or
    /// creates it with `initial`.
    pub(crate) fn load_or_create(&self, initial: State) -> Result<State, LoadError> {
        remove_stale_temp_files(&self.path);
        match fs::read(&self.path) {
            Ok(bytes) => {
                let mut loaded: State = serde_json::from_slice(&bytes)
                    .map_err(|e| self.error(format!("state file is corrupt: {e}")))?;
                // A file written before the totals existed: its budgets and cards are what
                // entered.
                loaded.fill_totals_if_missing();
                loaded
                    .check()
                    .map_err(|e| self.error(format!("state file breaks an invariant: {e}")))?;
                Ok(loaded)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                self.save(&initial)
                    .map_err(|e| self.error(format!("cannot create the state file: {e}")))?;
                Ok(initial)
            }
            Err(e) => Err(self.error(format!("cannot read the state file: {e}"))),
        }
    }

    /// Writes `state` atomically: temp file in the same directory, fsync, rename over the
    /// target, fsync the directory.
    pub(crate) fn save(&self, state: &State) -> io::Result<()> {
        let bytes = serde_json::to_vec_pretty(state).map_err(io::Error::other)?;
        let (dir, name) = dir_and_name(&self.path);
        let n = self.temp_counter.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        let result = write_synced(&temp, &bytes).and_then(|()| fs::rename(&temp, &self.path));
        if result.is_err() {
            // Best effort: never leave a temp file behind.
            let _ = fs::remove_file(&temp);
        }
        result?;
        sync_dir(&dir)
    }
}

/// The directory of `path` (`.` when it has none) and its file name.
fn dir_and_name(path: &Path) -> (PathBuf, String) {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state.json".to_owned());
    (dir, name)
}

/// Removes temp files a crashed sandbox may have left next to the state file (the state file
/// itself is never touched: the rename that replaces it is atomic).
fn remove_stale_temp_files(path: &Path) {
    let (dir, name) = dir_and_name(path);
    let prefix = format!(".{name}.");
    let Ok(entries) = fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if file_name.starts_with(&prefix) && file_name.ends_with(".tmp") {
            // Best effort: a leftover temp file is harmless, only untidy.
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    file.write_all(b"\n")?;
    file.sync_all()
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    // Directories cannot be opened for syncing on this platform; the rename is still atomic.
    Ok(())
}
