package geo

import (
	"errors"
	"fmt"
	"strings"
)

// base32 is the geohash alphabet (digits and letters without a, i, l, o).
const base32 = "0123456789bcdefghjkmnpqrstuvwxyz"

// MinCellLen and MaxCellLen bound a member's home cell: 4 characters is
// about 39 × 20 km, 6 characters about 1.2 × 0.6 km. Nothing finer is
// ever stored for a person.
const (
	MinCellLen = 4
	MaxCellLen = 6
)

// ErrCell is wrapped by every error about a malformed cell.
var ErrCell = errors.New("not a geohash cell")

// Encode returns the geohash of length n (1 to 12) of the cell holding
// the point.
func Encode(lat, lon float64, n int) string {
	if n < 1 || n > 12 {
		panic(fmt.Sprintf("geo: cell length %d out of 1..12", n))
	}
	latLo, latHi := -90.0, 90.0
	lonLo, lonHi := -180.0, 180.0
	var b strings.Builder
	b.Grow(n)
	bit, ch, even := 0, 0, true
	for b.Len() < n {
		if even {
			mid := (lonLo + lonHi) / 2
			if lon >= mid {
				ch = ch<<1 | 1
				lonLo = mid
			} else {
				ch <<= 1
				lonHi = mid
			}
		} else {
			mid := (latLo + latHi) / 2
			if lat >= mid {
				ch = ch<<1 | 1
				latLo = mid
			} else {
				ch <<= 1
				latHi = mid
			}
		}
		even = !even
		if bit++; bit == 5 {
			b.WriteByte(base32[ch])
			bit, ch = 0, 0
		}
	}
	return b.String()
}

// Bounds returns the corners of a cell.
func Bounds(cell string) (latLo, latHi, lonLo, lonHi float64, err error) {
	if cell == "" {
		return 0, 0, 0, 0, fmt.Errorf("%w: empty", ErrCell)
	}
	latLo, latHi, lonLo, lonHi = -90, 90, -180, 180
	even := true
	for i := 0; i < len(cell); i++ {
		v := strings.IndexByte(base32, cell[i])
		if v < 0 {
			return 0, 0, 0, 0, fmt.Errorf("%w: %q has %q at position %d", ErrCell, cell, cell[i], i+1)
		}
		for mask := 16; mask > 0; mask >>= 1 {
			if even {
				mid := (lonLo + lonHi) / 2
				if v&mask != 0 {
					lonLo = mid
				} else {
					lonHi = mid
				}
			} else {
				mid := (latLo + latHi) / 2
				if v&mask != 0 {
					latLo = mid
				} else {
					latHi = mid
				}
			}
			even = !even
		}
	}
	return latLo, latHi, lonLo, lonHi, nil
}

// Center returns the centre of a cell: where the planner places a member
// who lives in it.
func Center(cell string) (lat, lon float64, err error) {
	latLo, latHi, lonLo, lonHi, err := Bounds(cell)
	if err != nil {
		return 0, 0, err
	}
	return (latLo + latHi) / 2, (lonLo + lonHi) / 2, nil
}

// CheckHome reports whether cell may be a member's home: a geohash of
// MinCellLen to MaxCellLen characters.
func CheckHome(cell string) error {
	if len(cell) < MinCellLen || len(cell) > MaxCellLen {
		return fmt.Errorf("%w: %q has %d characters, want %d to %d", ErrCell, cell, len(cell), MinCellLen, MaxCellLen)
	}
	_, _, _, _, err := Bounds(cell)
	return err
}
