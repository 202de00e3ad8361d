package petition_test

import (
	"bytes"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/petition"
)

// The ledger's columns in the order of reference/ledger-columns.md.
var petitionColumns = []string{"编号", "来源", "登记时间", "信访人", "身份证号", "联系电话", "内容", "地点", "责任单位", "包案领导", "办理情况", "是否办结/终结"}

// TestExport: the ledger as a workbook in the offices' columns, filtered
// and scoped like the list, personal data masked, an accusation's content
// left out, audited; nothing of another township's.
func TestExport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.settings("")
		replied := f.routeAcceptReply(nil)
		open := f.register("xfj", f.claim(map[string]any{"channel": "letter"}))
		f.mustStep("xfj", open.ID, map[string]any{"action": "transfer", "org_id": f.env.OrgID("SFQ-QS")})
		acc := f.register("xfj", f.claim(map[string]any{"category": "accusation", "subject": "land", "request": "举报某村干部侵占集体土地补偿款",
			"accused": "某村干部", "accused_org_id": f.env.OrgID("SFQ-QS-01")}))
		before := f.env.AuditCount("petition.export", "ok")

		read := func(login, query string) [][]string {
			t.Helper()
			r := f.c(login).Get("/api/v1/petitions/export.xlsx?" + query)
			must(t, r.StatusCode == http.StatusOK && r.Header.Get("Content-Type") == petition.XLSXType, "export ?%s as %s: %d %s", query, login, r.StatusCode, r.Body)
			book, err := excelize.OpenReader(bytes.NewReader(r.Body))
			must(t, err == nil, "open: %v", err)
			rows, err := book.GetRows("信访事项台账")
			must(t, err == nil, "rows: %v", err)
			return rows
		}
		rows := read("xfj", "")
		must(t, len(rows) == 5, "%d rows (title, header, three cases)", len(rows))
		must(t, slices.Equal(rows[1][:len(petitionColumns)], petitionColumns), "header %v", rows[1])
		cells := map[string]map[string]string{}
		for _, row := range rows[2:] {
			c := map[string]string{}
			for i, h := range rows[1] {
				if i < len(row) {
					c[h] = row[i]
				}
			}
			cells[c["编号"]] = c
		}
		num := func(id int64) string { return f.str("SELECT number FROM petitions WHERE id = ?", id) }
		r := cells[num(replied)]
		must(t, r["来源"] == "来访" && r["责任单位"] == "青山镇" && r["是否办结/终结"] == "办结" && strings.HasPrefix(r["办理情况"], "已答复"), "replied row %v", r)
		must(t, r["信访人"] != "" && !strings.Contains(r["信访人"], "张建国") && r["联系电话"] != "" && !strings.Contains(r["联系电话"], phoneA) &&
			!strings.Contains(r["身份证号"], idA), "personal data not masked: %v", r)
		o := cells[num(open.ID)]
		must(t, o["来源"] == "来信" && o["是否办结/终结"] == "否" && strings.Contains(o["办理情况"], "剩") && o["当前期限"] != "", "open row %v", o)
		a := cells[num(acc.ID)]
		must(t, a["信访类别"] == "检举控告类" && !strings.Contains(a["内容"], "侵占") && a["责任单位"] == "信访局（待转办）", "accusation row %v", a)
		must(t, f.env.AuditCount("petition.export", "ok") == before+1, "the export is not audited")
		// The page over the same cases (one in its review window) names every key.
		page := string(f.env.SignIn("xfj").Get("/petitions").Body)
		must(t, strings.Contains(page, `id="export"`), "the ledger page has no export")
		if k := regexp.MustCompile(`\bpet\.[a-z_.]+`).FindString(page); k != "" {
			t.Fatalf("the ledger page shows the message key %q", k)
		}

		// The list's filters apply, and the township sees its own cases only.
		rows = read("xfj", "channel=letter")
		must(t, len(rows) == 3 && rows[2][0] == num(open.ID), "channel=letter: %v", rows[2:])
		rows = read("qingshan", "")
		must(t, len(rows) == 4, "qingshan sees %d rows, want its two cases", len(rows)-2)
		rows = read("qingshan", "org_id="+itoa(f.env.OrgID("SFQ-DC")))
		must(t, len(rows) == 2, "qingshan exports %d of another township's cases", len(rows)-2)
		if r := f.c("xfj").Get("/api/v1/petitions/export.xlsx?status=nonsense"); r.StatusCode != http.StatusBadRequest && r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a bad filter: %d", r.StatusCode)
		}
	})
}
