package audit_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/audit"
	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

func entries(from, n int) []audit.Entry {
	out := make([]audit.Entry, n)
	for i := range out {
		k := from + i
		out[i] = audit.Entry{At: t0.Add(time.Duration(k) * time.Millisecond), Action: "dailyreport.submit", ObjectType: "daily_report",
			ObjectID: strconv.Itoa(k), After: map[string]int{"v": k}, Result: audit.OK, Detail: "v1 on_time via ping"}
		if k%3 == 0 {
			out[i].UserID, out[i].UserLogin, out[i].OrgID, out[i].ClientAddr = 9, "yjj", int64(k), "10.0.0.1"
		} else {
			out[i].UserLogin = "(check-in address)"
		}
	}
	return out
}

// The Appender writes exactly the records Append writes, one at a time or
// many at once, interleaved with Append itself.
func TestAppenderMatchesAppend(t *testing.T) {
	ctx := context.Background()
	var want [][]audit.Record
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ref, fast := dbtest.SQLite(t), dbtest.SQLite(t)
			if dialect == "postgres" {
				ref, fast = dbtest.Postgres(t), dbtest.Postgres(t)
			}
			p := audit.NewAppender(fast)
			if err := p.Prepare(ctx); err != nil {
				t.Fatal(err)
			}
			// Sizes that cross every chunk size, and single appends between them.
			steps := []struct {
				n    int
				mode string // "many", "one" (Appender.Append) or "plain" (audit.Append)
			}{{1, "many"}, {3, "plain"}, {7, "many"}, {1, "one"}, {200, "many"}, {2, "one"}, {300, "many"}, {1, "plain"}, {129, "many"}}
			k := 0
			for _, st := range steps {
				es := entries(k, st.n)
				k += st.n
				if err := ref.InTx(ctx, func(tx *db.Tx) error {
					for _, e := range es {
						if err := audit.Append(ctx, tx, e); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				err := fast.InTx(ctx, func(tx *db.Tx) error {
					switch st.mode {
					case "many":
						return p.AppendMany(ctx, tx, es)
					case "one":
						for _, e := range es {
							if err := p.Append(ctx, tx, e); err != nil {
								return err
							}
						}
					default:
						for _, e := range es {
							if err := audit.Append(ctx, tx, e); err != nil {
								return err
							}
						}
					}
					return nil
				})
				if err != nil {
					t.Fatalf("%d %s: %v", st.n, st.mode, err)
				}
			}
			for _, d := range []*db.DB{ref, fast} {
				res, err := audit.Verify(ctx, d)
				if err != nil || res.FirstBad != 0 || res.Checked != int64(k) {
					t.Fatalf("verify: %+v %v, want %d records intact", res, err, k)
				}
			}
			a, err := audit.Search(ctx, ref, audit.Filter{Limit: 10000})
			if err != nil {
				t.Fatal(err)
			}
			b, err := audit.Search(ctx, fast, audit.Filter{Limit: 10000})
			if err != nil {
				t.Fatal(err)
			}
			if len(a) != k || len(b) != k {
				t.Fatalf("%d and %d records, want %d", len(a), len(b), k)
			}
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("record %d differs:\n Append   %+v\n Appender %+v", a[i].Seq, a[i], b[i])
				}
			}
			want = append(want, a)
			// An entry without an action is refused, and nothing is written.
			err = fast.InTx(ctx, func(tx *db.Tx) error {
				return p.AppendMany(ctx, tx, []audit.Entry{entries(0, 1)[0], {Result: audit.OK}})
			})
			if err == nil {
				t.Fatal("an entry without an action was appended")
			}
			if res, _ := audit.Verify(ctx, fast); res.Checked != int64(k) || res.FirstBad != 0 {
				t.Fatalf("after a refused append: %+v", res)
			}
		})
	}
	// Both databases chain the same records to the same hashes.
	if len(want) == 2 {
		for i := range want[0] {
			if want[0][i].Hash != want[1][i].Hash {
				t.Fatalf("record %d hashes differently on SQLite and PostgreSQL", want[0][i].Seq)
			}
		}
	}
}
