package trace

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
)

// Recorder writes the records of a subscription as JSON lines, one record
// per line (see Record for the format). Decode reads them back.
type Recorder struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewRecorder returns a recorder writing to w.
func NewRecorder(w io.Writer) *Recorder {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &Recorder{w: bw, enc: enc}
}

// Run writes every record of s until s ends or ctx is done, then writes
// what s has already queued and returns. It returns nil on either ending
// and the first write error otherwise. Output is flushed whenever s has
// nothing queued, so the file keeps up with a quiet cluster. Subscribe with
// Lossless for a complete record; with an ordinary subscription, the gaps in
// the sequence numbers show what was lost.
func (r *Recorder) Run(ctx context.Context, s *Sub) error {
	for {
		select {
		case rec, ok := <-s.C():
			if !ok {
				return r.flush()
			}
			if err := r.write(rec); err != nil {
				return err
			}
			if len(s.C()) == 0 {
				if err := r.flush(); err != nil {
					return err
				}
			}
		case <-ctx.Done():
			return r.drain(s)
		}
	}
}

// drain writes the records s has queued without waiting for more.
func (r *Recorder) drain(s *Sub) error {
	for {
		select {
		case rec, ok := <-s.C():
			if !ok {
				return r.flush()
			}
			if err := r.write(rec); err != nil {
				return err
			}
		default:
			return r.flush()
		}
	}
}

func (r *Recorder) write(rec Record) error {
	if err := r.enc.Encode(rec); err != nil {
		return fmt.Errorf("trace: recording event %d: %w", rec.Seq, err)
	}
	return nil
}

func (r *Recorder) flush() error {
	if err := r.w.Flush(); err != nil {
		return fmt.Errorf("trace: recording: %w", err)
	}
	return nil
}

// DecodeError is a line that Decode could not read as a record.
type DecodeError struct {
	Line int // from 1
	Err  error
}

// Error returns "trace: line N: " and what is wrong with the line.
func (e *DecodeError) Error() string { return fmt.Sprintf("trace: line %d: %v", e.Line, e.Err) }

// Unwrap returns the cause, which may match ErrUnknownKind.
func (e *DecodeError) Unwrap() error { return e.Err }

// Decode reads records written by a Recorder. It yields each record in
// order; a line that is not a valid record yields a *DecodeError naming
// the line, and decoding goes on with the next line. A read error is
// yielded last. Blank lines are skipped.
func Decode(r io.Reader) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		br := bufio.NewReader(r)
		for line := 1; ; line++ {
			data, err := br.ReadBytes('\n')
			if len(bytes.TrimSpace(data)) > 0 {
				rec, derr := decodeRecord(data)
				if derr != nil {
					if !yield(Record{}, &DecodeError{Line: line, Err: derr}) {
						return
					}
				} else if !yield(rec, nil) {
					return
				}
			}
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(Record{}, fmt.Errorf("trace: reading line %d: %w", line, err))
				return
			}
		}
	}
}
