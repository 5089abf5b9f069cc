// Package static holds the files the browser loads from commune: the
// plan map's script, style and land shapes. They are embedded in the
// binary so that a page never loads anything from another host.
//
// land-50m.json is Natural Earth's 1:50m land, as TopoJSON, copied
// unchanged from the npm package world-atlas 2.0.2 (its licence and
// Natural Earth's terms are in land-50m.LICENSE). It holds land only: no
// country, hence no border is ever drawn. The 1:50m scale, not 1:110m,
// because coordinators zoom to a city: at 1:110m the coast from Malibu
// to Long Beach is 3 points, with no Santa Monica Bay and no Palos
// Verdes; 1:50m has 11 there and draws both. It is 545 kB, 174 kB
// gzipped, loaded once.
// 1:10m (3 MB) would add detail no one plans by.
//
// It imports nothing.
package static

import "embed"

// FS holds the files, at the root: map.js, map.css, land-50m.json and
// the licence of the land.
//
//go:embed map.js map.css land-50m.json land-50m.LICENSE
var FS embed.FS
