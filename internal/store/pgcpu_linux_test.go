package store

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// postgresCPU is the CPU time, user and system, that the processes named
// postgres on this machine have used so far (from /proc; ticks of 10 ms,
// the USER_HZ of Linux). Read before and after a benchmark's ops, it is
// the work the server did for them, which other engineers' load does not
// inflate as it does the wall clock, if no other PostgreSQL is busy.
func postgresCPU() time.Duration {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // the process has gone
		}
		s := string(b)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < open || s[open+1:close] != "postgres" {
			continue
		}
		// After the name: state, then fields 4 to 52; utime and stime
		// are fields 14 and 15.
		f := strings.Fields(s[close+1:])
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + st
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}
