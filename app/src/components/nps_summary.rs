//! An NPS result as the admin reads it: the score, its interval, and the split.

use crate::domain::NpsResult;
use leptos::prelude::*;

fn pct(x: f64) -> String {
    format!("{x:.1} %")
}

#[component]
pub fn NpsSummary(
    result: NpsResult,
    /// NPS or eNPS: never pooled, so always named.
    label: &'static str,
) -> impl IntoView {
    let r = result;
    view! {
        <section class="nps" aria-label=label>
            <div class="nps-score">
                <span class="label">{label}</span>
                <strong data-testid="nps">{format!("{:.0}", r.nps)}</strong>
                <span class="ci" data-testid="nps-ci">
                    {format!("95 % CI {:.1} to {:.1}", r.ci.low, r.ci.high)}
                </span>
            </div>
            <dl class="split">
                <div>
                    <dt>"Answers"</dt>
                    <dd data-testid="n">{r.n}</dd>
                </div>
                <div class="promoters">
                    <dt>"Promoters (9–10)"</dt>
                    <dd data-testid="promoters">{r.promoters} " · " {pct(r.promoter_pct())}</dd>
                </div>
                <div class="passives">
                    <dt>"Passives (7–8)"</dt>
                    <dd data-testid="passives">{r.passives} " · " {pct(r.passive_pct())}</dd>
                </div>
                <div class="detractors">
                    <dt>"Detractors (0–6)"</dt>
                    <dd data-testid="detractors">{r.detractors} " · " {pct(r.detractor_pct())}</dd>
                </div>
            </dl>
            {(r.n == 0).then(|| view! { <p class="muted">"No answers yet."</p> })}
        </section>
    }
}
