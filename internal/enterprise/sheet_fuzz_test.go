package enterprise

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/apperr"
)

// The workbook reader takes files from outside: whatever the bytes, it
// answers a sheet or a domain error, never a panic.
func FuzzReadWorkbook(f *testing.F) {
	x := excelize.NewFile()
	x.SetSheetName("Sheet1", SheetData)
	for i, h := range []string{"名称", "统一社会信用代码", "属地编码", "行业", "风险等级", "成立日期"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		x.SetCellStr(SheetData, cell, h)
	}
	x.SetCellStr(SheetData, "A2", "示例")
	x.SetCellFloat(SheetData, "F2", 43525, 0, 64)
	x.MergeCell(SheetData, "A3", "B4")
	var buf bytes.Buffer
	x.Write(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("名称,代码"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sh, err := readWorkbook(data)
		if err != nil {
			if _, ok := apperr.As(err); !ok {
				t.Fatalf("not a domain error: %v", err)
			}
			return
		}
		for _, r := range sh.Rows {
			if r.Num <= sh.HeaderRow {
				t.Fatalf("data row %d at or above the header %d", r.Num, sh.HeaderRow)
			}
		}
	})
}
