//! A dashboard's figures as a CSV file, and its answers (one row per response) as CSV or
//! JSON: the same use case, rules and filters as the page (role, scope, anonymity), so
//! a download holds exactly what the page shows. Answers stream a page of responses at
//! a time, so a file of millions never sits in memory.

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::api::trends;
    use crate::domain::export::{count, line, number, text, BOM};
    use crate::domain::survey::AnswerValue;
    use crate::error::AppError;
    use crate::model::{DashboardQuery, TrendView};
    use crate::ports::{ExportQuery, ExportedResponse, Services, User};
    use serde_json::{json, Map, Value};

    /// The columns of a results file, in order.
    pub const RESULT_COLUMNS: [&str; 14] = [
        "question_key",
        "question",
        "part",
        "from",
        "to",
        "segment",
        "measure",
        "unit",
        "n",
        "value",
        "ci_low",
        "ci_high",
        "too_few",
        "withheld",
    ];

    /// Survey `id`'s results under `query` as `user` may see them: per scored question,
    /// one `range` row (the tile), a `period` row per point of its trend and, with `by`,
    /// a `breakdown` row per value. Withheld figures are empty cells with the reason.
    #[tracing::instrument(skip_all, fields(survey_id = id), err(level = "info"))]
    pub async fn results_csv(
        services: &Services,
        user: &User,
        id: i64,
        query: &DashboardQuery,
    ) -> Result<String, AppError> {
        let dashboard = trends::dashboard(services, user, id, query).await?;
        let mut out = String::from(BOM);
        out.push_str(&line(&RESULT_COLUMNS.map(str::to_owned)));
        for view in &dashboard.questions {
            out.push_str(&question_lines(view));
        }
        Ok(out)
    }

    struct Row<'a> {
        part: &'a str,
        from: &'a str,
        to: &'a str,
        segment: String,
        n: Option<u64>,
        value: Option<f64>,
        ci: Option<crate::domain::stats::Interval>,
        too_few: bool,
        withheld: Option<&'a str>,
    }

    fn question_lines(view: &TrendView) -> String {
        let tile = &view.tile;
        let mut rows = vec![Row {
            part: "range",
            from: &view.from,
            to: &view.to,
            segment: String::new(),
            n: tile.n,
            value: tile.value,
            ci: tile.ci,
            too_few: tile.too_few,
            withheld: tile.withheld.as_deref(),
        }];
        rows.extend(view.trend.points.iter().map(|p| Row {
            part: "period",
            from: &p.start,
            to: &p.end,
            segment: String::new(),
            n: p.n,
            value: p.value,
            ci: p.ci,
            too_few: p.too_few,
            withheld: p.withheld.as_deref(),
        }));
        if let Some(b) = &view.breakdown {
            rows.extend(b.rows.iter().map(|r| Row {
                part: "breakdown",
                from: &view.from,
                to: &view.to,
                segment: format!("{}={}", b.attribute, r.value),
                n: r.n,
                value: r.score,
                ci: r.ci,
                too_few: r.too_few,
                withheld: r.withheld.as_deref(),
            }));
        }
        rows.into_iter()
            .map(|r| {
                line(&[
                    text(&view.question_key),
                    text(&view.question),
                    text(r.part),
                    text(r.from),
                    text(r.to),
                    text(&r.segment),
                    text(&tile.measure),
                    text(&tile.unit),
                    count(r.n),
                    number(r.value),
                    number(r.ci.map(|ci| ci.low)),
                    number(r.ci.map(|ci| ci.high)),
                    r.too_few.to_string(),
                    text(r.withheld.unwrap_or_default()),
                ])
            })
            .collect()
    }

    /// Responses read per page: a page's rows are all an export holds at once.
    pub const EXPORT_PAGE: u64 = 1000;

    /// How an answers file is written.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum AnswersFormat {
        /// One line per response, a column per question (and its follow-up).
        Csv,
        /// An array of one object per response.
        Json,
    }

    /// An answers file being written, chunk by chunk ([`AnswersExport::next_chunk`]).
    /// Identified surveys: each response's id, exact time, contact and attributes.
    /// Anonymous ones: the day alone, no id, contact or attribute, in an order within the
    /// day that follows no time, and only for a view whose group may be shown.
    pub struct AnswersExport {
        services: Services,
        survey_id: i64,
        query: ExportQuery,
        format: AnswersFormat,
        attributes: Vec<String>,
        /// (key, whether it has a follow-up column)
        questions: Vec<(String, bool)>,
        started: bool,
        done: bool,
        rows: u64,
    }

    /// Survey `id`'s answers under `query`, as `user` may read them.
    pub async fn answers(
        services: &Services,
        user: &User,
        id: i64,
        query: &DashboardQuery,
        format: AnswersFormat,
    ) -> Result<AnswersExport, AppError> {
        let (survey, rows) = trends::answer_rows(services, user, id, query).await?;
        let definition = &survey.definition;
        Ok(AnswersExport {
            services: services.clone(),
            survey_id: survey.id,
            format,
            attributes: match rows.anonymous {
                true => Vec::new(),
                false => definition.grouping_attributes.clone(),
            },
            questions: definition
                .questions
                .iter()
                .map(|q| (q.key.clone(), q.kind.score_range().is_some()))
                .collect(),
            query: ExportQuery {
                limit: EXPORT_PAGE,
                ..rows
            },
            started: false,
            done: false,
            rows: 0,
        })
    }

    impl AnswersExport {
        /// The file's name, as a download suggests it.
        pub fn file_name(&self) -> String {
            let ext = match self.format {
                AnswersFormat::Csv => "csv",
                AnswersFormat::Json => "json",
            };
            format!("survey-{}-answers.{ext}", self.survey_id)
        }

        /// The next part of the file; none once it is whole.
        pub async fn next_chunk(&mut self) -> Result<Option<String>, AppError> {
            if self.done {
                return Ok(None);
            }
            let mut out = String::new();
            if !self.started {
                self.started = true;
                match self.format {
                    AnswersFormat::Csv => {
                        out.push_str(BOM);
                        out.push_str(&line(&self.columns()));
                    }
                    AnswersFormat::Json => out.push('['),
                }
            }
            let page = self
                .services
                .store
                .export_page(self.survey_id, &self.query)
                .await?;
            for response in &page {
                match self.format {
                    AnswersFormat::Csv => out.push_str(&line(&self.cells(response))),
                    AnswersFormat::Json => {
                        if self.rows > 0 {
                            out.push(',');
                        }
                        out.push_str(&self.object(response).to_string());
                    }
                }
                self.rows += 1;
            }
            self.query.after = page.last().map(|r| r.cursor.clone());
            if (page.len() as u64) < self.query.limit {
                self.done = true;
                if self.format == AnswersFormat::Json {
                    out.push(']');
                }
            }
            Ok(Some(out))
        }

        fn anonymous(&self) -> bool {
            self.query.anonymous
        }

        /// The header: what identifies a response (identified surveys only), then a
        /// column per question and one per follow-up.
        pub fn columns(&self) -> Vec<String> {
            let mut columns: Vec<String> = match self.anonymous() {
                true => vec!["day".into(), "locale".into(), "completed".into()],
                false => [
                    "response_id",
                    "submitted_at",
                    "day",
                    "locale",
                    "completed",
                    "email",
                    "name",
                ]
                .map(String::from)
                .into(),
            };
            columns.extend(
                self.attributes
                    .iter()
                    .map(|a| text(&format!("attribute:{a}"))),
            );
            for (key, follow_up) in &self.questions {
                columns.push(text(key));
                if *follow_up {
                    columns.push(text(&format!("{key}:follow_up")));
                }
            }
            columns
        }

        fn cells(&self, r: &ExportedResponse) -> Vec<String> {
            let mut cells = match self.anonymous() {
                true => vec![r.cursor.day.to_string()],
                false => vec![
                    r.cursor.id.to_string(),
                    r.submitted_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    r.cursor.day.to_string(),
                ],
            };
            cells.push(text(&r.locale));
            cells.push(r.completed.to_string());
            if !self.anonymous() {
                cells.push(text(r.email.as_deref().unwrap_or_default()));
                cells.push(text(r.name.as_deref().unwrap_or_default()));
            }
            for attribute in &self.attributes {
                cells.push(text(r.groups.get(attribute).map_or("", String::as_str)));
            }
            for (key, follow_up) in &self.questions {
                let answer = r.answers.iter().find(|(k, _, _)| k == key);
                cells.push(match answer.map(|(_, v, _)| v) {
                    None => String::new(),
                    Some(AnswerValue::Score(n)) => n.to_string(),
                    Some(AnswerValue::Choice(c) | AnswerValue::Text(c)) => text(c),
                    Some(AnswerValue::Choices(cs)) => text(&cs.join(CHOICES_SEPARATOR)),
                });
                if *follow_up {
                    let note = answer.and_then(|(_, _, f)| f.as_deref());
                    cells.push(text(note.unwrap_or_default()));
                }
            }
            cells
        }

        fn object(&self, r: &ExportedResponse) -> Value {
            let mut answers = Map::new();
            let mut follow_ups = Map::new();
            for (key, _) in &self.questions {
                if let Some((_, value, note)) = r.answers.iter().find(|(k, _, _)| k == key) {
                    answers.insert(
                        key.clone(),
                        match value {
                            AnswerValue::Score(n) => json!(n),
                            AnswerValue::Choice(c) | AnswerValue::Text(c) => json!(c),
                            AnswerValue::Choices(cs) => json!(cs),
                        },
                    );
                    if let Some(note) = note.as_deref().filter(|n| !n.is_empty()) {
                        follow_ups.insert(key.clone(), json!(note));
                    }
                }
            }
            let mut object = Map::new();
            if !self.anonymous() {
                object.insert("response_id".into(), json!(r.cursor.id));
                object.insert("submitted_at".into(), json!(r.submitted_at));
            }
            object.insert("day".into(), json!(r.cursor.day));
            object.insert("locale".into(), json!(r.locale));
            object.insert("completed".into(), json!(r.completed));
            if !self.anonymous() {
                object.insert("email".into(), json!(r.email));
                object.insert("name".into(), json!(r.name));
                let attributes: Map<String, Value> = self
                    .attributes
                    .iter()
                    .filter_map(|a| r.groups.get(a).map(|v| (a.clone(), json!(v))))
                    .collect();
                object.insert("attributes".into(), Value::Object(attributes));
            }
            object.insert("answers".into(), Value::Object(answers));
            object.insert("follow_ups".into(), Value::Object(follow_ups));
            Value::Object(object)
        }
    }

    /// Between the options of a multiple-choice answer in a CSV cell.
    pub const CHOICES_SEPARATOR: &str = "; ";
}
