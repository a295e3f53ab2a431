package resolvers

import (
	"context"
	"crypto/rand"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/live"
)

// changesBuffer is how many change events this process may fall behind
// before the bus drops its subscription (followChanges then resyncs).
const changesBuffer = 1024

// applyTimeout bounds the store reads that applying one change event takes.
const applyTimeout = 30 * time.Second

// newOrigin returns a name for this handler on the Changes bus, unique
// among the processes that share it.
func newOrigin() string { return "replica-" + rand.Text()[:12] }

// followChanges applies the changes that other processes publish on
// r.Changes (see committed) until the bus closes: it is the receiving
// end of the Changes bus, and runs in a goroutine of its own.
//
// When the bus may have lost events (its connection dropped, or this
// process fell behind and its subscription was dropped) it resyncs the
// comparisons (live.Comparisons.Resync). While the bus is disconnected,
// no subscriber is left waiting for changes it cannot hear of: it resyncs
// the comparisons with subscribers every live.DefaultCacheTTL (one read
// per subscribed target; an event goes out only where the revision grew),
// and cached comparisons expire after live.DefaultCacheTTL as without a
// bus; after live.BusCacheTTL while it is connected. A bus on a stream
// (natsbus with a Stream) replays what this process missed during a short
// loss; events that were lost for good (published while no NATS server
// was reachable) are covered by those resyncs for comparisons, by
// tokenCacheTTL and the socket sweep for revoked tokens, and not at all
// for feedback announcements.
func (r *Resolver) followChanges() {
	ctx := context.Background()
	var states <-chan bool
	if w, ok := r.Changes.(model.ConnectionWatcher); ok {
		states = w.Connection(ctx)
	}
	r.Live.SetCacheTTL(live.BusCacheTTL)
	events := r.Changes.Subscribe(ctx, model.ChangesTopic, changesBuffer)
	poll := time.NewTicker(live.DefaultCacheTTL) // ticks while the bus is down
	poll.Stop()
	defer poll.Stop()
	var polling <-chan time.Time // poll.C while the bus is down, else nil
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				// Dropped for falling behind, or the bus closed: a closed
				// bus answers a new subscription with a closed channel.
				events = r.Changes.Subscribe(ctx, model.ChangesTopic, changesBuffer)
				select {
				case ev, ok = <-events:
					if !ok {
						return
					}
				default:
				}
				r.Log.Warn("changes bus: this process fell behind and missed changes: recomputing the comparisons with subscribers", "buffer", changesBuffer)
				r.Live.Resync()
				if ev == nil {
					continue
				}
			}
			if ev != nil && ev.Origin != r.origin { // its own changes it applied as they committed
				r.applyEvent(ev)
			}
		case up, ok := <-states:
			if !ok {
				states = nil // the bus is closing: events closes next
				continue
			}
			if up {
				r.Log.Info("changes bus reconnected: recomputing the comparisons with subscribers")
				poll.Stop()
				polling = nil
				r.Live.SetCacheTTL(live.BusCacheTTL)
				r.Live.Resync()
			} else {
				r.Log.Warn("changes bus disconnected: recomputing the comparisons with subscribers every interval until it is back", "interval", live.DefaultCacheTTL)
				r.Live.SetCacheTTL(live.DefaultCacheTTL)
				if polling == nil {
					poll.Reset(live.DefaultCacheTTL)
					polling = poll.C
				}
			}
		case <-polling:
			r.Live.Resync()
		}
	}
}

// applyEvent applies a change another process committed, reading the
// feedback it names from the store. Every read of this process from then
// on begins after the change's bookmarks, so that on a Neo4j cluster the
// comparisons it recomputes, and the feedback it reads, show the change.
func (r *Resolver) applyEvent(ev *model.ChangeEvent) {
	ctx, cancel := context.WithTimeout(context.Background(), applyTimeout)
	defer cancel()
	if f, ok := r.Store.(model.BookmarkFollower); ok {
		if err := f.FollowBookmarks(ctx, ev.Bookmarks); err != nil {
			r.Log.Error("changes bus: following a change's bookmarks; reads here may not show it yet", "origin", ev.Origin, "err", err)
		}
	}
	ctx = withLoaders(ctx, r.Store)
	var feedback []*model.Feedback
	if len(ev.Feedback) > 0 {
		nodes, err := r.Store.Nodes(ctx, ev.Feedback)
		if err != nil {
			r.Log.Error("changes bus: reading the feedback of a change; not announced here", "feedback", ev.Feedback, "origin", ev.Origin, "err", err)
		}
		for _, id := range ev.Feedback {
			if fb, ok := nodes[id].(*model.Feedback); ok {
				feedback = append(feedback, fb)
			}
		}
	}
	r.apply(ctx, ev.Targets, feedback, ev.Tokens)
	r.metrics.BusApplied(ev.Published)
}
