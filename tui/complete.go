package tui

import (
	"slices"
	"strings"
)

// completion is what the completer knows about the cluster.
type completion struct {
	Nodes     []string
	Proposers []string
	Keys      []string
}

// complete returns whole command lines that extend line: the command
// names first, then the arguments each command takes.
func complete(line string, c completion) []string {
	fields := strings.Fields(line)
	if len(fields) == 0 || (len(fields) == 1 && !strings.HasSuffix(line, " ")) {
		return prefixed("", specNames(), first(fields))
	}
	s := findSpec(fields[0])
	if s == nil {
		return nil
	}
	done := fields[1:]
	word := ""
	if !strings.HasSuffix(line, " ") {
		word, done = done[len(done)-1], done[:len(done)-1]
	}
	if len(done) >= len(s.args) {
		return nil
	}
	var choices []string
	switch s.args[len(done)] {
	case argKey:
		choices = c.Keys
	case argNode:
		if s.name != "member" || done[0] != "add" {
			choices = c.Nodes
		}
	case argKeyWord:
		choices = append(slices.Clone(s.words), c.Keys...)
	case argProposer:
		choices = append(slices.Clone(c.Proposers), c.Nodes...)
	case argOnOff:
		choices = []string{"on", "off"}
	case argWord:
		choices = s.words
		if s.name == "help" {
			choices = specNames()
		}
	}
	head := strings.Join(append([]string{fields[0]}, done...), " ") + " "
	return prefixed(head, choices, word)
}

func first(fields []string) string {
	if len(fields) == 0 {
		return ""
	}
	return fields[0]
}

// prefixed returns head+choice for each choice that starts with word.
func prefixed(head string, choices []string, word string) []string {
	var out []string
	for _, ch := range choices {
		if strings.HasPrefix(ch, word) {
			out = append(out, head+ch)
		}
	}
	return out
}
