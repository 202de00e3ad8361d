package workcalendar

import (
	"embed"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/auth"
	"github.com/anwen-gov/anwen/internal/calendar"
	"github.com/anwen-gov/anwen/internal/web"
)

//go:embed templates
var templates embed.FS

// MaxAddDays bounds the days parameter of GET /api/v1/calendar/add (about ten years).
const MaxAddDays = 3660

type handlers struct {
	srv *web.Server
	svc *Service
}

// Register adds the calendar API, the year page and its menu entry.
func Register(srv *web.Server, svc *Service) {
	h := &handlers{srv: srv, svc: svc}
	srv.API("GET", "/api/v1/calendar", h.apiYear)
	srv.API("PUT", "/api/v1/calendar/days/{date}", h.apiSet)
	srv.API("DELETE", "/api/v1/calendar/days/{date}", h.apiClear)
	srv.API("GET", "/api/v1/calendar/working-day", h.apiWorkingDay)
	srv.API("GET", "/api/v1/calendar/add", h.apiAdd)
	srv.Page("GET", "/calendar", h.yearPage)
	srv.Page("POST", "/calendar/days", h.setForm)
	srv.Page("POST", "/calendar/days/{date}/delete", h.clearForm)
	srv.AddMenu(web.MenuItem{Href: "/calendar", Label: "nav.calendar", Group: web.MenuAdmin, Weight: 30})
	web.AddMessages(messages)
}

// yearParam reads ?year=, defaulting to the current year in China.
func (h *handlers) yearParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("year")
	if v == "" {
		return h.svc.Today().Year, nil
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < 1 || y > 9999 || len(v) > 4 {
		return 0, apperr.Field(apperr.EINVALID, "year", "年份无效，应为 1–9999 的整数 / year must be a whole number from 1 to 9999")
	}
	return y, nil
}

// YearJSON is the answer of GET /api/v1/calendar.
type YearJSON struct {
	Year        int   `json:"year"`
	Days        []Day `json:"days"`
	WorkingDays int   `json:"working_days"`
}

func (h *handlers) apiYear(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	y, err := h.yearParam(r)
	if err != nil {
		return err
	}
	c, err := h.svc.Calendar(r.Context())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, YearJSON{Year: y, Days: yearDays(c, y), WorkingDays: WorkingDaysIn(c, y)})
	return nil
}

// DayInput is the body of PUT /api/v1/calendar/days/{date}.
type DayInput struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

func (h *handlers) apiSet(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	var in DayInput
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	day, err := h.svc.SetDay(r.Context(), a, r.PathValue("date"), in.Kind, in.Name)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, day)
	return nil
}

func (h *handlers) apiClear(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	if err := h.svc.ClearDay(r.Context(), a, r.PathValue("date")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// WorkingDayJSON is the answer of GET /api/v1/calendar/working-day. Kind and
// Name are empty for an ordinary day.
type WorkingDayJSON struct {
	Date       calendar.Date `json:"date"`
	WorkingDay bool          `json:"working_day"`
	Kind       calendar.Kind `json:"kind"`
	Name       string        `json:"name"`
}

func (h *handlers) apiWorkingDay(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	d, err := ParseDate("date", r.URL.Query().Get("date"))
	if err != nil {
		return err
	}
	c, err := h.svc.Calendar(r.Context())
	if err != nil {
		return err
	}
	kind, name, _ := c.Kind(d)
	web.WriteJSON(w, http.StatusOK, WorkingDayJSON{Date: d, WorkingDay: c.IsWorkingDay(d), Kind: kind, Name: name})
	return nil
}

// AddJSON is the answer of GET /api/v1/calendar/add.
type AddJSON struct {
	From calendar.Date `json:"from"`
	Days int           `json:"days"`
	Unit string        `json:"unit"`
	Date calendar.Date `json:"date"`
}

func (h *handlers) apiAdd(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	q := r.URL.Query()
	from, err := ParseDate("from", q.Get("from"))
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(q.Get("days"))
	if err != nil || n < -MaxAddDays || n > MaxAddDays {
		return apperr.Field(apperr.EINVALID, "days", "天数应为 %d 到 %d 之间的整数 / days must be a whole number from %d to %d", -MaxAddDays, MaxAddDays, -MaxAddDays, MaxAddDays)
	}
	unit := q.Get("unit")
	if unit == "" {
		unit = "working"
	}
	c, err := h.svc.Calendar(r.Context())
	if err != nil {
		return err
	}
	var to calendar.Date
	switch unit {
	case "working":
		to = c.AddWorkingDays(from, n)
	case "calendar":
		to = c.AddCalendarDays(from, n)
	default:
		return apperr.Field(apperr.EINVALID, "unit", "单位应为 working（工作日）或 calendar（自然日） / unit must be working or calendar")
	}
	if !to.Valid() {
		return apperr.Field(apperr.EINVALID, "days", "结果超出 0001–9999 年 / the result falls outside the years 0001–9999")
	}
	web.WriteJSON(w, http.StatusOK, AddJSON{From: from, Days: n, Unit: unit, Date: to})
	return nil
}

// --- The year page ----------------------------------------------------------

type cell struct {
	Day   int    // 0: a blank before the 1st
	Class string // d, plus h (holiday), w (make-up working day) or we (weekend)
	Title string
	Today bool
}

type monthView struct {
	Title string
	Cells []cell
}

type dayRow struct {
	Date    string // YYYY-MM-DD
	Short   string // MM-DD: the year is the page's
	Weekday string
	Kind    string
	Name    string
}

type dayForm struct {
	Date, Kind, Name string
}

type pageData struct {
	Year, Prev, Next int
	WorkingDays      int
	Holidays         int
	Workdays         int
	Covered          bool
	WeekHeads        []string
	Months           []monthView
	Days             []dayRow
	CanManage        bool
	Form             dayForm
}

var (
	weekZH    = [7]string{"日", "一", "二", "三", "四", "五", "六"}
	weekEN    = [7]string{"Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"}
	weekdayZH = [7]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}
)

func weekdayName(lang string, wd time.Weekday) string {
	if lang == web.English {
		return wd.String()[:3]
	}
	return weekdayZH[wd]
}

func (h *handlers) yearPage(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	y, err := h.yearParam(r)
	if err != nil {
		return err
	}
	return h.render(w, r, a, y, dayForm{Kind: string(calendar.Holiday)}, nil)
}

func (h *handlers) render(w http.ResponseWriter, r *http.Request, a *auth.Actor, year int, form dayForm, formErr error) error {
	c, err := h.svc.Calendar(r.Context())
	if err != nil {
		return err
	}
	canManage, err := h.svc.CanManage(r.Context(), a)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	d := pageData{Year: year, Prev: max(year-1, 1), Next: min(year+1, 9999), WorkingDays: WorkingDaysIn(c, year),
		Covered: c.Covers(year), CanManage: canManage, Form: form}
	if form.Date == "" {
		d.Form.Date = fmt.Sprintf("%04d-01-01", year)
		if t := h.svc.Today(); t.Year == year {
			d.Form.Date = t.String()
		}
	}
	// Weeks start on Monday, as Chinese calendars print them.
	for i := 1; i <= 7; i++ {
		if lang == web.English {
			d.WeekHeads = append(d.WeekHeads, weekEN[i%7])
		} else {
			d.WeekHeads = append(d.WeekHeads, weekZH[i%7])
		}
	}
	today := h.svc.Today()
	holidayText, workdayText := web.Translate(lang, "calendar.kind.holiday"), web.Translate(lang, "calendar.kind.workday")
	for m := time.January; m <= time.December; m++ {
		mv := monthView{Title: monthTitle(lang, m)}
		first := calendar.Date{Year: year, Month: m, Day: 1}
		for i := 0; i < (int(first.Weekday())+6)%7; i++ {
			mv.Cells = append(mv.Cells, cell{})
		}
		for day := first; day.Month == m && day.Year == year; day = day.AddDays(1) {
			cl := cell{Day: day.Day, Class: "d", Title: day.String() + " " + weekdayName(lang, day.Weekday()), Today: day == today}
			if kind, name, ok := c.Kind(day); ok {
				text := holidayText
				cl.Class += " h"
				if kind == calendar.Workday {
					text = workdayText
					cl.Class = "d w"
				}
				cl.Title += " · " + strings.TrimSpace(name+" "+text)
			} else if day.IsWeekend() {
				cl.Class += " we"
			}
			mv.Cells = append(mv.Cells, cl)
		}
		d.Months = append(d.Months, mv)
	}
	for _, sp := range yearDays(c, year) {
		if sp.Kind == calendar.Holiday {
			d.Holidays++
		} else {
			d.Workdays++
		}
		d.Days = append(d.Days, dayRow{Date: sp.Date.String(), Short: sp.Date.String()[5:], Weekday: weekdayName(lang, sp.Date.Weekday()), Kind: string(sp.Kind), Name: sp.Name})
	}
	v := h.srv.NewView(r, a, web.Translate(lang, "nav.calendar"), d)
	if formErr != nil {
		e, ok := apperr.As(formErr)
		if !ok {
			return formErr
		}
		v.Error, v.Status = e, web.Status(e)
	}
	h.srv.Render(w, r, h.srv.Template(templates, "templates/calendar.html"), v)
	return nil
}

func monthTitle(lang string, m time.Month) string {
	if lang == web.English {
		return m.String()
	}
	return fmt.Sprintf("%d月", int(m))
}

func (h *handlers) setForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	form := dayForm{Date: strings.TrimSpace(r.PostFormValue("date")), Kind: r.PostFormValue("kind"), Name: r.PostFormValue("name")}
	day, err := h.svc.SetDay(r.Context(), a, form.Date, form.Kind, form.Name)
	if err != nil {
		if c := apperr.Code(err); c == apperr.EINVALID || c == apperr.ERULE {
			year := h.svc.Today().Year
			if d, perr := calendar.ParseDate(form.Date); perr == nil {
				year = d.Year
			}
			return h.render(w, r, a, year, form, err)
		}
		return err
	}
	h.srv.Flash(r, "common.saved")
	web.Redirect(w, r, fmt.Sprintf("/calendar?year=%d#days", day.Date.Year))
	return nil
}

func (h *handlers) clearForm(w http.ResponseWriter, r *http.Request, a *auth.Actor) error {
	date := r.PathValue("date")
	if err := h.svc.ClearDay(r.Context(), a, date); err != nil {
		return err
	}
	d, _ := calendar.ParseDate(date) // ClearDay succeeded, so it parses
	h.srv.Flash(r, "calendar.removed")
	web.Redirect(w, r, fmt.Sprintf("/calendar?year=%d#days", d.Year))
	return nil
}

var messages = map[string][2]string{
	"calendar.title":          {"工作日历", "Work calendar"},
	"calendar.year":           {"%d 年", "%d"},
	"calendar.prev":           {"上一年", "Previous year"},
	"calendar.next":           {"下一年", "Next year"},
	"calendar.this_year":      {"今年", "This year"},
	"calendar.working_days":   {"全年工作日", "Working days in the year"},
	"calendar.holidays":       {"放假日", "Holidays"},
	"calendar.workdays":       {"调休上班日", "Make-up working days"},
	"calendar.not_covered":    {"本年度尚未录入国务院节假日安排，目前按周一至周五为工作日计算；通知发布后请及时录入。", "This year's State Council holiday notice has not been entered: every Monday to Friday counts as a working day until it is."},
	"calendar.legend":         {"图例", "Legend"},
	"calendar.legend_h":       {"休", "Off"},
	"calendar.legend_w":       {"班", "Work"},
	"calendar.kind.holiday":   {"放假", "Holiday"},
	"calendar.kind.workday":   {"调休上班", "Make-up working day"},
	"calendar.weekend":        {"周末", "Weekend"},
	"calendar.special_days":   {"本年特殊日期", "Special days this year"},
	"calendar.date":           {"日期", "Date"},
	"calendar.kind":           {"类型", "Kind"},
	"calendar.name":           {"名称", "Name"},
	"calendar.name_hint":      {"如：春节、国庆节", "e.g. 春节 (Spring Festival)"},
	"calendar.none":           {"本年没有特殊日期。", "No special days this year."},
	"calendar.set_title":      {"设置特殊日期", "Set a special day"},
	"calendar.set_hint":       {"调休上班只能设在周六、周日；放假可设在任何一天。再次设置同一日期会覆盖原设置，移除后该日恢复按周一至周五计算。", "A make-up working day must be a Saturday or Sunday; a holiday may be any day. Setting a date again replaces its entry; removing it makes the day follow the Monday–Friday rule again."},
	"calendar.remove":         {"移除", "Remove"},
	"calendar.remove_confirm": {"确定移除该日期的设置吗？", "Remove the entry for this date?"},
	"calendar.removed":        {"已移除", "Removed"},
	"calendar.source":         {"数据来源：国务院办公厅关于部分节假日安排的通知；由系统管理员维护。", "Source: the State Council General Office's annual holiday notice; maintained by the system administrator."},
}
