package benchload

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestRunSendsEachRequestOnce(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen[r.URL.Path+" "+r.Header.Get("Authorization")+" "+string(b)]++
		mu.Unlock()
		if r.URL.Path == "/bad" {
			w.WriteHeader(http.StatusTeapot)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	var reqs []Request
	for i := 0; i < 500; i++ {
		reqs = append(reqs, Request{Method: "POST", Path: "/r/" + strconv.Itoa(i), Body: []byte(`{"n":` + strconv.Itoa(i) + `}`), Bearer: "tok", Kind: "a"})
	}
	reqs = append(reqs, Request{Method: "POST", Path: "/bad", Kind: "b"})
	res := Run(context.Background(), NewClient(16), srv.URL, reqs, Options{Clients: 16, Expect: http.StatusCreated})
	if res.Sent != 501 || res.OK(http.StatusCreated) != 500 || res.ByStatus[http.StatusTeapot] != 1 || res.Transport != 0 {
		t.Fatalf("sent %d, statuses %s", res.Sent, res.Statuses())
	}
	if len(seen) != 501 {
		t.Fatalf("%d distinct requests reached the server, want 501", len(seen))
	}
	for k, n := range seen {
		if n != 1 {
			t.Fatalf("%q sent %d times", k, n)
		}
	}
	if res.FirstErr == "" || len(res.ByKind["a"].Latencies) != 500 || len(res.ByKind["b"].Latencies) != 1 {
		t.Fatalf("first error %q, kinds %d/%d", res.FirstErr, len(res.ByKind["a"].Latencies), len(res.ByKind["b"].Latencies))
	}
	if res.Percentile(50) > res.Percentile(99) || res.Percentile(99) > res.Max() || res.Rate() <= 0 {
		t.Fatalf("p50 %v p99 %v max %v rate %v", res.Percentile(50), res.Percentile(99), res.Max(), res.Rate())
	}
}

func TestPercentile(t *testing.T) {
	r := Result{Elapsed: time.Second}
	for i := 1; i <= 100; i++ {
		r.Latencies = append(r.Latencies, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {90, 90 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0.1, time.Millisecond}} {
		if got := r.Percentile(c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want)
		}
	}
	if r.Rate() != 100 {
		t.Errorf("rate %v, want 100/s", r.Rate())
	}
}

func TestDurationRepeats(t *testing.T) {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	reqs := []Request{{Method: "POST", Path: "/a"}, {Method: "POST", Path: "/b"}}
	res := Run(context.Background(), NewClient(2), srv.URL, reqs, Options{Clients: 2, Duration: 200 * time.Millisecond})
	if res.OK(http.StatusCreated) <= 2 || res.OK(http.StatusCreated) != n {
		t.Fatalf("%d answered, %d reached the server: a duration repeats the requests", res.OK(http.StatusCreated), n)
	}
}
