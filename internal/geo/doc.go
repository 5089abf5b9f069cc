// Package geo holds the geography of commune: geohash cells (members'
// homes are never known more precisely than a cell), great-circle
// distances, and a nearest-neighbour index over points on the sphere.
//
// It depends on the standard library only.
package geo
