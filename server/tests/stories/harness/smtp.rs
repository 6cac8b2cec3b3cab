//! A real SMTP server on loopback (aiosmtpd, see `tests/support/smtp_sink.py`) and the
//! messages it received, parsed.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct SmtpSink {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
}

/// One delivered message: its headers (lower-cased names) and decoded parts.
#[derive(Clone, Debug)]
pub struct Mail {
    pub headers: Vec<(String, String)>,
    pub text: String,
    pub html: String,
    /// Inline images: (Content-ID without its brackets, decoded bytes).
    pub images: Vec<(String, Vec<u8>)>,
}

impl Mail {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn to(&self) -> &str {
        self.header("to").unwrap_or_default()
    }

    /// The personal link's token, from the first score link of the text part.
    pub fn token(&self) -> String {
        let start = self.text.find("/t/").expect("a personal link") + 3;
        self.text[start..]
            .split(['?', '\n', ' '])
            .next()
            .expect("token")
            .to_owned()
    }
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let dir = tempfile::tempdir().expect("mail dir");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
        let mut child = Command::new("python3")
            .args([script, "--dir"])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 with aiosmtpd (installed by .ci/tools.sh)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the SMTP sink says READY");
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the SMTP sink did not start: {line:?}"));
        SmtpSink { port, dir, child }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("mail dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
    }

    pub fn messages(&self) -> Vec<Mail> {
        self.files()
            .iter()
            .map(|path| parse(&std::fs::read(path).expect("message")))
            .collect()
    }

    /// Waits (up to 30 s) until at least `n` messages arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Mail> {
        for _ in 0..300 {
            if self.files().len() >= n {
                return self.messages();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("expected {n} messages, got {}", self.files().len());
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn parse(raw: &[u8]) -> Mail {
    let mail = mailparse::parse_mail(raw).expect("a well-formed message");
    let headers = mail
        .headers
        .iter()
        .map(|h| (h.get_key().to_lowercase(), h.get_value()))
        .collect();
    let mut text = String::new();
    let mut html = String::new();
    let mut images = Vec::new();
    for part in mail.parts() {
        match part.ctype.mimetype.as_str() {
            "text/plain" => text = part.get_body().expect("text part"),
            "text/html" => html = part.get_body().expect("html part"),
            "image/png" => {
                let id = part
                    .headers
                    .iter()
                    .find(|h| h.get_key().eq_ignore_ascii_case("content-id"))
                    .map(|h| h.get_value().trim_matches(['<', '>', ' ']).to_owned())
                    .unwrap_or_default();
                images.push((id, part.get_body_raw().expect("image part")));
            }
            _ => {}
        }
    }
    Mail {
        headers,
        text,
        html,
        images,
    }
}
