package web

import "math"

// shownDecimals is how many decimals the pages write a quantity with
// (num in ui.go) and the map's tooltips too (static/map.js): 14, 2.5,
// 0.33.
const shownDecimals = 2

// roundShown rounds a quantity to the decimals pages show it with.
func roundShown(x float64) float64 {
	scale := math.Pow10(shownDecimals)
	return math.Round(x*scale) / scale
}

// shows reports whether a quantity reads as more than nothing once
// written. The interior-point solver leaves traces (1e-9 of rice to
// Soweto): a flow, an assignment or a delivery of them would be listed
// as "0 rice", so pages leave them out.
func shows(x float64) bool { return roundShown(x) != 0 }
