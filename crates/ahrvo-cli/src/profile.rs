//! Profiles: named settings in a TOML file, used for what the flags and `AHRVO_*` leave empty.
//!
//! ```toml
//! default_profile = "work"          # optional; else the profile named "default", if any
//!
//! [profiles.work]
//! environment = "production"        # or base_url = "https://..." (base_url wins)
//! api_key_command = "pass show ahrvo/api-key"   # stdout, trimmed, is the secret
//! access_token = "..."
//! username = "ops"
//! password_command = "op read op://ops/ahrvo/password"
//! ```
//!
//! **Where:** `--config FILE` or `AHRVO_CONFIG`, else `config.toml` in the platform's config
//! directory ([`default_dir`]). A missing file is an empty one.
//!
//! **Which profile:** `--profile NAME` or `AHRVO_PROFILE`, else the file's `default_profile`,
//! else the profile named `default` if there is one, else none. Naming a profile the file does
//! not have is a usage error (exit 2) listing the ones it has.
//!
//! **Precedence:** a flag, then its `AHRVO_*` variable (clap reads both into [`GlobalArgs`]),
//! then the profile, for each setting: the place to call (`--base-url`/`--env` and
//! `base_url`/`environment` are one setting: a flag or variable naming either ignores both profile
//! keys), and each credential on its own. A `*_command` runs only when its key is used.
//!
//! **Permissions:** on unix, a file that group or others may access (mode & 0o077) gets a
//! warning on stderr whenever it is read; `ahrvo config set` creates it with mode 0600.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};

use clap::ValueEnum;
use toml_edit::{DocumentMut, Item, Table};

use crate::cli::{EnvName, GlobalArgs};
use crate::exit::CliError;
use crate::output;

/// One key a profile may set.
#[derive(Debug)]
pub struct Key {
    /// The key as written in the file.
    pub name: &'static str,
    /// Whether `ahrvo config show` redacts its value.
    pub secret: bool,
}

/// Every key a profile may set, in the order `ahrvo config show` prints them.
pub const KEYS: &[Key] = &[
    Key {
        name: "environment",
        secret: false,
    },
    Key {
        name: "base_url",
        secret: false,
    },
    Key {
        name: "api_key",
        secret: true,
    },
    Key {
        name: "api_key_command",
        secret: false,
    },
    Key {
        name: "access_token",
        secret: true,
    },
    Key {
        name: "access_token_command",
        secret: false,
    },
    Key {
        name: "username",
        secret: false,
    },
    Key {
        name: "username_command",
        secret: false,
    },
    Key {
        name: "password",
        secret: true,
    },
    Key {
        name: "password_command",
        secret: false,
    },
];

/// The top-level key naming the profile used when none is named.
pub const DEFAULT_PROFILE_KEY: &str = "default_profile";

/// The profile used when none is named and the file has no `default_profile`.
pub const DEFAULT_NAME: &str = "default";

/// The file name inside [`default_dir`].
pub const FILE_NAME: &str = "config.toml";

/// The names `ahrvo config set` accepts as KEY: every profile key and `default_profile`.
pub fn settable_keys() -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = KEYS.iter().map(|k| k.name).collect();
    keys.push(DEFAULT_PROFILE_KEY);
    keys
}

fn known_keys() -> String {
    KEYS.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
}

/// The platform's config directory for `ahrvo`, from the environment alone:
/// Linux and other unix `$XDG_CONFIG_HOME/ahrvo` (when absolute) or `~/.config/ahrvo`; macOS
/// `~/Library/Application Support/ahrvo`; Windows `%APPDATA%\ahrvo`.
///
/// Hand-written rather than the `dirs` crate: three environment lookups, and every one of them
/// can be pointed elsewhere by the user (and by tests), which `dirs`' Windows known-folder call
/// cannot. `None` when the variable it needs is unset.
pub fn default_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(windows) {
        var("APPDATA").map(|d| d.join("ahrvo"))
    } else if cfg!(target_os = "macos") {
        var("HOME").map(|h| h.join("Library").join("Application Support").join("ahrvo"))
    } else {
        var("XDG_CONFIG_HOME")
            .filter(|p| p.is_absolute())
            .or_else(|| var("HOME").map(|h| h.join(".config")))
            .map(|d| d.join("ahrvo"))
    }
}

/// The config file's path: `--config` / `AHRVO_CONFIG`, else [`default_dir`]`/config.toml`.
pub fn path(global: &GlobalArgs) -> Option<PathBuf> {
    match &global.config {
        Some(p) if !p.as_os_str().is_empty() => Some(p.clone()),
        _ => default_dir().map(|d| d.join(FILE_NAME)),
    }
}

/// One profile's keys and values (only [`KEYS`], every value a string).
#[derive(Debug, Clone, Default)]
pub struct Profile {
    values: BTreeMap<&'static str, String>,
}

impl Profile {
    /// The value of `key`, if the profile sets it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// The keys set, in [`KEYS`] order, with their values redacted where secret.
    pub fn shown(&self) -> Vec<(&'static str, String)> {
        KEYS.iter()
            .filter_map(|k| {
                let v = self.get(k.name)?;
                Some((k.name, if k.secret { redact(v) } else { v.to_owned() }))
            })
            .collect()
    }
}

/// A secret as `ahrvo config show` prints it: `****` and, for a secret of 16 characters or
/// more, its last 4 (enough to tell two keys apart, at most a quarter of it).
pub fn redact(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() >= 16 {
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("****{tail}")
    } else {
        "****".to_owned()
    }
}

/// The config file as read (a missing file reads as an empty one).
#[derive(Debug)]
pub struct ConfigFile {
    /// Where it is (or would be).
    pub path: PathBuf,
    /// Whether the file exists.
    pub exists: bool,
    doc: DocumentMut,
    profiles: BTreeMap<String, Profile>,
    default_profile: Option<String>,
}

/// Set once a permission warning was printed: one per process.
static WARNED: AtomicBool = AtomicBool::new(false);

impl ConfigFile {
    /// Reads and checks `path`: valid TOML, only `default_profile` and `[profiles.NAME]` tables
    /// of known string keys, `environment` production or staging, not both a key and its
    /// `_command`. Errors are usage errors naming the file and the key, never a value.
    pub fn load(path: PathBuf) -> Result<ConfigFile, CliError> {
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(ConfigFile {
                    path,
                    exists: false,
                    doc: DocumentMut::new(),
                    profiles: BTreeMap::new(),
                    default_profile: None,
                });
            }
            Err(e) => {
                return Err(CliError::Usage(format!(
                    "cannot read the config file {}: {e}",
                    path.display()
                )));
            }
        };
        warn_if_open(&path);
        let shown = path.display().to_string();
        let doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
            // The error's own Display quotes the line, which may hold a secret: the line
            // number and the message only.
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let at = line.map(|l| format!(" line {l}:")).unwrap_or_default();
            CliError::Usage(format!(
                "the config file {shown} is not valid TOML:{at} {}",
                e.message().trim()
            ))
        })?;
        let bad = |what: String| CliError::Usage(format!("the config file {shown}: {what}"));
        let mut profiles = BTreeMap::new();
        let mut default_profile = None;
        for (key, item) in doc.iter() {
            match key {
                DEFAULT_PROFILE_KEY => match item.as_str() {
                    Some(name) => default_profile = Some(name.to_owned()),
                    None => return Err(bad(format!("{DEFAULT_PROFILE_KEY} must be a string"))),
                },
                "profiles" => {
                    let Some(table) = item.as_table_like() else {
                        return Err(bad(
                            "profiles must be tables such as [profiles.work]".to_owned()
                        ));
                    };
                    for (name, item) in table.iter() {
                        let profile = read_profile(name, item).map_err(&bad)?;
                        profiles.insert(name.to_owned(), profile);
                    }
                }
                other => {
                    return Err(bad(format!(
                        "unknown key {other:?} (the file holds {DEFAULT_PROFILE_KEY} and \
                         [profiles.NAME] tables of: {})",
                        known_keys()
                    )));
                }
            }
        }
        Ok(ConfigFile {
            path,
            exists: true,
            doc,
            profiles,
            default_profile,
        })
    }

    /// The profile names, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.profiles.keys().map(String::as_str).collect()
    }

    /// The profile `name`, or a usage error naming the profiles there are.
    pub fn profile(&self, name: &str) -> Result<&Profile, CliError> {
        self.profiles.get(name).ok_or_else(|| {
            let known = if !self.exists {
                "the file does not exist".to_owned()
            } else if self.profiles.is_empty() {
                "it has no profiles".to_owned()
            } else {
                format!("known profiles: {}", self.names().join(", "))
            };
            CliError::Usage(format!(
                "no profile {name:?} in {} ({known})",
                self.path.display()
            ))
        })
    }

    /// The name of the profile commands use: `requested` (`--profile` / `AHRVO_PROFILE`),
    /// else `default_profile`, else `default` if the file has it; none when nothing applies.
    /// A requested or `default_profile` name the file lacks is an error.
    pub fn active_name<'a>(
        &'a self,
        requested: Option<&'a str>,
    ) -> Result<Option<&'a str>, CliError> {
        let named = requested
            .filter(|n| !n.trim().is_empty())
            .or(self.default_profile.as_deref());
        match named {
            Some(name) => self.profile(name).map(|_| Some(name)),
            None => Ok(self
                .profiles
                .contains_key(DEFAULT_NAME)
                .then_some(DEFAULT_NAME)),
        }
    }

    /// The profile `ahrvo config set` writes to when none is named: `default_profile`, else
    /// `default`.
    pub fn target_name<'a>(&'a self, requested: Option<&'a str>) -> &'a str {
        requested
            .filter(|n| !n.trim().is_empty())
            .or(self.default_profile.as_deref())
            .unwrap_or(DEFAULT_NAME)
    }

    /// Sets `key` to `value` in profile `name` (or the top-level `default_profile`), checks the
    /// value, and writes the file (see [`write_private`]). Setting a key drops its counterpart
    /// (`api_key` drops `api_key_command` and back); the dropped key's name is returned.
    pub fn set(
        &mut self,
        name: &str,
        key: &str,
        value: &str,
    ) -> Result<Option<&'static str>, CliError> {
        let mut dropped = None;
        if key == DEFAULT_PROFILE_KEY {
            self.profile(value)?;
            self.doc[DEFAULT_PROFILE_KEY] = toml_edit::value(value);
        } else {
            check_name(name)?;
            let Some(known) = KEYS.iter().find(|k| k.name == key) else {
                return Err(CliError::Usage(format!(
                    "unknown key {key:?}; known keys: {}, {DEFAULT_PROFILE_KEY}",
                    known_keys()
                )));
            };
            check_value(known.name, value)?;
            let counterpart = match known.name.strip_suffix("_command") {
                Some(base) => KEYS.iter().find(|k| k.name == base),
                None => KEYS
                    .iter()
                    .find(|k| k.name.strip_suffix("_command") == Some(known.name)),
            }
            .map(|k| k.name);
            let profiles = self
                .doc
                .entry("profiles")
                .or_insert_with(|| {
                    let mut t = Table::new();
                    t.set_implicit(true);
                    Item::Table(t)
                })
                .as_table_like_mut()
                .ok_or_else(|| CliError::Usage("profiles must be a table".to_owned()))?;
            let profile = profiles
                .entry(name)
                .or_insert(Item::Table(Table::new()))
                .as_table_like_mut()
                .ok_or_else(|| CliError::Usage(format!("profiles.{name} must be a table")))?;
            profile.insert(known.name, toml_edit::value(value));
            if let Some(other) = counterpart
                && profile.remove(other).is_some()
            {
                dropped = Some(other);
            }
        }
        let mut text = self.doc.to_string();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        write_private(&self.path, &text).map_err(|e| {
            CliError::Other(format!(
                "cannot write the config file {}: {e}",
                self.path.display()
            ))
        })?;
        Ok(dropped)
    }
}

/// Reads one `[profiles.NAME]` table.
fn read_profile(name: &str, item: &Item) -> Result<Profile, String> {
    let Some(table) = item.as_table_like() else {
        return Err(format!(
            "profiles.{name} must be a table such as [profiles.{name}]"
        ));
    };
    let mut profile = Profile::default();
    for (key, value) in table.iter() {
        let Some(known) = KEYS.iter().find(|k| k.name == key) else {
            return Err(format!(
                "profile {name:?}: unknown key {key:?} (known keys: {})",
                known_keys()
            ));
        };
        let Some(text) = value.as_str() else {
            return Err(format!("profile {name:?}: {key} must be a string"));
        };
        check_value(known.name, text).map_err(|e| format!("profile {name:?}: {e}"))?;
        profile.values.insert(known.name, text.to_owned());
    }
    for key in KEYS.iter().filter(|k| k.name.ends_with("_command")) {
        let base = key.name.trim_end_matches("_command");
        if profile.get(base).is_some() && profile.get(key.name).is_some() {
            return Err(format!(
                "profile {name:?} sets both {base} and {}: keep one",
                key.name
            ));
        }
    }
    Ok(profile)
}

/// The checks of a value that need no network: an environment name, a URL.
fn check_value(key: &str, value: &str) -> Result<(), CliError> {
    let usage = |m: String| Err(CliError::Usage(m));
    match key {
        "environment" => match EnvName::from_str(value.trim(), true) {
            Ok(_) => Ok(()),
            Err(_) => usage(format!(
                "environment must be production or staging (put URLs in base_url), not {value:?}"
            )),
        },
        "base_url" => match ahrvo::Environment::custom(value.trim()) {
            Ok(_) => Ok(()),
            Err(e) => usage(format!("base_url {value:?}: {e}")),
        },
        _ if value.trim().is_empty() => usage(format!("{key} must not be empty")),
        _ => Ok(()),
    }
}

/// A profile name `ahrvo config set` creates: letters, digits, `-` and `_` (a TOML bare key).
fn check_name(name: &str) -> Result<(), CliError> {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "profile name {name:?}: use letters, digits, - and _"
        )))
    }
}

/// On unix, a warning on stderr (once per process) when group or others may access `path`.
fn warn_if_open(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = fs::metadata(path) else {
            return;
        };
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 && !WARNED.swap(true, Ordering::Relaxed) {
            output::note(&format!(
                "warning: the config file {} is accessible by group or others (mode {mode:04o}) \
                 and may hold credentials: chmod 600 it",
                path.display()
            ));
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (path, &WARNED, Ordering::Relaxed);
    }
}

/// Writes `text` to `path` through a temporary file renamed over it (a crash leaves the old file
/// whole). A new file gets mode 0600 (a new directory 0700); an existing one keeps its mode. A
/// symbolic link is followed: its target is replaced.
pub fn write_private(path: &Path, text: &str) -> io::Result<()> {
    use std::io::Write;
    let target = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.exists() {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir)?;
    }
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| FILE_NAME.to_owned());
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let mode = fs::metadata(&target)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0o600);
        options.mode(mode);
        mode
    };
    let written = (|| {
        let mut file = options.open(&tmp)?;
        #[cfg(unix)]
        {
            // The umask may have taken bits away; never added any.
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(fs::Permissions::from_mode(mode))?;
        }
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        fs::rename(&tmp, &target)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// The settings a command uses, every one resolved: flag, `AHRVO_*`, then the profile.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Settings {
    /// A base URL (wins over `env`).
    pub base_url: Option<String>,
    /// A named deployment.
    pub env: Option<EnvName>,
    /// Issuing API key.
    pub api_key: Option<String>,
    /// Issuing access token.
    pub access_token: Option<String>,
    /// Payments username.
    pub username: Option<String>,
    /// Payments password.
    pub password: Option<String>,
    /// The profile that filled something (or would have), for messages.
    pub profile: Option<String>,
}

/// A value given as a flag or variable; empty counts as not given (as the SDK reads it).
fn given(v: &Option<String>) -> Option<String> {
    v.clone().filter(|s| !s.trim().is_empty())
}

/// Resolves the settings of `global` with the active profile. Reads the config file (a missing
/// one is empty; no config directory and no `--config` reads nothing); runs a `*_command` only
/// for a credential the flags and variables left empty.
pub fn resolve(global: &GlobalArgs) -> Result<Settings, CliError> {
    let mut s = Settings {
        base_url: given(&global.base_url),
        env: global.env,
        api_key: given(&global.api_key),
        access_token: given(&global.access_token),
        username: given(&global.username),
        password: given(&global.password),
        profile: None,
    };
    let requested = global.profile.as_deref().filter(|n| !n.trim().is_empty());
    let Some(path) = path(global) else {
        return match requested {
            Some(name) => Err(CliError::Usage(format!(
                "no profile {name:?}: no config directory (set HOME, or pass --config FILE)"
            ))),
            None => Ok(s),
        };
    };
    let file = ConfigFile::load(path)?;
    let Some(name) = file.active_name(requested)? else {
        return Ok(s);
    };
    let profile = file.profile(name)?;
    s.profile = Some(name.to_owned());
    if s.base_url.is_none() && s.env.is_none() {
        s.base_url = profile.get("base_url").map(str::to_owned);
        s.env = profile
            .get("environment")
            .and_then(|e| EnvName::from_str(e.trim(), true).ok());
    }
    for (slot, key) in [
        (&mut s.api_key, "api_key"),
        (&mut s.access_token, "access_token"),
        (&mut s.username, "username"),
        (&mut s.password, "password"),
    ] {
        if slot.is_none() {
            *slot = credential(name, profile, key)?;
        }
    }
    Ok(s)
}

/// `key` of `profile`: its value, or what its `key_command` prints.
fn credential(name: &str, profile: &Profile, key: &str) -> Result<Option<String>, CliError> {
    if let Some(v) = profile.get(key) {
        return Ok(Some(v.to_owned()));
    }
    let command_key = format!("{key}_command");
    match profile.get(&command_key) {
        Some(command) => run_command(name, &command_key, command).map(Some),
        None => Ok(None),
    }
}

/// Runs `command` through the shell (`sh -c`; `cmd /C` on Windows), stdin and stderr the
/// terminal's, and returns its stdout trimmed. A failure names the profile and the key, never
/// what the command printed.
pub fn run_command(profile: &str, key: &str, command: &str) -> Result<String, CliError> {
    let fail = |what: String| CliError::Usage(format!("profile {profile:?}: {key} {what}"));
    let mut shell = if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.arg("/C");
        c
    } else {
        let mut c = Command::new("sh");
        c.arg("-c");
        c
    };
    let out = shell
        .arg(command)
        .stdin(Stdio::inherit())
        .stderr(Stdio::inherit())
        .stdout(Stdio::piped())
        .output()
        .map_err(|e| fail(format!("could not run: {e}")))?;
    if !out.status.success() {
        return Err(fail(format!("failed ({})", out.status)));
    }
    let text = String::from_utf8(out.stdout)
        .map_err(|_| fail("printed something that is not UTF-8".to_owned()))?;
    let secret = text.trim();
    if secret.is_empty() {
        return Err(fail("printed nothing".to_owned()));
    }
    Ok(secret.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_at_most_the_last_four_of_a_long_secret() {
        assert_eq!(redact("short"), "****");
        assert_eq!(redact("0123456789abcde"), "****");
        assert_eq!(redact("0123456789abcdef"), "****cdef");
    }

    #[test]
    fn every_command_key_has_its_base_key() {
        for key in KEYS.iter().filter(|k| k.name.ends_with("_command")) {
            let base = key.name.trim_end_matches("_command");
            assert!(
                KEYS.iter().any(|k| k.name == base),
                "{} has no {base}",
                key.name
            );
            assert!(
                !key.secret,
                "a command is shown, not redacted: {}",
                key.name
            );
        }
    }
}
