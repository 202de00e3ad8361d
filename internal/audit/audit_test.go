package audit_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var t0 = time.Date(2026, 11, 27, 8, 0, 0, 123456000, time.UTC)

func appendN(t *testing.T, d *db.DB, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		e := audit.Entry{At: t0.Add(time.Duration(i) * time.Second), UserID: 7, UserLogin: "zhang", OrgID: 3,
			Action: "org.update", ObjectType: "org", ObjectID: strconv.Itoa(i), Before: map[string]int{"v": i}, After: map[string]int{"v": i + 1},
			Result: audit.OK, ClientAddr: "127.0.0.1"}
		if err := audit.AppendAlone(ctx, d, e); err != nil {
			t.Fatal(err)
		}
	}
}

func TestChainVerifies(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		appendN(t, d, 25)
		res, err := audit.Verify(dbtest.Ctx(t), d)
		if err != nil {
			t.Fatal(err)
		}
		if res.Checked != 25 || res.FirstBad != 0 {
			t.Fatalf("Verify = %+v, want 25 checked and none bad", res)
		}
	})
}

// Tampering below the application (triggers dropped by someone with database
// access) must be caught, and the first bad record named.
func TestVerifyNamesFirstTamperedRecord(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Ctx(t)
		appendN(t, d, 10)
		dropTriggers(t, d)
		if _, err := d.Exec(ctx, "UPDATE audit_log SET detail = 'edited' WHERE seq = 4"); err != nil {
			t.Fatal(err)
		}
		res, err := audit.Verify(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if res.FirstBad != 4 {
			t.Fatalf("FirstBad = %d (%s), want 4", res.FirstBad, res.Reason)
		}
	})
}

func TestVerifyFindsDeletedRecords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Ctx(t)
		appendN(t, d, 6)
		dropTriggers(t, d)
		for _, tc := range []struct {
			del  string
			want int64
		}{
			{"DELETE FROM audit_log WHERE seq = 6", 6}, // the tail: caught by the head
			{"DELETE FROM audit_log WHERE seq = 3", 4}, // the middle: caught by the gap
		} {
			if _, err := d.Exec(ctx, tc.del); err != nil {
				t.Fatal(err)
			}
			res, err := audit.Verify(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			if res.FirstBad != tc.want {
				t.Errorf("after %q FirstBad = %d (%s), want %d", tc.del, res.FirstBad, res.Reason, tc.want)
			}
		}
	})
}

func dropTriggers(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	stmts := []string{"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"}
	if d.Dialect == db.Postgres {
		stmts = []string{"DROP TRIGGER audit_log_no_change ON audit_log"}
	}
	for _, s := range stmts {
		if _, err := d.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
}

// Concurrent appenders must line up: the chain stays whole.
func TestConcurrentAppendsKeepChain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					err := audit.AppendAlone(context.Background(), d, audit.Entry{At: t0, Action: "x", Result: audit.OK, ObjectID: strconv.Itoa(g)})
					if err != nil {
						errs <- err
						return
					}
				}
			}(g)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		res, err := audit.Verify(dbtest.Ctx(t), d)
		if err != nil || res.Checked != 80 || res.FirstBad != 0 {
			t.Fatalf("Verify = %+v, %v; want 80 whole", res, err)
		}
	})
}

func TestSearch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Ctx(t)
		appendN(t, d, 5)
		audit.AppendAlone(ctx, d, audit.Entry{At: t0.Add(time.Hour), UserLogin: "li", Action: "auth.signin", Result: audit.Failed})
		tests := []struct {
			name string
			f    audit.Filter
			want int
		}{
			{"all", audit.Filter{}, 6},
			{"by user", audit.Filter{UserLogin: "li"}, 1},
			{"by action prefix", audit.Filter{Action: "org."}, 5},
			{"by result", audit.Filter{Result: audit.Failed}, 1},
			{"by time", audit.Filter{From: t0.Add(2 * time.Second), To: t0.Add(4 * time.Second)}, 2},
			{"limit", audit.Filter{Limit: 2}, 2},
		}
		for _, tt := range tests {
			got, err := audit.Search(ctx, d, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Errorf("%s: %d records, want %d", tt.name, len(got), tt.want)
			}
		}
		got, _ := audit.Search(ctx, d, audit.Filter{Limit: 1})
		if got[0].Seq != 6 || !got[0].At.Equal(t0.Add(time.Hour)) {
			t.Errorf("newest first: got %+v", got[0])
		}
	})
}
