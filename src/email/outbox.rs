//! Reads the outbox folder back: `emporium outbox` and the tests use it to find mailed links.

use std::path::{Path, PathBuf};

use mail_parser::{MessageParser, MimeHeaders};

#[derive(Debug, Clone)]
pub struct OutboxMail {
    pub path: PathBuf,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachments: Vec<String>,
}

impl OutboxMail {
    /// Every http(s) link in the text part, in order.
    pub fn links(&self) -> Vec<String> {
        self.text
            .split_whitespace()
            .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
            .map(|w| w.trim_end_matches(['.', ',', ')', '>']).to_string())
            .collect()
    }
}

pub fn parse(path: &Path) -> Option<OutboxMail> {
    let raw = std::fs::read(path).ok()?;
    let msg = MessageParser::default().parse(&raw)?;
    let to = msg
        .to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .to_string();
    Some(OutboxMail {
        path: path.to_path_buf(),
        to,
        subject: msg.subject().unwrap_or_default().to_string(),
        text: msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        html: msg.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
        attachments: msg
            .attachments()
            .filter_map(|a| a.attachment_name().map(str::to_string))
            .collect(),
    })
}

/// All mails in the folder, oldest first.
pub fn read_all(dir: &Path) -> Vec<OutboxMail> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    files.sort();
    files.into_iter().filter_map(|(_, p)| parse(&p)).collect()
}
