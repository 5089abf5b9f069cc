package geo

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strconv"
	"testing"
)

// TestPostcodeTable checks the embedded table: each cell is the geohash
// of 5 characters of the centre it lists, and each postcode is there once.
func TestPostcodeTable(t *testing.T) {
	r := csv.NewReader(bytes.NewReader(PostcodesCSV))
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := recs[0], []string{"postcode", "cell", "lat", "lon", "area"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("header: got %v, want %v", got, want)
	}
	seen := make(map[string]bool)
	for i, rec := range recs[1:] {
		lat, err1 := strconv.ParseFloat(rec[2], 64)
		lon, err2 := strconv.ParseFloat(rec[3], 64)
		if err1 != nil || err2 != nil {
			t.Errorf("row %d: lat %q, lon %q", i+1, rec[2], rec[3])
			continue
		}
		if want := Encode(lat, lon, 5); rec[1] != want {
			t.Errorf("postcode %s: got cell %q, want %q", rec[0], rec[1], want)
		}
		if seen[rec[0]] {
			t.Errorf("postcode %s listed twice", rec[0])
		}
		seen[rec[0]] = true
	}
	if len(seen) < 30 {
		t.Errorf("%d postcodes, want the demo areas' (30 or more)", len(seen))
	}
}
