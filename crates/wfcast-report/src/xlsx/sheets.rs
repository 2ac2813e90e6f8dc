//! What every workbook's sheets share: cell formats, numbers and headers written, long
//! tables with a filter, fixed document properties and valid, distinct sheet names.
use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

pub(super) type Xr<T = ()> = std::result::Result<T, XlsxError>;

/// The row of a headline sheet's header; its data start on the next row.
pub(super) const HEADLINE_HEADER: u32 = 4;

/// The height of a title row (14-point type), in points.
pub(super) const TITLE_HEIGHT: f64 = 21.0;

/// Rows of data a sheet holds below its header (Excel's 1,048,576 rows less the header).
pub(super) const MAX_DATA_ROWS: usize = 1_048_575;

/// Document properties with a fixed creation date, so that the same results give the same
/// bytes (Excel would stamp the time of writing).
pub(super) fn properties() -> DocProperties {
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1).expect("a valid date");
    DocProperties::new().set_creation_datetime(&fixed)
}

/// The cell formats of every sheet.
pub(super) struct Styles {
    pub(super) title: Format,
    pub(super) note: Format,
    pub(super) header: Format,
    pub(super) key: Format,
    pub(super) text: Format,
    pub(super) wrap: Format,
    pub(super) whole: Format,
    pub(super) decimal: Format,
    pub(super) share: Format,
    pub(super) share_decimal: Format,
}

impl Styles {
    pub(super) fn new() -> Styles {
        let top = || Format::new().set_align(FormatAlign::Top);
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            note: Format::new().set_italic().set_font_color(Color::RGB(0x59_59_59)),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xE8_ED_F2))
                .set_border_bottom(FormatBorder::Thin),
            key: top().set_bold(),
            text: top(),
            wrap: top().set_text_wrap(),
            whole: Format::new().set_num_format("#,##0"),
            decimal: Format::new().set_num_format("#,##0.0"),
            share: Format::new().set_num_format("0%"),
            share_decimal: Format::new().set_num_format("0.0%"),
        }
    }
}

/// Writes `v` as a number, or an empty cell when it is missing or not finite (Excel has no
/// NaN).
pub(super) fn put_number(ws: &mut Worksheet, row: u32, col: u16, v: Option<f64>, format: &Format) -> Xr {
    match v {
        Some(v) if v.is_finite() => ws.write_number_with_format(row, col, v, format)?,
        _ => ws.write_blank(row, col, format)?,
    };
    Ok(())
}

/// Writes a header row and sets the columns' widths.
pub(super) fn put_header(ws: &mut Worksheet, row: u32, columns: &[(&str, f64)], st: &Styles) -> Xr {
    for (col, (label, width)) in columns.iter().enumerate() {
        ws.write_string_with_format(row, col as u16, *label, &st.header)?;
        ws.set_column_width(col as u16, *width)?;
    }
    Ok(())
}

/// A long table: a header row, then one row per item of `rows`, each `n_text` text cells and
/// then numbers (the columns `shares` formatted as percentages), with an autofilter on the
/// header and the header frozen.
pub(super) fn table_sheet<'a>(
    name: &str,
    st: &Styles,
    header: &[&str],
    n_text: usize,
    shares: &[usize],
    rows: impl Iterator<Item = (Vec<Option<&'a str>>, Vec<Option<f64>>)>,
) -> Xr<Worksheet> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for (col, label) in header.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, *label, &st.header)?;
    }
    let mut last = 0u32;
    for (i, (text, nums)) in rows.enumerate() {
        let row = i as u32 + 1;
        for (col, value) in text.iter().enumerate() {
            if let Some(value) = value {
                ws.write_string(row, col as u16, *value)?;
                widths[col] = widths[col].max(value.chars().count());
            }
        }
        for (k, value) in nums.iter().enumerate() {
            let col = n_text + k;
            let format = if shares.contains(&col) { &st.share_decimal } else { &st.decimal };
            put_number(&mut ws, row, col as u16, *value, format)?;
        }
        last = row;
    }
    for (col, width) in widths.iter().enumerate() {
        let width = if col < n_text { (*width).clamp(8, 40) + 2 } else { 12 };
        ws.set_column_width(col as u16, width as f64)?;
    }
    ws.autofilter(0, 0, last.max(1), header.len() as u16 - 1)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(ws)
}

/// The sheet names of a workbook so far: each new one made valid and distinct.
#[derive(Default)]
pub(super) struct SheetNames {
    pub(super) taken: Vec<String>,
}

impl SheetNames {
    /// A valid name for a sheet, as close to `wanted` as may be, and not yet taken.
    pub(super) fn take(&mut self, wanted: &str) -> String {
        let name = sheet_name(wanted, &self.taken);
        self.taken.push(name.clone());
        name
    }
}

/// The length of `s` as Excel counts it (UTF-16 units).
pub(super) fn excel_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// `s` cut to at most `max` UTF-16 units, without a trailing space or apostrophe.
pub(super) fn cut(s: &str, max: usize) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if excel_len(&out) + ch.len_utf16() > max {
            break;
        }
        out.push(ch);
    }
    out.trim_end_matches(['\'', ' ']).to_string()
}

/// A valid Excel sheet name for `wanted`, distinct (ignoring case) from `taken`: at most 31
/// characters, none of `[]:*?/\`, not beginning or ending with an apostrophe, not blank and
/// not `History` (reserved by Excel).
pub(super) fn sheet_name(wanted: &str, taken: &[String]) -> String {
    let cleaned: String =
        wanted.chars().map(|c| if "[]:*?/\\".contains(c) || c.is_control() { '_' } else { c }).collect();
    let mut base = cleaned.trim().trim_matches('\'').trim().to_string();
    if base.is_empty() {
        base = "Sheet".into();
    }
    if base.eq_ignore_ascii_case("history") {
        base.push('_');
    }
    let free = |name: &str| !name.is_empty() && !taken.iter().any(|t| t.to_lowercase() == name.to_lowercase());
    let name = cut(&base, 31);
    if free(&name) {
        return name;
    }
    (2..)
        .map(|k| {
            let suffix = format!(" ({k})");
            format!("{}{suffix}", cut(&base, 31 - excel_len(&suffix)))
        })
        .find(|name| free(name))
        .expect("some number is free")
}
