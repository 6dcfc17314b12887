package check

import (
	"os"
	"testing"
	"time"
)

func TestExpRun(t *testing.T) {
	rep, err := Run(t.Context(), Options{Duration: 30 * time.Second, Backend: os.Getenv("BK"), Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	rep.Write(os.Stdout)
}
