//! A real browser for the tests: Debian's `chromium`, headless, driven by
//! puppeteer-core (`tests/peers/browser/drive.js`, its own package.json and
//! package-lock.json; no browser download).
//!
//! [`shared`] starts it once per test binary, on first use: chromium is
//! installed with apt-get when missing (`SIO_TEST_CHROMIUM` names another
//! binary), puppeteer-core with `npm ci` as the Node peers are. Where chromium
//! cannot be installed at all, [`shared`] prints why and gives `None`: the
//! test says it skipped and passes. Anything else that fails (npm, the browser
//! not starting) fails the test.
//!
//! Tests take turns ([`Browser::visit`] holds a lock): each visit loads one
//! page in a fresh browser context. The driver exits, closing the browser,
//! when this process ends (its stdin closes).

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::Duration;

use serde_json::{Value, json};

use super::node::{node_program, npm_ci_once, peers_dir};

/// How long the browser may take to start.
const START: Duration = Duration::from_secs(30);
/// How long one visit may take (the driver gives a page 20 s).
const VISIT: Duration = Duration::from_secs(40);

/// `tests/peers/browser/`.
pub fn browser_dir() -> PathBuf {
    peers_dir().join("browser")
}

/// `$SIO_TEST_CHROMIUM`, or Debian's /usr/bin/chromium, if it is there.
fn chromium_program() -> Option<PathBuf> {
    let path = std::env::var_os("SIO_TEST_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    path.is_file().then_some(path)
}

/// Why there is no browser.
enum Unavailable {
    /// chromium cannot be installed here: the tests skip.
    Skip(String),
    /// Something that should work did not: the tests fail.
    Broken(String),
}

/// The browser every test of this binary shares, started on first use; `None`
/// (after printing why, naming `test`) where chromium cannot be installed.
pub fn shared(test: &str) -> Option<&'static Browser> {
    static SHARED: OnceLock<Result<Browser, Unavailable>> = OnceLock::new();
    match SHARED.get_or_init(Browser::start) {
        Ok(browser) => Some(browser),
        Err(Unavailable::Skip(why)) => {
            eprintln!("SKIPPED {test}: no chromium for the browser tests: {why}");
            None
        }
        Err(Unavailable::Broken(why)) => panic!("{why}"),
    }
}

/// The driver process and its output.
struct Driver {
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
    next_id: u64,
    // Never waited for: the driver outlives the tests and exits with the process.
    _child: Child,
}

/// The shared headless chromium.
pub struct Browser {
    driver: Mutex<Driver>,
    stderr: Arc<Mutex<Vec<String>>>,
    /// `Chrome/156.0...`, as the browser says.
    pub version: String,
    /// How long the browser took to start, as the driver measured it.
    pub start_millis: u64,
}

impl Browser {
    fn start() -> Result<Browser, Unavailable> {
        let chromium = super::apt::install("chromium", "the browser tests", "SIO_TEST_CHROMIUM", chromium_program)
            .map_err(Unavailable::Skip)?;
        let dir = browser_dir();
        npm_ci_once(&dir).map_err(Unavailable::Broken)?;
        let mut child = Command::new(node_program())
            .arg("drive.js")
            .current_dir(&dir)
            .env("SIO_TEST_CHROMIUM", &chromium)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| Unavailable::Broken(format!("cannot start node drive.js: {e}")))?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr_pipe = child.stderr.take().expect("stderr is piped");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let kept = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
                kept.lock().unwrap().push(line);
            }
        });
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let ready = lines.recv_timeout(START).ok();
        let ready: Option<Value> = ready.as_deref().and_then(|l| serde_json::from_str(l).ok());
        let Some(ready) = ready.filter(|r| r["t"] == "ready") else {
            let _ = child.kill();
            let _ = child.wait();
            let why = stderr.lock().unwrap().join("\n");
            return Err(Unavailable::Broken(format!(
                "chromium ({}) did not start under puppeteer-core within {START:?}:\n{why}",
                chromium.display()
            )));
        };
        Ok(Browser {
            driver: Mutex::new(Driver {
                stdin,
                lines,
                next_id: 1,
                _child: child,
            }),
            stderr,
            version: ready["version"].as_str().unwrap_or_default().to_string(),
            start_millis: ready["millis"].as_u64().unwrap_or_default(),
        })
    }

    /// Loads `page` (a URL; drive.js answers it itself) whose script connects
    /// with `transports`; everything the page and the browser reported, the
    /// last line `{"t":"done"}`. Panics when the driver is gone or the visit
    /// took longer than [`VISIT`].
    pub fn visit(&self, page: &str, transports: &[&str]) -> Visit {
        self.visit_with(json!({"page": page, "transports": transports}))
    }

    /// [`Browser::visit`], also writing the page's network traffic to `har` as a HAR file.
    pub fn visit_recording(&self, page: &str, transports: &[&str], har: &std::path::Path) -> Visit {
        self.visit_with(json!({"page": page, "transports": transports, "har": har}))
    }

    fn visit_with(&self, mut command: Value) -> Visit {
        let page = command["page"].as_str().unwrap_or_default().to_string();
        // A test that panicked holding the lock left the driver as it was: go on.
        let mut driver = self.driver.lock().unwrap_or_else(|e| e.into_inner());
        let id = driver.next_id;
        driver.next_id += 1;
        command["id"] = json!(id);
        writeln!(driver.stdin, "{command}")
            .and_then(|()| driver.stdin.flush())
            .unwrap_or_else(|e| panic!("the browser driver is gone ({e}):\n{}", self.stderr()));
        let mut lines = Vec::new();
        let deadline = std::time::Instant::now() + VISIT;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let line = match driver.lines.recv_timeout(left) {
                Ok(line) => line,
                Err(e) => panic!(
                    "no end of the visit to {page} ({e}); so far: {lines:#?}\n{}",
                    self.stderr()
                ),
            };
            let value: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("drive.js printed {line:?}: {e}"));
            if value["id"] != id {
                continue;
            }
            let done = value["t"] == "done";
            lines.push(value);
            if done {
                return Visit { lines };
            }
        }
    }

    fn stderr(&self) -> String {
        format!("--- drive.js stderr ---\n{}", self.stderr.lock().unwrap().join("\n"))
    }
}

/// What one page load reported, in order.
#[derive(Debug)]
pub struct Visit {
    pub lines: Vec<Value>,
}

impl Visit {
    /// The first line of type `t`; panics with every line when there is none.
    pub fn get(&self, t: &str) -> &Value {
        self.lines
            .iter()
            .find(|l| l["t"] == t)
            .unwrap_or_else(|| panic!("the page reported no {t:?}: {:#?}", self.lines))
    }

    /// Panics unless the page finished in time without errors, failed requests or console output.
    pub fn assert_finished(&self) {
        let trouble: Vec<&Value> = self
            .lines
            .iter()
            .filter(|l| ["error", "pageerror", "requestfailed", "console"].contains(&l["t"].as_str().unwrap_or("")))
            .collect();
        assert!(trouble.is_empty(), "{trouble:#?}\nall: {:#?}", self.lines);
        assert_eq!(self.get("done")["timed_out"], json!(false), "{:#?}", self.lines);
        self.get("finished");
    }

    /// Every line of type `t`.
    pub fn all(&self, t: &str) -> Vec<&Value> {
        self.lines.iter().filter(|l| l["t"] == t).collect()
    }
}
