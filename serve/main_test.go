package serve

import (
	"io"
	"testing"

	"go.uber.org/goleak"

	"github.com/gryadka/gryadka/cluster"
)

func TestMain(m *testing.M) {
	// Dialing killed and absent nodes is expected here; the Redis client
	// would log every attempt.
	cluster.SetRedisLog(io.Discard)
	goleak.VerifyTestMain(m)
}
