package web

import (
	"math"
	"strconv"
	"strings"
)

// Numbers as pages write them, in the page's language: 2.5 in English,
// 2,5 in Spanish, without grouping digits, like static/map.js.

// shownDecimals is how many decimals the pages write a quantity with
// (num) and the map's tooltips too (static/map.js): 14, 2.5, 0.33.
const shownDecimals = 2

// metTolerance is how close, relatively, an amount met must be to the
// amount needed to read as all of it: the planner holds shares to about
// 1e-6 (its LP tolerance, plan/solve.go), so 2210.998 of 2211 is the
// plan meeting the need, not missing a hair of it.
const metTolerance = 1e-6

// roundShown rounds a quantity to the decimals pages show it with.
func roundShown(x float64) float64 { return roundTo(x, shownDecimals) }

func roundTo(x float64, decimals int) float64 {
	scale := math.Pow10(decimals)
	return math.Round(x*scale) / scale
}

// shows reports whether a quantity reads as more than nothing once
// written. The interior-point solver leaves traces (1e-9 of rice to
// Soweto): a flow, an assignment or a delivery of them would be listed
// as "0 rice", so pages leave them out.
func shows(x float64) bool { return roundShown(x) != 0 }

// decimalComma reports whether lang writes two and a half as 2,5.
func decimalComma(lang string) bool { return lang == "es" }

// formatNum writes x in lang with at most decimals decimals.
func formatNum(lang string, x float64, decimals int) string {
	x = roundTo(x, decimals)
	if x == 0 {
		x = 0 // not "-0"
	}
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if decimalComma(lang) {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// formatPct writes a share as a whole percentage: 50% in English, and
// 50 % (a no-break space) in Spanish as the map's Intl.NumberFormat does.
func formatPct(lang string, share float64) string {
	s := formatNum(lang, 100*share, 0)
	if lang == "es" {
		return s + "\u00a0%"
	}
	return s + "%"
}

// metShown is the amount met of an amount needed as pages count it:
// the need itself when within metTolerance of it.
func metShown(met, need float64) float64 {
	if need > 0 && math.Abs(need-met) <= metTolerance*need {
		return need
	}
	return met
}

// formatMet writes the amount met of an amount needed. A shortfall
// beyond the tolerance never rounds up to read as the need: 9.999 of 10
// is 9.99.
func formatMet(lang string, met, need float64) string {
	met = metShown(met, need)
	if met < need && roundShown(met) >= roundShown(need) {
		met = math.Floor(met*math.Pow10(shownDecimals)) / math.Pow10(shownDecimals)
	}
	return formatNum(lang, met, shownDecimals)
}

// formatShare writes the share of an amount needed that is met, at most
// 100% and only 100% when met within the tolerance.
func formatShare(lang string, met, need float64) string {
	if need <= 0 {
		return formatPct(lang, 1)
	}
	share := min(metShown(met, need)/need, 1)
	if share < 1 && math.Round(100*share) >= 100 {
		share = 0.99
	}
	return formatPct(lang, share)
}
