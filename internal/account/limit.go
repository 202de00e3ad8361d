package account

import (
	"sync"
	"time"

	"github.com/anwen-gov/anwen/internal/apperr"
)

// failures counts wrong passwords typed into the account pages per person,
// so that a session left open cannot be used to guess the password (sign-in
// has its own lockout). It lives in memory: a restart forgets it, which only
// gives a guesser a few more tries.
type failures struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	seen   map[int64][]time.Time
}

func newFailures(max int, window time.Duration) *failures {
	return &failures{max: max, window: window, seen: map[int64][]time.Time{}}
}

func (f *failures) recent(uid int64, now time.Time) []time.Time {
	var keep []time.Time
	for _, t := range f.seen[uid] {
		if now.Sub(t) < f.window {
			keep = append(keep, t)
		}
	}
	if len(keep) == 0 {
		delete(f.seen, uid)
	} else {
		f.seen[uid] = keep
	}
	return keep
}

// check refuses when the person has failed too often lately.
func (f *failures) check(uid int64, now time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.recent(uid, now)) >= f.max {
		return apperr.New(apperr.ERATELIMIT, "密码错误次数过多，请 %d 分钟后再试 / too many wrong passwords: try again in %d minutes", int(f.window.Minutes()), int(f.window.Minutes()))
	}
	return nil
}

func (f *failures) fail(uid int64, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen[uid] = append(f.recent(uid, now), now)
}

func (f *failures) reset(uid int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.seen, uid)
}
