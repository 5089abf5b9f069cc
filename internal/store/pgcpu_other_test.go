//go:build !linux

package store

import "time"

// postgresCPU is not measured here: the benchmark's pg-cpu-ms/op reads 0.
func postgresCPU() time.Duration { return 0 }
