package check

import (
	"os"
	"testing"
	"time"
)

func TestExpRun(t *testing.T) {
	for _, neg := range []Negative{"", "quorum", "wipe", "indefinite"} {
		rep, err := Run(t.Context(), Options{Duration: 3 * time.Second, Backend: "embedded", Seed: 1, Negative: neg})
		if err != nil {
			t.Fatal(err)
		}
		rep.Write(os.Stdout)
	}
}
