package web

import (
	"net/http"
	"strings"

	"github.com/commune-org/commune/internal/geo"
)

// A cell a person types (their home area on the join form, the account
// page and PATCH /api/v1/me) may well be a postcode: every string of
// digits is a well-formed geohash, and 90033, a ZIP code of Los
// Angeles, read as a cell is in the Pacific. So a value of digits only
// is read as what it almost certainly is (geo/digits.go says why, and
// where it is not):
//
//   - a postcode of the server's table (geo.Postcodes, the one the
//     pages' postcode box and commune import use) gives the table's
//     cell, and the postcode is not kept;
//   - otherwise, where a cell of digits may be someone's home
//     (geo.DigitCountry: parts of Argentina, Chile and Kiribati), it is
//     taken as a cell only once the person confirms it is one (the
//     form's box cell_not_postcode, whose value is the cell it vouches
//     for; the API's "cell_not_postcode": true), and until then
//     refused with a question that names the country;
//   - anywhere else it is refused: a cell there would be in the sea.
//
// Only the refusal is a problem of the field; nothing typed is logged.

// Messages about a cell of digits, beside body.go's. The page's words
// point at the page's tools, the API's at its field; a country is said
// in the reader's language (a msgKey argument, problem.text).
const (
	msgFieldCellPostcode     msgKey = "field-cell-postcode"
	msgFieldCellPostcodePage msgKey = "field-cell-postcode-page"
	msgFieldCellDigits       msgKey = "field-cell-digits"
	msgFieldCellDigitsPage   msgKey = "field-cell-digits-page"
	msgCountryAR             msgKey = "country-AR"
	msgCountryCL             msgKey = "country-CL"
	msgCountryKI             msgKey = "country-KI"
	msgFieldPlacePostcode    msgKey = "field-place-postcode"
	msgFieldPlaceDigits      msgKey = "field-place-digits"
)

// countryKeys are the names of the countries geo.DigitCountry returns.
var countryKeys = map[string]msgKey{"AR": msgCountryAR, "CL": msgCountryCL, "KI": msgCountryKI}

// cellNotPostcode is the form field with which a person confirms that
// the digits they typed are their cell.
const cellNotPostcode = "cell_not_postcode"

// typedCell reads the cell a person typed into field (readCell): the
// cell to keep, and the problem with it, if any. sure is whether they
// confirmed that digits are their cell; page whether the words are for
// a page's form.
func (s *Server) typedCell(field, typed string, sure, page bool) (string, *problem) {
	if page {
		return s.cellProblem(field, typed, sure, msgFieldCellPostcodePage, msgFieldCellDigitsPage)
	}
	return s.cellProblem(field, typed, sure, msgFieldCellPostcode, msgFieldCellDigits)
}

// askedCellNotPostcode reports whether v asks the person to confirm
// that digits are their cell, so that the form shows the box to say so.
func askedCellNotPostcode(v invalid) bool {
	for _, p := range v {
		if p.key == msgFieldCellDigits || p.key == msgFieldCellDigitsPage {
			return true
		}
	}
	return false
}

// digitsOf is typed without spaces, as a postcode is looked up.
func digitsOf(typed string) string {
	return strings.ReplaceAll(strings.TrimSpace(typed), " ", "")
}

// formSure reports whether the form of r confirms that the digits typed
// are a cell: its box cell_not_postcode holds the same digits, so that
// a box ticked for other digits confirms nothing.
func formSure(r *http.Request, typed string) bool {
	sure := digitsOf(r.PostFormValue(cellNotPostcode))
	return sure != "" && sure == digitsOf(typed)
}

// readCell reads a cell typed for a home or a place: digits that are
// a postcode of the server's table give its cell; other digits are
// refused, since read as a cell they are in the sea (postcode), except
// where a cell of digits is land (geo.DigitCountry), where they are
// taken once sure says so, and until then asked about (country, the
// country's name). Anything else is given back as typed, for the usual
// checks.
func (s *Server) readCell(typed string, sure bool) (cell string, postcode bool, country msgKey) {
	c := digitsOf(typed)
	if c == "" || !geo.AllDigits(c) {
		return typed, false, ""
	}
	if cell, ok := s.postcodes[c]; ok {
		return cell, false, ""
	}
	if dc := geo.DigitCountry(c); dc != "" && geo.CheckHome(c) == nil {
		if sure {
			return c, false, ""
		}
		return c, false, countryKeys[dc]
	}
	return c, true, ""
}

// cellProblem is readCell with its problem, if any, in field's place:
// postcodeKey's words for a postcode, digitsKey's for digits to confirm.
func (s *Server) cellProblem(field, typed string, sure bool, postcodeKey, digitsKey msgKey) (string, *problem) {
	cell, postcode, country := s.readCell(typed, sure)
	switch {
	case postcode:
		return cell, &problem{field: field, key: postcodeKey, args: []any{cell}}
	case country != "":
		return cell, &problem{field: field, key: digitsKey, args: []any{cell, country}}
	}
	return cell, nil
}

// placeCell reads the cell of a place typed into the field of a page's
// form (an event's place, a contingent's meeting point, an urgent
// call's place) by readCell, the form's box cell_not_postcode saying
// whether digits are sure. It writes the cell into f, or the problem
// next to the field, with the box, in lang.
func (s *Server) placeCell(r *http.Request, f *form, field, lang string) {
	cell, postcode, country := s.readCell(f.Values[field], formSure(r, f.Values[field]))
	f.Values[field] = cell
	switch {
	case postcode:
		f.Errors[field] = s.ui.t(lang, "place.cell.postcode", cell)
	case country != "":
		f.Errors[field] = s.ui.t(lang, "place.cell.digits", cell, langOf(lang).t(country))
		f.Values[cellNotPostcode+"_ask"] = "yes"
	}
}

// apiPlaceCell reads the cell of a place sent to the API in field
// (cellProblem), sure being the body's cell_not_postcode.
func (s *Server) apiPlaceCell(field, typed string, sure bool) (string, *problem) {
	return s.cellProblem(field, typed, sure, msgFieldPlacePostcode, msgFieldPlaceDigits)
}
