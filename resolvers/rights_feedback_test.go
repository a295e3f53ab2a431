package resolvers_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/internal/tstest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// TestCuratorsReadOnlyFeedbackRoutedToThem checks the rights table's
// feedback rows: a curator of another organization reads feedback and
// opinions about catalog nodes and targets (routed to curators), and not
// those about an analysis or assessment it may not read, on node(id), the
// feedback list and the feedbackAdded subscription; admins, the author's
// and the owner's organizations read it.
func TestCuratorsReadOnlyFeedbackRoutedToThem(t *testing.T) {
	t.Parallel()
	w := newFBWorld(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	curatorSub := feedbackSubscriber(t, ctx, w.srv.URL, w.tokens["curator"])
	tstest.WaitFor(t, 10*time.Second, func() error {
		if n := w.fbBus.Subscribers(resolvers.FeedbackTopic); n < 1 {
			return fmt.Errorf("%d feedbackAdded subscribers, want 1", n)
		}
		return nil
	})

	onPrivate := w.submit(t, w.tokens["ownerAnalyst"], "NEW_RISK", "private: pets", w.private)
	onPrivateAssessment := w.submit(t, w.tokens["ownerAnalyst"], "NEW_RISK", "private: rate higher", w.privateAssessment)
	onShared := w.submit(t, w.tokens["authorAnalyst"], "REVISION_REQUEST", "shared: add fire", w.analysis)
	onThreat := w.submit(t, w.tokens["authorAnalyst"], "PROBLEM_OR_HESITATION", "threat: ambiguous", w.threat)
	onTarget := w.submit(t, w.tokens["ownerViewer"], "NEW_RISK", "target: floods", w.target)

	// The curator's subscription skips the three about analyses it may
	// not read and gets the two routed to curators, in order.
	for _, want := range []string{onThreat.ID, onTarget.ID} {
		if got := nextFeedbackID(t, ctx, curatorSub); got != want {
			t.Errorf("curator's subscription: event %s, want %s", got, want)
		}
	}

	hidden := []string{onPrivate.ID, onPrivateAssessment.ID, onShared.ID}
	routed := []string{onThreat.ID, onTarget.ID}
	for _, tt := range []struct {
		who  string
		read []string // of hidden, the ones who reads
	}{
		{"curator", nil},
		{"outsiderAnalyst", nil},
		{"authorViewer", []string{onShared.ID}},
		{"ownerViewer", hidden},
		{"admin", hidden},
	} {
		t.Run(tt.who, func(t *testing.T) {
			list := w.list(t, w.tokens[tt.who], nil)
			for _, id := range append(slices.Clone(hidden), routed...) {
				want := slices.Contains(tt.read, id) || slices.Contains(routed, id)
				if got := w.node(t, w.tokens[tt.who], id) != nil; got != want {
					t.Errorf("node(%s) readable = %v, want %v", id, got, want)
				}
				if got := slices.Contains(list, id); got != want {
					t.Errorf("feedback list has %s = %v, want %v", id, got, want)
				}
			}
		})
	}
	if got := w.node(t, "", onPrivate.ID); got != nil {
		t.Errorf("anonymous: node(%s) = %+v, want null", onPrivate.ID, got)
	}

	// Opinions: the owner's on its private assessment is its own; the
	// curator reads only an opinion about what it may read.
	var priv, pub struct{ ExpressOpinion fbOpinion }
	w.express(t, w.tokens["ownerAnalyst"], w.privateAssessment, "AGREE", "we stand by it").decode(t, &priv)
	w.express(t, w.tokens["authorAnalyst"], w.assessed, "DISAGREE", "too low").decode(t, &pub)
	for _, tt := range []struct {
		who       string
		priv, pub bool
	}{
		{"curator", false, false}, {"outsiderAnalyst", false, false}, {"authorViewer", false, true},
		{"ownerViewer", true, true}, {"admin", true, true},
	} {
		if got := w.opinion(t, w.tokens[tt.who], priv.ExpressOpinion.ID) != nil; got != tt.priv {
			t.Errorf("%s reads the opinion on the private assessment = %v, want %v", tt.who, got, tt.priv)
		}
		if got := w.opinion(t, w.tokens[tt.who], pub.ExpressOpinion.ID) != nil; got != tt.pub {
			t.Errorf("%s reads the opinion on the shared assessment = %v, want %v", tt.who, got, tt.pub)
		}
	}
}
