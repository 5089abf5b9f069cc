package cli

import "testing"

// TestMessagesComplete: every message has an English and a Spanish text,
// and no key is defined in two catalogs.
func TestMessagesComplete(t *testing.T) {
	seen := map[msgKey]int{}
	for i, cat := range catalogs {
		for k, pair := range cat {
			if j, ok := seen[k]; ok {
				t.Errorf("message %q is in catalogs %d and %d", k, j, i)
			}
			seen[k] = i
			if pair[0] == "" || pair[1] == "" {
				t.Errorf("message %q: got en %q, es %q; want both", k, pair[0], pair[1])
			}
		}
	}
}
