//! Charts drawn on the server with plotters, as SVG for pages and the API.
//!
//! The font is bundled (DejaVu Sans, see `assets/fonts/`) and registered once, so text
//! is measured the same on every machine and no system font is needed. Text, axes and
//! grid are drawn in `currentColor`, so a chart reads in the page's light and dark
//! colour schemes alike; the data colours are mid-tones that show on both.

use app::domain::distribution::Distribution;
use app::domain::funnel::Funnel;
use app::domain::shares::Shares;
use app::domain::trend::{Grain, Trend, TrendPoint};
use app::ports::Charts;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};
use std::sync::OnceLock;

static FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");

/// Drawn, then replaced by `currentColor` (plotters knows only fixed colours).
const INK: RGBColor = RGBColor(1, 2, 3);
const INK_HEX: &str = "#010203";
/// The series: a blue that keeps its contrast on white and on near-black.
const SERIES: RGBColor = RGBColor(37, 99, 235);

/// The drawing's own size; the SVG scales to its container and keeps this shape. Narrow
/// enough that its text stays readable on a 360 px phone.
const SIZE: (u32, u32) = (400, 250);
const TEXT: u32 = 18;
/// A sparkline's drawing size: a table cell's width.
const SPARKLINE: (u32, u32) = (120, 32);
/// An emailed trend's size in pixels: the SVG's shape at 1.5×, sharp on most screens
/// and small enough for a mailbox.
const PNG_SIZE: (u32, u32) = (600, 375);

/// The plotters renderer behind [`Charts`].
pub struct Plotters(());

impl Plotters {
    /// Registers the bundled font (once per process).
    pub fn new() -> anyhow::Result<Plotters> {
        static REGISTERED: OnceLock<bool> = OnceLock::new();
        let ok = *REGISTERED.get_or_init(|| {
            // `InvalidFont` has no `Debug` or `Display`: only whether it worked is kept.
            register_font("sans-serif", FontStyle::Normal, FONT).is_ok()
        });
        anyhow::ensure!(ok, "the bundled chart font could not be read");
        Ok(Plotters(()))
    }
}

impl Charts for Plotters {
    fn trend_png(&self, trend: &Trend) -> Result<Vec<u8>, String> {
        let (w, h) = PNG_SIZE;
        let mut pixels = vec![255u8; (w * h * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, PNG_SIZE).into_drawing_area();
            root.fill(&WHITE)
                .map_err(|e| format!("drawing the trend: {e}"))?;
            draw_trend_on(trend, &root).map_err(|e| format!("drawing the trend: {e}"))?;
        }
        let mut png = Vec::new();
        image::ImageEncoder::write_image(
            image::codecs::png::PngEncoder::new(&mut png),
            &pixels,
            w,
            h,
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| format!("encoding the trend: {e}"))?;
        Ok(png)
    }

    fn trend_svg(&self, trend: &Trend) -> Result<String, String> {
        let mut svg = String::new();
        draw_trend(trend, &mut svg).map_err(|e| format!("drawing the trend: {e}"))?;
        Ok(scalable(&svg))
    }

    fn shares_svg(&self, shares: &Shares) -> Result<String, String> {
        let mut svg = String::new();
        draw_shares(shares, &mut svg).map_err(|e| format!("drawing the shares: {e}"))?;
        Ok(scalable(&svg))
    }

    fn sparkline_svg(&self, trend: &Trend) -> Result<String, String> {
        let mut svg = String::new();
        draw_sparkline(trend, &mut svg).map_err(|e| format!("drawing a sparkline: {e}"))?;
        Ok(scalable_from(&svg, SPARKLINE))
    }

    fn funnel_svg(&self, funnels: &[Funnel]) -> Result<String, String> {
        let mut svg = String::new();
        draw_funnel(funnels, &mut svg).map_err(|e| format!("drawing the funnel: {e}"))?;
        Ok(scalable(&svg))
    }

    fn distribution_svg(&self, distribution: &Distribution) -> Result<String, String> {
        let mut svg = String::new();
        draw_distribution(distribution, &mut svg)
            .map_err(|e| format!("drawing the distribution: {e}"))?;
        Ok(scalable(&svg))
    }
}

fn draw_trend(trend: &Trend, svg: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    draw_trend_on(trend, &root)
}

/// The trend on any backend: SVG for pages, a bitmap for email.
fn draw_trend_on<DB: DrawingBackend>(
    trend: &Trend,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let points = &trend.points;
    let last = points.len().max(1) as f64 - 0.5;
    let (low, high) = trend.scale;
    let mut chart = columns(
        root,
        points.len(),
        // Few enough labels that "Dec 2026" never runs into the next at phone width.
        points.len().min(4),
        |i| {
            points
                .get(i)
                .map_or(String::new(), |p| short_label(trend.grain, p))
        },
        low..high,
        (
            grain_desc(trend.grain),
            &format!("{} ({})", trend.measure, trend.unit),
        ),
    )?;
    if low < 0.0 && high > 0.0 {
        chart.draw_series(LineSeries::new(
            [(-0.5, 0.0), (last, 0.0)],
            INK.mix(0.4).stroke_width(1),
        ))?;
    }
    // A send or wave that went out: a dashed line through its period.
    for mark in &trend.marks {
        if let Some(i) = trend.point_of(&mark.day) {
            let x = i as f64;
            chart.draw_series(DashedLineSeries::new(
                [(x, low), (x, high)],
                4,
                3,
                INK.mix(0.55).stroke_width(1),
            ))?;
        }
    }
    // Runs of neighbouring points with a value: each gets its band and its line; a
    // period without one (no answers, or withheld) breaks the line rather than bridging it.
    for run in runs(points) {
        if run.len() > 1 {
            let band: Vec<(f64, f64)> = run
                .iter()
                .map(|&(x, p)| (x, p.ci.map_or(0.0, |c| c.high)))
                .chain(
                    run.iter()
                        .rev()
                        .map(|&(x, p)| (x, p.ci.map_or(0.0, |c| c.low))),
                )
                .collect();
            chart.draw_series(std::iter::once(Polygon::new(
                band,
                SERIES.mix(0.18).filled(),
            )))?;
            chart.draw_series(LineSeries::new(
                run.iter().map(|&(x, p)| (x, p.value.unwrap_or(0.0))),
                SERIES.stroke_width(2),
            ))?;
        } else if let Some(&(x, p)) = run.first() {
            if let Some(ci) = p.ci {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, ci.low), (x, ci.high)],
                    SERIES.mix(0.45).stroke_width(6),
                )))?;
            }
        }
        // Too few answers to read: a hollow point.
        chart.draw_series(run.iter().map(|&(x, p)| {
            let style = if p.too_few {
                SERIES.stroke_width(2)
            } else {
                SERIES.filled()
            };
            Circle::new((x, p.value.unwrap_or(0.0)), 4, style)
        }))?;
    }
    root.present()?;
    Ok(())
}

/// A column per period, lowest category at the bottom; a period without answers or
/// withheld has no column.
fn draw_shares(shares: &Shares, svg: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    let points = &shares.points;
    let mut chart = columns(
        &root,
        points.len(),
        points.len().min(4),
        |i| {
            points
                .get(i)
                .map_or(String::new(), |p| short_day(shares.grain, &p.start))
        },
        0.0..100.0,
        (grain_desc(shares.grain), "Share of answers (%)"),
    )?;
    let colours = ["detractor", "passive", "promoter"].map(category_colour);
    let width = if points.len() > 40 { 0.5 } else { 0.38 };
    for (i, p) in points.iter().enumerate() {
        let Some(parts) = p.shares else { continue };
        let x = i as f64;
        let mut bottom = 0.0;
        for (&share, colour) in parts.iter().zip(colours) {
            if share <= 0.0 {
                continue;
            }
            let style = if p.too_few {
                colour.mix(0.45).filled()
            } else {
                colour.filled()
            };
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - width, bottom), (x + width, bottom + share)],
                style,
            )))?;
            bottom += share;
        }
    }
    root.present()?;
    Ok(())
}

/// For each send, its four steps as bars side by side, from light to full colour, on a
/// scale of recipients.
fn draw_funnel(funnels: &[Funnel], svg: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    let most = funnels
        .iter()
        .map(|f| f.counts[0])
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut chart = columns(
        &root,
        funnels.len(),
        funnels.len(),
        |i| {
            funnels
                .get(i)
                .map_or(String::new(), |f| short_day(Grain::Day, &f.day))
        },
        0.0..most * 1.1,
        ("Send", "People"),
    )?;
    let step = 0.8 / 4.0;
    for (i, f) in funnels.iter().enumerate() {
        for (k, &n) in f.counts.iter().enumerate().filter(|(_, &n)| n > 0) {
            let left = i as f64 - 0.4 + step * k as f64;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(left + 0.01, 0.0), (left + step - 0.01, n as f64)],
                SERIES.mix(0.35 + 0.65 * k as f64 / 3.0).filled(),
            )))?;
        }
    }
    root.present()?;
    Ok(())
}

/// A trend's line and points on the whole scale, without axes or text: its numbers are
/// beside it in the table.
fn draw_sparkline(trend: &Trend, svg: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(svg, SPARKLINE).into_drawing_area();
    let last = trend.points.len().max(1) as f64 - 0.5;
    let (low, high) = trend.scale;
    let mut chart = ChartBuilder::on(&root)
        .margin(3)
        .build_cartesian_2d(-0.5..last, low..high)?;
    if low < 0.0 && high > 0.0 {
        chart.draw_series(LineSeries::new(
            [(-0.5, 0.0), (last, 0.0)],
            INK.mix(0.3).stroke_width(1),
        ))?;
    }
    for run in runs(&trend.points) {
        chart.draw_series(LineSeries::new(
            run.iter().map(|&(x, p)| (x, p.value.unwrap_or(0.0))),
            SERIES.stroke_width(2),
        ))?;
    }
    if let Some((x, p)) = runs(&trend.points).last().and_then(|r| r.last()).copied() {
        chart.draw_series(std::iter::once(Circle::new(
            (x, p.value.unwrap_or(0.0)),
            3,
            SERIES.filled(),
        )))?;
    }
    root.present()?;
    Ok(())
}

/// The chart every figure but the sparkline is drawn on: a column per item (period, bar
/// or send) across, `shown` of them labelled by `label`, values `y` up the side in whole
/// numbers, both axes described, in the page's ink.
fn columns<'a, DB: DrawingBackend + 'a>(
    root: &'a DrawingArea<DB, Shift>,
    items: usize,
    shown: usize,
    label: impl Fn(usize) -> String,
    y: std::ops::Range<f64>,
    (x_desc, y_desc): (&str, &str),
) -> Result<Columns<'a, DB>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let last = items.max(1) as f64 - 0.5;
    let mut chart = ChartBuilder::on(root)
        .margin(10)
        .x_label_area_size(48)
        .y_label_area_size(52)
        .build_cartesian_2d(-0.5..last, y)?;
    // Only whole positions are items; plotters also asks for the ticks between.
    let labels = |x: &f64| -> String {
        let i = x.round();
        match (x - i).abs() < 1e-6 && i >= 0.0 {
            true => label(i as usize),
            false => String::new(),
        }
    };
    let text = ("sans-serif", TEXT).into_font().color(&INK);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(shown)
        .y_labels(5)
        .x_label_formatter(&labels)
        .y_label_formatter(&|y: &f64| format!("{y:.0}"))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(text.clone())
        .axis_desc_style(text)
        .axis_style(INK.mix(0.6))
        .bold_line_style(INK.mix(0.12))
        .light_line_style(TRANSPARENT)
        .draw()?;
    Ok(chart)
}

type Columns<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A category's colour: mid-tones that show on white and on near-black.
fn category_colour(category: &str) -> RGBColor {
    match category {
        "detractor" | "low" => RGBColor(214, 69, 65),
        "passive" | "neutral" => RGBColor(214, 150, 30),
        "promoter" | "high" => RGBColor(46, 160, 90),
        _ => SERIES,
    }
}

fn draw_distribution(
    distribution: &Distribution,
    svg: &mut String,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    let bars = &distribution.bars;
    let tallest = bars.iter().filter_map(|b| b.share).fold(0.0_f64, f64::max);
    // Headroom above the tallest bar, on a scale that never shows less than 10 %.
    let top = (tallest * 1.15).clamp(10.0, 100.0);
    let mut chart = columns(
        &root,
        bars.len(),
        bars.len(),
        |i| bars.get(i).map_or(String::new(), |b| b.label.clone()),
        0.0..top,
        ("Score", "Share of answers (%)"),
    )?;
    // A withheld bar is not drawn at all; an empty one has no height to draw.
    chart.draw_series(bars.iter().enumerate().filter_map(|(i, b)| {
        let share = b.share.filter(|&s| s > 0.0)?;
        let x = i as f64;
        Some(Rectangle::new(
            [(x - 0.38, 0.0), (x + 0.38, share)],
            category_colour(&b.category).filled(),
        ))
    }))?;
    root.present()?;
    Ok(())
}

/// The points with a value, as runs of neighbours: (x, point).
fn runs(points: &[TrendPoint]) -> Vec<Vec<(f64, &TrendPoint)>> {
    let mut runs: Vec<Vec<(f64, &TrendPoint)>> = Vec::new();
    let mut open = false;
    for (i, p) in points.iter().enumerate() {
        if p.value.is_some() {
            if !open {
                runs.push(Vec::new());
            }
            if let Some(run) = runs.last_mut() {
                run.push((i as f64, p));
            }
            open = true;
        } else {
            open = false;
        }
    }
    runs
}

/// An axis label: "Dec 1" for days and weeks, "Dec 2026" for months.
fn short_label(grain: Grain, point: &TrendPoint) -> String {
    short_day(grain, &point.start)
}

/// What a time axis counts in.
fn grain_desc(grain: Grain) -> &'static str {
    match grain {
        Grain::Day => "Day",
        Grain::Week => "Week starting",
        Grain::Month => "Month",
    }
}

/// An x axis label: "Mar 2026" for months, "Mar 4" for days and weeks.
fn short_day(grain: Grain, start: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut parts = start.split('-');
    let (year, month, day) = (parts.next(), parts.next(), parts.next());
    let month = month
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
        .copied()
        .unwrap_or("?");
    match grain {
        Grain::Month => format!("{month} {}", year.unwrap_or("")),
        Grain::Day | Grain::Week => {
            format!("{month} {}", day.unwrap_or("").trim_start_matches('0'))
        }
    }
}

/// plotters' SVG with a fixed size and fixed colours, made to scale with its container
/// and to take its ink from the page.
fn scalable(svg: &str) -> String {
    scalable_from(svg, SIZE)
}

fn scalable_from(svg: &str, (w, h): (u32, u32)) -> String {
    svg.replacen(&format!("width=\"{w}\" height=\"{h}\" "), "", 1)
        .replace(INK_HEX, "currentColor")
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::survey::QuestionKind;
    use app::domain::trend::{trend, Day};

    fn week_of_answers() -> Trend {
        let mut h = [0; 11];
        h[10] = 12;
        h[2] = 3;
        let days: Vec<(Day, [u64; 11])> = (0..5).map(|i| (Day(20_000 + i), h)).collect();
        trend(
            "nps",
            &QuestionKind::Nps,
            &days,
            Day(20_000),
            Day(20_006),
            Grain::Day,
            app::domain::trend::Limits::new(None),
            &[],
        )
        .unwrap()
    }

    #[test]
    fn a_trend_is_a_scalable_svg_with_its_axes_described_in_the_pages_ink() {
        let svg = Plotters::new()
            .unwrap()
            .trend_svg(&week_of_answers())
            .unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..80.min(svg.len())]);
        assert!(svg.contains("viewBox=\"0 0 400 250\""));
        assert!(!svg.contains("width=\"400\""), "sized by its container");
        assert!(svg.contains("NPS (points)"));
        assert!(svg.contains("currentColor") && !svg.contains(INK_HEX));
        // Five days with answers, two without: five points on one line.
        assert_eq!(svg.matches("<circle").count(), 5);
    }

    #[test]
    fn an_emailed_trend_is_a_png_with_the_line_drawn_on_white() {
        let png = Plotters::new()
            .unwrap()
            .trend_png(&week_of_answers())
            .unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let image = image::load_from_memory(&png).unwrap().to_rgb8();
        assert_eq!(image.dimensions(), PNG_SIZE);
        let series = image
            .pixels()
            .filter(|p| p.0 == [SERIES.0, SERIES.1, SERIES.2])
            .count();
        assert!(
            series > 100,
            "the line and points in the series' blue: {series} pixels"
        );
        assert_eq!(
            image.get_pixel(0, 0).0,
            [255, 255, 255],
            "a white background"
        );
    }

    #[test]
    fn a_distribution_draws_a_bar_per_score_answered_and_none_for_a_withheld_one() {
        let mut h = [0; 11];
        h[10] = 20;
        h[9] = 6;
        h[0] = 1;
        h[7] = 9;
        let shown = app::domain::distribution::distribution(&QuestionKind::Nps, &h, None).unwrap();
        let svg = Plotters::new().unwrap().distribution_svg(&shown).unwrap();
        assert!(svg.contains("Share of answers (%)") && svg.contains("Score"));
        assert_eq!(svg.matches("<rect").count(), 4, "bars for 0, 7, 9 and 10");
        let anonymous =
            app::domain::distribution::distribution(&QuestionKind::Enps, &h, Some(5)).unwrap();
        let svg = Plotters::new()
            .unwrap()
            .distribution_svg(&anonymous)
            .unwrap();
        assert_eq!(
            svg.matches("<rect").count(),
            2,
            "0 is withheld, and 9 with it"
        );
    }

    #[test]
    fn shares_stack_a_column_per_period_and_leave_out_the_empty_parts() {
        let trend = week_of_answers();
        let periods: Vec<(Day, [u64; 11])> = (0..7)
            .map(|i| {
                let mut h = [0; 11];
                if i < 5 {
                    h[10] = 12;
                    h[2] = 3;
                }
                (Day(20_000 + i), h)
            })
            .collect();
        let shares = app::domain::shares::shares(&QuestionKind::Nps, &trend, &periods).unwrap();
        let svg = Plotters::new().unwrap().shares_svg(&shares).unwrap();
        assert!(svg.contains("Share of answers (%)") && svg.contains("Day"));
        // Five days of promoters and detractors, no passives; two days without answers.
        assert_eq!(svg.matches("<rect").count(), 10);
    }

    #[test]
    fn a_send_is_marked_on_the_trend_in_its_period() {
        let plain = Plotters::new()
            .unwrap()
            .trend_svg(&week_of_answers())
            .unwrap();
        let mut marked = week_of_answers();
        marked.marks.push(app::domain::trend::Mark {
            day: Day(20_002).to_string(),
            label: "Everyone · wave 1".into(),
        });
        let svg = Plotters::new().unwrap().trend_svg(&marked).unwrap();
        assert!(
            svg.matches("<polyline").count() > plain.matches("<polyline").count(),
            "the mark adds its dashes"
        );
        assert!(marked.description().contains(&Day(20_002).to_string()));
    }

    #[test]
    fn a_funnel_draws_a_bar_per_step_that_has_people() {
        let funnels = [
            Funnel::new(
                1,
                "Everyone · wave 1".into(),
                "2026-10-01".into(),
                [50, 48, 30, 25],
            ),
            Funnel::new(
                2,
                "Everyone · wave 2".into(),
                "2026-11-01".into(),
                [50, 0, 0, 0],
            ),
        ];
        let svg = Plotters::new().unwrap().funnel_svg(&funnels).unwrap();
        assert!(svg.contains("People") && svg.contains("Send"));
        assert_eq!(svg.matches("<rect").count(), 5, "four steps, then one");
    }

    #[test]
    fn a_sparkline_is_a_line_without_text_ending_in_the_latest_point() {
        let svg = Plotters::new()
            .unwrap()
            .sparkline_svg(&week_of_answers())
            .unwrap();
        assert!(svg.contains("viewBox=\"0 0 120 32\""));
        assert!(!svg.contains("<text"), "no axes or labels");
        assert_eq!(svg.matches("<circle").count(), 1);
    }
}
