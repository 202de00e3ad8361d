package sheet

import (
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/calendar"
)

// Ledger streams a ledger workbook (台账) for an export: one sheet, the
// title over the columns in row 1, the columns' headers in row 2, both
// frozen above the rows, each column at its width; rows follow from row 3,
// through excelize's stream writer.
type Ledger struct {
	file *excelize.File
	sw   *excelize.StreamWriter
	date int // the style of a date cell
	rows int
}

// NewLedger starts the workbook: the sheet sheetName, titled
// "name（导出于 <at, Shanghai time>）", with cols. Close it when done.
func NewLedger(sheetName, name string, at time.Time, cols []Column) (*Ledger, error) {
	x := excelize.NewFile()
	l := &Ledger{file: x}
	err := func() error {
		if err := x.SetSheetName("Sheet1", sheetName); err != nil {
			return err
		}
		sw, err := x.NewStreamWriter(sheetName)
		if err != nil {
			return err
		}
		l.sw = sw
		head, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF2F7"}},
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}, Border: []excelize.Border{{Type: "bottom", Color: "B8C4D0", Style: 1}}})
		if err != nil {
			return err
		}
		title, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
		if err != nil {
			return err
		}
		dateFmt := "yyyy-mm-dd"
		if l.date, err = x.NewStyle(&excelize.Style{NumFmt: 14, CustomNumFmt: &dateFmt}); err != nil {
			return err
		}
		for i, c := range cols {
			if err := sw.SetColWidth(i+1, i+1, c.Width); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		last, _ := excelize.CoordinatesToCellName(len(cols), 1)
		if err := sw.MergeCell("A1", last); err != nil {
			return err
		}
		heading := name + "（导出于 " + at.In(calendar.Location).Format("2006-01-02 15:04") + "）"
		if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: title, Value: heading}}, excelize.RowOpts{Height: 24}); err != nil {
			return err
		}
		header := make([]any, len(cols))
		for i, c := range cols {
			header[i] = excelize.Cell{StyleID: head, Value: c.Header}
		}
		return sw.SetRow("A2", header, excelize.RowOpts{Height: 30})
	}()
	if err != nil {
		x.Close()
		return nil, err
	}
	return l, nil
}

// Row appends a row of values (nil leaves a cell empty).
func (l *Ledger) Row(vals []any) error {
	l.rows++
	cell, _ := excelize.CoordinatesToCellName(1, l.rows+2)
	return l.sw.SetRow(cell, vals)
}

// Day is a date cell.
func (l *Ledger) Day(d calendar.Date) any {
	return excelize.Cell{StyleID: l.date, Value: time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)}
}

// DayText is a date cell for a YYYY-MM-DD text, empty when s is no date.
func (l *Ledger) DayText(s string) any {
	d, err := calendar.ParseDate(s)
	if err != nil {
		return nil
	}
	return l.Day(d)
}

// Write finishes the workbook into w.
func (l *Ledger) Write(w io.Writer) error {
	if err := l.sw.Flush(); err != nil {
		return err
	}
	return l.file.Write(w)
}

// Close releases the workbook's temporary files.
func (l *Ledger) Close() error { return l.file.Close() }
