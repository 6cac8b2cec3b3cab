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
    /// For failures that are ours: the id of the request, which the log line with the
    /// cause carries too, so a user who quotes it leads straight to that line. Filled at
    /// the HTTP boundary, which knows the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For a refusal to do more now (429): how many seconds to wait before trying again,
    /// which the HTTP boundary sends as `Retry-After`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            field: None,
            input: BTreeMap::new(),
            request_id: None,
            retry_after: None,
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

    /// The message for a uniqueness rule that a use case did not expect to hit: a use case
    /// that does expect one matches on [`StoreError::Conflict`] and says what exists.
    ///
    /// [`StoreError::Conflict`]: crate::ports::StoreError::Conflict
    pub fn conflict() -> Self {
        Self::new(
            ErrorKind::Conflict,
            "This conflicts with something that exists already.",
        )
    }

    /// Asks the client to wait `seconds` before trying again.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
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

/// The one place where storage failures become client errors, so use cases write `?`.
/// Database text never reaches a client: it may name tables, columns or the values of
/// other people's rows. The cause is logged here, once, inside the request's span, whose
/// request id the HTTP boundary also puts into the body of a 500.
#[cfg(feature = "ssr")]
impl From<crate::ports::StoreError> for AppError {
    fn from(err: crate::ports::StoreError) -> Self {
        use crate::ports::StoreError;
        match err {
            StoreError::Conflict(_) => {
                tracing::warn!(
                    error = &err as &dyn std::error::Error,
                    "unexpected conflict"
                );
                AppError::conflict()
            }
            StoreError::Backend(_) => {
                tracing::error!(error = &err as &dyn std::error::Error, "storage failure");
                AppError::internal()
            }
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::ports::StoreError;

    #[test]
    fn a_storage_failure_is_a_500_that_says_nothing_of_the_database() {
        let db_text = "error returned from database: no such table: answer_buckets";
        let err = AppError::from(StoreError::Backend(db_text.into()));
        assert_eq!(err.kind, ErrorKind::Internal);
        assert_eq!(err.kind.status(), 500);
        assert_eq!(err, AppError::internal());
        let body = serde_json::to_string(&err).unwrap_or_default();
        for word in ["database", "table", "answer_buckets", "no such"] {
            assert!(!err.message.contains(word), "{word} in {}", err.message);
            assert!(!body.contains(word), "{word} in {body}");
        }
    }

    #[test]
    fn an_unexpected_conflict_is_a_409_in_our_own_words() {
        let db_text = "duplicate key value violates unique constraint \"contacts_email_key\"";
        let err = AppError::from(StoreError::Conflict(db_text.into()));
        assert_eq!(err.kind.status(), 409);
        assert_eq!(
            err.message,
            "This conflicts with something that exists already."
        );
        assert!(!err.message.contains("contacts_email_key"));
    }

    #[test]
    fn the_request_id_is_sent_only_when_there_is_one() {
        let body = serde_json::to_value(AppError::internal()).unwrap_or_default();
        assert!(body.get("request_id").is_none());
        let err = AppError {
            request_id: Some("7f3c".into()),
            ..AppError::internal()
        };
        let body = serde_json::to_string(&err).unwrap_or_default();
        let back: AppError = serde_json::from_str(&body).unwrap_or_else(|_| AppError::conflict());
        assert_eq!(back.request_id.as_deref(), Some("7f3c"));
    }
}
