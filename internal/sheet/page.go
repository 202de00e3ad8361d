package sheet

import (
	"embed"
	"io/fs"
	"strconv"

	"github.com/anwen-gov/anwen/internal/web"
)

// Report is what an import page shows of a rejected file; the page's data
// embeds it for the "sheet-problems" partial.
type Report struct {
	Rows     []RowError
	RowCount int // distinct rows with problems
	Message  string
}

// ReportOf is the page's report of rej.
func ReportOf(rej *Rejected) Report {
	seen := map[string]bool{}
	for _, e := range rej.Rows {
		seen[e.Sheet+"\x00"+strconv.Itoa(e.Row)] = true
	}
	return Report{Rows: rej.Rows, RowCount: len(seen), Message: rej.Message()}
}

//go:embed templates/import_partials.html
var partials embed.FS

// Partials is the file of the import page partials ("sheet-problems",
// "sheet-upload") in the file system WithPartials returns.
const Partials = "_sheet/import_partials.html"

// WithPartials adds the import page partials to a capability's templates,
// as the file Partials, so that one call parses both:
//
//	srv.Template(sheet.WithPartials(assets), "templates/import.html", sheet.Partials)
func WithPartials(fsys fs.FS) fs.FS { return partialsFS{fsys} }

type partialsFS struct{ own fs.FS }

func (p partialsFS) Open(name string) (fs.File, error) {
	if name == Partials {
		return partials.Open("templates/import_partials.html")
	}
	return p.own.Open(name)
}

func init() { web.AddMessages(messages) }

var messages = map[string][2]string{
	"sheet.problems":       {"发现问题，未写入任何数据", "Problems found; nothing was written"},
	"sheet.problem_counts": {"共 %d 处问题，涉及 %d 行。请在 Excel 中修改后重新上传。", "%d problem(s) on %d row(s). Correct them in Excel and upload again."},
	"sheet.sheet":          {"工作表", "Sheet"},
	"sheet.row":            {"行", "Row"},
	"sheet.column":         {"列", "Column"},
	"sheet.message":        {"问题", "Problem"},
	"sheet.file":           {"Excel 文件（.xlsx，不超过 10 MiB）", "Excel file (.xlsx, at most 10 MiB)"},
	"sheet.dry_run":        {"先检查，不导入", "Check only, do not import"},
	"sheet.upload":         {"上传", "Upload"},
	"sheet.again":          {"继续导入", "Import another file"},
	"sheet.template":       {"下载导入模板", "Download the template"},
}
