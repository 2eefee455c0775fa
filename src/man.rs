//! Manual pages, generated from the same clap definitions as `--help` and the
//! completion scripts (clap_mangen): `sio.1` and one page per subcommand,
//! `sio-connect.1` and so on, as git and cargo name theirs.

use std::path::{Path, PathBuf};

use clap::CommandFactory as _;

use crate::cli::Cli;

/// One manual page: the command's words after `sio`, its name and its roff text.
pub struct Page {
    /// `[]` for sio itself, `["connect"]` for `sio connect`.
    pub path: Vec<String>,
    /// `sio`, `sio-connect`: the page's title; its file is `NAME.1`.
    pub name: String,
    pub roff: Vec<u8>,
}

/// The command tree, built as clap builds it for parsing (which also names
/// each subcommand `sio-NAME` for its page).
fn command() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

fn render(cmd: &clap::Command) -> Vec<u8> {
    let mut roff = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = clap_mangen::Man::new(cmd.clone())
        .source(format!("sio {}", env!("CARGO_PKG_VERSION")))
        .manual("sio manual")
        .render(&mut roff);
    roff
}

/// Every page: sio's, then each subcommand's (and theirs), in the order `--help` lists them.
pub fn pages() -> Vec<Page> {
    fn walk(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<Page>) {
        out.push(Page {
            name: cmd.get_display_name().unwrap_or(cmd.get_name()).to_string(),
            roff: render(cmd),
            path: path.clone(),
        });
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let mut path = path.clone();
            path.push(sub.get_name().to_string());
            walk(sub, path, out);
        }
    }
    let mut out = Vec::new();
    walk(&command(), Vec::new(), &mut out);
    out
}

/// The page of `sio WORDS…` (`[]`: sio's own).
pub fn page(words: &[String]) -> Result<Page, String> {
    let mut cmd = command();
    for (i, word) in words.iter().enumerate() {
        let Some(sub) = cmd.find_subcommand(word).cloned() else {
            let known: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
            return Err(format!(
                "`sio {}` has no subcommand {word:?} (there are: {})",
                words[..i].join(" "),
                known.join(", ")
            )
            .replace("`sio `", "`sio`"));
        };
        cmd = sub;
    }
    Ok(Page {
        name: cmd.get_display_name().unwrap_or(cmd.get_name()).to_string(),
        roff: render(&cmd),
        path: words.to_vec(),
    })
}

/// Writes every page into `dir` (made when missing) as `NAME.1`; returns the files.
pub fn write_all(dir: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    pages()
        .into_iter()
        .map(|page| {
            let file = dir.join(format!("{}.1", page.name));
            std::fs::write(&file, &page.roff).map_err(|e| format!("{}: {e}", file.display()))?;
            Ok(file)
        })
        .collect()
}
