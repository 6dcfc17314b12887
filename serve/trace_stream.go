package serve

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gryadka/gryadka/trace"
)

// traceBuffer is how many records may wait for a /trace reader before it
// loses them.
const traceBuffer = 4096

// heartbeat is how often an idle /trace stream sends a comment, so that
// proxies keep it open and a reader that left is noticed.
const heartbeat = 15 * time.Second

// streamTrace streams the proposer's trace as server-sent events, one per
// record: an id line with the record's Seq and a data line with its JSON.
// The stream ends when the client goes away or the server shuts down.
//
// A slow client never slows the proposer: its subscription holds
// traceBuffer records, and the bus drops what does not fit. The stream
// then says so in a comment line, ": dropped N records in all", before
// the next event, and the Seq of that event jumps by as many.
func (s *Server) streamTrace(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	if err := rc.SetWriteDeadline(time.Time{}); err != nil && err != http.ErrNotSupported {
		writeProblem(w, http.StatusInternalServerError, Problem{Code: CodeInternal, Message: err.Error()})
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	sub := s.bus.Subscribe(ctx, trace.WithBuffer(traceBuffer))
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprintf(w, ": trace of proposer %s\n\n", s.opts.ID); err != nil || rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	var dropped uint64
	for {
		var err error
		select {
		case <-ctx.Done():
			return
		case <-s.closing:
			return
		case <-tick.C:
			_, err = fmt.Fprint(w, ": idle\n\n")
		case rec, ok := <-sub.C():
			if !ok {
				return
			}
			if d := sub.Dropped(); d != dropped {
				dropped = d
				if _, err = fmt.Fprintf(w, ": dropped %d records in all: this reader is too slow\n", d); err != nil {
					return
				}
			}
			err = writeEvent(w, rec)
		}
		if err == nil {
			err = rc.Flush()
		}
		if err != nil {
			return
		}
	}
}

// writeEvent writes one record as an event.
func writeEvent(w http.ResponseWriter, rec trace.Record) error {
	data, err := rec.MarshalJSON()
	if err != nil {
		_, err = fmt.Fprintf(w, ": record %d cannot be encoded: %v\n\n", rec.Seq, err)
		return err
	}
	_, err = fmt.Fprintf(w, "id: %d\ndata: %s\n\n", rec.Seq, data)
	return err
}
