//! `/api/v1/answers/{slug}`, `/api/v1/personal-answers/{token}` and
//! `/api/v1/surveys/{id}/responses/{response_id}`: answering a survey as JSON through
//! its public or a personal link, and reading one response. Answers go through the same
//! use case as the answer page's form.

use super::{ApiResult, Body, Caller, ErrorBody, Path};
use app::api::answers::{self, Link};
use app::api::context::ClientIp;
use app::api::{inbox, responses};
use app::domain::{Locale, TypedAnswer};
use app::model::{InboxFilters, InboxList, ResponseView};
use app::ports::{Recorded, Services};
use axum::{
    extract::{RawQuery, State},
    http::StatusCode,
    Extension, Json,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// One response: its answers, and who gave it when — except for anonymous surveys, whose
/// responses show their answers only. Detractor alerts link to its page.
#[utoipa::path(get, path = "/surveys/{id}/responses/{response_id}", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id"),
           ("response_id" = i64, Path, description = "Response id")),
    responses((status = 200, body = ResponseView), (status = 404, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn get_response(
    State(s): State<Services>,
    caller: Caller,
    Path((id, response_id)): Path<(i64, i64)>,
) -> ApiResult<Json<ResponseView>> {
    Ok(Json(responses::view(&s, &caller.0, id, response_id).await?))
}

/// The responses inbox: identified surveys' responses the caller may read, newest first,
/// 25 a page, under the dashboard's filters and the inbox's own. `more` says whether
/// another page follows. Anonymous surveys' responses are never listed.
#[utoipa::path(get, path = "/responses", tag = "surveys", params(InboxFilters),
    responses((status = 200, body = InboxList), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_responses(
    State(s): State<Services>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<InboxList>> {
    let mut f = InboxFilters::default();
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let value = value.into_owned();
        match key.as_ref() {
            "survey" => f.survey = value,
            "range" => f.range = value,
            "from" => f.from = value,
            "to" => f.to = value,
            "send" => f.send = value,
            "filter" => f.filter.push(value),
            "category" => f.category = value,
            "comment" => f.comment = value,
            "case" => f.case = value,
            "q" => f.q = value,
            "page" => f.page = value,
            _ => {}
        }
    }
    Ok(Json(inbox::page(&s, &caller.0, &f).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerBody {
    /// By question key: a score as a JSON integer (`9`; `"9"` is refused), an option key
    /// or text (`"fast"`), or a list of option keys for multiple choice. Leave a question
    /// out (or send null) to skip it.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub answers: BTreeMap<String, serde_json::Value>,
    /// By question key: the answer to its "why?" follow-up.
    #[serde(default)]
    pub follow_ups: BTreeMap<String, String>,
    /// Public links: send the key from an earlier answer to change that response.
    pub resume_key: Option<String>,
    /// en or de, for the error messages.
    pub lang: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AnswerReceipt {
    /// `recorded` for a new response, `updated` when it changed an earlier one.
    pub status: String,
    /// Public links: the key that changes this response later.
    pub resume_key: Option<String>,
}

/// The client's address, which answers are limited by (set by the server's client
/// address layer; a router without it counts every caller as one).
type Client = Option<Extension<ClientIp>>;

fn address(client: Client) -> String {
    client.map_or_else(|| "unknown".to_owned(), |Extension(ClientIp(ip))| ip)
}

pub async fn answer_via(
    s: &Services,
    link: Link,
    client: &str,
    body: AnswerBody,
) -> ApiResult<(StatusCode, Json<AnswerReceipt>)> {
    let locale = body
        .lang
        .as_deref()
        .and_then(Locale::parse)
        .unwrap_or(Locale::En);
    let answers = body
        .answers
        .into_iter()
        .map(|(key, value)| (key, typed_answer(value)))
        .collect();
    let public = matches!(link, Link::Public(_));
    let (recorded, resume_key) = answers::submit_response(
        s,
        &link,
        client,
        body.resume_key.as_deref(),
        &answers,
        &body.follow_ups,
        locale,
    )
    .await?;
    let (status, word) = match recorded {
        Recorded::New => (StatusCode::CREATED, "recorded"),
        _ => (StatusCode::OK, "updated"),
    };
    Ok((
        status,
        Json(AnswerReceipt {
            status: word.into(),
            resume_key: public.then_some(resume_key),
        }),
    ))
}

/// A JSON value as the typed answer it is: a score must come as a JSON integer, so only
/// an integer becomes one; the use case refuses anything else for a scale question.
fn typed_answer(value: serde_json::Value) -> TypedAnswer {
    use serde_json::Value;
    let text = |v: Value| match v {
        Value::String(s) => Some(s),
        Value::Null => None,
        other => Some(other.to_string()),
    };
    match value {
        Value::Null => TypedAnswer::Skipped,
        // Beyond i64 a number is still a whole number, just far off any scale.
        Value::Number(n) if n.is_i64() || n.is_u64() => {
            TypedAnswer::Integer(n.as_i64().unwrap_or(i64::MAX))
        }
        Value::Array(items) => TypedAnswer::List(items.into_iter().filter_map(text).collect()),
        Value::String(s) => TypedAnswer::Text(s),
        other => TypedAnswer::Text(other.to_string()),
    }
}

/// Answers a survey through its public link (no authentication: the link is the key).
#[utoipa::path(post, path = "/answers/{slug}", tag = "answers", request_body = AnswerBody,
    params(("slug" = String, Path, description = "The survey's public link id")),
    security(()),
    responses((status = 201, body = AnswerReceipt), (status = 200, body = AnswerReceipt),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait")),
               description = "Too many answers from this address to this survey just now")))]
pub async fn submit_answer(
    State(s): State<Services>,
    Path(slug): Path<String>,
    client: Client,
    Body(body): Body<AnswerBody>,
) -> ApiResult<(StatusCode, Json<AnswerReceipt>)> {
    let link = answers::link_or_404(&format!("s/{slug}"))?;
    answer_via(&s, link, &address(client), body).await
}

/// Answers through a personal link; a second call changes the same response.
#[utoipa::path(post, path = "/personal-answers/{token}", tag = "answers", request_body = AnswerBody,
    params(("token" = String, Path, description = "The token of the personal link")),
    security(()),
    responses((status = 201, body = AnswerReceipt), (status = 200, body = AnswerReceipt),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait")),
               description = "Too many answers from this address to this survey just now")))]
pub async fn submit_personal_answer(
    State(s): State<Services>,
    Path(token): Path<String>,
    client: Client,
    Body(body): Body<AnswerBody>,
) -> ApiResult<(StatusCode, Json<AnswerReceipt>)> {
    let link = answers::link_or_404(&format!("t/{token}"))?;
    answer_via(&s, link, &address(client), body).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::{AnswerError, AnswerValue, LocalizedText, Question, QuestionKind};
    use serde_json::json;

    fn nps(value: serde_json::Value) -> Result<Option<AnswerValue>, AnswerError> {
        let q = Question::new("nps", QuestionKind::Nps, LocalizedText::new("?", "?"));
        q.typed_answer(&typed_answer(value))
            .and_then(|raw| q.parse_answer(&raw))
    }

    #[test]
    fn a_score_sent_as_json_must_be_an_integer() {
        assert_eq!(nps(json!(9)), Ok(Some(AnswerValue::Score(9))));
        assert_eq!(nps(json!("9")), Err(AnswerError::NotAScore));
        assert_eq!(nps(json!([9])), Err(AnswerError::NotAScore));
        assert_eq!(nps(json!(9.0)), Err(AnswerError::NotAScore));
        assert_eq!(nps(json!(true)), Err(AnswerError::NotAScore));
        assert_eq!(
            nps(json!(u64::MAX)),
            Err(AnswerError::ScoreOutOfRange { min: 0, max: 10 })
        );
    }
}
