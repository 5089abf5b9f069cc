package notify

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// gatewayRequest is what the test gateway saw of one request.
type gatewayRequest struct {
	head gatewayHead
	form url.Values
}

type gatewayHead struct {
	path, contentType, user, pass string
	basic                         bool
	idem, twilioIdem              string
}

// startGateway stands in for an SMS provider's HTTP API (Twilio's
// Messages resource), which cannot run here: it records each request
// and answers with status, and Retry-After when retryAfter is set.
func startGateway(t *testing.T, status int, retryAfter string) (*httptest.Server, func() []gatewayRequest) {
	t.Helper()
	var mu sync.Mutex
	var got []gatewayRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, err := url.ParseQuery(string(body))
		if err != nil {
			t.Errorf("gateway: form: %v", err)
		}
		user, pass, basic := r.BasicAuth()
		mu.Lock()
		got = append(got, gatewayRequest{gatewayHead{r.URL.Path, r.Header.Get("Content-Type"), user, pass, basic,
			r.Header.Get("Idempotency-Key"), r.Header.Get("I-Twilio-Idempotency-Token")}, form})
		mu.Unlock()
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
		// Providers repeat the number they refuse.
		io.WriteString(w, `{"to": "`+form.Get("To")+`", "message": "The 'To' number is not a valid phone number."}`)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []gatewayRequest {
		mu.Lock()
		defer mu.Unlock()
		return append([]gatewayRequest(nil), got...)
	}
}

const twilioPath = "/2010-04-01/Accounts/AC0123456789/Messages.json"

func TestSMSSend(t *testing.T) {
	link := "https://commune.example.org/c/7f3a?s=Zm9v"
	tests := []struct {
		name       string
		status     int
		retryAfter string
		to, want   string // the number given, and as sent
		retry      bool
		after      time.Duration
		ok         bool
	}{
		{"created", 201, "", "+52 55 1234 5678", "+525512345678", false, 0, true},
		{"accepted, 00 for +", 202, "", "0034 (612) 345-678", "+34612345678", false, 0, true},
		{"too many requests", 429, "30", "+15551234567", "+15551234567", true, 30 * time.Second, false},
		{"gateway down", 503, "", "+15551234567", "+15551234567", true, 0, false},
		{"bad request", 400, "", "+15551234567", "+15551234567", false, 0, false},
		{"bad credentials", 401, "", "+15551234567", "+15551234567", false, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, requests := startGateway(t, tc.status, tc.retryAfter)
			s, err := NewSMS(strings.Replace(srv.URL, "http://", "http://AC0123456789:t0k3n-s3cr3t@", 1)+twilioPath, "+15550001111")
			if err != nil {
				t.Fatal(err)
			}
			body := CallSMS("es", link)
			err = s.Send(context.Background(), tc.to, body, "call-1/member-9/sms")
			if tc.ok != (err == nil) {
				t.Fatalf("Send: got %v, want ok %v", err, tc.ok)
			}
			if err != nil {
				retry, after := Retryable(err)
				if retry != tc.retry || after != tc.after {
					t.Errorf("got %v: retry %v after %s, want retry %v after %s", err, retry, after, tc.retry, tc.after)
				}
				for _, secret := range []string{"t0k3n-s3cr3t", tc.want, tc.to, "5678"} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("error %q holds %q", err, secret)
					}
				}
			}
			reqs := requests()
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1", len(reqs))
			}
			r := reqs[0].head
			want := gatewayHead{twilioPath, "application/x-www-form-urlencoded", "AC0123456789", "t0k3n-s3cr3t", true,
				"call-1/member-9/sms", "call-1/member-9/sms"}
			if r != want {
				t.Errorf("request: got %+v, want %+v", r, want)
			}
			form := reqs[0].form
			if form.Get("To") != tc.want || form.Get("From") != "+15550001111" || form.Get("Body") != body || len(form) != 3 {
				t.Errorf("form: got %v, want To %s, From +15550001111, Body %q", form, tc.want, body)
			}
		})
	}
}

func TestSMSRefused(t *testing.T) {
	srv, requests := startGateway(t, 201, "")
	s, err := NewSMS(srv.URL+twilioPath, "commune")
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{"", "5512345678", "+52 551", "+52 55 1234 5678 9012 34", "+52 55 CALL ME", "+0525512345678"} {
		err := s.Send(context.Background(), to, "hola", "id")
		if retry, _ := Retryable(err); err == nil || retry {
			t.Errorf("Send to %q: got %v, want a permanent error", to, err)
		}
		if err != nil && to != "" && strings.Contains(err.Error(), to) {
			t.Errorf("error %q repeats the number", err)
		}
	}
	if err := s.Send(context.Background(), "+525512345678", "", "id"); err == nil {
		t.Error("Send of an empty message: want an error")
	}
	if n := len(requests()); n != 0 {
		t.Errorf("got %d requests to the gateway, want none", n)
	}
	// Without credentials in the URL there is no Authorization header.
	if err := s.Send(context.Background(), "+525512345678", "hola", ""); err != nil {
		t.Fatal(err)
	}
	if r := requests(); len(r) != 1 || r[0].head.basic || r[0].head.idem != "" || r[0].form.Get("From") != "commune" {
		t.Errorf("got %+v, want one request without basic auth nor idempotency key, from commune", r)
	}
}

func TestNewSMS(t *testing.T) {
	tests := []struct {
		url, from string
		ok        bool
	}{
		{"https://AC1:tok@api.twilio.com/2010-04-01/Accounts/AC1/Messages.json", "+15550001111", true},
		{"https://gateway.example.org/send", "commune", true},
		{"http://127.0.0.1:8080/send", "+15550001111", true},
		{"http://gateway.example.org/send", "+15550001111", false},
		{"gateway.example.org/send", "+15550001111", false},
		{"https://gateway.example.org/send", "", false},
		{"https://gateway.example.org/send", "+1555", false},
		{"https://gateway.example.org/send", "a name too long", false},
		{"https://gateway.example.org/send", "5550001111", false},
	}
	for _, tc := range tests {
		s, err := NewSMS(tc.url, tc.from)
		if (err == nil) != tc.ok {
			t.Errorf("NewSMS(%q, %q): got %v, want ok %v", tc.url, tc.from, err, tc.ok)
		}
		if err == nil && strings.Contains(s.endpoint, "tok") {
			t.Errorf("NewSMS(%q): endpoint %q keeps the credentials", tc.url, s.endpoint)
		}
		if err != nil && strings.Contains(err.Error(), "tok") {
			t.Errorf("NewSMS(%q): error %q holds the token", tc.url, err)
		}
	}
}
