package check

import (
	"encoding/json"
	"os"
	"testing"
	"time"
)

func TestExpSlow(t *testing.T) {
	b, err := os.ReadFile("/tmp/slow.json")
	if err != nil { t.Skip() }
	var ops []Op
	json.Unmarshal(b, &ops)
	start := time.Now()
	res := Check(ops, 15*time.Second)
	t.Log(len(ops), res.Verdict, time.Since(start))
}
