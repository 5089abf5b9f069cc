// Command lpgen writes a synthetic production-and-transport linear program
// (see package ptgen) of about the requested number of nonzeros, as MPS,
// gzipped when the file name ends in .gz.
//
//	go run ./bench/lpgen -nnz 1000000 -seed 1 -out bench/out/pt-1e6.mps.gz
package main

import (
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/commune-org/commune/bench/ptgen"
	"github.com/commune-org/commune/lp"
)

func main() {
	nnz := flag.Int("nnz", 100000, "approximate number of nonzeros")
	seed := flag.Uint64("seed", 1, "random seed")
	products := flag.Int("products", 20, "number of products")
	skills := flag.Int("skills", 8, "number of skills")
	arcs := flag.Int("arcs", 5, "transport arcs per site")
	out := flag.String("out", "-", "output file (.gz to compress), - for standard output")
	flag.Parse()

	m := ptgen.Generate(*nnz, *products, *skills, *arcs, *seed)
	var w io.Writer = os.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		w = f
		if strings.HasSuffix(*out, ".gz") {
			zw := gzip.NewWriter(f)
			defer zw.Close()
			w = zw
		}
	}
	if err := lp.WriteMPS(w, m); err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stderr, "lpgen: %d rows, %d columns, %d nonzeros\n", m.NumRows(), m.NumCols(), m.NumNonzeros())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "lpgen:", err)
	os.Exit(1)
}
