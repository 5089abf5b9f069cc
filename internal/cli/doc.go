// Package cli implements the commune command line: it parses each
// subcommand's flags and calls into the packages that do the work. It is
// the only place that knows about flags and exit codes; cmd/commune only
// turns the process environment into a Config and calls Run.
package cli
