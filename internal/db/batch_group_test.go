package db_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// groupItem is one grouped write: a calendar day to insert.
type groupItem struct {
	day      string
	fail     bool // the write alone fails
	viaGroup bool // set by Run when the group wrote it
}

func insertDay(ctx context.Context, tx *db.Tx, it *groupItem) error {
	if it.fail {
		return errors.New("refused")
	}
	_, err := tx.Exec(ctx, "INSERT INTO calendar_days (day, kind, name, updated_at) VALUES (?, 'holiday', '', CURRENT_TIMESTAMP)", it.day)
	return err
}

// A group writes its items in one multi-row statement; any failure sends
// them one by one to their own functions.
func dayGroup(runs *int, mu *sync.Mutex) *db.Group {
	return &db.Group{Run: func(ctx context.Context, tx *db.Tx, items []any) error {
		mu.Lock()
		*runs++
		mu.Unlock()
		var marks []string
		var args []any
		for _, x := range items {
			it := x.(*groupItem)
			if it.fail {
				return errors.New("a bad item in the group")
			}
			marks = append(marks, "(?, 'holiday', '', CURRENT_TIMESTAMP)")
			args = append(args, it.day)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO calendar_days (day, kind, name, updated_at) VALUES "+strings.Join(marks, ", "), args...); err != nil {
			return err
		}
		for _, x := range items {
			x.(*groupItem).viaGroup = true
		}
		return nil
	}}
}

func countDays(t *testing.T, d *db.DB, prefix string) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), "SELECT count(*) FROM calendar_days WHERE day LIKE ?", prefix+"%").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBatcherGroups(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		cases := []struct {
			name      string
			n         int
			failEvery int  // 0: none fails
			plain     bool // every third write uses Do instead of DoGroup
		}{
			{"all grouped", 300, 0, false},
			{"a failing write in a group", 300, 25, false},
			{"grouped beside plain writes", 300, 0, true},
			{"failing and plain", 300, 20, true},
		}
		for ci, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				b := d.NewBatcher(64)
				defer b.Close()
				var mu sync.Mutex
				runs := 0
				g := dayGroup(&runs, &mu)
				prefix := fmt.Sprintf("g%d-", ci)
				items := make([]*groupItem, c.n)
				errs := make([]error, c.n)
				var wg sync.WaitGroup
				for i := range items {
					items[i] = &groupItem{day: prefix + strconv.Itoa(i), fail: c.failEvery > 0 && i%c.failEvery == 0}
					wg.Add(1)
					go func(i int) {
						defer wg.Done()
						it := items[i]
						fn := func(tx *db.Tx) error { return insertDay(ctx, tx, it) }
						if c.plain && i%3 == 0 {
							errs[i] = b.Do(ctx, fn)
						} else {
							errs[i] = b.DoGroup(ctx, g, it, fn)
						}
					}(i)
				}
				wg.Wait()
				want := 0
				for i, it := range items {
					if it.fail != (errs[i] != nil) {
						t.Fatalf("write %d (fail=%v): %v", i, it.fail, errs[i])
					}
					if !it.fail {
						want++
					}
				}
				if got := countDays(t, d, prefix); got != want {
					t.Fatalf("%d rows committed, want %d", got, want)
				}
				batches, writes := b.Stats()
				if writes != int64(c.n) || batches == 0 {
					t.Fatalf("stats: %d writes in %d batches, want %d writes", writes, batches, c.n)
				}
				t.Logf("%d writes in %d batches, the group ran %d times", writes, batches, runs)
			})
		}

		// Writes that queue up while a batch runs land together: the group
		// writes them, and a failing one is retried alone while the rest commit.
		t.Run("group writes them and fallback is exact", func(t *testing.T) {
			b := d.NewBatcher(256)
			defer b.Close()
			var mu sync.Mutex
			runs := 0
			g := dayGroup(&runs, &mu)
			// Hold the write connection so that the next writes queue up as one batch.
			release := make(chan struct{})
			held := make(chan struct{})
			go b.Do(ctx, func(*db.Tx) error { close(held); <-release; return nil })
			<-held
			items := make([]*groupItem, 40)
			errs := make([]error, len(items))
			var wg sync.WaitGroup
			for i := range items {
				items[i] = &groupItem{day: "h-" + strconv.Itoa(i), fail: i == 7}
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					errs[i] = b.DoGroup(ctx, g, items[i], func(tx *db.Tx) error { return insertDay(ctx, tx, items[i]) })
				}(i)
			}
			waitQueued(t, b, 40)
			close(release)
			wg.Wait()
			if runs != 1 {
				t.Fatalf("the group ran %d times, want once for the one batch", runs)
			}
			for i, it := range items {
				if (i == 7) != (errs[i] != nil) {
					t.Fatalf("write %d: %v", i, errs[i])
				}
				if it.viaGroup {
					t.Fatalf("write %d is marked written by a group whose transaction was rolled back", i)
				}
			}
			if got := countDays(t, d, "h-"); got != 39 {
				t.Fatalf("%d rows, want 39", got)
			}

			// The same without a bad write: one group run writes them all.
			runs = 0
			held = make(chan struct{})
			release = make(chan struct{})
			go b.Do(ctx, func(*db.Tx) error { close(held); <-release; return nil })
			<-held
			for i := range items {
				items[i] = &groupItem{day: "k-" + strconv.Itoa(i)}
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					errs[i] = b.DoGroup(ctx, g, items[i], func(tx *db.Tx) error { return insertDay(ctx, tx, items[i]) })
				}(i)
			}
			waitQueued(t, b, 40)
			close(release)
			wg.Wait()
			for i, it := range items {
				if errs[i] != nil || !it.viaGroup {
					t.Fatalf("write %d: %v, via group %v", i, errs[i], it.viaGroup)
				}
			}
			if runs != 1 || countDays(t, d, "k-") != 40 {
				t.Fatalf("group ran %d times, %d rows", runs, countDays(t, d, "k-"))
			}
		})
	})
}

// waitQueued waits until n writes wait in the batcher's queue.
func waitQueued(t *testing.T, b *db.Batcher, n int) {
	t.Helper()
	for i := 0; i < 5000; i++ {
		if b.Queued() >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("only %d writes queued, want %d", b.Queued(), n)
}
