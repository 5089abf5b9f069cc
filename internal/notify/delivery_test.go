package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 29, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"120", 2 * time.Minute},
		{" 30 ", 30 * time.Second},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"Sunday, 29-Nov-26 15:05:00 GMT", 5 * time.Minute}, // RFC 850 form
		{"-5", 0},
		{"soon", 0},
		{"99999999999999999999", maxRetryAfter},
		{"172800", maxRetryAfter},
	}
	for _, tc := range tests {
		if got := retryAfter(tc.value, now); got != tc.want {
			t.Errorf("retryAfter(%q): got %s, want %s", tc.value, got, tc.want)
		}
	}
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		retry bool
		after time.Duration
	}{
		{"nil", nil, false, 0},
		{"permanent", permanent("sms", 400, "bad"), false, 0},
		{"retryable, wrapped", fmt.Errorf("outbox: %w", &DeliveryError{Retry: true, After: time.Minute, Err: errors.New("x")}), true, time.Minute},
		{"gone", &DeliveryError{Status: 410, Err: fmt.Errorf("x: %w", ErrGone)}, false, 0},
		{"unknown", context.DeadlineExceeded, true, 0},
	}
	for _, tc := range tests {
		if retry, after := Retryable(tc.err); retry != tc.retry || after != tc.after {
			t.Errorf("%s: got %v %s, want %v %s", tc.name, retry, after, tc.retry, tc.after)
		}
	}
}
