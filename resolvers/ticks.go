package resolvers

import (
	"context"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// sendTicks sends a Tick on ch every interval until ctx ends or, when limit
// is positive, limit ticks have been sent; then it closes ch, which completes
// the subscription.
func sendTicks(ctx context.Context, ch chan<- *model.Tick, interval time.Duration, limit int) {
	defer close(ch)
	t := time.NewTicker(interval)
	defer t.Stop()
	for n := 1; limit == 0 || n <= limit; n++ {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			select {
			case ch <- &model.Tick{N: n, At: now.UTC()}:
			case <-ctx.Done():
				return
			}
		}
	}
}
