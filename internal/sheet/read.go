package sheet

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/apperr"
)

// Options tune Read; the zero value is what the imports use.
type Options struct {
	// MinKnown is how many known columns a row must name to be the header
	// (default 2).
	MinKnown int
	// Scan is how many non-blank rows are searched for the header (default
	// 10): a title, a date line or a note may stand above it.
	Scan int
	// MaxRows is the most data rows the sheet may hold (default MaxRows);
	// more is an ETOOLARGE error.
	MaxRows int
	// RequireHeader: when no row of the scan names MinKnown columns, Read
	// stops and returns a Sheet with Found false and nothing else, for a
	// caller that tries every sheet of a workbook. Otherwise the first
	// non-blank row is taken as the header (and the missing columns are
	// reported).
	RequireHeader bool
	// TextDates: Date columns also take dates written as text the way
	// offices write them (see ParseDate) instead of reporting them.
	TextDates bool
	// Serial are fields that alone do not make a data row, such as a 序号
	// column numbered further down than the entries go.
	Serial []string
}

func (o Options) withDefaults() Options {
	if o.MinKnown <= 0 {
		o.MinKnown = 2
	}
	if o.Scan <= 0 {
		o.Scan = 10
	}
	if o.MaxRows <= 0 {
		o.MaxRows = MaxRows
	}
	return o
}

// Row is one data row.
type Row struct {
	Num   int               // 1-based Excel row number
	Cells map[string]string // field → value, trimmed; blank cells are absent
}

// Sheet is one sheet, read.
type Sheet struct {
	Name      string // as named in the workbook
	HeaderRow int    // 1-based; 0 when RequireHeader found none
	Found     bool   // a row of the scan named enough known columns
	Rows      []Row
	// Problems of the file: repeated and missing columns, merged cells,
	// dates typed as text, then whatever Fail adds.
	Problems []RowError

	cols        []Column
	index       map[string]int    // field → 0-based column
	headers     map[string]string // field → header as written
	headerCells []string
}

// dateCell is a Date cell whose type is read once the sheet's rows are.
type dateCell struct {
	row   int // index in Rows
	field string
	axis  string
}

// Read reads the sheet name of f with the columns cols. The header is the
// first row naming at least opts.MinKnown known columns within the first
// opts.Scan non-blank rows (failing that, the first non-blank row); data
// rows follow, blank ones skipped. A column named twice, a required column
// missing, a merged cell in the header or over a column read below it, and
// a Date column's cell that is not a date are Problems of the sheet. An
// unreadable sheet is ErrNotXLSX, too many rows ETOOLARGE.
func Read(f *excelize.File, name string, cols []Column, opts Options) (*Sheet, error) {
	opts = opts.withDefaults()
	s := &Sheet{Name: name, cols: cols, index: map[string]int{}, headers: map[string]string{}}
	dates, err := s.scan(f, opts)
	if err != nil {
		return nil, err
	}
	if !s.Found && opts.RequireHeader {
		return s, nil
	}
	if s.HeaderRow == 0 {
		s.HeaderRow = 1 // an empty sheet
	}
	if err := s.checkMerges(f); err != nil {
		return nil, err
	}
	s.readDates(f, dates, opts)
	for _, c := range cols {
		if _, ok := s.headers[c.Field]; !ok && c.Required {
			h := c.Name()
			s.Problems = append(s.Problems, RowError{Sheet: name, Row: s.HeaderRow, Column: h,
				Message: "缺少必填列“" + h + "” / the required column " + h + " (" + c.Field + ") is missing"})
		}
	}
	return s, nil
}

// scan streams the rows: the header, then the data rows.
func (s *Sheet) scan(f *excelize.File, opts Options) (dates []dateCell, err error) {
	rows, err := f.Rows(s.Name)
	if err != nil {
		return nil, ErrNotXLSX
	}
	defer rows.Close()
	known := s.knownHeaders()
	type pending struct {
		num   int
		cells []string
	}
	var before []pending     // non-blank rows above the header, while it is sought
	var field map[int]string // column → field, once the header is known
	// useFirst takes the first non-blank row as the header.
	useFirst := func() error {
		s.HeaderRow = before[0].num
		field = s.readHeader(before[0].cells, known)
		for _, p := range before[1:] {
			if err := s.add(p.num, p.cells, field, &dates, opts); err != nil {
				return err
			}
		}
		before = nil
		return nil
	}
	num := 0
	for rows.Next() {
		num++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, ErrNotXLSX
		}
		if field != nil {
			if err := s.add(num, cells, field, &dates, opts); err != nil {
				return nil, err
			}
			continue
		}
		if blank(cells) {
			continue
		}
		n := 0
		for _, c := range cells {
			if _, ok := known[Norm(c)]; ok {
				n++
			}
		}
		if n >= opts.MinKnown {
			s.HeaderRow, s.Found, before = num, true, nil
			field = s.readHeader(cells, known)
			continue
		}
		before = append(before, pending{num, cells})
		if len(before) >= opts.Scan {
			if opts.RequireHeader {
				return nil, nil
			}
			if err := useFirst(); err != nil {
				return nil, err
			}
		}
	}
	if err := rows.Error(); err != nil {
		return nil, ErrNotXLSX
	}
	if field == nil && len(before) > 0 && !opts.RequireHeader {
		if err := useFirst(); err != nil {
			return nil, err
		}
	}
	return dates, nil
}

// knownHeaders maps each folded header and alias to its column's index;
// where two columns share one, the first has it.
func (s *Sheet) knownHeaders() map[string]int {
	m := map[string]int{}
	for i, c := range s.cols {
		for _, a := range append([]string{c.Header}, c.Aliases...) {
			if n := Norm(a); n != "" {
				if _, dup := m[n]; !dup {
					m[n] = i
				}
			}
		}
	}
	return m
}

func (s *Sheet) readHeader(cells []string, known map[string]int) map[int]string {
	s.headerCells = cells
	field := map[int]string{}
	for i, h := range cells {
		n := Norm(h)
		ci, ok := known[n]
		if n == "" || !ok {
			continue
		}
		c := s.cols[ci]
		h = strings.TrimSpace(h)
		if prev, dup := s.headers[c.Field]; dup {
			cell, _ := excelize.CoordinatesToCellName(i+1, s.HeaderRow)
			s.Problems = append(s.Problems, RowError{Sheet: s.Name, Row: s.HeaderRow, Column: h, Cell: cell,
				Message: "列“" + h + "”与“" + prev + "”重复 / the column " + h + " repeats " + prev})
			continue
		}
		s.headers[c.Field], s.index[c.Field] = h, i
		field[i] = c.Field
	}
	return field
}

// add keeps a data row unless it is blank in the columns read.
func (s *Sheet) add(num int, cells []string, field map[int]string, dates *[]dateCell, opts Options) error {
	r := Row{Num: num, Cells: map[string]string{}}
	empty := true
	var rowDates []dateCell
	for i, v := range cells {
		f, ok := field[i]
		if !ok {
			continue
		}
		v = strings.TrimFunc(v, unicode.IsSpace)
		if v == "" {
			continue
		}
		if !slices.Contains(opts.Serial, f) {
			empty = false
		}
		if s.column(f).Date {
			axis, _ := excelize.CoordinatesToCellName(i+1, num)
			rowDates = append(rowDates, dateCell{row: len(s.Rows), field: f, axis: axis})
		}
		r.Cells[f] = v
	}
	if empty {
		return nil
	}
	if len(s.Rows) >= opts.MaxRows {
		return apperr.Field(apperr.ETOOLARGE, "file", "工作表“%s”超过 %d 行 / the sheet %q has more than %d rows", s.Name, opts.MaxRows, s.Name, opts.MaxRows)
	}
	s.Rows = append(s.Rows, r)
	*dates = append(*dates, rowDates...)
	return nil
}

func (s *Sheet) column(field string) Column {
	for _, c := range s.cols {
		if c.Field == field {
			return c
		}
	}
	return Column{Field: field, Header: field}
}

// checkMerges reports merged ranges that touch the header row (a merged
// header hides which column is which) or, below it, a column read (a merged
// data cell leaves every row but the first empty). A merged title above the
// header is fine, and so is a merge over columns the import does not read.
func (s *Sheet) checkMerges(f *excelize.File) error {
	merges, err := f.GetMergeCells(s.Name, true)
	if err != nil {
		return ErrNotXLSX
	}
	for _, m := range merges {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil || r2 < s.HeaderRow {
			continue
		}
		rng := m.GetStartAxis() + ":" + m.GetEndAxis()
		if r1 <= s.HeaderRow {
			s.Problems = append(s.Problems, RowError{Sheet: s.Name, Row: s.HeaderRow, Column: s.columnAt(c1), Cell: rng,
				Message: "表头有合并单元格 " + rng + "：请取消合并，让每一列有自己的表头（只占一行） / the header has merged cells " + rng + ": unmerge them so that each column has its own one-row header"})
			continue
		}
		read := false
		for _, i := range s.index {
			if i+1 >= c1 && i+1 <= c2 {
				read = true
			}
		}
		if read {
			s.Problems = append(s.Problems, RowError{Sheet: s.Name, Row: r1, Column: s.columnAt(c1), Cell: rng,
				Message: "合并单元格 " + rng + "：请取消合并，并在每一行填写 / merged cells " + rng + ": unmerge them and fill in every row"})
		}
	}
	return nil
}

// columnAt names the 1-based column col: its header as written, or its
// letter when the header cell is blank.
func (s *Sheet) columnAt(col int) string {
	if col-1 < len(s.headerCells) {
		if h := strings.TrimSpace(s.headerCells[col-1]); h != "" {
			return h
		}
	}
	letter, _ := excelize.ColumnNumberToName(col)
	return letter
}

// readDates turns the Date cells into YYYY-MM-DD. A date is a number in
// Excel (days since 1899-12-30, or 1904-01-01) shown with a date format, or
// an ISO date in a date-typed cell; a date written as text ("2019.3.1",
// "2019年3月1日", even "2019-03-01" typed into a text cell) does not sort or
// filter as a date, so it is a problem to fix in the file, unless
// opts.TextDates. A cell with a problem reads as "".
func (s *Sheet) readDates(f *excelize.File, dates []dateCell, opts Options) {
	date1904 := false
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		date1904 = *p.Date1904
	}
	for _, d := range dates {
		r := &s.Rows[d.row]
		raw := r.Cells[d.field]
		v, ok, number := cellDate(f, s.Name, d.axis, raw, date1904)
		if !ok && !number && opts.TextDates {
			if t, parsed := ParseDate(raw); parsed {
				v, ok = t.String(), true
			}
		}
		if ok {
			r.Cells[d.field] = v
			continue
		}
		h := s.Header(d.field)
		switch {
		case number:
			s.Fail(r.Num, d.field, "%s“%s”不是有效的日期 / %q in the column %s is not a valid date", h, raw, raw, h)
		case opts.TextDates:
			s.Fail(r.Num, d.field, "%s“%s”不是日期，请写成 2026-11-27、2026/11/27 或 2026年11月27日 / %q in the column %s is not a date: write 2026-11-27, 2026/11/27 or 2026年11月27日", h, raw, raw, h)
		default:
			s.Fail(r.Num, d.field, "%s“%s”是文本，不是日期：请把单元格设为日期格式并重新输入（如 2019-03-01） / the date %q in the column %s is text, not a date: format the cell as a date and enter it again (e.g. 2019-03-01)", h, raw, raw, h)
		}
		r.Cells[d.field] = ""
	}
}

// cellDate reads a date cell as YYYY-MM-DD. number reports a number cell
// that is no date (negative, or past 9999-12-31); !ok && !number is text.
func cellDate(f *excelize.File, sheet, axis, raw string, date1904 bool) (v string, ok, number bool) {
	typ, err := f.GetCellType(sheet, axis)
	if err != nil {
		return "", false, false
	}
	switch typ {
	case excelize.CellTypeNumber, excelize.CellTypeUnset:
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return "", false, false
		}
		// 1 is 1900-01-01; 2958465 is 9999-12-31.
		if n < 1 || n >= 2958466 {
			return "", false, true
		}
		t, err := excelize.ExcelDateToTime(n, date1904)
		if err != nil {
			return "", false, true
		}
		return t.Format("2006-01-02"), true, false
	case excelize.CellTypeDate:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
			if t, err := time.Parse(layout, raw); err == nil {
				return t.Format("2006-01-02"), true, false
			}
		}
	}
	return "", false, false
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Header is the column name to report for field: the header as written in
// the file, else the column's Name, else the field.
func (s *Sheet) Header(field string) string {
	if h, ok := s.headers[field]; ok {
		return h
	}
	for _, c := range s.cols {
		if c.Field == field {
			return c.Name()
		}
	}
	return field
}

// Has reports whether the header names field.
func (s *Sheet) Has(field string) bool {
	_, ok := s.index[field]
	return ok
}

// Fields are the fields the header names, in column order.
func (s *Sheet) Fields() []string {
	out := make([]string, 0, len(s.index))
	for f := range s.index {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b string) int { return s.index[a] - s.index[b] })
	return out
}

// Cell is the coordinate ("C5") of field's cell on row, or "" when the
// header does not name field.
func (s *Sheet) Cell(field string, row int) string {
	i, ok := s.index[field]
	if !ok || row <= 0 {
		return ""
	}
	name, _ := excelize.CoordinatesToCellName(i+1, row)
	return name
}

// Unit is the bracketed note of field's header as written: "万元" for
// 整改资金（万元）, "" when there is none.
func (s *Sheet) Unit(field string) string {
	h := strings.NewReplacer("（", "(", "）", ")").Replace(s.headers[field])
	_, rest, ok := strings.Cut(h, "(")
	if !ok {
		return ""
	}
	note, _, ok := strings.Cut(rest, ")")
	if !ok {
		return ""
	}
	return strings.TrimSpace(note)
}

// RowError is a problem of field's cell on row (of the row, when field is
// ""), with the column as the file names it and the cell's coordinate.
func (s *Sheet) RowError(row int, field, format string, args ...any) RowError {
	e := RowError{Sheet: s.Name, Row: row, Message: fmt.Sprintf(format, args...)}
	if field != "" {
		e.Column, e.Cell = s.Header(field), s.Cell(field, row)
	}
	return e
}

// Fail adds a problem of field's cell on row to the sheet's Problems.
func (s *Sheet) Fail(row int, field, format string, args ...any) {
	s.Problems = append(s.Problems, s.RowError(row, field, format, args...))
}
