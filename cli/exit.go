package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Exit codes of gryadka's commands. Scripts can rely on them.
const (
	// ExitOK: the command did what was asked.
	ExitOK = 0
	// ExitFailed: the cluster answered, and the answer is no: the key is
	// not found, a CAS named the wrong version, the update refused the
	// value (not an integer, an expression that failed), or the stored
	// state is not a gryadka value. Nothing changed.
	ExitFailed = 1
	// ExitUsage: bad arguments or flags; nothing was sent.
	ExitUsage = 2
	// ExitUnavailable: too few nodes could be reached, or too few answered
	// in time, to form a quorum. Nothing changed.
	ExitUnavailable = 3
	// ExitConflict: other proposers kept winning the key until the retries
	// ran out. Nothing changed; trying again may work.
	ExitConflict = 4
	// ExitUnknown: the change reached some acceptors but not a quorum: it
	// may or may not take effect. Read the key to find out.
	ExitUnknown = 5
)

// ExitError is an error that ends a command with Code. Commands return
// it; Run prints Err and exits with Code.
type ExitError struct {
	Code int
	Err  error
}

// Error returns the message of Err.
func (e *ExitError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *ExitError) Unwrap() error { return e.Err }

// Exit wraps err so that the command exits with code.
func Exit(code int, err error) error { return &ExitError{Code: code, Err: err} }

// Usage wraps err as a usage error (ExitUsage).
func Usage(err error) error { return Exit(ExitUsage, err) }

// UsageArgs wraps a cobra argument check so that its errors are usage
// errors. The root command should use UsageArgs(cobra.NoArgs), so that a
// mistyped command is reported as a usage error too.
func UsageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return Usage(err)
		}
		return nil
	}
}

// ExitCode returns the code a command ending with err exits with: ExitOK
// for nil, the code of an *ExitError, ExitFailed for any other error.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitFailed
}

// Run executes root with args, writing to stdout and stderr, and returns
// the exit code for os.Exit. Errors are printed once, as
// "gryadka: <message>", followed by a pointer to --help for usage
// errors. Run makes flag errors and unknown commands usage errors and
// silences cobra's own error printing.
func Run(root *cobra.Command, args []string, stdout, stderr io.Writer) int {
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SilenceErrors = true
	root.SilenceUsage = true
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return Usage(err) })
	cmd, err := root.ExecuteC()
	if err == nil {
		return ExitOK
	}
	if cmd == nil {
		cmd = root
	}
	if !cmd.Flags().Parsed() && ExitCode(err) == ExitFailed {
		// Cobra failed before parsing any flag: it did not find the command.
		err = Usage(err)
	}
	fmt.Fprintf(stderr, "%s: %v\n", root.Name(), err)
	code := ExitCode(err)
	if code == ExitUsage {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return code
}
