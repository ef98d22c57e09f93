//! `ahrvo completions SHELL` (a completion script on stdout) and the hidden `ahrvo man` (the man
//! page in roff, committed as `docs/man/ahrvo.1`), both generated from the clap definition
//! ([`crate::cli::command`]) so they cannot drift from the parser.

use clap::Args;
use clap_complete::Shell;

use crate::exit::{CliError, CliResult, Status};
use crate::output;

/// `ahrvo completions`
#[derive(Debug, Args)]
#[command(after_help = "\
Install, for example:
  bash:        ahrvo completions bash > ~/.local/share/bash-completion/completions/ahrvo
  zsh:         ahrvo completions zsh > \"${fpath[1]}/_ahrvo\"
  fish:        ahrvo completions fish > ~/.config/fish/completions/ahrvo.fish
  powershell:  ahrvo completions powershell | Out-String | Invoke-Expression")]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

/// Prints the completion script of `args.shell`.
pub fn run(args: CompletionsArgs) -> CliResult {
    let mut cmd = without_hidden_commands(crate::cli::command());
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "ahrvo", &mut script);
    output::print(&text(script)?)?;
    Ok(Status::Ok)
}

/// `cmd` without its hidden subcommands (`man`): only clap_complete's bash script leaves them
/// out by itself. The top level is rebuilt from its parts: clap cannot remove a subcommand.
fn without_hidden_commands(cmd: clap::Command) -> clap::Command {
    let mut shown = clap::Command::new("ahrvo")
        .args(cmd.get_arguments().cloned())
        .subcommands(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned())
        .subcommand_required(cmd.is_subcommand_required_set());
    if let Some(about) = cmd.get_about() {
        shown = shown.about(about.clone());
    }
    shown.version(env!("CARGO_PKG_VERSION"))
}

/// The man page `ahrvo man` prints (roff).
pub fn man_page() -> Result<String, CliError> {
    let mut page = Vec::new();
    clap_mangen::Man::new(crate::cli::command())
        .render(&mut page)
        .map_err(|e| CliError::Other(format!("cannot render the man page: {e}")))?;
    text(page)
}

/// Prints the man page: `ahrvo man > docs/man/ahrvo.1`.
pub fn man() -> CliResult {
    output::print(&man_page()?)?;
    Ok(Status::Ok)
}

fn text(bytes: Vec<u8>) -> Result<String, CliError> {
    String::from_utf8(bytes).map_err(|_| CliError::Other("generated text is not UTF-8".to_owned()))
}
