package campaign

import (
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
	"github.com/anwen-gov/anwen/internal/calendar"
)

// The table answers every (state, action) pair: the rows it has, and a 422
// naming what is allowed for the others (400 for an action that does not exist).
func TestLifecycleTable(t *testing.T) {
	want := map[string][]string{
		New:    {ActCreate, ActLaunch},
		Draft:  {ActEdit, ActLaunch, ActClose},
		Active: {ActClose},
		Closed: {},
	}
	to := map[string]string{ActCreate: Draft, ActEdit: Draft, ActLaunch: Active, ActClose: Closed}
	for state, allowed := range want {
		t.Run("from "+state, func(t *testing.T) {
			got := Allowed(state)
			if len(got) != len(allowed) {
				t.Fatalf("allowed %v, want %v", got, allowed)
			}
			for i := range got {
				if got[i] != allowed[i] {
					t.Fatalf("allowed %v, want %v", got, allowed)
				}
			}
			for _, act := range Actions {
				row, err := Lookup(state, act)
				ok := false
				for _, a := range allowed {
					ok = ok || a == act
				}
				switch {
				case ok && (err != nil || row.To != to[act]):
					t.Errorf("%s: %v, to %v", act, err, row)
				case !ok && apperr.Code(err) != apperr.ERULE:
					t.Errorf("%s is not allowed, yet Lookup says %v", act, err)
				}
			}
			if _, err := Lookup(state, "fly"); apperr.Code(err) != apperr.EINVALID {
				t.Errorf("an unknown action: %v", err)
			}
		})
	}
}

func TestElapsedAndFlags(t *testing.T) {
	c := &Campaign{PeriodStart: "2026-12-01", PeriodEnd: "2026-12-10"}
	at := func(s string) time.Time {
		d, _ := time.ParseInLocation("2006-01-02 15:04", s, calendar.Location)
		return d
	}
	for _, tc := range []struct {
		at   string
		want float64
	}{
		{"2026-11-30 12:00", 0}, {"2026-12-01 00:00", 0}, {"2026-12-06 00:00", 0.5}, {"2026-12-11 00:00", 1}, {"2027-01-01 00:00", 1},
	} {
		if got := c.Elapsed(at(tc.at)); got < tc.want-1e-9 || got > tc.want+1e-9 {
			t.Errorf("elapsed at %s: %v, want %v", tc.at, got, tc.want)
		}
	}
	for _, tc := range []struct {
		c        Counts
		required float64
		point    string
		want     string
	}{
		{Counts{Enterprises: 0}, 0.5, PointHalf, ""},
		{Counts{Enterprises: 2, Inspected: 1}, 0.5, PointHalf, ""},
		{Counts{Enterprises: 3, Inspected: 1}, 0.5, PointHalf, "behind"},
		{Counts{Enterprises: 3, Inspected: 2}, 1, PointRemind, "behind"},
		{Counts{Enterprises: 3, Inspected: 2}, 1, PointDeadline, "overdue"},
		{Counts{Enterprises: 3, Inspected: 3}, 1, PointDeadline, ""},
	} {
		if got := flagFor(tc.c, tc.required, tc.point); got != tc.want {
			t.Errorf("%+v at %s needing %v: %q, want %q", tc.c, tc.point, tc.required, got, tc.want)
		}
	}
}

func TestPathIDs(t *testing.T) {
	got := pathIDs("/1/5/23/e7/")
	if len(got) != 3 || got[0] != 1 || got[2] != 23 {
		t.Fatalf("pathIDs: %v", got)
	}
	if orgIDOfPath("/1/5/") != 5 || orgIDOfPath("") != 0 {
		t.Fatal("orgIDOfPath")
	}
}
