package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// The load is open-loop: request i is due at start + i/rate whether or
// not earlier requests have been answered, and its latency is counted
// from when it was due, not from when it was sent. A closed loop (each
// client waits for its answer before the next request) slows down with
// the server and hides the queueing a real crowd of clients would meet
// ("coordinated omission", Gil Tene, "How NOT to measure latency", 2015).

// call is one kind of request of a scenario.
type call struct {
	name   string
	method string
	path   func(r *rand.Rand) string
	body   func(r *rand.Rand) []byte
	token  func(r *rand.Rand) string
	write  bool
}

// scenario is a mix of calls: each request is one of them, picked at
// random with the weights.
type scenario struct {
	name    string
	calls   []call
	weights []int
}

func (sc scenario) pick(r *rand.Rand) *call {
	total := 0
	for _, w := range sc.weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range sc.weights {
		if n < w {
			return &sc.calls[i]
		}
		n -= w
	}
	panic("unreachable")
}

// outcome is the answer to one request.
type outcome struct {
	call    string
	latency time.Duration // from when the request was due to its last byte
	status  int           // 0 when no answer came
}

// stats sums up a run of a scenario.
type stats struct {
	scenario       string
	target         int
	seconds        float64 // from the first request due to the last answer
	sent, answered int
	ok             int            // 2xx
	errors         map[string]int // "503", "transport", "generator behind"
	p50, p90, p99  time.Duration
	max            time.Duration
	byCall         map[string]callStats
	// serverCPU is the CPU time the commune process used during the run
	// (not PostgreSQL's); load is the 1-minute load average after it.
	serverCPU time.Duration
	load      string
}

// cpuPerRequest is the server's CPU time per answered request: what
// bounds its throughput on a given number of cores, whatever else runs
// on the machine.
func (s stats) cpuPerRequest() time.Duration {
	if s.answered == 0 {
		return 0
	}
	return s.serverCPU / time.Duration(s.answered)
}

// callStats are one call's answers within a scenario.
type callStats struct {
	n        int
	p50, p99 time.Duration
}

func (s stats) achieved() float64 { return float64(s.answered) / s.seconds }

// maxInFlight bounds the requests under way; past it the generator counts
// a request as dropped rather than opening connections without end when
// the server stalls.
const maxInFlight = 4096

// drive sends requests of sc at rate a second for d against base and
// returns what came back.
func drive(ctx context.Context, client *http.Client, base string, sc scenario, rate int, d time.Duration, seed uint64) stats {
	var (
		mu       sync.Mutex
		outs     []outcome
		wg       sync.WaitGroup
		inFlight atomic.Int64
		dropped  int
	)
	r := rand.New(rand.NewPCG(seed, 1))
	n := int(d.Seconds() * float64(rate))
	outs = make([]outcome, 0, n)
	interval := float64(time.Second) / float64(rate)
	start := time.Now()
	for i := range n {
		due := start.Add(time.Duration(float64(i) * interval))
		if wait := time.Until(due); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return stats{}
			}
		}
		c := sc.pick(r)
		path, token := c.path(r), c.token(r)
		var body []byte
		if c.body != nil {
			body = c.body(r)
		}
		if inFlight.Load() >= maxInFlight {
			dropped++
			continue
		}
		inFlight.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer inFlight.Add(-1)
			o := send(ctx, client, base, c, path, token, body)
			o.latency = time.Since(due)
			mu.Lock()
			outs = append(outs, o)
			mu.Unlock()
		}()
	}
	wg.Wait()
	// The last request is due 1/rate before d is up: a run lasts at least d.
	elapsed := max(time.Since(start), d)
	s := stats{scenario: sc.name, target: rate, seconds: elapsed.Seconds(), sent: n - dropped, answered: 0,
		errors: make(map[string]int), byCall: make(map[string]callStats)}
	if dropped > 0 {
		s.errors["generator behind"] = dropped
	}
	lat := make([]time.Duration, 0, len(outs))
	perCall := make(map[string][]time.Duration)
	for _, o := range outs {
		switch {
		case o.status == 0:
			s.errors["transport"]++
			continue
		case o.status >= 200 && o.status < 300:
			s.ok++
		default:
			s.errors[fmt.Sprint(o.status)]++
		}
		s.answered++
		lat = append(lat, o.latency)
		perCall[o.call] = append(perCall[o.call], o.latency)
	}
	if len(lat) > 0 {
		s.p50, s.p90, s.p99, s.max = quantile(lat, 0.50), quantile(lat, 0.90), quantile(lat, 0.99), quantile(lat, 1)
	}
	for name, l := range perCall {
		s.byCall[name] = callStats{n: len(l), p50: quantile(l, 0.5), p99: quantile(l, 0.99)}
	}
	return s
}

// quantile sorts lat and returns its q-quantile (0 to 1).
func quantile(lat []time.Duration, q float64) time.Duration {
	slices.Sort(lat)
	return lat[min(len(lat)-1, int(q*float64(len(lat))))]
}

// send makes one request and reads the whole answer.
func send(ctx context.Context, client *http.Client, base string, c *call, path, token string, body []byte) outcome {
	o := outcome{call: c.method + " " + c.name}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, base+path, rd)
	if err != nil {
		return o
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return o
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return o
	}
	o.status = resp.StatusCode
	return o
}

// newClient keeps enough idle connections to the server that an open
// loop at the target rate reuses them instead of opening a connection a
// request (which would measure TCP set-up, and run out of ports).
func newClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 1024
	tr.MaxIdleConnsPerHost = 1024
	tr.IdleConnTimeout = time.Minute
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}
