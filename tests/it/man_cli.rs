//! `sio man`: a manual page for sio and for every subcommand, generated from
//! the clap definitions. The test walks the command tree itself, so a new
//! subcommand without a page (or a page without its flags) fails here.

use clap::CommandFactory as _;

use crate::script_cli::{sio, temp, text};

/// Every command of the tree: its words after `sio`, and the long flags it takes.
fn commands() -> Vec<(Vec<String>, Vec<String>)> {
    fn walk(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<(Vec<String>, Vec<String>)>) {
        let flags = cmd
            .get_arguments()
            .filter(|a| !a.is_hide_set())
            .filter_map(|a| a.get_long().map(str::to_string))
            .collect();
        out.push((path.clone(), flags));
        for sub in cmd.get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            let mut path = path.clone();
            path.push(sub.get_name().to_string());
            walk(sub, path, out);
        }
    }
    let mut out = Vec::new();
    walk(&sio::cli::Cli::command(), Vec::new(), &mut out);
    out
}

/// `sio`, `sio-connect`: the page's name.
fn page_name(path: &[String]) -> String {
    std::iter::once("sio".to_string())
        .chain(path.iter().cloned())
        .collect::<Vec<_>>()
        .join("-")
}

/// How a flag is written in roff (`\-\-print\-code`).
fn roff_flag(long: &str) -> String {
    format!("\\-\\-{}", long.replace('-', "\\-"))
}

#[test]
fn every_subcommand_has_its_page_with_its_flags() {
    let commands = commands();
    assert!(commands.len() > 10, "{} commands", commands.len());
    for (path, flags) in &commands {
        let mut args = vec!["man"];
        args.extend(path.iter().map(String::as_str));
        let o = sio(&args, "");
        assert_eq!(o.status.code(), Some(0), "sio {}: {}", args.join(" "), text(&o));
        let page = String::from_utf8_lossy(&o.stdout);
        let name = page_name(path);
        assert!(page.contains(&format!(".TH {name} 1")), "{name}: no title\n{page}");
        assert!(page.contains(".SH NAME"), "{name}\n{page}");
        for flag in flags {
            assert!(page.contains(&roff_flag(flag)), "{name}: --{flag} is not on its page");
        }
    }

    // --dir writes exactly one page per command.
    let dir = temp("man-pages");
    let _ = std::fs::remove_dir_all(&dir);
    let o = sio(&["man", "--dir", dir.to_str().expect("path")], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let mut written: Vec<String> = std::fs::read_dir(&dir)
        .expect("the directory was made")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut expected: Vec<String> = commands.iter().map(|(p, _)| format!("{}.1", page_name(p))).collect();
    expected.sort();
    assert_eq!(written, expected);
    let connect = std::fs::read_to_string(dir.join("sio-connect.1")).expect("sio-connect.1");
    assert!(connect.contains(&roff_flag("print-code")), "{connect}");

    // An unknown subcommand is a usage error that names what there is.
    let o = sio(&["man", "nope"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.trim_end().ends_with("sio: `sio` has no subcommand \"nope\" (there are: decode, listen, emit, run, connect, replay, diff, serve, tap, admin, demo, doctor, completions, man)"),
        "{stderr}"
    );
}

/// Where `man` is installed, a page written by --dir reads as a manual page.
#[test]
fn pages_read_with_man() {
    let Ok(probe) = std::process::Command::new("man").arg("--version").output() else {
        eprintln!("no `man` on this machine: skipping the rendering check");
        return;
    };
    if !probe.status.success() {
        eprintln!("`man --version` failed: skipping the rendering check");
        return;
    }
    let dir = temp("man-read");
    let o = sio(&["man", "--dir", dir.to_str().expect("path")], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let shown = std::process::Command::new("man")
        .arg("-l")
        .arg(dir.join("sio-replay.1"))
        .env("MANWIDTH", "100")
        .env("MAN_KEEP_FORMATTING", "0")
        .output()
        .expect("man runs");
    // Off a terminal, man may still embolden by overstriking: `a\x08a`.
    let mut page = String::new();
    for c in String::from_utf8_lossy(&shown.stdout).chars() {
        if c == '\x08' {
            page.pop();
        } else {
            page.push(c);
        }
    }
    assert!(shown.status.success(), "{page}");
    assert!(page.contains("sio manual"), "{page}");
    assert!(page.contains("sio-replay"), "{page}");
    assert!(page.contains("--script"), "{page}");
}
