//go:build !unix

package bench

import "time"

// ProcessCPU reports that this system's CPU time is not measured here.
func ProcessCPU() (time.Duration, bool) { return 0, false }
