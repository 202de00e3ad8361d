package deadline_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/clock"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
	"github.com/anwen-gov/anwen/internal/deadline"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var t0 = time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)

func schedule(t *testing.T, d *db.DB, now time.Time, kind, key string, due time.Time, warn *time.Time) {
	t.Helper()
	err := d.InTx(context.Background(), func(tx *db.Tx) error {
		return deadline.Schedule(context.Background(), tx, now, kind, key, due, warn, map[string]string{"k": key})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWarnThenDue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		clk := clock.NewManual(t0)
		e := &deadline.Engine{DB: d, Clock: clk}
		var phases []deadline.Phase
		e.Handle("test", func(ctx context.Context, tx *db.Tx, ob deadline.Obligation, p deadline.Phase) error {
			phases = append(phases, p)
			_, err := tx.Exec(ctx, "INSERT INTO obligation_events (obligation_id, kind, key, event, at) VALUES (?, 'x', 'x', 'handler', ?)", ob.ID, clk.Now())
			return err
		})
		warn := t0.Add(time.Hour)
		schedule(t, d, t0, "test", "a", t0.Add(2*time.Hour), &warn)
		ctx := context.Background()
		steps := []struct {
			advance time.Duration
			ran     int
			state   string
		}{
			{0, 0, "open"},
			{59 * time.Minute, 0, "open"},
			{time.Minute, 1, "warned"},
			{30 * time.Minute, 0, "warned"},
			{30 * time.Minute, 1, "fired"},
			{24 * time.Hour, 0, "fired"},
		}
		for i, s := range steps {
			clk.Advance(s.advance)
			n, err := e.Sweep(ctx, 10)
			if err != nil || n != s.ran {
				t.Fatalf("step %d: ran %d (%v), want %d", i, n, err, s.ran)
			}
			ob, _ := deadline.Get(ctx, d, "test", "a")
			if ob.State != s.state {
				t.Fatalf("step %d: state %s, want %s", i, ob.State, s.state)
			}
		}
		if len(phases) != 2 || phases[0] != deadline.Warn || phases[1] != deadline.Due {
			t.Fatalf("phases %v", phases)
		}
		if n := count(t, d, "SELECT count(*) FROM obligation_events WHERE event IN ('warned', 'fired')"); n != 2 {
			t.Fatalf("%d events recorded, want 2", n)
		}
	})
}

func TestRescheduleAndCancel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := clock.NewManual(t0)
		e := &deadline.Engine{DB: d, Clock: clk}
		fired := 0
		e.Handle("test", func(context.Context, *db.Tx, deadline.Obligation, deadline.Phase) error { fired++; return nil })
		schedule(t, d, t0, "test", "a", t0.Add(time.Hour), nil)
		schedule(t, d, t0, "test", "a", t0.Add(3*time.Hour), nil) // the deadline moved later
		schedule(t, d, t0, "test", "b", t0.Add(time.Hour), nil)
		d.InTx(ctx, func(tx *db.Tx) error { return deadline.Cancel(ctx, tx, t0, "test", "b") })
		clk.Advance(2 * time.Hour)
		if n, _ := e.Sweep(ctx, 10); n != 0 || fired != 0 {
			t.Fatalf("fired %d before the moved deadline / a cancelled one", fired)
		}
		clk.Advance(2 * time.Hour)
		if n, _ := e.Sweep(ctx, 10); n != 1 {
			t.Fatalf("ran %d at the moved deadline", n)
		}
		// Rescheduling a fired obligation does not reopen it.
		schedule(t, d, clk.Now(), "test", "a", clk.Now().Add(time.Hour), nil)
		clk.Advance(2 * time.Hour)
		if n, _ := e.Sweep(ctx, 10); n != 0 || fired != 1 {
			t.Fatalf("a fired obligation fired again (%d)", fired)
		}
	})
}

// A failing handler rolls back its own writes only and is retried later.
func TestFailureRetries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := clock.NewManual(t0)
		e := &deadline.Engine{DB: d, Clock: clk}
		calls := 0
		e.Handle("flaky", func(ctx context.Context, tx *db.Tx, ob deadline.Obligation, p deadline.Phase) error {
			calls++
			tx.Exec(ctx, "INSERT INTO obligation_events (obligation_id, kind, key, event, at) VALUES (?, 'x', 'x', 'half-done', ?)", ob.ID, clk.Now())
			if calls < 3 {
				return errors.New("downstream unavailable")
			}
			return nil
		})
		e.Handle("fine", func(context.Context, *db.Tx, deadline.Obligation, deadline.Phase) error { return nil })
		schedule(t, d, t0, "flaky", "a", t0, nil)
		schedule(t, d, t0, "fine", "b", t0, nil)
		e.Sweep(ctx, 10)
		if ob, _ := deadline.Get(ctx, d, "fine", "b"); ob.State != "fired" {
			t.Fatal("one failing handler held back another")
		}
		if n := count(t, d, "SELECT count(*) FROM obligation_events WHERE event = 'half-done'"); n != 0 {
			t.Fatalf("a failed handler's writes survived (%d)", n)
		}
		if n, _ := e.Sweep(ctx, 10); n != 0 {
			t.Fatal("retried at once")
		}
		clk.Advance(31 * time.Second)
		e.Sweep(ctx, 10)
		clk.Advance(61 * time.Second)
		e.Sweep(ctx, 10)
		if ob, _ := deadline.Get(ctx, d, "flaky", "a"); ob.State != "fired" || calls != 3 {
			t.Fatalf("state %s after %d calls", ob.State, calls)
		}
		if n := count(t, d, "SELECT count(*) FROM obligation_events WHERE event = 'failed'"); n != 2 {
			t.Fatalf("%d failures recorded, want 2", n)
		}
	})
}

// A server down across many deadlines fires them all when it comes back.
func TestCatchUp(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := clock.NewManual(t0)
		e := &deadline.Engine{DB: d, Clock: clk}
		var seen []string
		e.Handle("day", func(_ context.Context, _ *db.Tx, ob deadline.Obligation, _ deadline.Phase) error {
			seen = append(seen, ob.Key)
			return nil
		})
		for i := 0; i < 5; i++ {
			schedule(t, d, t0, "day", string(rune('a'+i)), t0.Add(time.Duration(i)*24*time.Hour), nil)
		}
		clk.Advance(10 * 24 * time.Hour)
		n, err := e.Sweep(ctx, 2) // several batches
		if err != nil || n != 5 || len(seen) != 5 || seen[0] != "a" || seen[4] != "e" {
			t.Fatalf("caught up %d (%v): %v", n, err, seen)
		}
	})
}

// Several servers sweeping one PostgreSQL fire each obligation once.
func TestConcurrentSweepersFireOnce(t *testing.T) {
	d := dbtest.Postgres(t)
	ctx := context.Background()
	clk := clock.NewManual(t0)
	for i := 0; i < 200; i++ {
		schedule(t, d, t0, "once", "k"+time.Duration(i).String(), t0, nil)
	}
	var fired atomic.Int64
	var wg sync.WaitGroup
	for s := 0; s < 4; s++ {
		e := &deadline.Engine{DB: d, Clock: clk}
		e.Handle("once", func(context.Context, *db.Tx, deadline.Obligation, deadline.Phase) error { fired.Add(1); return nil })
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.Sweep(ctx, 20); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if fired.Load() != 200 {
		t.Fatalf("fired %d times for 200 obligations", fired.Load())
	}
	if n := count(t, d, "SELECT count(*) FROM obligation_events WHERE event = 'fired'"); n != 200 {
		t.Fatalf("%d fired events", n)
	}
}
