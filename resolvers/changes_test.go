package resolvers_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/broker"
	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/internal/tstest"
	"github.com/ssfgraph/ssfgraph/internal/wsclient"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// TestChangesBusInProcess: any model.EventBus serves as the Changes bus,
// the in-process broker too. A change event from another origin
// recomputes the target's comparison for this server's subscribers and
// forgets a revoked token; the server's own writes go out on the bus;
// closing the bus ends the goroutine that follows it.
func TestChangesBusInProcess(t *testing.T) {
	changes := broker.New[*model.ChangeEvent]()
	t.Cleanup(changes.Close)
	e := comparisonEnvOn(t, newEnv(t, resolvers.Options{Changes: changes}))
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	out := changes.Subscribe(ctx, model.ChangesTopic, 64)

	// Its own write goes out with its origin and the target.
	c := e.subscribe(ctx, t, wsclient.TransportWS, e.analystA, replicaSubscription, map[string]any{"t": e.target})
	first := nextComparison(ctx, t, c)
	id := e.prefix + "analysis-1"
	e.mustDo(t, e.analystA, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "A"}) { id } }`, map[string]any{"id": id, "t": e.target})
	select {
	case ev := <-out:
		if len(ev.Targets) != 1 || ev.Targets[0] != e.target || !strings.HasPrefix(ev.Origin, "replica-") {
			t.Errorf("change event of createAnalysis = %+v, want target %s from this replica", ev, e.target)
		}
	case <-ctx.Done():
		t.Fatal("createAnalysis published no change event")
	}
	if got := until(ctx, t, c, first.Revision+1); len(got.Analyses) != 1 {
		t.Fatalf("after createAnalysis: %+v", got)
	}

	// A write by another process, announced on the bus only.
	if _, err := e.db.CreateAnalysis(ctx, e.prefix+"org-a", model.AnalysisInput{ID: new(e.prefix + "analysis-2"), TargetID: e.target, Title: "B"}); err != nil {
		t.Fatal(err)
	}
	changes.Publish(model.ChangesTopic, &model.ChangeEvent{Origin: "elsewhere", Targets: []string{e.target}})
	if got := until(ctx, t, c, first.Revision+2); len(got.Analyses) != 2 {
		t.Errorf("after another process's write: %d analyses, want 2", len(got.Analyses))
	}

	// A token revoked by another process is refused at once.
	token := e.token(t, e.prefix+"org-b", model.RoleViewer)
	e.must(t, token, viewerQuery, nil, nil) // cached
	if _, err := e.db.RevokeToken(ctx, tokenID(token)); err != nil {
		t.Fatal(err)
	}
	changes.Publish(model.ChangesTopic, &model.ChangeEvent{Origin: "elsewhere", Tokens: []string{tokenID(token)}})
	tstest.WaitFor(t, 200*time.Millisecond, func() error { return e.refusedWith(t, token, "revoked") })

	changes.Close()
	tstest.WaitFor(t, 5*time.Second, func() error {
		buf := make([]byte, 1<<22)
		if stacks := string(buf[:runtime.Stack(buf, true)]); strings.Contains(stacks, "(*Resolver).followChanges") {
			return fmt.Errorf("followChanges still runs after the bus closed")
		}
		return nil
	})
}
