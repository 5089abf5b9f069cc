package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The server under load is the real one: the commune binary built from
// this tree, run as its own process with "commune serve", seeded through
// the same commands and API an organization would use (commune import,
// commune token, PUT /api/v1/world, POST /api/v1/plans), so that what is
// measured includes token checks, the request log and the database as
// configured in production.

// server is a running commune serve.
type server struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:PORT
	log  *os.File
	done chan error

	stopOnce sync.Once
	stopErr  error
}

// db says where a server keeps its data: a data directory, and with pg a
// PostgreSQL URL.
type db struct {
	name string // "sqlite" or "postgres"
	dir  string
	pg   string
}

func (d db) args() []string {
	a := []string{"--data", d.dir}
	if d.pg != "" {
		a = append(a, "--db", d.pg)
	}
	return a
}

// commune runs a command of the binary (not serve) and returns its
// standard output.
func commune(bin string, d db, stdin io.Reader, args ...string) (string, error) {
	cmd := exec.Command(bin, append(args, d.args()...)...)
	cmd.Env = append(os.Environ(), "LANG=C", "LC_ALL=C")
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("commune %s: %v: %s", args[0], err, errb.String())
	}
	return out.String(), nil
}

// startServer runs commune serve on a free loopback port and waits until
// it listens. Its request log goes to logPath.
func startServer(bin string, d db, logPath string, extraEnv ...string) (*server, error) {
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, d.args()...)...)
	cmd.Env = append(append(os.Environ(), "LANG=C", "LC_ALL=C"), extraEnv...)
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	pipe, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, log: logf, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if a, ok := strings.CutPrefix(line, "listening on "); ok && !sent {
				addr <- a
				sent = true
			}
			fmt.Fprintln(logf, line)
		}
		if !sent {
			close(addr)
		}
		s.done <- cmd.Wait()
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			return nil, fmt.Errorf("commune serve stopped before listening: see %s", logPath)
		}
		s.base = a
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		return nil, fmt.Errorf("commune serve did not listen within 30 s: see %s", logPath)
	}
	return s, nil
}

// cpu returns the CPU time the server process has used so far, user and
// system, from /proc (Linux), or 0 if it cannot be read.
func (s *server) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; the fields after its
	// closing parenthesis are numbers: utime and stime are 14 and 15.
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	const ticks = 100 // USER_HZ, 100 on every Linux Go supports
	return time.Duration(utime+stime) * time.Second / ticks
}

// loadAvg is the machine's load average over the last minute: how many
// other processes competed for the cores during a run.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

// stop stops the server as an operator would, with SIGTERM; calls after
// the first return the first's answer.
func (s *server) stop() error {
	s.stopOnce.Do(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case s.stopErr = <-s.done:
		case <-time.After(30 * time.Second):
			s.cmd.Process.Kill()
			s.stopErr = errors.New("commune serve did not stop within 30 s of SIGTERM")
		}
		s.log.Close()
	})
	return s.stopErr
}

// world is what the scenarios need to know about the seeded server.
type world struct {
	organizer string   // an organizer's token
	members   []string // members' tokens
	planID    int64    // a done planning run
	product   string   // a product members may need
	routes    map[string]bool
}

// seedMembers creates members with commune import and a token for each,
// and one organizer, before the server starts (on SQLite the commands
// would otherwise wait on the server's writer).
func seedMembers(bin string, d db, n int) (*world, error) {
	var csv strings.Builder
	csv.WriteString("alias,language,postcode,email\n")
	codes := []string{"90033", "90006", "90011", "90012", "22000", "06000", "1000", "2001"}
	for i := range n {
		fmt.Fprintf(&csv, "load-%04d,%s,%s,load-%04d@example.org\n", i, []string{"es", "en"}[i%2], codes[i%len(codes)], i)
	}
	csv.WriteString("load-organizer,en,90012,\n")
	sheet := filepath.Join(d.dir, "members.csv")
	if err := os.MkdirAll(d.dir, 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(sheet, []byte(csv.String()), 0o600); err != nil {
		return nil, err
	}
	if _, err := commune(bin, d, nil, "import", sheet); err != nil {
		return nil, err
	}
	w := &world{}
	tok, err := commune(bin, d, nil, "token", "--member", "load-organizer", "--role", "organizer")
	if err != nil {
		return nil, err
	}
	w.organizer = strings.TrimSpace(tok)
	for i := range n {
		tok, err := commune(bin, d, nil, "token", "--member", fmt.Sprintf("load-%04d", i), "--role", "member")
		if err != nil {
			return nil, err
		}
		w.members = append(w.members, strings.TrimSpace(tok))
	}
	return w, nil
}

// seedWorld puts the example world through the API, runs a plan to the
// end, and finds which routes the server has.
func seedWorld(ctx context.Context, client *http.Client, base string, w *world, worldFile string) error {
	doc, err := os.ReadFile(worldFile)
	if err != nil {
		return err
	}
	var products struct {
		Products []struct{ ID string } `json:"products"`
	}
	if err := json.Unmarshal(doc, &products); err != nil || len(products.Products) == 0 {
		return fmt.Errorf("%s: no products (%v)", worldFile, err)
	}
	w.product = products.Products[0].ID
	if _, err := request(ctx, client, "PUT", base+"/api/v1/world", w.organizer, doc, http.StatusOK, http.StatusNoContent); err != nil {
		return err
	}
	b, err := request(ctx, client, "POST", base+"/api/v1/plans", w.organizer, nil, http.StatusAccepted)
	if err != nil {
		return err
	}
	var run struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
		Error  string `json:"error"`
	}
	if err := json.Unmarshal(b, &run); err != nil {
		return fmt.Errorf("POST /api/v1/plans: %v", err)
	}
	w.planID = run.ID
	for deadline := time.Now().Add(2 * time.Minute); ; {
		b, err := request(ctx, client, "GET", fmt.Sprintf("%s/api/v1/plans/%d", base, w.planID), w.organizer, nil, http.StatusOK)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &run); err != nil {
			return err
		}
		if run.Status == "done" {
			break
		}
		if run.Status == "failed" || time.Now().After(deadline) {
			return fmt.Errorf("plan run %d: %s %s", w.planID, run.Status, run.Error)
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, err = request(ctx, client, "GET", base+"/api/openapi.json", "", nil, http.StatusOK)
	if err != nil {
		return err
	}
	var api struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(b, &api); err != nil {
		return fmt.Errorf("openapi.json: %v", err)
	}
	w.routes = make(map[string]bool)
	for path, ops := range api.Paths {
		for method := range ops {
			w.routes[strings.ToUpper(method)+" "+path] = true
		}
	}
	return nil
}

// request makes one request and wants one of the statuses.
func request(ctx context.Context, client *http.Client, method, url, token string, body []byte, want ...int) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	for _, st := range want {
		if resp.StatusCode == st {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%s %s: status %d: %s", method, url, resp.StatusCode, b)
}

// startPostgres starts a private PostgreSQL with scripts/postgres and
// makes it durable like a production server: the script turns fsync,
// synchronous_commit and full_page_writes off, which suits tests but
// would flatter PostgreSQL against SQLite, whose commits are synced.
func startPostgres(dir string, durable bool) (url string, stop func(), err error) {
	var errb bytes.Buffer
	cmd := exec.Command("scripts/postgres", "start", dir)
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		return "", nil, fmt.Errorf("scripts/postgres start: %v: %s", err, errb.String())
	}
	url = strings.TrimSpace(string(out))
	stop = func() { exec.Command("scripts/postgres", "stop", dir).Run() }
	if durable {
		for _, q := range []string{
			"ALTER SYSTEM SET fsync = on",
			"ALTER SYSTEM SET synchronous_commit = on",
			"ALTER SYSTEM SET full_page_writes = on",
			"SELECT pg_reload_conf()",
		} {
			if b, err := exec.Command("psql", url, "-v", "ON_ERROR_STOP=1", "-qc", q).CombinedOutput(); err != nil {
				stop()
				return "", nil, fmt.Errorf("psql %q: %v: %s", q, err, b)
			}
		}
	}
	return url, stop, nil
}

// freshDatabase creates an empty database named name on the server of
// url (dropping one left by an earlier run) and returns its URL.
func freshDatabase(url, name string) (string, error) {
	for _, q := range []string{"DROP DATABASE IF EXISTS " + name, "CREATE DATABASE " + name} {
		if b, err := exec.Command("psql", url, "-v", "ON_ERROR_STOP=1", "-qc", q).CombinedOutput(); err != nil {
			return "", fmt.Errorf("psql %q: %v: %s", q, err, b)
		}
	}
	u, err := neturl.Parse(url)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}
