//! Drawing charts. The server draws them with plotters (`server/src/charts.rs`); the use
//! cases say what to draw, already scored and with withheld figures already left out.

use crate::domain::distribution::Distribution;
use crate::domain::funnel::Funnel;
use crate::domain::shares::Shares;
use crate::domain::trend::Trend;

pub trait Charts: Send + Sync {
    /// The trend as an SVG element that scales with its container, with its axes
    /// labelled; withheld points are not drawn at all.
    fn trend_svg(&self, trend: &Trend) -> Result<String, String>;
    /// The same trend as a PNG, for email (mail clients do not show SVG).
    fn trend_png(&self, trend: &Trend) -> Result<Vec<u8>, String>;
    /// A bar per point of the scale, in its category's colour; withheld bars are not
    /// drawn.
    fn distribution_svg(&self, distribution: &Distribution) -> Result<String, String>;
    /// A column per period, its three categories stacked to 100 %; withheld periods are
    /// not drawn.
    fn shares_svg(&self, shares: &Shares) -> Result<String, String>;
    /// For each send, a bar per step of its funnel, side by side.
    fn funnel_svg(&self, funnels: &[Funnel]) -> Result<String, String>;
    /// The trend as a small line without axes, for a table cell; withheld and empty
    /// periods break the line.
    fn sparkline_svg(&self, trend: &Trend) -> Result<String, String>;
}
