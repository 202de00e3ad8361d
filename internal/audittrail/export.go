package audittrail

import (
	"bufio"
	"encoding/csv"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/calendar"
)

// Header names the columns of both exports.
var Header = []string{"序号", "时间", "用户", "组织ID", "操作", "对象类型", "对象ID", "结果", "客户端地址", "详情", "变更前摘要", "变更后摘要", "哈希"}

const sheetName = "审计日志"

// row lays out r under Header; times in Asia/Shanghai.
func row(r audit.Record) []string {
	org := ""
	if r.OrgID != 0 {
		org = strconv.FormatInt(r.OrgID, 10)
	}
	return []string{strconv.FormatInt(r.Seq, 10), r.At.In(calendar.Location).Format("2006-01-02 15:04:05"), r.UserLogin, org,
		r.Action, r.ObjectType, r.ObjectID, r.Result, r.ClientAddr, r.Detail, r.BeforeDigest, r.AfterDigest, r.Hash}
}

// xlsxSink writes an Excel workbook with excelize's stream writer, which
// spills to a temporary file beyond 16 MB rather than holding it all.
type xlsxSink struct {
	f    *excelize.File
	sw   *excelize.StreamWriter
	next int // next row number
}

func newXLSX() (*xlsxSink, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheetName); err != nil {
		f.Close()
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheetName)
	if err != nil {
		f.Close()
		return nil, err
	}
	s := &xlsxSink{f: f, sw: sw, next: 1}
	if err := s.header(); err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

func (s *xlsxSink) header() error {
	bold, err := s.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF2F7"}}})
	if err != nil {
		return err
	}
	widths := []float64{9, 20, 16, 9, 22, 12, 10, 8, 16, 40, 18, 18, 18}
	for i, w := range widths {
		if err := s.sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := s.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	cells := make([]any, len(Header))
	for i, h := range Header {
		cells[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	return s.setRow(cells)
}

func (s *xlsxSink) setRow(cells []any) error {
	cell, err := excelize.CoordinatesToCellName(1, s.next)
	if err != nil {
		return err
	}
	s.next++
	return s.sw.SetRow(cell, cells)
}

// Write adds one record: numbers as numbers, everything else as text (never
// as a formula, whatever it holds).
func (s *xlsxSink) Write(r audit.Record) error {
	vals := row(r)
	cells := make([]any, len(vals))
	for i, v := range vals {
		cells[i] = v
	}
	cells[0] = r.Seq
	if r.OrgID != 0 {
		cells[3] = r.OrgID
	}
	return s.setRow(cells)
}

func (s *xlsxSink) Close() error { return s.sw.Flush() }

// WriteTo sends the finished workbook.
func (s *xlsxSink) WriteTo(w io.Writer) (int64, error) { return s.f.WriteTo(w) }

// Discard frees the workbook and its temporary files.
func (s *xlsxSink) Discard() { s.f.Close() }

// csvSink writes UTF-8 CSV with a byte-order mark (so that Excel reads the
// Chinese correctly) into a temporary file.
type csvSink struct {
	file *os.File
	buf  *bufio.Writer
	w    *csv.Writer
}

func newCSV() (*csvSink, error) {
	f, err := os.CreateTemp("", "anwen-audit-*.csv")
	if err != nil {
		return nil, err
	}
	s := &csvSink{file: f, buf: bufio.NewWriterSize(f, 64<<10)}
	s.buf.WriteString("\ufeff")
	s.w = csv.NewWriter(s.buf)
	if err := s.w.Write(Header); err != nil {
		s.Discard()
		return nil, err
	}
	return s, nil
}

// Write adds one record. A cell that a spreadsheet would take for a formula
// is prefixed with an apostrophe (CSV injection).
func (s *csvSink) Write(r audit.Record) error {
	vals := row(r)
	for i, v := range vals {
		vals[i] = defuse(v)
	}
	return s.w.Write(vals)
}

func defuse(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func (s *csvSink) Close() error {
	s.w.Flush()
	if err := s.w.Error(); err != nil {
		return err
	}
	if err := s.buf.Flush(); err != nil {
		return err
	}
	_, err := s.file.Seek(0, io.SeekStart)
	return err
}

// WriteTo sends the finished file.
func (s *csvSink) WriteTo(w io.Writer) (int64, error) { return io.Copy(w, s.file) }

// Discard removes the temporary file.
func (s *csvSink) Discard() {
	s.file.Close()
	os.Remove(s.file.Name())
}
