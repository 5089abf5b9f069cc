// Package store is commune's database: the schema and its numbered
// migrations for SQLite (the default, one file in the data directory) and
// PostgreSQL, and one set of hand-written queries that runs on both. It
// keeps collectives, members and their memberships, the catalog, sites,
// recipes, stocks, commitments and needs the planner reads as a world,
// planning runs with their plans, invites to collectives (the hash of
// their codes only), and the audit log of who read which member list
// and who revoked which API token (keyed by pseudonyms, see audit.go).
//
// Members include undocumented workers, so the schema has no field for a
// legal name, an immigration status, a street address or a birth date;
// homes are geohash cells of 4 to 6 characters; contact details are
// sealed with AES-256-GCM under a key kept in a file outside the
// database, so a stolen database reveals no phone number or email.
// To find a member by the email they type to sign in, members.email_index
// holds an HMAC of the address under a key derived from the sealing key,
// never the address. Members' Web Push subscriptions (push.go) are
// sealed the same way and found by a keyed hash of their endpoint.
// Sessions, login codes and passkeys (session.go,
// logincode.go, credential.go) keep hashes and public keys only.
// Deleting a member deletes their rows; nothing is merely flagged. On
// SQLite the freed pages are overwritten with zeros (secure_delete), and
// after an erasure or a purge the write-ahead log, which still holds
// the pages as they were, is checkpointed and truncated (forget.go); on
// PostgreSQL deleted rows stay in the table files until VACUUM reuses
// their space, so a PostgreSQL server's disk should be encrypted.
//
// Errors that callers must tell apart carry an application code (see
// Error); everything else is wrapped with context. Errors name ids, which
// are pseudonymous, never aliases or contacts, since they end up in logs.
//
// The conformance suite (testStore in store_test.go) runs every test on
// a real SQLite file and, when COMMUNE_TEST_POSTGRES holds a URL, on
// PostgreSQL, each test in a schema of its own.
//
// Urgent calls (calls.go, callring.go, outbox.go): the calls, the
// members each ring reached and their answers, and the durable outbox of
// their notifications, claimed under a lease so that two workers never
// send the same row; a purge deletes a call's place, recipients and
// answers once its retention is over, keeping only its counts. Who a
// ring reaches is internal/call's decision (call.Targets), made on the
// candidates the store reads.
//
// It may import internal/world, internal/geo, internal/call and
// internal/plan for their types and decisions. It must never import
// internal/web, internal/cli or anything that serves or parses
// requests: the store does not know who asks.
package store
