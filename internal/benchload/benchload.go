// Package benchload is a small closed-loop HTTP load generator for Anwen's
// benchmarks: C clients share one keep-alive http.Client, each sends its
// share of a fixed list of requests one after another, and every request's
// latency is kept, so that the report gives exact percentiles rather than
// histogram buckets.
package benchload

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Request is one request of the load.
type Request struct {
	Method string
	Path   string // appended to the base URL
	Body   []byte // nil: no body
	Bearer string // "": no Authorization header
	Kind   string // groups latencies in Result.ByKind, e.g. "ping" and "api"
}

// Result is what a run measured.
type Result struct {
	Sent      int           // requests completed (any status) or failed in transport
	ByStatus  map[int]int   // HTTP status → count
	Transport int           // requests that got no HTTP answer
	FirstErr  string        // the first transport error or unexpected status, for the report
	Elapsed   time.Duration // from the first request sent to the last answer
	// Latencies of every answered request, sorted ascending.
	Latencies []time.Duration
	// ByKind holds the same latencies per Request.Kind, sorted ascending.
	ByKind map[string]Result
}

// OK counts answers with the given status.
func (r Result) OK(status int) int { return r.ByStatus[status] }

// Rate is answered requests per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(len(r.Latencies)) / r.Elapsed.Seconds()
}

// Percentile returns the p-th percentile (0 < p ≤ 100) latency, nearest rank.
func (r Result) Percentile(p float64) time.Duration {
	n := len(r.Latencies)
	if n == 0 {
		return 0
	}
	i := int(float64(n)*p/100+0.999999) - 1
	if i < 0 {
		i = 0
	}
	if i >= n {
		i = n - 1
	}
	return r.Latencies[i]
}

// Max is the slowest answer.
func (r Result) Max() time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	return r.Latencies[len(r.Latencies)-1]
}

// Statuses formats ByStatus and transport failures, e.g. "201×20000".
func (r Result) Statuses() string {
	keys := make([]int, 0, len(r.ByStatus))
	for k := range r.ByStatus {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d×%d", k, r.ByStatus[k]))
	}
	if r.Transport > 0 {
		parts = append(parts, fmt.Sprintf("transport-error×%d", r.Transport))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

// Summary is one line: rate and latency percentiles.
func (r Result) Summary() string {
	return fmt.Sprintf("%d answered in %.2fs: %.0f req/s, p50 %s, p90 %s, p99 %s, max %s",
		len(r.Latencies), r.Elapsed.Seconds(), r.Rate(), Round(r.Percentile(50)), Round(r.Percentile(90)), Round(r.Percentile(99)), Round(r.Max()))
}

// Round shortens a duration for reports.
func Round(d time.Duration) time.Duration {
	switch {
	case d >= 100*time.Millisecond:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	default:
		return d.Round(time.Microsecond)
	}
}

// NewClient returns one keep-alive client for c concurrent clients to one host.
func NewClient(c int) *http.Client {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        c * 2,
		MaxIdleConnsPerHost: c,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	return &http.Client{Transport: tr, Timeout: 2 * time.Minute}
}

// Options shape a run.
type Options struct {
	Clients int
	// Duration > 0 repeats each client's share until it has passed; 0 sends
	// every request exactly once.
	Duration time.Duration
	// Expect is the status that counts as success (for FirstErr).
	Expect int
}

// Run sends reqs to base with opts.Clients concurrent clients over client.
// Client i sends reqs[i], reqs[i+C], reqs[i+2C] … in order, so that kinds
// of request interleaved in reqs stay interleaved in time.
func Run(ctx context.Context, client *http.Client, base string, reqs []Request, opts Options) Result {
	c := opts.Clients
	if c <= 0 {
		c = 1
	}
	if c > len(reqs) && len(reqs) > 0 {
		c = len(reqs)
	}
	type part struct {
		lat       []time.Duration
		kinds     map[string][]time.Duration
		status    map[int]int
		transport int
		firstErr  string
	}
	parts := make([]part, c)
	var wg sync.WaitGroup
	start := make(chan struct{})
	var deadline time.Time
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			p := &parts[w]
			p.status = map[int]int{}
			p.kinds = map[string][]time.Duration{}
			p.lat = make([]time.Duration, 0, len(reqs)/c+1)
			<-start
			for {
				for i := w; i < len(reqs); i += c {
					if ctx.Err() != nil {
						return
					}
					if opts.Duration > 0 && !time.Now().Before(deadline) {
						return
					}
					status, d, err := do(ctx, client, base, &reqs[i])
					if err != nil {
						p.transport++
						if p.firstErr == "" {
							p.firstErr = err.Error()
						}
						continue
					}
					p.status[status]++
					p.lat = append(p.lat, d)
					if k := reqs[i].Kind; k != "" {
						p.kinds[k] = append(p.kinds[k], d)
					}
					if opts.Expect != 0 && status != opts.Expect && p.firstErr == "" {
						p.firstErr = fmt.Sprintf("%s %s: status %d", reqs[i].Method, reqs[i].Path, status)
					}
				}
				if opts.Duration <= 0 {
					return
				}
			}
		}(w)
	}
	t0 := time.Now()
	deadline = t0.Add(opts.Duration)
	close(start)
	wg.Wait()
	res := Result{Elapsed: time.Since(t0), ByStatus: map[int]int{}, ByKind: map[string]Result{}}
	n := 0
	for _, p := range parts {
		n += len(p.lat)
	}
	res.Latencies = make([]time.Duration, 0, n)
	for _, p := range parts {
		res.Latencies = append(res.Latencies, p.lat...)
		for k, v := range p.status {
			res.ByStatus[k] += v
		}
		for k, l := range p.kinds {
			kr := res.ByKind[k]
			kr.Elapsed = res.Elapsed
			kr.Latencies = append(kr.Latencies, l...)
			res.ByKind[k] = kr
		}
		res.Transport += p.transport
		if res.FirstErr == "" {
			res.FirstErr = p.firstErr
		}
	}
	res.Sent = len(res.Latencies) + res.Transport
	sortDurations(res.Latencies)
	for k, kr := range res.ByKind {
		sortDurations(kr.Latencies)
		res.ByKind[k] = kr
	}
	return res
}

func do(ctx context.Context, client *http.Client, base string, r *Request) (int, time.Duration, error) {
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, base+r.Path, body)
	if err != nil {
		return 0, 0, err
	}
	if r.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.Bearer)
	}
	t := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	// Read the whole answer so that the connection is reused.
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(t)
	if err != nil {
		return 0, 0, err
	}
	return resp.StatusCode, d, nil
}

// Baseline is the bare net/http comparison: it decodes a JSON body with
// decode when there is one (pass the application's own decoder and type)
// and answers 201 with a fixed body, nothing else.
func Baseline(decode func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	fixed := []byte(`{"id":1,"receipt":"ZB20261127-AAAAAAAA","status":"on_time","version":1,"late":false}` + "\n")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			w.Write([]byte(`{"status":"ready"}`))
			return
		}
		if r.ContentLength != 0 && decode != nil {
			if err := decode(w, r); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusCreated)
		w.Write(fixed)
	})
}

func sortDurations(d []time.Duration) {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
}

// Warm opens the c keep-alive connections of client to base (and whatever
// the server keeps warm behind path) with c concurrent GET requests, outside
// any measurement. It returns the first failure.
func Warm(ctx context.Context, client *http.Client, base, path string, c int) error {
	reqs := make([]Request, c)
	for i := range reqs {
		reqs[i] = Request{Method: "GET", Path: path}
	}
	r := Run(ctx, client, base, reqs, Options{Clients: c, Expect: http.StatusOK})
	if r.FirstErr != "" {
		return fmt.Errorf("warm-up: %s", r.FirstErr)
	}
	return nil
}
