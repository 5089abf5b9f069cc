package geo

import "math"

// EarthRadiusKm is the mean Earth radius (IUGG).
const EarthRadiusKm = 6371.0088

// Distance is the great-circle distance in kilometres between two points
// given in degrees, by the haversine formula (exact on the sphere and
// well conditioned for the short distances that matter most here).
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	φ1, φ2 := lat1*rad, lat2*rad
	dφ := (lat2 - lat1) * rad
	dλ := (lon2 - lon1) * rad
	s1 := math.Sin(dφ / 2)
	s2 := math.Sin(dλ / 2)
	h := s1*s1 + math.Cos(φ1)*math.Cos(φ2)*s2*s2
	if h > 1 {
		h = 1
	}
	return 2 * EarthRadiusKm * math.Asin(math.Sqrt(h))
}

// Point is a place on the sphere in degrees.
type Point struct{ Lat, Lon float64 }

// Distance is the great-circle distance in kilometres from p to q.
func (p Point) Distance(q Point) float64 { return Distance(p.Lat, p.Lon, q.Lat, q.Lon) }
