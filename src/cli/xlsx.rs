//! `--xlsx 文件`: the tables of `stats`, `status` and `check` as an Excel workbook, one sheet per
//! table, for the offices that pass figures on in Excel (header row frozen and bold, percentages
//! as numbers in a `0.0%` format, columns as wide as their content).

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};
use yingsu::error::{Error, Result, str_width};

/// One cell of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A count.
    Integer(i64),
    /// A rate printed in percent (`"94.1"`): stored as the fraction 0.941, shown as 94.1%.
    Percent(String),
    /// A change in percentage points (`"+2.5"`): stored as 2.5, shown with its sign.
    Points(String),
    Empty,
}

impl Cell {
    /// A rate when there is one.
    pub fn percent(s: &Option<String>) -> Cell {
        s.clone().map(Cell::Percent).unwrap_or(Cell::Empty)
    }

    /// A change in percentage points when there is one.
    pub fn points(s: &Option<String>) -> Cell {
        s.clone().map(Cell::Points).unwrap_or(Cell::Empty)
    }

    /// The text the cell shows, for the column's width.
    fn shown(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Integer(n) => n.to_string(),
            Cell::Percent(s) => format!("{}%", one_decimal(s)),
            Cell::Points(s) => one_decimal(s),
            Cell::Empty => String::new(),
        }
    }
}

/// A printed number as the one-decimal formats show it: "100" → "100.0".
fn one_decimal(s: &str) -> String {
    if s.contains('.') {
        s.to_string()
    } else {
        format!("{s}.0")
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<u64> for Cell {
    fn from(n: u64) -> Self {
        i64::try_from(n)
            .map(Cell::Integer)
            .unwrap_or_else(|_| Cell::Text(n.to_string()))
    }
}

impl From<usize> for Cell {
    fn from(n: usize) -> Self {
        Cell::from(n as u64)
    }
}

/// One table: a sheet named in Chinese, a header row and the rows.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    pub fn new(name: &str, header: &[&str]) -> Sheet {
        Sheet {
            name: name.to_string(),
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }
}

/// A number the figures printed (`"94.1"`, `"+2.5"`, `"-1"`), shifted by `exp` decimal places.
fn number(s: &str, exp: i32) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || "+-.".contains(c)) {
        return None;
    }
    // Parsing the shifted decimal gives the nearest double (94.1 → exactly 0.941 as written).
    format!("{s}e{exp}").parse().ok()
}

fn xlsx_error(file: &Path, e: rust_xlsxwriter::XlsxError) -> Error {
    use rust_xlsxwriter::XlsxError;
    let why = match e {
        XlsxError::MaxStringLengthExceeded => "有单元格的文字超过 Excel 的上限（32767 个字符）",
        XlsxError::RowColumnLimitError => "表格超过 Excel 的行数或列数上限",
        e => return Error::Internal(format!("生成 Excel 文件 {}：{e:?}", file.display())),
    };
    Error::user(
        format!("无法生成 Excel 文件 {}：{why}", file.display()),
        "请检查案件记录中是否混入了大段文字",
    )
}

/// Column width in Excel's units: a CJK character counts as two, plus a margin.
fn width(text: &str) -> f64 {
    text.lines().map(str_width).max().unwrap_or(0) as f64 + 2.0
}

/// Write `sheets` as an Excel workbook at `file` (replacing it whole, never half-written).
pub fn write(file: &Path, sheets: &[Sheet]) -> Result<()> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let points = Format::new().set_num_format("+0.0;-0.0;0.0");
    for sheet in sheets {
        let ws = book.add_worksheet();
        ws.set_name(&sheet.name).map_err(|e| xlsx_error(file, e))?;
        let mut widths: Vec<f64> = sheet.header.iter().map(|h| width(h)).collect();
        for (c, h) in sheet.header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(|e| xlsx_error(file, e))?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                if c >= widths.len() {
                    widths.push(0.0);
                }
                widths[c] = widths[c].max(width(&cell.shown()));
                let col = c as u16;
                let written = match cell {
                    Cell::Text(s) => ws.write_string(r, col, s).map(|_| ()),
                    Cell::Integer(n) => ws.write_number(r, col, *n as f64).map(|_| ()),
                    Cell::Percent(s) => match number(s, -2) {
                        Some(x) => ws.write_number_with_format(r, col, x, &percent).map(|_| ()),
                        None => ws.write_string(r, col, s).map(|_| ()),
                    },
                    Cell::Points(s) => match number(s, 0) {
                        Some(x) => ws.write_number_with_format(r, col, x, &points).map(|_| ()),
                        None => ws.write_string(r, col, s).map(|_| ()),
                    },
                    Cell::Empty => Ok(()),
                };
                written.map_err(|e| xlsx_error(file, e))?;
            }
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w)
                .map_err(|e| xlsx_error(file, e))?;
        }
        ws.set_freeze_panes(1, 0).map_err(|e| xlsx_error(file, e))?;
    }
    let bytes = book.save_to_buffer().map_err(|e| xlsx_error(file, e))?;
    yingsu::archive::write_atomic(file, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_numbers() {
        assert_eq!(number("94.1", -2), Some(0.941));
        assert_eq!(number("100", -2), Some(1.0));
        assert_eq!(number("+2.5", 0), Some(2.5));
        assert_eq!(number("-1", 0), Some(-1.0));
        assert_eq!(number("—", 0), None);
        assert_eq!(number("", 0), None);
        assert_eq!(number("1e5", 0), None);
    }

    #[test]
    fn widths_count_cjk_twice() {
        assert_eq!(width("出庭率"), 8.0);
        assert_eq!(width("94.1%"), 7.0);
        assert_eq!(Cell::Percent("94.1".into()).shown(), "94.1%");
        assert_eq!(Cell::Percent("100".into()).shown(), "100.0%");
        assert_eq!(Cell::Points("+2".into()).shown(), "+2.0");
    }
}
