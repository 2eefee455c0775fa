//! The statistics overlay (`%`): the tables of `sio replay --stats`, live, over every
//! record this screen took (those let go from the scrollback too). `o` changes the order.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::model::Model;
use super::view::{centered, dim};

pub fn draw(frame: &mut Frame<'_>, area: Rect, model: &Model) {
    let report = model.stats.report(Some(model.now), model.stats_sort);
    let text = crate::stats::render_text(&report);
    let mut lines: Vec<Line<'_>> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        // Table headers (and the summary line) stand out.
        let header = i == 0
            || ["event ", "namespace ", "transport "]
                .iter()
                .any(|h| line.starts_with(h));
        if header {
            lines.push(Line::styled(
                line.to_string(),
                Style::new().add_modifier(Modifier::BOLD),
            ));
        } else {
            lines.push(Line::raw(line.to_string()));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "o: order by count, bytes, name, rate, last seen · j/k: scroll · rates look back 10 s",
        dim(),
    ));
    let width = area.width.saturating_sub(4);
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let popup = centered(area, width, height);
    let title = format!(" statistics · by {} (Esc to close) ", model.stats_sort.name());
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((model.stats_scroll, 0))
            .block(Block::default().borders(Borders::ALL).title(title)),
        popup,
    );
}
