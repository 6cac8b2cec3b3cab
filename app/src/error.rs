//! The one error type that crosses the wire: server functions, the JSON API and the pages
//! all speak it, so a message written once reaches every client the same way.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What went wrong, in terms a client can act on; each maps to one HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    BadInput,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    RateLimited,
    /// An upload over its size limit.
    TooLarge,
    Internal,
}

impl ErrorKind {
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::BadInput => 422,
            ErrorKind::Unauthorized => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::RateLimited => 429,
            ErrorKind::TooLarge => 413,
            ErrorKind::Internal => 500,
        }
    }
}

/// An error with the field it concerns and, for forms, the user's input so that a page
/// re-rendered after a plain (JavaScript-off) POST can show what was typed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub input: BTreeMap<String, String>,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            field: None,
            input: BTreeMap::new(),
        }
    }

    pub fn bad_input(field: &str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadInput, message).on(field)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    pub fn unauthorized() -> Self {
        Self::new(ErrorKind::Unauthorized, "Please sign in.")
    }

    pub fn forbidden() -> Self {
        Self::new(ErrorKind::Forbidden, "Your role does not allow this.")
    }

    /// The message users see for failures that are ours; the cause is logged, never sent.
    pub fn internal() -> Self {
        Self::new(
            ErrorKind::Internal,
            "Something went wrong on our side. Please try again.",
        )
    }

    pub fn on(mut self, field: &str) -> Self {
        self.field = Some(field.to_string());
        self
    }

    /// Attaches the submitted form values (never secrets) for the re-rendered form.
    pub fn with_input<'a>(mut self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        self.input = pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self
    }

    /// The message if this error concerns `field`.
    pub fn message_for(&self, field: &str) -> Option<String> {
        (self.field.as_deref() == Some(field)).then(|| self.message.clone())
    }

    pub fn input_value(&self, field: &str) -> Option<String> {
        self.input.get(field).cloned()
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => {
                AppError::new(ErrorKind::BadInput, format!("The form is incomplete: {m}"))
            }
            ServerFnErrorErr::Request(_) => AppError::new(
                ErrorKind::Internal,
                "The server could not be reached. Check your connection and try again.",
            ),
            _ => AppError::internal(),
        }
    }
}
