package geo

import "testing"

// TestDigitCountry: the places found to have an all-digit cell (see
// digitLand) may keep it, whatever its length; a postcode read as a
// cell elsewhere is in the sea.
func TestDigitCountry(t *testing.T) {
	places := []struct {
		name     string
		lat, lon float64
		country  string
	}{
		{"Trelew", -43.24895, -65.30505, "AR"},
		{"Rawson", -43.30031, -65.10564, "AR"},
		{"Villa Regina", -39.09631, -67.08374, "AR"},
		{"General Acha", -37.37821, -64.60422, "AR"},
		{"Choele Choel", -39.28941, -65.6606, "AR"},
		{"London Village, Kiritimati", 1.98487, -157.47502, "KI"},
		{"Banana Village, Kiritimati", 1.98329, -157.36526, "KI"},
	}
	for _, p := range places {
		for n := MinCellLen; n <= MaxCellLen; n++ {
			cell := Encode(p.lat, p.lon, n)
			if !AllDigits(cell) {
				continue
			}
			if got := DigitCountry(cell); got != p.country {
				t.Errorf("%s, cell %s: got %q, want %q", p.name, cell, got, p.country)
			}
		}
		if cell := Encode(p.lat, p.lon, MinCellLen); !AllDigits(cell) {
			t.Errorf("%s: cell %s is not all digits, but the comment of digitLand says it is", p.name, cell)
		}
	}
	for _, c := range []struct{ cell, want string }{
		{"90033", ""},  // a Los Angeles ZIP code: the Pacific
		{"22000", ""},  // Tijuana: the South Pacific
		{"1000", ""},   // Manila: the Southern Ocean
		{"2001", ""},   // Johannesburg: the South Pacific
		{"06000", ""},  // Mexico City: Antarctica, where no one lives
		{"6839", "AR"}, // Trelew
		{"69653", "AR"},
		{"6250", "CL"},
		{"8825", "KI"},
		{"9q5c", ""}, // not all digits
		{"", ""},
	} {
		if got := DigitCountry(c.cell); got != c.want {
			t.Errorf("DigitCountry(%q): got %q, want %q", c.cell, got, c.want)
		}
	}
}

func TestAllDigits(t *testing.T) {
	for s, want := range map[string]bool{"90033": true, "0": true, "": false, "9q5c": false, "900 33": false, "٩٠": false} {
		if got := AllDigits(s); got != want {
			t.Errorf("AllDigits(%q): got %v, want %v", s, got, want)
		}
	}
}
