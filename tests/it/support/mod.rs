//! Helpers shared by the modules of the `it` integration test binary.
//! Only `std` is used here, so the helpers cost no extra build time.
#![allow(dead_code)] // each test module uses a different subset

pub mod admin;
pub mod apt;
pub mod browser;
pub mod daemon;
pub mod doctor;
pub mod hostile;
pub mod nginx;
pub mod node;
pub mod peer;
pub mod python;
pub mod redis;
pub mod tap;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A fresh path `name` in this test process's own temporary directory `sio-PURPOSE-PID`.
pub fn temp_path(purpose: &str, name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sio-{purpose}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// A parsed HTTP/1.1 response.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    /// Header names as sent; look them up with [`HttpResponse::header`].
    pub headers: Vec<(String, String)>,
    /// The body, already de-chunked (never decompressed: we send no Accept-Encoding).
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as (lossy) UTF-8.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// `GET path` on 127.0.0.1:`port` over a fresh connection (`Connection: close`).
pub fn http_get(port: u16, path: &str) -> HttpResponse {
    http_request(port, "GET", path, &[], b"")
}

/// One raw HTTP/1.1 request over a fresh TCP connection with
/// `Connection: close`; reads the whole response. Panics on I/O errors and
/// after 10 s without data, with the request in the message.
pub fn http_request(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpResponse {
    let what = format!("{method} http://127.0.0.1:{port}{path}");
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("{what}: connect: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set_read_timeout");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    stream
        .write_all(&bytes)
        .unwrap_or_else(|e| panic!("{what}: write: {e}"));

    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .unwrap_or_else(|e| panic!("{what}: read: {e}"));
    parse_response(&raw).unwrap_or_else(|e| panic!("{what}: {e}\n{}", String::from_utf8_lossy(&raw)))
}

fn parse_response(raw: &[u8]) -> Result<HttpResponse, String> {
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = std::str::from_utf8(&raw[..head_end]).map_err(|_| "headers are not UTF-8")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut response = HttpResponse {
        status,
        headers,
        body: Vec::new(),
    };
    let rest = &raw[head_end + 4..];
    response.body = if response
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        dechunk(rest)?
    } else if let Some(length) = response.header("content-length") {
        let length: usize = length.parse().map_err(|_| format!("bad Content-Length {length:?}"))?;
        rest.get(..length).ok_or("body shorter than Content-Length")?.to_vec()
    } else {
        rest.to_vec()
    };
    Ok(response)
}

fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let eol = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("truncated chunk size")?;
        let size_text = std::str::from_utf8(&rest[..eol]).map_err(|_| "bad chunk size")?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        rest = &rest[eol + 2..];
        if size == 0 {
            return Ok(body);
        }
        body.extend_from_slice(rest.get(..size).ok_or("truncated chunk")?);
        rest = rest.get(size + 2..).ok_or("truncated chunk end")?;
    }
}
