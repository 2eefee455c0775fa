//! `sio man`: a manual page on stdout, or every page into a directory.

use std::io::Write as _;

use super::exit;
use crate::cli::ManArgs;

pub fn run(args: &ManArgs) -> u8 {
    if let Some(dir) = &args.dir {
        return match crate::man::write_all(dir) {
            Ok(files) => {
                println!("wrote {} manual pages to {}", files.len(), dir.display());
                exit::OK
            }
            Err(e) => exit::fail(exit::FAILURE, format!("writing manual pages: {e}")),
        };
    }
    match crate::man::page(&args.command) {
        Ok(page) => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`sio man | head`) is no failure.
            let _ = out.write_all(&page.roff).and_then(|()| out.flush());
            exit::OK
        }
        Err(e) => exit::fail(exit::USAGE, e),
    }
}
