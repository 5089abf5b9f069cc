package cli

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Acceptance 6 of issue 4: kill -9 the server during 1,000 concurrent
// writes; after a restart on the same data, every write that was
// answered 2xx is there. The writes are POST /api/v1/me/needs from many
// members at once, each need with a quantity of its own so that what is
// found can be told from what was sent.

const (
	crashWrites  = 1000
	crashMembers = 50
	crashWorkers = 64
	// crashKillAt is how many writes are answered before the kill: enough
	// that many are, few enough that many more are under way.
	crashKillAt = 300
)

// ack is a write the server answered 2xx.
type ack struct {
	member int
	id     string
	qty    float64
}

func TestCrashDuringWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds commune and kills it during 1,000 writes")
	}
	bin := buildCommune(t)
	eachBackend(t, func(t *testing.T, b backend) {
		toks := seed(t, b.cfg, crashMembers)
		srv := startProcess(t, bin, b.args...)

		client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: crashWorkers}}
		var (
			mu      sync.Mutex
			acked   []ack
			failed  atomic.Int64 // no answer: refused, reset, cut off
			refused atomic.Int64 // an answer that is not 2xx
			killed  sync.Once
			killErr error
		)
		jobs := make(chan int)
		var wg sync.WaitGroup
		for range crashWorkers {
			wg.Go(func() {
				for i := range jobs {
					member, qty := i%crashMembers, float64(i+1)
					body, _ := json.Marshal(map[string]any{"product": "rice", "qty": qty, "tier": "essential"})
					req, _ := http.NewRequest("POST", srv.base+"/api/v1/me/needs", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+toks[member])
					resp, err := client.Do(req)
					if err != nil {
						failed.Add(1)
						continue
					}
					var n struct{ ID string }
					derr := json.NewDecoder(resp.Body).Decode(&n)
					resp.Body.Close()
					switch {
					case resp.StatusCode/100 != 2:
						refused.Add(1)
						continue
					case derr != nil || n.ID == "":
						// The answer was cut off: not a 2xx the client
						// could act on.
						failed.Add(1)
						continue
					}
					mu.Lock()
					acked = append(acked, ack{member: member, id: n.ID, qty: qty})
					enough := len(acked) >= crashKillAt
					mu.Unlock()
					if enough {
						killed.Do(func() { killErr = srv.kill() })
					}
				}
			})
		}
		for i := range crashWrites {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		killed.Do(func() { killErr = srv.kill() }) // in case every write was answered first
		if killErr != nil {
			t.Fatal(killErr)
		}
		if refused.Load() > 0 {
			t.Errorf("%d writes were refused with a status other than 2xx before the kill", refused.Load())
		}
		if len(acked) < crashKillAt {
			t.Fatalf("only %d writes were answered 2xx before the kill, want %d", len(acked), crashKillAt)
		}

		// A new server on the same data finds every answered write.
		srv = startProcess(t, bin, b.args...)
		found, total := 0, 0
		have := make([]map[string]float64, crashMembers)
		for m, tok := range toks {
			have[m] = make(map[string]float64)
			after := ""
			for {
				var page struct {
					Needs []struct {
						ID  string
						Qty float64
					}
					Next string
				}
				r := meRequest(t, srv.base, "GET", "/api/v1/me/needs?limit=1000&after="+after, tok, nil, 200)
				data, _ := json.Marshal(r)
				if err := json.Unmarshal(data, &page); err != nil {
					t.Fatal(err)
				}
				for _, n := range page.Needs {
					have[m][n.ID] = n.Qty
					total++
				}
				if after = page.Next; after == "" {
					break
				}
			}
		}
		for _, a := range acked {
			qty, ok := have[a.member][a.id]
			switch {
			case !ok:
				t.Errorf("need %s of member %d was answered 2xx but is lost", a.id, a.member)
			case qty != a.qty:
				t.Errorf("need %s of member %d: qty %v, want %v", a.id, a.member, qty, a.qty)
			default:
				found++
			}
		}
		srv.stop(t)
		name := "sqlite"
		if b.pgBase != "" {
			name = "postgres"
		}
		// The figures of the run (docs: acceptance 6).
		t.Logf("%s: %d writes sent by %d workers for %d members; %d answered 2xx before kill -9, %d without an answer; "+
			"after restart %d of the %d answered found, %d needs stored in all",
			name, crashWrites, crashWorkers, crashMembers, len(acked), failed.Load(), found, len(acked), total)
	})
}
