package bench

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// The servers' names in tables.
const (
	Ssfgraph  = "ssfgraph"
	FloorName = "floor"
	Peer      = "peer"
)

// Cell is one query at one number of clients, measured on each server.
type Cell struct {
	Query   string
	Clients int
	Samples map[string]*Sample // by server name
}

// Ratio formats a/b as "2.31×", or "—" when either is unknown (0).
func Ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// Millis formats d in milliseconds with three significant digits at most,
// or "—" for 0.
func Millis(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0f ms", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		return fmt.Sprintf("%.2f ms", ms)
	}
}

// MiB formats bytes in MiB, or "—" for 0.
func MiB(b int64) string {
	if b <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}

// rate formats requests per second.
func rate(r float64) string {
	if r == 0 {
		return "—"
	}
	if r >= 100 {
		return fmt.Sprintf("%.0f", r)
	}
	return fmt.Sprintf("%.1f", r)
}

// WriteReadTables writes the read results as two Markdown tables:
// throughput and latency with ratios (ssfgraph/peer, ssfgraph/floor), then
// CPU per request of each server and of Neo4j while serving it. A server
// missing from a cell shows as "—".
func WriteReadTables(w io.Writer, cells []Cell) {
	get := func(c Cell, name string) *Sample {
		if s := c.Samples[name]; s != nil {
			return s
		}
		return &Sample{}
	}
	fmt.Fprintln(w, "| query | clients | ssfgraph req/s | floor req/s | peer req/s | req/s ssfgraph/peer | req/s ssfgraph/floor | p50 ssfgraph | p50 floor | p50 peer | p50 ssfgraph/floor | p99 ssfgraph | p99 floor | p99 peer |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, c := range cells {
		s, f, p := get(c, Ssfgraph), get(c, FloorName), get(c, Peer)
		sp50, fp50 := Percentile(s.Latencies, 50), Percentile(f.Latencies, 50)
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", c.Query, c.Clients,
			rate(s.PerSecond()), rate(f.PerSecond()), rate(p.PerSecond()),
			Ratio(s.PerSecond(), p.PerSecond()), Ratio(s.PerSecond(), f.PerSecond()),
			Millis(sp50), Millis(fp50), Millis(Percentile(p.Latencies, 50)), Ratio(float64(sp50), float64(fp50)),
			Millis(Percentile(s.Latencies, 99)), Millis(Percentile(f.Latencies, 99)), Millis(Percentile(p.Latencies, 99)))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| query | clients | server CPU/req ssfgraph | floor | peer | ssfgraph/peer | ssfgraph/floor | Neo4j CPU/req for ssfgraph | for floor | for peer | answered (failed) ssfgraph / floor / peer |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, c := range cells {
		s, f, p := get(c, Ssfgraph), get(c, FloorName), get(c, Peer)
		sc, fc, pc := s.PerRequest(s.CPU), f.PerRequest(f.CPU), p.PerRequest(p.CPU)
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s / %s |\n", c.Query, c.Clients,
			Millis(sc), Millis(fc), Millis(pc), Ratio(float64(sc), float64(pc)), Ratio(float64(sc), float64(fc)),
			Millis(s.PerRequest(s.Neo4jCPU)), Millis(f.PerRequest(f.Neo4jCPU)), Millis(p.PerRequest(p.Neo4jCPU)),
			answered(s), answered(f), answered(p))
	}
	var failures []string
	for _, c := range cells {
		for _, name := range []string{Ssfgraph, FloorName, Peer} {
			if s := c.Samples[name]; s != nil && s.Failed > 0 {
				failures = append(failures, fmt.Sprintf("- %s, %s at %d clients: %d of %d requests failed, first: %.300s",
					name, c.Query, c.Clients, s.Failed, s.Failed+s.Requests(), s.FirstError))
			}
		}
	}
	if len(failures) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Failed requests (left out of req/s, latencies and CPU per request; CPU per request divides by the answered ones):")
		fmt.Fprintln(w)
		fmt.Fprintln(w, strings.Join(failures, "\n"))
	}
}

// answered is "N", or "N (M)" when M requests failed.
func answered(s *Sample) string {
	if s.Failed == 0 {
		return fmt.Sprint(s.Requests())
	}
	return fmt.Sprintf("%d (%d)", s.Requests(), s.Failed)
}

// WriteMemoryTable writes each server's resident memory (now and peak) as
// a Markdown table, in the order of names.
func WriteMemoryTable(w io.Writer, names []string, mem map[string]Memory) {
	fmt.Fprintln(w, "| server | RSS after the all-targets run | peak RSS | RSS / floor's |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	for _, n := range names {
		m := mem[n]
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", n, MiB(m.RSS), MiB(m.Peak), Ratio(float64(m.RSS), float64(mem[FloorName].RSS)))
	}
}

// Table is a small Markdown table builder for the extra measurements.
type Table struct {
	Head []string
	Rows [][]string
}

// Write writes t as Markdown; columns after the first are right-aligned.
func (t *Table) Write(w io.Writer) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(t.Head, " | "))
	align := make([]string, len(t.Head))
	for i := range align {
		align[i] = "---:"
	}
	align[0] = "---"
	fmt.Fprintf(w, "|%s|\n", strings.Join(align, "|"))
	for _, r := range t.Rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
	}
}
