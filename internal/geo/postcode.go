package geo

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"strings"
)

// PostcodesCSV is a table of postcodes of the demo areas (Los Angeles,
// Tijuana, Mexico City, Manila, Johannesburg) and the cell of five
// characters of each one's approximate centre: postcode, cell, lat,
// lon, area. Members who do not know their cell give a postcode; the
// table turns it into a cell, and the postcode is not kept.
//
//go:embed postcodes.csv
var PostcodesCSV []byte

// Postcodes returns the table of PostcodesCSV as postcode → cell; the
// postcodes are written without spaces.
func Postcodes() (map[string]string, error) {
	r := csv.NewReader(bytes.NewReader(PostcodesCSV))
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil || len(recs) < 2 {
		return nil, fmt.Errorf("geo: postcode table: %v", err)
	}
	out := make(map[string]string, len(recs)-1)
	for _, rec := range recs[1:] {
		out[strings.ReplaceAll(rec[0], " ", "")] = rec[1]
	}
	return out, nil
}
