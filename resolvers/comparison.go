package resolvers

import (
	"context"
	"slices"
	"strconv"

	"github.com/ssfgraph/ssfgraph/compare"
	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/live"
)

// agreementMetrics maps the API's agreement metrics to compare's.
var agreementMetrics = map[model.AgreementMetric]compare.Metric{
	model.AgreementMetricOrdinal:  compare.Ordinal,
	model.AgreementMetricInterval: compare.Interval,
	model.AgreementMetricNominal:  compare.Nominal,
}

func metricName(m compare.Metric) model.AgreementMetric {
	for k, v := range agreementMetrics {
		if v == m {
			return k
		}
	}
	return model.AgreementMetricOrdinal
}

// view builds the comparison view of the caller's arguments.
func view(ctx context.Context, ids []string, includeDrafts *bool, metric *model.AgreementMetric) live.View {
	v := live.View{Viewer: model.PrincipalFrom(ctx), AnalysisIDs: ids, IncludeDrafts: includeDrafts != nil && *includeDrafts}
	if metric != nil {
		v.Metric = agreementMetrics[*metric]
	}
	return v
}

// compareAnalyses reads the target's analyses in one round trip and
// compares the ones the view selects.
func (r *queryResolver) compareAnalyses(ctx context.Context, targetID string, ids []string, includeDrafts *bool, metric *model.AgreementMetric) (*model.TargetComparison, error) {
	snap, err := r.Live.Current(ctx, targetID)
	if err != nil {
		return nil, err
	}
	v := view(ctx, ids, includeDrafts, metric)
	if len(ids) > 0 {
		readable := snap.Select(v)
		for i, id := range ids {
			if !slices.ContainsFunc(readable, func(a *model.AnalysisSnapshot) bool { return a.Analysis.ID == id }) {
				return nil, model.FieldErrorf(model.EINVALID, "analysisIds."+strconv.Itoa(i), "%q is not an analysis of target %q that you may read", id, targetID)
			}
		}
	}
	return compared(ctx, snap, v), nil
}

// compared returns the snapshot's comparison for the view, with the
// operation's node cache holding the snapshot's analyses. (The comparison's
// field resolvers record its rows as sibling groups, for queries and
// subscription events alike.)
func compared(ctx context.Context, snap *live.Snapshot, v live.View) *model.TargetComparison {
	c := snap.Compare(v)
	l := loadersFrom(ctx)
	for _, a := range snap.Analyses {
		l.nodes.Put(a.Analysis.ID, a.Analysis)
	}
	return c
}

// diffAnalyses compares two analyses of one target.
func (r *queryResolver) diffAnalyses(ctx context.Context, a, b string) (*compare.AnalysisDiff, error) {
	snaps, err := r.Store.AnalysisSnapshots(ctx, []string{a, b})
	if err != nil {
		return nil, err
	}
	viewer := model.PrincipalFrom(ctx)
	find := func(field, id string) (*model.AnalysisSnapshot, error) {
		for _, s := range snaps {
			if s.Analysis.ID == id && s.Analysis.CanRead(viewer) {
				return s, nil
			}
		}
		return nil, model.NotFound(field, "analysis", id)
	}
	sa, err := find("a", a)
	if err != nil {
		return nil, err
	}
	sb, err := find("b", b)
	if err != nil {
		return nil, err
	}
	if sa.Analysis.TargetID != sb.Analysis.TargetID {
		return nil, model.FieldErrorf(model.EINVALID, "b", "analyses %q and %q are of different targets (%q and %q)", a, b, sa.Analysis.TargetID, sb.Analysis.TargetID)
	}
	d := compare.Diff(live.ToCompare(sa), live.ToCompare(sb))
	return &d, nil
}

// comparisonUpdated sends the current comparison, then a new one after each
// change of the target's analyses that the caller may see. It subscribes
// before reading, so no change between the two is missed; events not newer
// than the last sent are skipped, so the revision only grows; and so are
// events that show the caller nothing new (live.Snapshot.Digest of its
// view unchanged: a change to an analysis it may not read), so that an
// event never tells that something hidden changed. The bus keeps only the
// newest unsent state, so a slow client skips to it instead of stalling
// anyone.
func (r *subscriptionResolver) comparisonUpdated(ctx context.Context, targetID string, includeDrafts *bool, metric *model.AgreementMetric) (<-chan *model.TargetComparison, error) {
	v := view(ctx, nil, includeDrafts, metric)
	ctx, cancel := context.WithCancel(ctx)
	events := r.Bus.SubscribeLatest(ctx, live.Topic(targetID))
	snap, err := r.Live.Current(ctx, targetID)
	if err != nil {
		cancel()
		return nil, err
	}
	out := make(chan *model.TargetComparison, 1)
	// Subscribers whose answers are bound to be the same share one
	// execution of each event (eventshare.go).
	gate := gateFrom(ctx)
	sharing := gate.open()
	var operation string
	if sharing {
		operation = operationKey(ctx)
	}
	who := askerOf(v.Viewer)
	emit := func(s *live.Snapshot) bool {
		if sharing && !gate.offer(ctx, shareKey{snap: s, view: s.ViewKey(v), asker: who, operation: operation}) {
			return ctx.Err() == nil // answered from a shared answer
		}
		return send(ctx, out, eventOf(s, v))
	}
	go func() {
		defer cancel()
		defer close(out)
		if sharing {
			defer gate.end()
		}
		last, shown := snap.Revision, snap.Digest(v)
		if !emit(snap) {
			return
		}
		for s := range events {
			if s.Revision <= last {
				continue
			}
			last = s.Revision
			d := s.Digest(v)
			if d == shown {
				continue
			}
			shown = d
			if !emit(s) {
				return
			}
		}
	}()
	return out, nil
}

// eventOf returns the snapshot's comparison for the view as a
// subscription event: with the snapshot as its source of nodes, so that
// the receivers of one event load the incidents, measures and
// organizations it names once between them (live.Snapshot.Nodes).
func eventOf(snap *live.Snapshot, v live.View) *model.TargetComparison {
	c := *snap.Compare(v)
	c.Shared = snap
	return &c
}

// feedbackStream sends feedback as it is submitted, keeping what the
// caller may see (and, with a target, what concerns it).
func (r *subscriptionResolver) feedbackStream(ctx context.Context, targetID *string) (<-chan *model.Feedback, error) {
	events := r.FeedbackBus.Subscribe(ctx, feedbackTopic, feedbackBuffer)
	viewer := model.PrincipalFrom(ctx)
	out := make(chan *model.Feedback, 1)
	go func() {
		defer close(out)
		for fe := range events {
			if targetID != nil && fe.TargetID != *targetID || !fe.Feedback.ReadableBy(viewer, fe.About, fe.Analysis) {
				continue
			}
			if !send(ctx, out, fe.Feedback) {
				return
			}
		}
	}()
	return out, nil
}

// send sends v on out unless ctx ends first.
func send[T any](ctx context.Context, out chan<- T, v T) bool {
	select {
	case out <- v:
		return true
	case <-ctx.Done():
		return false
	}
}

// ptrs returns pointers to the elements of s, for gqlgen's list resolvers.
func ptrs[T any](s []T) []*T {
	out := make([]*T, len(s))
	for i := range s {
		out[i] = &s[i]
	}
	return out
}
