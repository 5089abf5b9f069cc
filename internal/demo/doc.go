// Package demo builds the demo organization that "commune demo" serves:
// collectives in the garment and food factories, high schools and
// neighbourhoods of Los Angeles, and sister collectives in Tijuana,
// Mexico City, Manila and Johannesburg; about two thousand members with
// their commitments and needs (food, housing repair, childcare, clinic
// visits, rides, clothes, the newspaper); the sites and recipes that
// meet them; how its people take urgent calls. It is deterministic, so
// every demo shows the same plan.
//
// The package builds values of the domain (internal/world, and
// internal/call for the hours of urgent calls) and knows nothing of
// storage or HTTP: the command line stores what it builds.
package demo
