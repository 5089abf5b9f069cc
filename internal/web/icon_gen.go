//go:build ignore

// icon_gen draws commune's icon, a white five-pointed star on a red
// rounded square, as the PNGs a phone needs to install the app
// (static/icon-192.png, static/icon-512.png) and as static/icon.svg.
// Run by "go generate" in internal/web.
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"strings"
)

var (
	red   = color.RGBA{0xb3, 0x26, 0x1e, 0xff}
	white = color.RGBA{0xff, 0xff, 0xff, 0xff}
)

// star returns the ten corners of a star centred at (0.5, 0.52) in a
// unit square, point up.
func star() [][2]float64 {
	var pts [][2]float64
	for i := 0; i < 10; i++ {
		r := 0.36
		if i%2 == 1 {
			r = 0.145
		}
		a := -math.Pi/2 + float64(i)*math.Pi/5
		pts = append(pts, [2]float64{0.5 + r*math.Cos(a), 0.53 + r*math.Sin(a)})
	}
	return pts
}

// inside is the even-odd rule.
func inside(poly [][2]float64, x, y float64) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a[1] > y) != (b[1] > y) && x < (b[0]-a[0])*(y-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

// inRounded reports whether (x, y) is in the unit square with corners
// rounded by radius r.
func inRounded(x, y, r float64) bool {
	cx := math.Max(r, math.Min(1-r, x))
	cy := math.Max(r, math.Min(1-r, y))
	return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r
}

func draw(size int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	poly := star()
	const ss = 4 // samples per side of a pixel
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var bg, fg int
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/ss) / float64(size)
					y := (float64(py) + (float64(sy)+0.5)/ss) / float64(size)
					switch {
					case !inRounded(x, y, 0.18):
					case inside(poly, x, y):
						fg++
					default:
						bg++
					}
				}
			}
			n := float64(ss * ss)
			mix := func(c func(color.RGBA) uint8) uint8 {
				return uint8((float64(bg)*float64(c(red)) + float64(fg)*float64(c(white))) / math.Max(1, float64(bg+fg)))
			}
			img.SetRGBA(px, py, color.RGBA{
				mix(func(c color.RGBA) uint8 { return c.R }),
				mix(func(c color.RGBA) uint8 { return c.G }),
				mix(func(c color.RGBA) uint8 { return c.B }),
				uint8(255 * float64(bg+fg) / n),
			})
		}
	}
	return img
}

func main() {
	for _, size := range []int{192, 512} {
		f, err := os.Create(fmt.Sprintf("static/icon-%d.png", size))
		if err != nil {
			log.Fatal(err)
		}
		if err := png.Encode(f, draw(size)); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
	var pts []string
	for _, p := range star() {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", 100*p[0], 100*p[1]))
	}
	svg := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">` +
		`<rect width="100" height="100" rx="18" fill="#b3261e"/>` +
		`<polygon points="` + strings.Join(pts, " ") + `" fill="#fff"/></svg>` + "\n"
	if err := os.WriteFile("static/icon.svg", []byte(svg), 0o644); err != nil {
		log.Fatal(err)
	}
}
