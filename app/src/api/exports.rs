//! A dashboard's figures as a CSV file: the same use case, rules and filters as the
//! page (role, scope, anonymity), so a download holds exactly what the page shows.

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::api::trends;
    use crate::domain::export::{count, line, number, text, BOM};
    use crate::error::AppError;
    use crate::model::{DashboardQuery, TrendView};
    use crate::ports::{Services, User};

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
}
