package web

import (
	"math"
	"strconv"
	"strings"
)

// lineChart is a chart of values week by week, drawn by the server as
// SVG (templates/parts/chart.html): no script, nothing from elsewhere,
// and the same numbers in a table beside it for whoever does not see
// the lines. Its geometry is worked out here, so the template only
// places what it is given.
type lineChart struct {
	ID     string // unique in the page, for aria references
	Title  string // in the page's language
	Week   string // the word for the week column, in the page's language
	Weeks  []string
	Lines  []chartLine
	Max    float64
	YTicks []chartTick
	XTicks []chartTick
}

// chartLine is one series: its name (already in the page's language),
// the points of its polyline in the chart's coordinates, and its values
// by week (NaN where there is none).
type chartLine struct {
	Name   string
	Class  string // line-0, line-1...: its colour in app.css
	Points string
	Values []float64
}

// chartTick is a label on an axis at a position.
type chartTick struct {
	At    float64
	Label string
}

// The chart's box: the plot area inside margins for the labels.
const (
	chartW, chartH             = 640.0, 240.0
	chartLeft, chartRight      = 48.0, 12.0
	chartTop, chartBottom      = 12.0, 28.0
	chartLines                 = 6 // colours before they repeat
	chartMaxXTicks             = 6
	chartPlotW, chartPlotH     = chartW - chartLeft - chartRight, chartH - chartTop - chartBottom
	chartSpareHeadroomFraction = 0.1
)

// newLineChart draws series (name → week → value) over weeks (in
// order), the series in the order of names.
func newLineChart(id, title, week string, weeks []string, names []string, series map[string]map[string]float64) *lineChart {
	c := &lineChart{ID: id, Title: title, Week: week, Weeks: weeks}
	for _, n := range names {
		for _, w := range weeks {
			if v, ok := series[n][w]; ok {
				c.Max = math.Max(c.Max, v)
			}
		}
	}
	top := niceCeil(c.Max * (1 + chartSpareHeadroomFraction))
	x := func(i int) float64 {
		if len(weeks) == 1 {
			return chartLeft + chartPlotW/2
		}
		return chartLeft + chartPlotW*float64(i)/float64(len(weeks)-1)
	}
	y := func(v float64) float64 { return chartTop + chartPlotH*(1-v/top) }
	for i, n := range names {
		l := chartLine{Name: n, Class: "line-" + strconv.Itoa(i%chartLines)}
		var pts []string
		for j, w := range weeks {
			v, ok := series[n][w]
			if !ok {
				l.Values = append(l.Values, math.NaN())
				continue
			}
			l.Values = append(l.Values, v)
			pts = append(pts, strconv.FormatFloat(x(j), 'f', 1, 64)+","+strconv.FormatFloat(y(v), 'f', 1, 64))
		}
		// A single point is drawn as a dot: a polyline of one point
		// shows nothing.
		if len(pts) == 1 {
			pts = append(pts, pts[0])
		}
		l.Points = strings.Join(pts, " ")
		c.Lines = append(c.Lines, l)
	}
	for k := 0; k <= 4; k++ {
		v := top * float64(k) / 4
		c.YTicks = append(c.YTicks, chartTick{At: y(v), Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	step := max(1, (len(weeks)+chartMaxXTicks-1)/chartMaxXTicks)
	for j := 0; j < len(weeks); j += step {
		c.XTicks = append(c.XTicks, chartTick{At: x(j), Label: weeks[j]})
	}
	return c
}

// niceCeil rounds x up to 1, 2 or 5 times a power of ten, so that the
// axis reads in round numbers; at least 1.
func niceCeil(x float64) float64 {
	if x <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}
