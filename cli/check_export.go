package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gryadka/gryadka/check"
)

// writeCheckExports writes what --history and --html ask of a finished
// check: the history as porcupine's JSON, and, when --html was given and
// the check found no violation to draw, the visualization of the whole
// history, which the report then names.
func writeCheckExports(o checkOptions, htmlGiven bool, rep *check.Report) error {
	if o.history != "" {
		if err := writeFile(o.history, func(w io.Writer) error { return check.WriteHistory(w, rep.History) }); err != nil {
			return fmt.Errorf("--history: %w", err)
		}
	}
	if htmlGiven && rep.HTML == "" {
		windows := make([]check.Window, len(rep.Faults))
		for i, f := range rep.Faults {
			windows[i] = f.Window
		}
		err := writeFile(o.html, func(w io.Writer) error {
			return check.VisualizeHistory(w, rep.History, windows, o.timeout)
		})
		if err != nil {
			return fmt.Errorf("--html: %w", err)
		}
		rep.HTML = o.html
	}
	return nil
}

// writeFile creates path and writes it with write.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	return errors.Join(write(f), f.Close())
}
