//! Pieces several pages share.

pub mod admin_layout;
pub mod case_figures;
pub mod case_settings;
pub mod comment_list;
pub mod dashboard_filters;
pub mod digests;
pub mod form;
pub mod funnel_chart;
pub mod nps_summary;
pub mod page_error;
pub mod question_input;
pub mod question_report;
pub mod survey_settings;
pub mod ticks;
pub mod trend_chart;
