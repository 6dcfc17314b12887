package cluster

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/redis/go-redis/v9"
)

// SetRedisLog sends the Redis client's own messages, such as a failed
// dial, to w instead of standard error, where they would print over the
// dashboard or a command's output. The setting is process-wide.
func SetRedisLog(w io.Writer) {
	redis.SetLogger(&redisLog{w: w})
}

type redisLog struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *redisLog) Printf(_ context.Context, format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "redis: "+format+"\n", v...)
}
