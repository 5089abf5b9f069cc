//go:build !unix

package store

import (
	"testing"
	"time"
)

// cpuTime is not measured here: the benchmark's cpu-ms/op reads 0.
func cpuTime(*testing.B) time.Duration { return 0 }
