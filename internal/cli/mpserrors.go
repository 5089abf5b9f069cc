package cli

import (
	"fmt"

	"github.com/commune-org/commune/lp"
)

// The messages about an MPS file that cannot be read.
const (
	msgMPSLine msgKey = "mps-line"
	msgMPSFile msgKey = "mps-file"
)

var mpsMessages = map[msgKey][2]string{
	msgMPSLine: {
		"%s: line %d: %s",
		"%s: línea %d: %s"},
	msgMPSFile: {
		"%s: %s",
		"%s: %s"},
}

// mpsES words in Spanish each problem the lp package finds in an MPS
// file (lp.MPSErrorKind), with the same verbs, in the same order, as its
// English (Kind.Format). The lp package knows nothing of languages.
var mpsES = map[lp.MPSErrorKind]string{
	lp.MPSGzip:                 "no se puede descomprimir (gzip): %s",
	lp.MPSRead:                 "no se puede leer: %s",
	lp.MPSLineTooLong:          "línea de más de 16 MiB",
	lp.MPSNoEnd:                "el archivo termina sin ENDATA",
	lp.MPSEmpty:                "ni ROWS ni COLUMNS: no es un archivo MPS",
	lp.MPSDataBeforeSection:    "datos antes de cualquier encabezado de sección",
	lp.MPSDataAfterName:        "datos después de NAME; se espera una sección como ROWS",
	lp.MPSUnknownSection:       "sección desconocida %q",
	lp.MPSNameNotFirst:         "NAME debe ir primero",
	lp.MPSRowsMisplaced:        "la sección ROWS aparece dos veces o después de COLUMNS",
	lp.MPSColumnsMisplaced:     "COLUMNS debe ir después de ROWS",
	lp.MPSSectionBeforeColumns: "%s antes de COLUMNS",
	lp.MPSSectionOutOfOrder:    "%s después de una sección que va detrás",
	lp.MPSEndBeforeRows:        "ENDATA antes de ROWS",
	lp.MPSObjSenseWords:        "OBJSENSE lleva una palabra, MIN o MAX",
	lp.MPSObjSenseUnknown:      "OBJSENSE %q: use MIN o MAX",
	lp.MPSRowFields:            "se espera un tipo de fila y un nombre de fila, hay %d campos",
	lp.MPSRowTwice:             "fila %q definida dos veces",
	lp.MPSRowType:              "fila %q: tipo desconocido %q (use N, E, L o G)",
	lp.MPSColumnFieldsCount:    "se espera un nombre de columna y uno o dos pares (fila, valor), hay %d campos",
	lp.MPSColumnFields:         "se espera un nombre de columna y uno o dos pares (fila, valor)",
	lp.MPSUnknownRow:           "fila desconocida %q",
	lp.MPSColumnAgain:          "la columna %q vuelve a aparecer después de otras columnas",
	lp.MPSCoefNotNumber:        "columna %q fila %q: %q no es un número",
	lp.MPSCoefInfinite:         "columna %q fila %q: el coeficiente es infinito",
	lp.MPSObjCoefTwice:         "columna %q: coeficiente del objetivo dado dos veces",
	lp.MPSCoefTwice:            "columna %q fila %q: coeficiente dado dos veces",
	lp.MPSRHSFields:            "se espera un nombre de conjunto opcional y uno o dos pares (fila, valor) de filas conocidas",
	lp.MPSRHSNotNumber:         "fila %q: %q no es un número",
	lp.MPSRangeFreeRow:         "RANGES en la fila libre %q",
	lp.MPSRangeTwice:           "fila %q: rango dado dos veces",
	lp.MPSBoundFields:          "se espera un tipo de cota, un nombre de conjunto opcional, una columna y un valor",
	lp.MPSBoundSC:              "las cotas semicontinuas (SC) no son programación lineal",
	lp.MPSBoundType:            "tipo de cota desconocido %q",
	lp.MPSBoundNoValue:         "la cota %s de la columna %q no tiene valor",
	lp.MPSBoundFieldsCount:     "cota %s: se espera un nombre de conjunto opcional, una columna y un valor, hay %d campos",
	lp.MPSBoundUnknownColumn:   "cota %s en la columna desconocida %q",
	lp.MPSBoundSecondSet:       "no se admite un segundo conjunto de cotas %q",
	lp.MPSBoundNotNumber:       "cota %s de la columna %q: %q no es un número",
	lp.MPSFixedInfinite:        "columna %q: la cota FX es infinita",
}

// mpsError is a problem found reading the MPS file name, naming the
// file and the line, in the user's language: a kind the Spanish table
// lacks, or MPSOther, keeps lp's English.
func (c *command) mpsError(name string, e *lp.MPSError) string {
	msg := e.Msg
	if es, ok := mpsES[e.Kind]; ok && c.cfg.Lang == "es" {
		msg = fmt.Sprintf(es, e.Args...)
	}
	if e.Line == 0 {
		return c.t(msgMPSFile, name, msg)
	}
	return c.t(msgMPSLine, name, e.Line, msg)
}
