package lp

import "fmt"

// MPSError is a problem in an MPS file, with the line it was found on.
// Msg says it in English; Kind says which problem it is and Args the
// names, values and counts Msg quotes, in its order, so that a program
// can say it in another language (Kind.Format is the English).
type MPSError struct {
	Line int
	Msg  string
	Kind MPSErrorKind
	Args []any
}

func (e *MPSError) Error() string {
	if e.Line == 0 {
		return "mps: " + e.Msg
	}
	return fmt.Sprintf("mps: line %d: %s", e.Line, e.Msg)
}

// MPSErrorKind names a problem of an MPS file. Its zero value,
// MPSOther, is a problem with no kind: its Msg is all there is.
type MPSErrorKind int

// The problems ReadMPS finds. mpsFormats gives each its message; the
// Args of an MPSError of that kind are the values of its verbs, named
// beside the formats that have any.
const (
	MPSOther MPSErrorKind = iota
	MPSGzip
	MPSRead
	MPSLineTooLong
	MPSNoEnd
	MPSEmpty
	MPSDataBeforeSection
	MPSDataAfterName
	MPSUnknownSection
	MPSNameNotFirst
	MPSRowsMisplaced
	MPSColumnsMisplaced
	MPSSectionBeforeColumns
	MPSSectionOutOfOrder
	MPSEndBeforeRows
	MPSObjSenseWords
	MPSObjSenseUnknown
	MPSRowFields
	MPSRowTwice
	MPSRowType
	MPSColumnFieldsCount
	MPSColumnFields
	MPSUnknownRow
	MPSColumnAgain
	MPSCoefNotNumber
	MPSCoefInfinite
	MPSObjCoefTwice
	MPSCoefTwice
	MPSRHSFields
	MPSRHSNotNumber
	MPSRangeFreeRow
	MPSRangeTwice
	MPSBoundFields
	MPSBoundSC
	MPSBoundType
	MPSBoundNoValue
	MPSBoundFieldsCount
	MPSBoundUnknownColumn
	MPSBoundSecondSet
	MPSBoundNotNumber
	MPSFixedInfinite
)

var mpsFormats = [...]string{
	MPSGzip:                 "gzip: %s", // the decompressor's error
	MPSRead:                 "%s",       // the reader's error
	MPSLineTooLong:          "line longer than 16 MiB",
	MPSNoEnd:                "file ends without ENDATA",
	MPSEmpty:                "no ROWS and no COLUMNS: not an MPS file",
	MPSDataBeforeSection:    "data before any section header",
	MPSDataAfterName:        "data after NAME; expected a section such as ROWS",
	MPSUnknownSection:       "unknown section %q", // section
	MPSNameNotFirst:         "NAME must come first",
	MPSRowsMisplaced:        "ROWS section appears twice or after COLUMNS",
	MPSColumnsMisplaced:     "COLUMNS must follow ROWS",
	MPSSectionBeforeColumns: "%s before COLUMNS",        // section
	MPSSectionOutOfOrder:    "%s after a later section", // section
	MPSEndBeforeRows:        "ENDATA before ROWS",
	MPSObjSenseWords:        "OBJSENSE takes one word, MIN or MAX",
	MPSObjSenseUnknown:      "OBJSENSE %q: want MIN or MAX",                                        // word
	MPSRowFields:            "want a row type and a row name, got %d fields",                       // count
	MPSRowTwice:             "row %q defined twice",                                                // row
	MPSRowType:              "row %q: unknown type %q (want N, E, L or G)",                         // row, type
	MPSColumnFieldsCount:    "want a column name and one or two (row, value) pairs, got %d fields", // count
	MPSColumnFields:         "want a column name and one or two (row, value) pairs",
	MPSUnknownRow:           "unknown row %q",                               // row
	MPSColumnAgain:          "column %q appears again after other columns",  // column
	MPSCoefNotNumber:        "column %q row %q: %q is not a number",         // column, row, text
	MPSCoefInfinite:         "column %q row %q: coefficient is infinite",    // column, row
	MPSObjCoefTwice:         "column %q: objective coefficient given twice", // column
	MPSCoefTwice:            "column %q row %q: coefficient given twice",    // column, row
	MPSRHSFields:            "want an optional set name and one or two (row, value) pairs with known rows",
	MPSRHSNotNumber:         "row %q: %q is not a number", // row, text
	MPSRangeFreeRow:         "RANGES on free row %q",      // row
	MPSRangeTwice:           "row %q: range given twice",  // row
	MPSBoundFields:          "want a bound type, an optional set name, a column and a value",
	MPSBoundSC:              "semi-continuous bounds (SC) are not linear programming",
	MPSBoundType:            "unknown bound type %q",                                                    // type
	MPSBoundNoValue:         "bound %s on column %q has no value",                                       // type, column
	MPSBoundFieldsCount:     "bound %s: want an optional set name, a column and a value, got %d fields", // type, count
	MPSBoundUnknownColumn:   "bound %s on unknown column %q",                                            // type, column
	MPSBoundSecondSet:       "second bound set %q is not supported",                                     // set
	MPSBoundNotNumber:       "bound %s on column %q: %q is not a number",                                // type, column, text
	MPSFixedInfinite:        "column %q: FX bound is infinite",                                          // column
}

// Format is the English message of the kind, a format whose verbs take
// the Args of an MPSError of that kind; "" for MPSOther and for a value
// that names no kind, so that k = 1, 2, ... while Format is not ""
// lists every kind.
func (k MPSErrorKind) Format() string {
	if k <= MPSOther || int(k) >= len(mpsFormats) {
		return ""
	}
	return mpsFormats[k]
}

// mpsError is the error of the kind at line, its message made from args.
func mpsError(line int, kind MPSErrorKind, args ...any) *MPSError {
	return &MPSError{Line: line, Msg: fmt.Sprintf(kind.Format(), args...), Kind: kind, Args: args}
}
