package ingest

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ssfgraph/ssfgraph/internal/numfmt"
)

type progressKey struct{}

// WithProgress returns a context that carries add, which a Loader calls
// with the number of records (nodes plus relationships) it has just
// written, so that a caller can show how far a long load has got. add must
// be safe for concurrent use and must not block.
func WithProgress(ctx context.Context, add func(records int)) context.Context {
	return context.WithValue(ctx, progressKey{}, add)
}

// ReportProgress tells the progress function in ctx, if any, that n more
// records were written.
func ReportProgress(ctx context.Context, n int) {
	if add, ok := ctx.Value(progressKey{}).(func(int)); ok && add != nil {
		add(n)
	}
}

// IsTerminal reports whether w is a terminal (a character device), where a
// progress bar may redraw its line.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Progress draws a one-line progress bar, redrawn in place with a carriage
// return, at most ten times a second. Give it a terminal only (IsTerminal).
// Its methods are safe for concurrent use.
type Progress struct {
	mu    sync.Mutex
	w     io.Writer
	total int
	done  int
	file  string
	drawn time.Time
	wrote bool
}

// NewProgress returns a Progress over total records that draws on w.
func NewProgress(w io.Writer, total int) *Progress {
	return &Progress{w: w, total: max(total, 1)}
}

// File names the document being loaded now, and redraws.
func (p *Progress) File(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.file = name
	p.draw(true)
}

// Add counts n more records as written, and redraws if the last drawing is
// old enough.
func (p *Progress) Add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = min(p.done+n, p.total)
	p.draw(false)
}

// Clear erases the bar, so that what is printed next starts on a clean
// line.
func (p *Progress) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.wrote {
		fmt.Fprint(p.w, "\r\033[K")
		p.wrote = false
	}
}

const progressWidth = 30

func (p *Progress) draw(force bool) {
	now := time.Now()
	if !force && now.Sub(p.drawn) < 100*time.Millisecond && p.done < p.total {
		return
	}
	p.drawn = now
	filled := p.done * progressWidth / p.total
	name := p.file
	if r := []rune(name); len(r) > 32 {
		name = "…" + string(r[len(r)-31:])
	}
	fmt.Fprintf(p.w, "\r\033[K%-32s [%s%s] %3d%% %s/%s records", name,
		strings.Repeat("=", filled), strings.Repeat(" ", progressWidth-filled),
		p.done*100/p.total, groupDigits(p.done), groupDigits(p.total))
	p.wrote = true
}

// WriteReport writes r as text: a heading line, a table of counts per node
// label and relationship type, and the warnings (at most maxWarnings of
// them, with a count of the rest).
func WriteReport(w io.Writer, r *Report, maxWarnings int) error {
	var sb strings.Builder
	mode := ""
	if r.DryRun {
		mode = ", dry run: nothing written"
	}
	nodes, rels := sumCounts(r.Nodes), sumCounts(r.Rels)
	fmt.Fprintf(&sb, "%s (%s%s): %s nodes, %s relationships in %s\n", r.Source, r.Format, mode,
		groupDigits(nodes.Created+nodes.Updated+nodes.Unchanged), groupDigits(rels.Created+rels.Updated+rels.Unchanged), r.Took.Round(time.Millisecond))
	table := func(title string, m map[string]Counts) {
		if len(m) == 0 {
			return
		}
		fmt.Fprintf(&sb, "  %-22s %10s %10s %10s\n", title, "created", "updated", "unchanged")
		for _, k := range slices.Sorted(maps.Keys(m)) {
			c := m[k]
			fmt.Fprintf(&sb, "  %-22s %10s %10s %10s\n", k, groupDigits(c.Created), groupDigits(c.Updated), groupDigits(c.Unchanged))
		}
	}
	table("nodes", r.Nodes)
	table("relationships", r.Rels)
	if n := len(r.Warnings); n > 0 {
		fmt.Fprintf(&sb, "  %d warning(s):\n", n)
		for i, wa := range r.Warnings {
			if i == maxWarnings {
				fmt.Fprintf(&sb, "    … and %d more (--json lists them all)\n", n-i)
				break
			}
			fmt.Fprintf(&sb, "    %s: %s\n", wa.Location, wa.Message)
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// Summary adds up the reports of a run over several documents.
type Summary struct {
	Files    int           `json:"files"`
	Failed   int           `json:"failed"`
	DryRun   bool          `json:"dryRun"`
	Nodes    Counts        `json:"nodes"`
	Rels     Counts        `json:"relationships"`
	Warnings int           `json:"warnings"`
	Took     time.Duration `json:"took"`
}

// Add counts one document: its report, or nil when it failed.
func (s *Summary) Add(r *Report) {
	s.Files++
	if r == nil {
		s.Failed++
		return
	}
	add := func(sum *Counts, m map[string]Counts) {
		c := sumCounts(m)
		sum.Created += c.Created
		sum.Updated += c.Updated
		sum.Unchanged += c.Unchanged
	}
	add(&s.Nodes, r.Nodes)
	add(&s.Rels, r.Rels)
	s.Warnings += len(r.Warnings)
}

// String is the one-line summary, for example "ingest: 3 files, 0 failed:
// nodes 1,234 created, 0 updated, 5 unchanged; relationships 2,345 created,
// 0 updated, 0 unchanged; 2 warnings; 1.2s".
func (s Summary) String() string {
	dry := ""
	if s.DryRun {
		dry = " (dry run: nothing written)"
	}
	files := "files"
	if s.Files == 1 {
		files = "file"
	}
	c := func(x Counts) string {
		return fmt.Sprintf("%s created, %s updated, %s unchanged", groupDigits(x.Created), groupDigits(x.Updated), groupDigits(x.Unchanged))
	}
	return fmt.Sprintf("ingest%s: %d %s, %d failed: nodes %s; relationships %s; %d warnings; %s",
		dry, s.Files, files, s.Failed, c(s.Nodes), c(s.Rels), s.Warnings, s.Took.Round(time.Millisecond))
}

// sumCounts adds up counts over every label or type.
func sumCounts(m map[string]Counts) Counts {
	var t Counts
	for _, c := range m {
		t.Created += c.Created
		t.Updated += c.Updated
		t.Unchanged += c.Unchanged
	}
	return t
}

// groupDigits formats n with commas between groups of three digits.
func groupDigits(n int) string { return numfmt.Group(strconv.Itoa(n)) }
