// Package world is the planner's view of an organization for one period:
// skills, products, sites and their recipes, stocks, members with their
// commitments, and needs. It reads, validates and writes the world file
// (format commune.world/v1, see docs/formats or shared/spec/world.md) and
// generates synthetic worlds of any size for tests and benchmarks.
//
// It depends on the standard library and internal/geo only; it never
// knows about storage, HTTP or the planner.
package world
