package web

import (
	"bytes"
	"strings"
	"testing"
)

// TestNumbers: quantities in the page's language, and an amount met
// within the planner's 1e-6 of the need reads as the need and 100%,
// while a real shortfall never rounds up to it.
func TestNumbers(t *testing.T) {
	for _, tc := range []struct {
		lang      string
		met, need float64
		num       string // num of met
		metShown  string
		share     string
	}{
		{"en", 2210.998, 2211, "2211", "2211", "100%"},
		{"es", 2210.998, 2211, "2211", "2211", "100\u00a0%"},
		{"en", 2210.97, 2211, "2210.97", "2210.97", "99%"},
		{"es", 2210.97, 2211, "2210,97", "2210,97", "99\u00a0%"},
		{"en", 9.999, 10, "10", "9.99", "99%"},
		{"en", 10.0000001, 10, "10", "10", "100%"},
		{"es", 2.5, 10, "2,5", "2,5", "25\u00a0%"},
		{"en", 1.0 / 3, 1, "0.33", "0.33", "33%"},
		{"en", -1e-9, 4, "0", "0", "0%"},
		{"es", 0, 0, "0", "0", "100\u00a0%"},
	} {
		if got := formatNum(tc.lang, tc.met, shownDecimals); got != tc.num {
			t.Errorf("%s num %g: got %q, want %q", tc.lang, tc.met, got, tc.num)
		}
		if got := formatMet(tc.lang, tc.met, tc.need); got != tc.metShown {
			t.Errorf("%s met %g of %g: got %q, want %q", tc.lang, tc.met, tc.need, got, tc.metShown)
		}
		if got := formatShare(tc.lang, tc.met, tc.need); got != tc.share {
			t.Errorf("%s share %g of %g: got %q, want %q", tc.lang, tc.met, tc.need, got, tc.share)
		}
	}
}

// TestNumbersFollowThePage: a page's templates write numbers in its
// language, the parts too (the chart's table).
func TestNumbersFollowThePage(t *testing.T) {
	u, err := newUI()
	if err != nil {
		t.Fatal(err)
	}
	c := &lineChart{ID: "c", Weeks: []string{"2026-W48"}, Lines: []chartLine{{Name: "copies", Values: []float64{2.5}}}}
	for lang, want := range map[string]string{"en": ">2.5<", "es": ">2,5<"} {
		var buf bytes.Buffer
		if err := u.pages[pageKey{lang, "growth.html"}].ExecuteTemplate(&buf, "chart", c); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), want) {
			t.Errorf("%s: got %s, want %s in it", lang, buf.String(), want)
		}
	}
}
