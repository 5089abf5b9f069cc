package web

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPanicLog: a handler that panics answers an internal error in the
// reader's language, as a page or as JSON, and the request is logged
// like any other. net/http logs nothing: left to it, the panic goes to
// the server's log with the client's address ("http: panic serving
// 127.0.0.1:PORT") and the panic's value, which may hold personal data.
func TestPanicLog(t *testing.T) {
	e := newEnv(t)
	const secret = "Marisol del Barrio"
	add := func(pattern string, page bool, h handlerFunc) {
		e.srv.mux.Handle(pattern, e.srv.handle(route{pattern: pattern, public: true, page: page, h: h}))
	}
	add("GET /test/panic", true, func(w http.ResponseWriter, r *http.Request) error {
		panic(errors.New("store: member " + secret + " broke"))
	})
	add("GET /api/v1/test/panic", false, func(w http.ResponseWriter, r *http.Request) error {
		panic("member " + secret)
	})
	add("GET /api/v1/test/index", false, func(w http.ResponseWriter, r *http.Request) error {
		var a []int
		_ = a[len(r.URL.Path)] // index out of range
		return nil
	})
	add("GET /api/v1/test/abort", false, func(w http.ResponseWriter, r *http.Request) error {
		panic(http.ErrAbortHandler)
	})

	var netLog bytes.Buffer
	ts := httptest.NewUnstartedServer(e.http)
	ts.Config.ErrorLog = log.New(&netLog, "", 0)
	ts.Start()
	get := func(path, lang string) (*http.Response, []byte, error) {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("Accept-Language", lang)
		resp, err := ts.Client().Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp, body, err
	}

	for _, tc := range []struct {
		path, lang, ctype, want string
	}{
		{"/test/panic", "es", "text/html", "Algo se rompió de nuestro lado"},
		{"/test/panic", "en", "text/html", "Something broke on our side"},
		{"/api/v1/test/panic", "es", "application/json", `"message":"error interno"`},
		{"/api/v1/test/index", "en", "application/json", `"message":"internal error"`},
	} {
		resp, body, err := get(tc.path, tc.lang)
		if err != nil {
			t.Errorf("GET %s: %v, want a 500 answer", tc.path, err)
			continue
		}
		if resp.StatusCode != http.StatusInternalServerError || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.ctype) ||
			!strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s (%s): got %d %q %.300s, want 500 %s holding %q", tc.path, tc.lang, resp.StatusCode,
				resp.Header.Get("Content-Type"), body, tc.ctype, tc.want)
		}
	}
	if _, _, err := get("/api/v1/test/abort", "en"); err == nil {
		t.Error("GET /api/v1/test/abort: got an answer, want the connection cut (http.ErrAbortHandler)")
	}
	ts.Close() // waits for the handlers: the logs are complete

	if netLog.Len() > 0 {
		t.Errorf("net/http logged: %s", netLog.String())
	}
	logged := e.log.String()
	for _, s := range []string{"127.0.0.1", secret} {
		if strings.Contains(logged, s) {
			t.Errorf("the log holds %q: %s", s, logged)
		}
	}
	if !strings.Contains(logged, "index out of range") {
		t.Errorf("the log does not say what went wrong in a runtime error: %s", logged)
	}
	statuses := map[string][]int{} // of the requests logged, by route
	sc := bufio.NewScanner(e.log)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var entry struct {
			Msg, Route string
			Status     int
		}
		if err := json.Unmarshal(sc.Bytes(), &entry); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if entry.Msg == "request" {
			statuses[entry.Route] = append(statuses[entry.Route], entry.Status)
		}
	}
	for route, want := range map[string]string{
		"GET /test/panic": "[500 500]", "GET /api/v1/test/panic": "[500]", "GET /api/v1/test/index": "[500]",
	} {
		if got := fmt.Sprint(statuses[route]); got != want {
			t.Errorf("%s logged with status %s, want %s", route, got, want)
		}
	}
	// The client may try an aborted GET again; nothing was sent.
	for _, status := range statuses["GET /api/v1/test/abort"] {
		if status != 0 {
			t.Errorf("GET /api/v1/test/abort logged with status %d, want 0: nothing was sent", status)
		}
	}
}
