// Package sheet reads office spreadsheets (.xlsx) for the imports: the
// directory (组织与人员), the enterprise register (企业场所台账), and the
// ledgers offices already keep in Excel.
//
// An import reads one or more sheets with Read: the header row is found by
// its column names (a title row above it is fine), header variants are
// folded with Norm, and every problem of the file (a missing or repeated
// column, merged cells, a date typed as text) is a RowError with its sheet,
// row, column and cell. The importer adds its own problems with Sheet.Fail
// and, when there are any, answers *Rejected: all or nothing.
//
// The HTTP side (upload.go) reads the upload of an import (a multipart form
// or a raw xlsx body), answers a rejection as 422 with every problem, and
// offers the import page's shared partials (page.go).
package sheet

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/apperr"
)

// Defaults of the imports: the largest file and the most data rows a sheet
// may hold.
const (
	MaxSize = 10 << 20 // bytes
	MaxRows = 5000
)

// Column is one column of an import sheet.
type Column struct {
	Field    string   // what it fills, the key of Row.Cells
	Header   string   // as the template and the export write it, e.g. "名称（必填）"
	Required bool     // a sheet without it is refused
	Aliases  []string // other headers recognised (Chinese and English, with variants); Header is recognised too
	Date     bool     // an Excel date, read as YYYY-MM-DD
	Width    float64  // the export's column width
}

// Name is the header without a trailing "（必填）": how problems name the
// column when the file does not have it.
func (c Column) Name() string {
	for _, suffix := range []string{"（必填）", "(必填)"} {
		if h, ok := strings.CutSuffix(c.Header, suffix); ok {
			return strings.TrimSpace(h)
		}
	}
	return c.Header
}

// Norm folds a header (or a sheet name) so that variants match: full-width
// forms become ASCII, bracketed notes such as "（必填）" or "（万元）" go, and
// so do spaces and the punctuation * _ - : ： . 。 / 、 ， ,; letters are
// lower-cased. "上级 编码（必填）", "上级编码" and "上级_编码" are one header,
// as are "包案领导（姓名、职务）" and "包案领导".
func Norm(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		}
		switch r {
		case '(', '[', '【', '〔', '<', '《':
			depth++
			continue
		case ')', ']', '】', '〕', '>', '》':
			if depth > 0 {
				depth--
			}
			continue
		}
		if depth > 0 || unicode.IsSpace(r) || strings.ContainsRune("*_-:：.。/、，,", r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// RowError is one problem found in a workbook.
type RowError struct {
	Sheet   string `json:"sheet"`
	Row     int    `json:"row"`            // 1-based Excel row number
	Column  string `json:"column"`         // header text as written in the file
	Cell    string `json:"cell,omitempty"` // "C5", or a range "G1:H1"
	Message string `json:"message"`
}

// Rejected is the error of an import with problems: nothing was written.
type Rejected struct {
	Rows []RowError
}

func (e *Rejected) Error() string {
	return fmt.Sprintf("import rejected: %d problem(s)", len(e.Rows))
}

// Message is the one-line summary of a rejection.
func (e *Rejected) Message() string {
	return fmt.Sprintf("导入文件有 %d 处问题，未写入任何数据 / the file has %d problem(s); nothing was written", len(e.Rows), len(e.Rows))
}

// ErrNotXLSX is the answer to a file that is not a readable workbook.
var ErrNotXLSX = apperr.Field(apperr.EINVALID, "file", "文件不是有效的 Excel 工作簿（.xlsx）；旧版 .xls 请先在 Excel 中另存为 .xlsx / the file is not an Excel workbook (.xlsx); save an old .xls file as .xlsx first")

// TooLarge is the answer to a file larger than maxSize bytes.
func TooLarge(maxSize int64) error {
	s := size(maxSize)
	return apperr.Field(apperr.ETOOLARGE, "file", "文件超过 %s / the file is larger than %s", s, s)
}

// size writes a limit as people read it: 10 MiB, 512 KiB, 100 bytes.
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Unzip limits: a 10 MiB xlsx may unpack to much more, but not to this.
const (
	unzipSizeLimit    = 200 << 20
	unzipXMLSizeLimit = 32 << 20
)

// Open opens an uploaded workbook of at most maxSize bytes (0: MaxSize).
// Anything but a zip archive is refused before the parser sees it, and so
// is a workbook that unpacks beyond the unzip limits or is encrypted. The
// caller closes the file.
func Open(data []byte, maxSize int64) (*excelize.File, error) {
	if maxSize <= 0 {
		maxSize = MaxSize
	}
	if int64(len(data)) > maxSize {
		return nil, TooLarge(maxSize)
	}
	// An xlsx file is a zip archive.
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, ErrNotXLSX
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: unzipSizeLimit, UnzipXMLSizeLimit: unzipXMLSizeLimit})
	if err != nil {
		return nil, ErrNotXLSX
	}
	return f, nil
}

// FindSheet returns the first sheet of the workbook whose name is one of
// aliases (compared with Norm), or "".
func FindSheet(f *excelize.File, aliases ...string) string {
	for _, name := range f.GetSheetList() {
		n := Norm(name)
		for _, a := range aliases {
			if n == Norm(a) {
				return name
			}
		}
	}
	return ""
}
