package petition

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/anwen-gov/anwen/internal/db"
	"github.com/anwen-gov/anwen/internal/db/dbtest"
)

// TestPortalLimitsAcrossServers: two app servers (two connection pools on
// one database) share the portal's limits and spent challenges: 40
// concurrent submissions from one address through both are allowed
// exactly max times, the first refusal is flagged once, a refund gives a
// hit back, and a challenge answered on one server is spent on the other.
func TestPortalLimitsAcrossServers(t *testing.T) {
	ctx := context.Background()
	pools := map[string]func(t *testing.T) (*db.DB, *db.DB){
		"sqlite": func(t *testing.T) (*db.DB, *db.DB) { d := dbtest.SQLite(t); return d, d },
		"postgres": func(t *testing.T) (*db.DB, *db.DB) {
			dsn := dbtest.PostgresDSN(t)
			open := func() *db.DB {
				d, err := db.Open(ctx, dsn, "")
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { d.Close() })
				return d
			}
			a, b := open(), open()
			if _, err := a.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			return a, b
		},
	}
	for name, open := range pools {
		t.Run(name, func(t *testing.T) {
			a, b := open(t)
			if name == "sqlite" {
				if _, err := a.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
			}
			now := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
			la, lb := newLimiter(a, "submit", "petitions submitted", 5, 10*time.Minute), newLimiter(b, "submit", "petitions submitted", 5, 10*time.Minute)
			var mu sync.Mutex
			allowed, firsts := 0, 0
			var wg sync.WaitGroup
			for i := range 40 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					l := la
					if i%2 == 1 {
						l = lb
					}
					ok, wait, first, err := l.take(ctx, "203.0.113.9", now)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					defer mu.Unlock()
					if ok {
						allowed++
					} else if wait <= 0 || wait > 10*time.Minute {
						t.Errorf("wait %s", wait)
					}
					if first {
						firsts++
					}
				}()
			}
			wg.Wait()
			if allowed != 5 || firsts != 1 {
				t.Fatalf("%d allowed, %d first refusals over two servers; want 5 and 1", allowed, firsts)
			}
			// Another address is counted apart; a refund gives one back; the window moves on.
			if ok, _, _, _ := lb.take(ctx, "198.51.100.7", now); !ok {
				t.Fatal("another address is refused")
			}
			la.refund(ctx, "203.0.113.9")
			if ok, _, _, _ := lb.take(ctx, "203.0.113.9", now); !ok {
				t.Fatal("the refunded hit is not given back")
			}
			if ok, _, first, _ := la.take(ctx, "203.0.113.9", now); ok || !first {
				t.Fatalf("over the limit again after an allowed hit: ok %v, first %v (a new run of refusals)", ok, first)
			}
			if ok, _, first, _ := lb.take(ctx, "203.0.113.9", now); ok || first {
				t.Fatalf("over the limit once more: ok %v, first %v (the run goes on)", ok, first)
			}
			if ok, _, _, _ := la.take(ctx, "203.0.113.9", now.Add(10*time.Minute+time.Second)); !ok {
				t.Fatal("refused after the window")
			}

			// A challenge answered on one server is spent on the other.
			s := &Service{DB: a}
			ga, gb := newGuard(s), newGuard(s)
			gb.db = b
			ch := ga.issue(now)
			p, _ := ga.parse(ch.Token)
			answer := itoa(int64(p.a + p.b))
			at := now.Add(10 * time.Second)
			if err := ga.verify(ctx, ch.Token, answer, "", at); err != nil {
				t.Fatalf("the right answer: %v", err)
			}
			if err := gb.verify(ctx, ch.Token, answer, "", at); err == nil {
				t.Fatal("a challenge answered on one server is accepted on another")
			}
			if !gb.spent(ctx, p.nonce) {
				t.Fatal("the other server does not know the challenge is spent")
			}
		})
	}
}
