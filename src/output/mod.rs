//! Front ends that print records: colour choice, sanitising untrusted text,
//! the human form of a frame, and the buffered stdout they share.

pub mod explain_text;
pub mod human;
pub mod mermaid;
pub mod pace;
pub mod printer;
pub mod recorder;
pub mod recording;
pub mod sanitize;
pub mod stdout;

use crate::cli::ColorChoice;

/// Decides colour once for the process: `always`, `never`, or a terminal without NO_COLOR.
pub fn init_color(choice: ColorChoice) -> bool {
    use std::io::IsTerminal as _;
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    colored::control::set_override(on);
    on
}
