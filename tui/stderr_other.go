//go:build !unix

package tui

// redirectStderr does nothing where file descriptors cannot be swapped.
func redirectStderr(string) (func(), error) { return func() {}, nil }
