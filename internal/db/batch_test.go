package db_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

func TestBatcher(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		b := d.NewBatcher(64)
		defer b.Close()
		var wg sync.WaitGroup
		errs := make([]error, 500)
		for i := 0; i < 500; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				errs[i] = b.Do(ctx, func(tx *db.Tx) error {
					if _, err := tx.Exec(ctx, "INSERT INTO calendar_days (day, kind, name, updated_at) VALUES (?, 'holiday', '', CURRENT_TIMESTAMP)", "x"+strconv.Itoa(i)); err != nil {
						return err
					}
					if i%10 == 0 {
						return errors.New("refused") // rolls back this write only
					}
					return nil
				})
			}(i)
		}
		wg.Wait()
		failed := 0
		for i, err := range errs {
			if (i%10 == 0) != (err != nil) {
				t.Fatalf("write %d: %v", i, err)
			}
			if err != nil {
				failed++
			}
		}
		var n int
		d.QueryRow(ctx, "SELECT count(*) FROM calendar_days WHERE day LIKE 'x%'").Scan(&n)
		if n != 450 || failed != 50 {
			t.Fatalf("%d rows committed, %d failed; want 450 and 50", n, failed)
		}
		// A write that breaks a constraint fails alone, the rest commit.
		err1 := b.Do(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO calendar_days (day, kind, name, updated_at) VALUES ('x1', 'holiday', '', CURRENT_TIMESTAMP)")
			return err
		})
		if err1 == nil {
			t.Fatal("a duplicate key committed")
		}
		b.Close()
		if err := b.Do(ctx, func(*db.Tx) error { return nil }); !errors.Is(err, db.ErrBatcherClosed) {
			t.Fatalf("after Close: %v", err)
		}
	})
}
