// Package plan turns a world into a plan: who works where, what each site
// produces, and how every product reaches every need. Essential needs are
// met first, then basic, then wanted; within a tier the smallest coverage
// ratio is made as large as the resources allow (max-min fairness), then
// the total met; last, the least labour and transport that keep all of
// that. Nobody works more hours than they committed, in a skill they do not
// offer, or farther from home than they agreed.
//
// The method is described in docs/planning.md. Plan works on a
// world.World value, whoever built it; it never depends on storage or
// HTTP. It depends on internal/world, internal/geo and lp.
package plan
