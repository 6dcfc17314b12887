package tui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestModel_Print(t *testing.T) {
	te := newTestEnv(t)
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		d := newDriver(t, te.env, sz[0], sz[1])
		from := 0
		d.command("set k 5")
		d.command("incr k")
		d.traced(te, &from)
		fmt.Println(ansi.Strip(d.m.View()))
	}
}
