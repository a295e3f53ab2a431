package bench

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Server is one server under test: where to send a read, and its process
// (for CPU and memory; 0 when unknown).
type Server struct {
	Name string
	URL  string
	// Header is sent with every request (the ssfgraph token).
	Header http.Header
	PID    int
}

// Sample is what one or more rounds against one server measured.
type Sample struct {
	Latencies []time.Duration
	// Elapsed is the rounds' wall time, from the first request sent to the
	// last answer read.
	Elapsed time.Duration
	// CPU and Neo4jCPU are what the server's process and Neo4j's used
	// during the rounds (0 when the pid is unknown).
	CPU, Neo4jCPU time.Duration
	// Failed counts the requests answered with an error (not HTTP 200, or
	// GraphQL errors), which Latencies leave out; FirstError is the first.
	Failed     int
	FirstError string
}

// Add appends o's measurements to s.
func (s *Sample) Add(o Sample) {
	s.Latencies = append(s.Latencies, o.Latencies...)
	s.Elapsed += o.Elapsed
	s.CPU += o.CPU
	s.Neo4jCPU += o.Neo4jCPU
	s.Failed += o.Failed
	if s.FirstError == "" {
		s.FirstError = o.FirstError
	}
}

// Requests is the number of requests answered without error.
func (s *Sample) Requests() int { return len(s.Latencies) }

// PerSecond is the requests answered without error per second of wall
// time.
func (s *Sample) PerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(len(s.Latencies)) / s.Elapsed.Seconds()
}

// PerRequest divides d by the requests answered.
func (s *Sample) PerRequest(d time.Duration) time.Duration {
	if len(s.Latencies) == 0 {
		return 0
	}
	return d / time.Duration(len(s.Latencies))
}

// Post sends body to srv and returns the answer. Anything but HTTP 200 is
// an error.
func Post(ctx context.Context, c *http.Client, srv Server, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range srv.Header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", srv.Name, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: reading the answer: %w", srv.Name, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d: %.300s", srv.Name, resp.StatusCode, raw)
	}
	return raw, nil
}

// errorsField starts the errors member that GraphQL answers carry on failure.
var errorsField = []byte(`"errors":`)

// Bodies returns the request body that client (0, 1, …) sends as its
// seq-th request (0, 1, …). It is called from the clients' goroutines.
type Bodies func(client, seq int) []byte

// Same is Bodies that always returns body.
func Same(body []byte) Bodies { return func(int, int) []byte { return body } }

// Round sends requests to srv from clients concurrent clients, each sending
// its next request when the last is answered, until d has passed since the
// start (requests under way then are finished and counted). neo4jPID, when
// not 0, is Neo4j's process. An answer that is not HTTP 200 or holds
// GraphQL errors counts as failed (a server that gives up under load has
// that measured) and its client goes on; a round in which every request
// failed is an error.
func Round(ctx context.Context, c *http.Client, srv Server, body Bodies, clients int, d time.Duration, neo4jPID int) (Sample, error) {
	cpu := func(pid int) time.Duration {
		if pid == 0 {
			return 0
		}
		t, _ := ProcCPU(pid) // a process that went away shows as no CPU; its requests fail
		return t
	}
	cpu0, n0 := cpu(srv.PID), cpu(neo4jPID)
	var (
		mu  sync.Mutex
		out Sample
		wg  sync.WaitGroup
	)
	start := time.Now()
	for client := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var (
				mine   []time.Duration
				failed int
				first  error
			)
			for seq := 0; time.Since(start) < d && ctx.Err() == nil; seq++ {
				t0 := time.Now()
				raw, err := Post(ctx, c, srv, body(client, seq))
				if err == nil && bytes.Contains(raw, errorsField) {
					err = fmt.Errorf("%s: GraphQL errors: %.300s", srv.Name, raw)
				}
				if err != nil {
					failed++
					first = cmp.Or(first, err)
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			out.Latencies = append(out.Latencies, mine...)
			out.Failed += failed
			if first != nil && out.FirstError == "" {
				out.FirstError = first.Error()
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.Elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		return Sample{}, err
	}
	if len(out.Latencies) == 0 && out.Failed > 0 {
		return Sample{}, fmt.Errorf("every request failed: %s", out.FirstError)
	}
	out.CPU, out.Neo4jCPU = cpu(srv.PID)-cpu0, cpu(neo4jPID)-n0
	return out, nil
}

// Interleave runs rounds rounds of Round against each server in turn (A, B,
// C, A, B, C, …), so that a slow moment of the machine falls on all of
// them, and returns each server's samples added up, by name.
func Interleave(ctx context.Context, c *http.Client, servers []Server, bodies map[string]Bodies, clients, rounds int, d time.Duration, neo4jPID int) (map[string]*Sample, error) {
	out := map[string]*Sample{}
	for _, s := range servers {
		out[s.Name] = &Sample{}
	}
	for range rounds {
		for _, s := range servers {
			smp, err := Round(ctx, c, s, bodies[s.Name], clients, d, neo4jPID)
			if err != nil {
				return nil, err
			}
			out[s.Name].Add(smp)
		}
	}
	return out, nil
}
