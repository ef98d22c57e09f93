//! `ahrvo config list|show|set|path`: the profiles file ([`crate::profile`]).

use std::io::BufRead;

use clap::Subcommand;
use serde_json::json;

use crate::Context;
use crate::exit::{CliError, CliResult, Status};
use crate::output::{self, Cell, Column, Table, left};
use crate::profile::{self, ConfigFile};

/// `ahrvo config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// The profiles of the config file; ACTIVE marks the one commands use.
    List,
    /// A profile's keys, secrets redacted (default: the active profile).
    Show {
        /// The profile (default: --profile, AHRVO_PROFILE, default_profile, then "default").
        #[arg(value_name = "NAME")]
        name: Option<String>,
    },
    /// Set KEY to VALUE in the --profile profile (default: default_profile, else "default"),
    /// creating the file with mode 0600.
    Set {
        /// A profile key, or default_profile (the profile used when none is named).
        #[arg(value_name = "KEY", value_parser = clap::builder::PossibleValuesParser::new(profile::settable_keys()))]
        key: String,
        /// The value; `-` reads it from stdin's first line (keeps a secret out of your shell's
        /// history).
        #[arg(value_name = "VALUE", allow_hyphen_values = true)]
        value: String,
    },
    /// Print the config file's path (--config, AHRVO_CONFIG, or the platform's default).
    Path,
}

/// Runs `ahrvo config ...`.
pub fn run(ctx: &Context, command: ConfigCommand) -> CliResult {
    let path = profile::path(&ctx.global).ok_or_else(|| {
        CliError::Usage(
            "no config directory (HOME, XDG_CONFIG_HOME or APPDATA unset): pass --config FILE"
                .to_owned(),
        )
    })?;
    if let ConfigCommand::Path = command {
        output::print(&format!("{}\n", path.display()))?;
        return Ok(Status::Ok);
    }
    let mut file = ConfigFile::load(path)?;
    let requested = ctx.global.profile.as_deref();
    match command {
        ConfigCommand::List => list(ctx, &file, requested),
        ConfigCommand::Show { name } => show(ctx, &file, name.as_deref().or(requested)),
        ConfigCommand::Set { key, value } => {
            let value = if value == "-" {
                read_stdin_line()?
            } else {
                value
            };
            let name = file.target_name(requested).to_owned();
            let dropped = file.set(&name, &key, &value)?;
            if let Some(other) = dropped {
                output::note(&format!("note: removed {other} from profile {name:?}"));
            }
            let what = if key == profile::DEFAULT_PROFILE_KEY {
                format!("set {key} in {}", file.path.display())
            } else {
                format!("set {key} in profile {name:?} of {}", file.path.display())
            };
            output::note(&what);
            Ok(Status::Ok)
        }
        ConfigCommand::Path => Ok(Status::Ok),
    }
}

fn list(ctx: &Context, file: &ConfigFile, requested: Option<&str>) -> CliResult {
    if !file.exists {
        output::note(&format!(
            "no config file at {}: create it with `ahrvo config set KEY VALUE`",
            file.path.display()
        ));
    }
    let active = file.active_name(requested)?;
    let rows: Vec<(&str, bool)> = file
        .names()
        .into_iter()
        .map(|n| (n, Some(n) == active))
        .collect();
    let data: Vec<_> = rows
        .iter()
        .map(|(n, a)| json!({ "name": n, "active": a }))
        .collect();
    output::emit(ctx.format(), &data, || {
        let mut t = Table::new(vec![left("PROFILE", "name"), left("ACTIVE", "active")]);
        for (n, a) in &rows {
            t.push(vec![
                Cell::from(*n),
                Cell::new(if *a { "*" } else { "" }, a.to_string()),
            ]);
        }
        t
    })?;
    Ok(Status::Ok)
}

fn show(ctx: &Context, file: &ConfigFile, name: Option<&str>) -> CliResult {
    let Some(name) = file.active_name(name)? else {
        let known = file.names();
        return Err(CliError::Usage(format!(
            "no profile to show: name one (known profiles: {}) or set default_profile in {}",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            },
            file.path.display()
        )));
    };
    let shown = file.profile(name)?.shown();
    let mut settings = serde_json::Map::new();
    for (k, v) in &shown {
        settings.insert((*k).to_owned(), json!(v));
    }
    let data = json!({
        "profile": name,
        "file": file.path.display().to_string(),
        "settings": settings,
    });
    output::emit(ctx.format(), &data, || {
        let mut columns: Vec<Column> = vec![left("profile", "profile")];
        let mut cells = vec![Cell::from(name)];
        for (k, v) in &shown {
            columns.push(left(k, k));
            cells.push(Cell::from(v.as_str()));
        }
        Table::record(columns, cells)
    })?;
    Ok(Status::Ok)
}

fn read_stdin_line() -> Result<String, CliError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Usage(format!("cannot read VALUE from stdin: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
