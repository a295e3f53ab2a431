package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/ssfgraph/ssfgraph/bench"
	"github.com/ssfgraph/ssfgraph/internal/wsclient"
)

// fanoutSubscription is what each subscriber watches: the comparison of the
// target's (draft) analyses.
const fanoutSubscription = `subscription($t: ID!) { comparisonUpdated(targetId: $t, includeDrafts: true) { revision agreement { axis1 { value } } } }`

// subscriber is one websocket client and the newest revision it has seen.
type subscriber struct {
	c        *wsclient.Client
	revision int
}

// next reads until an update newer than s.revision arrives and returns when.
func (s *subscriber) next(ctx context.Context) (time.Time, error) {
	for {
		_, payload, err := s.c.NextData(ctx)
		if err != nil {
			return time.Time{}, err
		}
		var ev struct {
			Data struct{ ComparisonUpdated struct{ Revision int } }
		}
		if err := json.Unmarshal(payload, &ev); err != nil {
			return time.Time{}, fmt.Errorf("comparisonUpdated: %w: %.200s", err, payload)
		}
		if r := ev.Data.ComparisonUpdated.Revision; r > s.revision {
			s.revision = r
			return time.Now(), nil
		}
	}
}

// fanoutBench subscribes 100, then 1,000, then 5,000 websocket clients to
// comparisonUpdated of the data set d's target on ssf (a server of its own,
// so that its memory shows what the subscribers hold; anonymously: the
// analyses are PUBLIC), and at each count times updates rounds: from
// sending an assessIncident (writer, a token of d's organization) to each
// subscriber reading the new comparison. It writes a Markdown section to w.
func fanoutBench(ctx context.Context, w, progress io.Writer, c *http.Client, ssf bench.Server, writer string, d *bench.Dataset) error {
	const updates = 3
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	var subs []*subscriber
	defer func() {
		for _, s := range subs {
			s.c.Close()
		}
	}()
	mem0, err := bench.ProcMemory(ssf.PID)
	if err != nil {
		return err
	}
	w0 := ssf
	w0.Header = http.Header{"Authorization": {"Bearer " + writer}}
	bodies := d.AssessBodies(false)
	seq := 0
	// update sends one assessIncident and returns how long each subscriber
	// took to read the new comparison.
	update := func(n int) ([]time.Duration, error) {
		time.Sleep(500 * time.Millisecond) // let the last update settle
		t0 := time.Now()
		raw, err := bench.Post(ctx, c, w0, bodies(0, seq))
		seq++
		if err != nil {
			return nil, err
		}
		if _, err := bench.CountAnswer(raw); err != nil {
			return nil, fmt.Errorf("assessIncident: %w", err)
		}
		got := make([]time.Duration, len(subs))
		errs := make([]error, len(subs))
		var round sync.WaitGroup
		for i, s := range subs {
			round.Add(1)
			go func() {
				defer round.Done()
				at, err := s.next(ctx)
				got[i], errs[i] = at.Sub(t0), err
			}()
		}
		round.Wait()
		for _, err := range errs {
			if err != nil {
				return nil, fmt.Errorf("%d subscribers: %w", n, err)
			}
		}
		return got, nil
	}
	t := bench.Table{Head: []string{"subscribers", "p50 to a subscriber", "p99", "last subscriber", "ssfgraph RSS", "RSS per subscriber"}}
	for _, n := range []int{100, 1000, 5000} {
		// Subscribe the new clients, 50 at a time.
		var (
			mu    sync.Mutex
			added []*subscriber
			first error
			wg    sync.WaitGroup
		)
		sem := make(chan struct{}, 50)
		for range n - len(subs) {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				cl, err := wsclient.Dial(ctx, ssf.URL, wsclient.TransportWS, nil)
				if err == nil {
					s := &subscriber{c: cl, revision: -1}
					if err = cl.Subscribe("cmp", fanoutSubscription, map[string]any{"t": d.Targets[0]}); err == nil {
						_, err = s.next(ctx) // the current comparison
					}
					mu.Lock()
					added = append(added, s)
					mu.Unlock()
				}
				if err != nil {
					mu.Lock()
					first = cmp.Or(first, err)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		subs = append(subs, added...)
		if first != nil {
			return fmt.Errorf("subscribing %d clients: %w", n, first)
		}
		mem, err := bench.ProcMemory(ssf.PID)
		if err != nil {
			return err
		}
		if n == 100 { // an untimed update first: the write path's first run is slow
			if _, err := update(n); err != nil {
				return err
			}
		}
		var lat []time.Duration
		var last time.Duration
		for range updates {
			got, err := update(n)
			if err != nil {
				return err
			}
			lat = append(lat, got...)
			last = max(last, bench.Percentile(got, 100))
		}
		perSub := (mem.RSS - mem0.RSS) / int64(n)
		t.Rows = append(t.Rows, []string{fmt.Sprint(n), bench.Millis(bench.Percentile(lat, 50)), bench.Millis(bench.Percentile(lat, 99)),
			bench.Millis(last), bench.MiB(mem.RSS), fmt.Sprintf("%.0f KiB", float64(perSub)/1024)})
		fmt.Fprintf(progress, "fan-out to %d subscribers: p50 %s, p99 %s, last %s\n", n,
			bench.Millis(bench.Percentile(lat, 50)), bench.Millis(bench.Percentile(lat, 99)), bench.Millis(last))
	}
	fmt.Fprintln(w, "## Comparison fan-out (ssfgraph only)")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Websocket clients (graphql-transport-ws, internal/wsclient, in the ssfbench process) subscribe to `comparisonUpdated` of one target with %d analyses;"+
		" %d times per row an analyst's `assessIncident` changes one of them, and the latency runs from sending that mutation to each subscriber having read"+
		" the new comparison (so it includes the write and the comparison's recomputation). This ssfgraph is a process of its own, started for the fan-out; RSS per subscriber is its RSS growth since before the first subscriber, divided by the subscribers.\n\n",
		d.Size.AnalysesPerTarget, updates)
	t.Write(w)
	return nil
}
