package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

func TestWorkload_RunsIsCheckedAndStops(t *testing.T) {
	te := newTestEnv(t)
	d := newDriver(t, te.env, 160, 48)
	d.command("load start 3")
	wantStatus(t, d, "load started: 3 clients")
	d.command("load start 3")
	wantStatus(t, d, "a load of 3 clients is already running")
	time.Sleep(300 * time.Millisecond)
	d.msg(tickMsg{At: time.Now()})
	d.msg(tickMsg{At: time.Now().Add(segmentLength + time.Second)})
	v := ansi.Strip(d.m.load.View())
	if d.m.load.checks != 1 || d.m.load.lastCheck.Result.Ops == 0 {
		t.Errorf("want the first segment checked, have\n%s", v)
	}
	if !strings.Contains(v, "invariants: ok") {
		t.Errorf("want the invariants to hold, have\n%s", v)
	}
	if !strings.Contains(view(d), "load 3 clients") {
		t.Errorf("want the title to show the load, have\n%s", view(d))
	}
	d.command("load stop")
	wantStatus(t, d, "load stopped")
	if d.m.work != nil {
		t.Error("want no workload after load stop")
	}
}

func TestWorkload_SampleRates(t *testing.T) {
	w := &workload{prevAt: time.Unix(100, 0)}
	w.ok.Add(10)
	w.refused.Add(2)
	w.latSum.Add(int64(12 * time.Millisecond))
	w.latN.Add(12)
	s := w.sample(time.Unix(102, 0))
	if s.OK != 5 || s.Refused != 1 || s.Latency != time.Millisecond {
		t.Errorf("want 5 ok/s, 1 refused/s, 1ms, have %+v", s)
	}
	if s := w.sample(time.Unix(103, 0)); s.OK != 0 || s.Latency != 0 {
		t.Errorf("want an idle second to read zero, have %+v", s)
	}
}
