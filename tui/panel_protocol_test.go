package tui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestProtocolPanel_Print(t *testing.T) {
	p := newProtocolPanel(DefaultStyles(), DefaultKeyMap())
	p.SetSize(78, 40)
	p.Update(traceBatchMsg{Records: demoRecords()})
	fmt.Println(ansi.Strip(p.View()))
	p.SetSize(40, 10)
	fmt.Println(ansi.Strip(p.View()))
}
