package demos

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

// ErrNoDemo is returned by Lookup for a name that is neither a built-in
// demo nor a readable file.
var ErrNoDemo = errors.New("demos: no such demo")

//go:embed scripts/*.demo
var scripts embed.FS

// Builtin returns the built-in demos in the order they are taught: their
// files are numbered.
func Builtin() ([]*Script, error) {
	names, err := fs.Glob(scripts, "scripts/*.demo")
	if err != nil {
		return nil, err
	}
	slices.SortFunc(names, func(a, b string) int { return number(a) - number(b) })
	out := make([]*Script, 0, len(names))
	for _, name := range names {
		text, err := scripts.ReadFile(name)
		if err != nil {
			return nil, err
		}
		s, err := Parse(path.Base(name), string(text))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// number reads the number that starts a built-in demo's file name.
func number(name string) int {
	n := 0
	for _, c := range path.Base(name) {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// Lookup returns the built-in demo called name, or else the script in the
// file name, as a teacher writes one.
func Lookup(name string) (*Script, error) {
	all, err := Builtin()
	if err != nil {
		return nil, err
	}
	names := make([]string, len(all))
	for i, s := range all {
		if s.Name == name {
			return s, nil
		}
		names[i] = s.Name
	}
	text, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %q is neither a built-in demo (%s) nor a file", ErrNoDemo, name, strings.Join(names, ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoDemo, err)
	}
	return Parse(name, string(text))
}
