package lp

// The updates of a wide source as a matrix product. updateRows takes a
// source's columns four at a time into one column of the block, reading
// the source once for each of the block's columns; a source of many
// columns gives each tile of eight of its rows by four of the block's
// columns the sum of its columns' products instead, through the vector
// kernel tile8x4 (kernel.go), which keeps the tile in registers and reads
// each number once a tile. Its panels are packed so that the kernel reads
// them in order: the source's rows in a stripe of the block over all its
// columns (the a panel, eight rows at a time), and its rows among the
// block's columns (the b panel, four at a time, packed once a source).
// The products are summed in whole tiles, the entries above the block's
// diagonal included, and only the entries on or below it are scattered.

// tileMinWidth is the width of the sources whose updates are computed as
// tiles, tileMinCols the block's columns they must reach, and
// tileMinRows the rows they must have in a stripe of the block.
var tileMinWidth, tileMinCols, tileMinRows = 16, 8, 16 // the tests change them

// tileSpace is a goroutine's packed a panel and tile, and the b panel of
// the block's own columns (block.go).
type tileSpace struct {
	a, b, c []float64
}

// packedSize is the length of sc's b panel.
func packedSize(sc source) int {
	return (sc.np + 3) / 4 * 4 * (sc.k2 - sc.k1)
}

// packB packs into b the rows sc.rows[p], p < sc.np, over the source's
// columns, four at a time: b[4·nk·g + 4·k + j] is row 4g+j in column
// k1+k, nk the source's width.
func (f *normal) packB(sc source, b []float64) {
	start, val := f.start, f.val
	nk, np := sc.k2-sc.k1, sc.np
	b = b[:packedSize(sc)]
	for k := range nk {
		src := val[start[sc.k1+k]+sc.off-k:][:np]
		g := 0
		for ; 4*g+4 <= np; g++ {
			d, s := b[g*4*nk+4*k:][:4], src[4*g:][:4]
			d[0], d[1], d[2], d[3] = s[0], s[1], s[2], s[3]
		}
		if 4*g < np {
			padded(b[g*4*nk+4*k:][:4], src[4*g:])
		}
	}
}

// updateTiles is updateRows for a wide source whose b panel packB has
// packed in b: the same entries, the same differences, summed in another
// order.
func (f *normal) updateTiles(sc source, idx []int32, lo, hi int, b []float64, ts *tileSpace) {
	start, val, rows := f.start, f.val, sc.rows
	nk, np := sc.k2-sc.k1, min(sc.np, hi)
	nq := hi - lo
	hq, gp := (nq+7)/8, (np+3)/4
	ts.a = grow(ts.a, hq*8*nk)
	a := ts.a
	for k := range nk {
		src := val[start[sc.k1+k]+sc.off-k+lo:][:nq]
		h := 0
		for ; 8*h+8 <= nq; h++ {
			d, s := a[h*8*nk+8*k:][:8], src[8*h:][:8]
			d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
		}
		if 8*h < nq {
			padded(a[h*8*nk+8*k:][:8], src[8*h:])
		}
	}
	ts.c = grow(ts.c, 32)
	c := (*[32]float64)(ts.c)
	for g := range gp {
		pg := 4 * g
		b := b[g*4*nk : (g+1)*4*nk]
		for h := range hq {
			if lo+8*h+7 < pg {
				continue // every row of the tile above every column
			}
			clear(c[:])
			tile8x4(a[h*8*nk:(h+1)*8*nk], b, nk, c)
			for j := range 4 {
				p := pg + j
				if p >= np {
					break
				}
				tb := start[rows[p]] - int(idx[p])
				for i, v := range c[8*j : 8*j+8] {
					q := lo + 8*h + i
					if q >= hi {
						break
					}
					if q >= p {
						val[tb+int(idx[q])] -= v
					}
				}
			}
		}
	}
}

// padded copies into d what of src fits, and zeros after it: the last
// group of a panel, short of its eight or four numbers.
func padded(d, src []float64) {
	n := copy(d, src)
	clear(d[n:])
}

// grow returns s with room for n numbers, its contents lost.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}
