//! `/surveys/:id`: the survey's links, its dashboard (filters in the URL, see
//! [`DashboardQuery`]), its results question by question, and its lifecycle.

use crate::api::surveys::load_survey_report;
use crate::api::trends::{load_dashboard, DEFAULT_RANGE};
use crate::components::page_error::PageError;
use crate::components::{
    admin_layout::AdminLayout,
    case_figures::CaseFiguresView,
    case_settings::CaseSettingsForm,
    comment_list::CommentList,
    dashboard_filters::DashboardFilters,
    digests::DigestSubscribe,
    funnel_chart::{FunnelFigure, MovementTable},
    question_report::QuestionResults,
    survey_settings::SurveySettingsForm,
    trend_chart::QuestionDashboard,
};
use crate::error::ErrorKind;
use crate::model::DashboardQuery;
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn SurveyPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let report = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_survey_report(id).await,
            None => Err(crate::error::AppError::not_found(
                "There is no survey with this id.",
            )),
        }
    });
    let query = use_query_map();
    let dashboard_query = move || {
        let q = query.read();
        let one = |key: &str| q.get(key).unwrap_or_default();
        DashboardQuery {
            range: one("range"),
            from: one("from"),
            to: one("to"),
            grain: one("grain"),
            send: one("send"),
            filter: q.get_all("filter").unwrap_or_default(),
            by: one("by"),
            sort: one("sort"),
            category: one("category"),
            q: one("q"),
            page: one("page"),
        }
    };
    let trends = Resource::new(
        move || (id(), dashboard_query()),
        |(id, query)| async move {
            match id {
                Some(id) => load_dashboard(id, query).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                // Awaited together, so the page is rendered whole on the server.
                let dashboards = trends.await;
                match report.await {
                    Ok(r) => {
                    let may_see_sends = r.may_see_sends;
                    let may_read_responses = r.may_read_responses;
                    view! {
                        <Title text=format!("{} · Resonance", r.survey.title) />
                        <AdminLayout>
                            <h1>{r.survey.title.clone()}</h1>
                            <p class="muted">
                                {r.survey.kind.as_str().to_uppercase()} " · " {r.survey.status.as_str()}
                                " · " {r.survey.questions} " questions · version " {r.survey.version}
                                {r.survey.anonymous.then_some(" · anonymous")}
                            </p>
                            <p class="link">
                                "Answer link: "
                                <a href=r.survey.public_url.clone() data-testid="public-link">{r.survey.public_url.clone()}</a>
                                " · preview: "
                                <a href=format!("{}?lang=en&preview=1", r.survey.public_url) data-testid="preview-en">"English"</a>
                                " · "
                                <a href=format!("{}?lang=de&preview=1", r.survey.public_url) data-testid="preview-de">"Deutsch"</a>
                            </p>
                            {r.may_manage.then(|| view! {
                                <p>
                                    <a href=format!("/surveys/{}/edit", r.survey.id) data-testid="edit">"Edit questions and texts"</a>
                                    " · "
                                    <a href=format!("/surveys/{}/sends", r.survey.id) data-testid="sends">"Send by email"</a>
                                </p>
                            })}
                            {match r.narrowed {
                                false => view! { <p class="muted">"Responses: " <span data-testid="responses">{r.survey.response_count.map_or_else(|| "fewer than the minimum group".to_owned(), |n| n.to_string())}</span></p> }.into_any(),
                                true => view! { <p class="muted" data-testid="narrowed">"Narrowed to your teams: every figure here is theirs."</p> }.into_any(),
                            }}
                            <section class="trends" aria-labelledby="trends-heading">
                                <h2 id="trends-heading">"Where it stands and where it is moving"</h2>
                                {match dashboards {
                                    Ok(Some(d)) => {
                                        let query = d.query.clone();
                                        view! {
                                            <DashboardFilters query=d.query.clone() choices=d.choices.clone() />
                                            <p class="download">
                                                <a href=format!("/api/v1/surveys/{}/results.csv{}", r.survey.id, d.query.to_query_string()) download="" data-testid="results-csv">
                                                    "Download these figures as CSV"
                                                </a>
                                                " or "
                                                <a href=format!("/api/v1/surveys/{}/trends{}", r.survey.id, d.query.to_query_string()) download="" data-testid="results-json">
                                                    "the figures as JSON"
                                                </a>
                                                {(may_read_responses && !r.survey.anonymous).then(|| view! {
                                                    " · "
                                                    <a href=format!("/responses?survey={}&range=all", r.survey.id) data-testid="inbox-link">"Read the responses one by one"</a>
                                                })}
                                                {may_read_responses.then(|| {
                                                    let answers = format!("/api/v1/surveys/{}/answers", r.survey.id);
                                                    let params = d.query.to_query_string();
                                                    view! {
                                                        " · "
                                                        <a href=format!("{answers}.csv{params}") download="" data-testid="answers-csv">"Download the answers as CSV"</a>
                                                        " or "
                                                        <a href=format!("{answers}.json{params}") download="" data-testid="answers-json">"the answers as JSON"</a>
                                                    }
                                                })}
                                            </p>
                                            {d.questions
                                                .into_iter()
                                                .map(|v| view! { <QuestionDashboard view=v query=query.clone() /> })
                                                .collect_view()}
                                            <CommentList comments=d.comments.clone() query=d.query.clone() />
                                            {d.cases.clone().map(|stats| view! { <CaseFiguresView stats survey_id=r.survey.id /> })}
                                            {may_see_sends.then(|| view! {
                                                <h3>"Sends and waves"</h3>
                                                <FunnelFigure funnels=d.funnels svg=d.funnel_svg description=d.funnel_description />
                                                {(d.funnels_withheld > 0).then(|| view! {
                                                    <p class="withheld" data-testid="funnels-withheld">
                                                        {d.funnels_withheld} " send(s) not shown to protect anonymity: fewer people have answered them than the survey's minimum group size."
                                                    </p>
                                                })}
                                            })}
                                            {d.movement.map(|m| view! { <MovementTable movement=m /> })}
                                            <DigestSubscribe survey_id=r.survey.id filters=d.query.filter.clone() />
                                        }
                                        .into_any()
                                    }
                                    Ok(None) => ().into_any(),
                                    // The form stays, with what was asked, so it can be fixed.
                                    Err(e) => view! {
                                        <DashboardFilters
                                            query=DashboardQuery {
                                                range: Some(dashboard_query().range).filter(|r| !r.is_empty()).unwrap_or_else(|| DEFAULT_RANGE.to_owned()),
                                                ..dashboard_query()
                                            }
                                            choices=Default::default()
                                        />
                                        <p class="form-error" role="alert" data-testid="dashboard-error">{e.message}</p>
                                    }.into_any(),
                                }}
                            </section>
                            {(!r.narrowed).then(|| r.questions.into_iter().map(|q| view! { <QuestionResults report=q /> }).collect_view())}
                            {r.may_manage.then(|| view! { <SurveySettingsForm survey=r.survey.clone() /> })}
                            {r.cases.clone().map(|settings| view! {
                                <CaseSettingsForm survey_id=r.survey.id anonymous=r.survey.anonymous settings />
                            })}
                        </AdminLayout>
                    }.into_any()
                    }
                    Err(e) if e.kind == ErrorKind::NotFound => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <AdminLayout><PageError error=e /></AdminLayout> }.into_any(),
                }
            })}
        </Suspense>
    }
}
