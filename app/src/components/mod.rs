//! Pieces several pages share.

pub mod admin_layout;
pub mod form;
pub mod nps_summary;
pub mod score_scale;
pub mod survey_settings;
