package check

import (
	"slices"
	"time"
)

// LongestGap returns the longest stretch of [start, end] (recorder clock)
// in which no operation completed with an answer from the cluster (ok or
// refused): how long clients saw the store unavailable.
func LongestGap(history []Op, start, end int64) time.Duration {
	var done []int64
	for _, op := range history {
		o := op.Output.Outcome
		if (o == OutcomeOK || o == OutcomeRefused) && op.Return > start && op.Return < end {
			done = append(done, op.Return)
		}
	}
	slices.Sort(done)
	longest, last := int64(0), start
	for _, t := range append(done, end) {
		longest = max(longest, t-last)
		last = t
	}
	return time.Duration(longest)
}
