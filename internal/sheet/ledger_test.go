package sheet

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/calendar"
)

func TestLedger(t *testing.T) {
	cols := []Column{{Header: "序号", Width: 6}, {Header: "日期", Width: 12}, {Header: "期限", Width: 12}}
	at := time.Date(2026, 11, 27, 2, 5, 0, 0, time.UTC) // 10:05 in Shanghai
	l, err := NewLedger("台账", "测试台账", at, cols)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i, row := range [][]any{{1, l.Day(calendar.Date{Year: 2026, Month: 11, Day: 3}), l.DayText("2026-12-01")}, {2, nil, l.DayText("not a date")}} {
		if err := l.Row(row); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
	}
	var buf bytes.Buffer
	if err := l.Write(&buf); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("台账")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][0] != "测试台账（导出于 2026-11-27 10:05）" || strings.Join(rows[1], ",") != "序号,日期,期限" {
		t.Fatalf("rows %q", rows)
	}
	if strings.Join(rows[2], ",") != "1,2026-11-03,2026-12-01" || rows[3][0] != "2" || len(rows[3]) != 1 {
		t.Errorf("data rows %q", rows[2:])
	}
	if w, _ := x.GetColWidth("台账", "B"); w != 12 {
		t.Errorf("column B is %v wide", w)
	}
	if p, _ := x.GetPanes("台账"); !p.Freeze || p.YSplit != 2 {
		t.Errorf("panes %+v", p)
	}
}

func TestReadImportAndWriteImport(t *testing.T) {
	body, ct := form(t, [2]string{"org_id", " 42 "}, [2]string{"dry_run", "1"}, [2]string{"file", "PK-data"})
	r := httptest.NewRequest("POST", "/api/v1/x/import", body)
	r.Header.Set("Content-Type", ct)
	in, err := ReadImport(httptest.NewRecorder(), r, 0)
	if err != nil || in.OrgID != 42 || !in.DryRun || string(in.Data) != "PK-data" || in.Status() != 200 {
		t.Fatalf("%+v %v", in, err)
	}
	body, ct = form(t, [2]string{"file", "PK"})
	r = httptest.NewRequest("POST", "/api/v1/x/import?org_id=x", body)
	r.Header.Set("Content-Type", ct)
	if _, err := ReadImport(httptest.NewRecorder(), r, 0); apperr.Code(err) != apperr.EINVALID {
		t.Errorf("org_id x: %v", err)
	}

	w := httptest.NewRecorder()
	if err := WriteImport(w, 201, map[string]int{"created": 3}, nil); err != nil || w.Code != 201 || !strings.Contains(w.Body.String(), `"created":3`) {
		t.Errorf("result: %d %s %v", w.Code, w.Body, err)
	}
	w = httptest.NewRecorder()
	rej := &Rejected{Rows: []RowError{{Sheet: "S", Row: 3, Message: "坏"}}}
	if err := WriteImport(w, 201, nil, rej); err != nil || w.Code != 422 || !strings.Contains(w.Body.String(), `"rows"`) {
		t.Errorf("rejected: %d %s %v", w.Code, w.Body, err)
	}
	w = httptest.NewRecorder()
	other := errors.New("boom")
	if err := WriteImport(w, 201, nil, other); err != other || w.Body.Len() != 0 {
		t.Errorf("other error: %v, wrote %q", err, w.Body)
	}
}
