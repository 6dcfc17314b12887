package tui

// size is a width and a height in cells.
type size struct{ W, H int }

// layout places the panels. Every size is the inner size of a panel, after
// its border; a zero size means the panel is not shown.
type layout struct {
	Wide     bool // two columns and a log strip
	TooSmall bool // below minWidth x minHeight: only a message fits
	Cluster  size
	Load     size // wide only: the load panel under the cluster panel
	Main     size // the tab on show
	Log      size // wide only: the log strip at the bottom
}

// The limits of the arithmetic.
const (
	minWidth    = 40
	minHeight   = 12
	wideWidth   = 120
	wideHeight  = 36
	chromeLines = 3 // title bar, status or prompt line, help line
)

// computeLayout splits a w x h terminal. clusterRows is how many lines the
// cluster panel would like; fw and fh are a panel's border size
// (Style.GetHorizontalFrameSize and GetVerticalFrameSize).
func computeLayout(w, h, clusterRows, fw, fh int) layout {
	if w < minWidth || h < minHeight {
		return layout{TooSmall: true}
	}
	body := h - chromeLines
	if w < wideWidth || h < wideHeight {
		cluster := min(clusterRows+fh, body/2)
		return layout{
			Cluster: inner(w, cluster, fw, fh),
			Main:    inner(w, body-cluster, fw, fh),
		}
	}
	left := clamp(w*2/5, 50, 72)
	logH := clamp(h/4, 6, 14)
	body -= logH
	cluster := min(clusterRows+fh, body*3/5)
	return layout{
		Wide:    true,
		Cluster: inner(left, cluster, fw, fh),
		Load:    inner(left, body-cluster, fw, fh),
		Main:    inner(w-left, body, fw, fh),
		Log:     inner(w, logH, fw, fh),
	}
}

// inner removes a border from an outer size, never going below zero.
func inner(w, h, fw, fh int) size {
	return size{W: max(w-fw, 0), H: max(h-fh, 0)}
}

func clamp(v, lo, hi int) int {
	return max(lo, min(v, hi))
}
