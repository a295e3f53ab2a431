// Package live keeps comparisons of analyses current: when an analysis of
// a target changes, it reloads the target's analyses once per short window
// (coalescing bursts) and publishes the new state on the event bus for the
// comparisonUpdated subscription. A state's revision is the target's
// revision as the store keeps it (counted up in every write that touches
// the target), so it only grows, across restarts and replicas alike.
package live

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/ssfgraph/ssfgraph/compare"
	"github.com/ssfgraph/ssfgraph/graph/model"
)

// DefaultWindow is how long changes to one target are gathered before the
// comparison is recomputed once for all of them.
const DefaultWindow = 100 * time.Millisecond

// DefaultCacheTTL is how long Current may serve a snapshot it read before
// without reading again, when no change was recorded since. Changes made
// through this process invalidate it at once; changes made by other
// processes (another replica, `ssfgraph ingest`) show within this time.
const DefaultCacheTTL = 2 * time.Second

// BusCacheTTL is the CacheTTL for a process whose changes reach it over a
// bus shared with every other writer (see Resync): events keep the cache
// current, so this only bounds how long a change by a writer outside the
// bus (a command run without --bus) stays unseen.
const BusCacheTTL = 30 * time.Second

// Topic returns the bus topic of a target's comparisons.
func Topic(targetID string) string { return "comparison/" + targetID }

// Snapshot is the state of every analysis of one target at one revision.
// It is immutable once published; Compare memoizes per option set, so many
// subscribers with the same view share one computation.
type Snapshot struct {
	TargetID string
	Revision int
	At       time.Time
	Analyses []*model.AnalysisSnapshot

	memo    sync.Map // view key → *model.TargetComparison
	digests sync.Map // selection key → digest (see Digest)

	nodesMu sync.Mutex
	nodes   *nodeLoad // the last load of Nodes
}

// NodesFresh is how long Snapshot.Nodes shares what it loaded: long enough
// for one event's fan-out to every subscriber of a target, short enough
// that a renamed incident or measure (which does not change the target's
// revision) shows in the next event.
const NodesFresh = time.Second

// nodeLoad is one load of a snapshot's nodes; done is closed when nodes
// and err are set.
type nodeLoad struct {
	done  chan struct{}
	at    time.Time
	nodes map[string]model.Node
	err   error
}

// Nodes returns the nodes a comparison of s names: its target, its
// analyses (as the snapshot holds them), and their organizations,
// incidents, threats, assets, measures and owner departments, loaded with
// load in one call. Callers within NodesFresh of a load share it, and
// callers during a load wait for it (or for ctx), so that one event fanned
// out to a thousand subscribers reads them once, not once per subscriber.
// The map is shared: callers must not change it. Nodes are plain data:
// whether a caller may see one is for the caller to decide, as with any
// other read.
func (s *Snapshot) Nodes(ctx context.Context, load model.NodeLoad) (map[string]model.Node, error) {
	s.nodesMu.Lock()
	l := s.nodes
	if l == nil || l.stale() {
		l = &nodeLoad{done: make(chan struct{})}
		s.nodes = l
		s.nodesMu.Unlock()
		l.nodes, l.err = s.loadNodes(ctx, load)
		l.at = time.Now()
		close(l.done)
	} else {
		s.nodesMu.Unlock()
	}
	select {
	case <-l.done:
		return l.nodes, l.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// stale reports whether l is done and not to be shared any more: it failed
// or is older than NodesFresh.
func (l *nodeLoad) stale() bool {
	select {
	case <-l.done:
		return l.err != nil || time.Since(l.at) > NodesFresh
	default:
		return false // in flight: wait for it
	}
}

// loadNodes reads the nodes s names, but for its analyses, which it holds.
func (s *Snapshot) loadNodes(ctx context.Context, load model.NodeLoad) (map[string]model.Node, error) {
	seen := map[string]bool{s.TargetID: true}
	ids := []string{s.TargetID}
	add := func(more ...string) {
		for _, id := range more {
			if id != "" && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	for _, a := range s.Analyses {
		add(a.Analysis.OrganizationID)
		for i := range a.Assessments {
			as := &a.Assessments[i]
			add(as.IncidentID, as.OwnerDepartmentID)
			add(as.ThreatIDs...)
			add(as.AssetIDs...)
			for _, t := range as.Treatments {
				add(t.MeasureID)
			}
		}
	}
	nodes, err := load(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("nodes of target %s's comparison: %w", s.TargetID, err)
	}
	out := make(map[string]model.Node, len(nodes)+len(s.Analyses))
	for id, n := range nodes {
		out[id] = n
	}
	for _, a := range s.Analyses {
		out[a.Analysis.ID] = a.Analysis
	}
	return out, nil
}

// Comparisons recomputes and publishes comparisons. Build it with New.
// Its methods are safe for concurrent use.
type Comparisons struct {
	reader model.ComparisonReader
	bus    model.EventBus[*Snapshot]
	window time.Duration
	log    *slog.Logger

	// CacheTTL bounds how long Current serves a cached snapshot (see
	// DefaultCacheTTL); zero or less disables the cache.
	CacheTTL time.Duration

	mu      sync.Mutex
	targets map[string]*targetState
	closed  bool
	wg      sync.WaitGroup
}

// targetState is the refresh state of one target.
type targetState struct {
	pending  bool // a refresh is scheduled or running
	dirty    bool // a change arrived while a refresh ran
	changes  int  // changes recorded so far
	cached   *Snapshot
	cachedAt int // changes when cached was read
}

// New returns Comparisons that read through reader and publish on bus,
// gathering changes for window (DefaultWindow when zero).
func New(reader model.ComparisonReader, bus model.EventBus[*Snapshot], window time.Duration, log *slog.Logger) *Comparisons {
	if window <= 0 {
		window = DefaultWindow
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Comparisons{reader: reader, bus: bus, window: window, log: log, CacheTTL: DefaultCacheTTL, targets: map[string]*targetState{}}
}

// Changed records that an analysis of the target changed (after its
// transaction committed). Within the window, many calls cause one refresh.
func (c *Comparisons) Changed(targetID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	st := c.state(targetID)
	st.changes++
	if st.pending {
		st.dirty = true
		return
	}
	st.pending = true
	c.wg.Add(1)
	time.AfterFunc(c.window, func() { c.refresh(targetID) })
}

func (c *Comparisons) state(targetID string) *targetState {
	st, ok := c.targets[targetID]
	if !ok {
		st = &targetState{}
		c.targets[targetID] = st
	}
	return st
}

// refresh reloads the target, publishes the new snapshot and runs again if
// more changes arrived meanwhile. Refreshes of one target never overlap, so
// revisions are published in order.
func (c *Comparisons) refresh(targetID string) {
	defer c.wg.Done()
	for {
		c.mu.Lock()
		c.targets[targetID].dirty = false
		seen := c.targets[targetID].changes
		c.mu.Unlock()

		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		analyses, revision, err := c.reader.TargetAnalyses(ctx, targetID)
		cancel()

		c.mu.Lock()
		st := c.targets[targetID]
		if err != nil {
			c.log.Error("live: reloading target for comparison", "target", targetID, "err", err)
		} else if !c.closed {
			snap := &Snapshot{TargetID: targetID, Revision: revision, At: time.Now().UTC(), Analyses: analyses}
			st.cached, st.cachedAt = snap, seen
			c.bus.Publish(Topic(targetID), snap)
		}
		if !st.dirty || c.closed {
			st.pending = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		time.Sleep(c.window) // gather the changes that arrived meanwhile
	}
}

// SetCacheTTL changes CacheTTL while the Comparisons are in use.
func (c *Comparisons) SetCacheTTL(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.CacheTTL = d
}

// Resync is for after changes may have been missed (the bus that brings
// other processes' changes lost its connection): it forgets every cached
// snapshot and refreshes each target that has subscribers now, once, so
// that they see the current state.
func (c *Comparisons) Resync() {
	counter, _ := c.bus.(interface{ Subscribers(topic string) int }) // graph/broker's
	c.mu.Lock()
	var refresh []string
	for id, st := range c.targets {
		if counter == nil || counter.Subscribers(Topic(id)) > 0 {
			refresh = append(refresh, id)
		} else {
			st.changes++ // the cached snapshot is stale
		}
	}
	c.mu.Unlock()
	for _, id := range refresh {
		c.Changed(id)
	}
}

// Current returns the target's analyses at the current revision (the
// store's; 0 before the first change): the snapshot it read last when no
// change was recorded since and it is younger than CacheTTL, else a fresh
// read. It returns ENOTFOUND for an unknown target.
func (c *Comparisons) Current(ctx context.Context, targetID string) (*Snapshot, error) {
	c.mu.Lock()
	st := c.state(targetID)
	if s := st.cached; s != nil && st.cachedAt == st.changes && time.Since(s.At) < c.CacheTTL {
		c.mu.Unlock()
		return s, nil
	}
	seen := st.changes
	c.mu.Unlock()

	analyses, revision, err := c.reader.TargetAnalyses(ctx, targetID)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	st = c.state(targetID)
	snap := &Snapshot{TargetID: targetID, Revision: revision, At: time.Now().UTC(), Analyses: analyses}
	if st.changes == seen {
		st.cached, st.cachedAt = snap, seen
	}
	return snap, nil
}

// Close stops scheduling refreshes and waits for running ones.
func (c *Comparisons) Close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.wg.Wait()
}

// View says which analyses of a snapshot a comparison covers.
type View struct {
	// Viewer is the caller; only analyses they may read are compared.
	Viewer *model.Principal
	// AnalysisIDs, if set, picks exactly these analyses.
	AnalysisIDs []string
	// IncludeDrafts also compares draft versions.
	IncludeDrafts bool
	// Metric is the Krippendorff's alpha metric.
	Metric compare.Metric
}

// Select returns the analyses of the snapshot that the view covers: with
// AnalysisIDs, those of them the viewer may read; otherwise every readable
// submitted analysis (and draft, with IncludeDrafts) that no other selected
// analysis supersedes, so that each organization's newest version counts.
func (s *Snapshot) Select(v View) []*model.AnalysisSnapshot {
	var out []*model.AnalysisSnapshot
	if len(v.AnalysisIDs) > 0 {
		want := map[string]bool{}
		for _, id := range v.AnalysisIDs {
			want[id] = true
		}
		for _, a := range s.Analyses {
			if want[a.Analysis.ID] && a.Analysis.CanRead(v.Viewer) {
				out = append(out, a)
			}
		}
		return out
	}
	superseded := map[string]bool{}
	var candidates []*model.AnalysisSnapshot
	for _, a := range s.Analyses {
		if !a.Analysis.CanRead(v.Viewer) || (a.Analysis.Status == model.AnalysisStatusDraft && !v.IncludeDrafts) {
			continue
		}
		candidates = append(candidates, a)
		if a.Analysis.SupersedesID != nil {
			superseded[*a.Analysis.SupersedesID] = true
		}
	}
	for _, a := range candidates {
		if !superseded[a.Analysis.ID] {
			out = append(out, a)
		}
	}
	return out
}

// Digest returns a fingerprint of what the view shows of the snapshot: the
// analyses it selects (Select), each with every field and assessment a
// comparison or its fields read. Two snapshots with equal digests for a
// view look the same to that view, whatever changed in analyses it may not
// read, so comparisonUpdated sends a subscriber a new event only when its
// digest changed. Comparisons show only what the snapshots hold (every
// write that touches a target changes one of its analyses), so nothing a
// view shows escapes the digest.
func (s *Snapshot) Digest(v View) string {
	selected := s.Select(v)
	key := selectionKey(selected)
	if d, ok := s.digests.Load(key); ok {
		return d.(string)
	}
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, a := range selected {
		if err := enc.Encode(a); err != nil {
			// Not a value JSON can hold: a digest of this snapshot
			// alone, so that its view is never taken as unchanged.
			return fmt.Sprintf("unencodable %p: %v", s, err)
		}
	}
	d := hex.EncodeToString(h.Sum(nil))
	actual, _ := s.digests.LoadOrStore(key, d)
	return actual.(string)
}

// selectionKey names a selection of a snapshot's analyses.
func selectionKey(selected []*model.AnalysisSnapshot) string {
	ids := make([]string, len(selected))
	for i, a := range selected {
		ids[i] = a.Analysis.ID
	}
	return strings.Join(ids, "\x00")
}

// Compare returns the comparison of the analyses the view selects,
// computing it once per distinct selection and metric.
func (s *Snapshot) Compare(v View) *model.TargetComparison {
	selected := s.Select(v)
	key := viewKey(v, selected)
	if c, ok := s.memo.Load(key); ok {
		return c.(*model.TargetComparison)
	}
	in := make([]compare.Analysis, len(selected))
	for i, a := range selected {
		in[i] = ToCompare(a)
	}
	c := &model.TargetComparison{
		TargetID: s.TargetID, Revision: s.Revision, ComputedAt: s.At,
		Comparison: compare.Compare(in, compare.Options{Metric: v.Metric}),
	}
	actual, _ := s.memo.LoadOrStore(key, c)
	return actual.(*model.TargetComparison)
}

// ViewKey names what Compare(v) compares: views with the same key get the
// same comparison of s.
func (s *Snapshot) ViewKey(v View) string { return viewKey(v, s.Select(v)) }

// viewKey is ViewKey of the analyses v selects.
func viewKey(v View, selected []*model.AnalysisSnapshot) string {
	return v.Metric.String() + "|" + selectionKey(selected)
}

// ToCompare turns an analysis snapshot into compare's input. The ranks and
// measures of all its assessments share one allocation each.
func ToCompare(a *model.AnalysisSnapshot) compare.Analysis {
	out := compare.Analysis{ID: a.Analysis.ID, Organization: a.Analysis.OrganizationID, Assessments: make([]compare.Assessment, len(a.Assessments))}
	ranks := make([]int, 3*len(a.Assessments))
	treatments := 0
	for i := range a.Assessments {
		treatments += len(a.Assessments[i].Treatments)
	}
	measures := make([]compare.MeasureRef, 0, treatments)
	for i, s := range a.Assessments {
		r := ranks[3*i : 3*i+3 : 3*i+3]
		r[0], r[1], r[2] = s.Axis1, s.Axis2, s.Category
		start := len(measures)
		for _, tr := range s.Treatments {
			measures = append(measures, compare.MeasureRef{ID: tr.MeasureID, Perspective: tr.Perspective, Status: string(tr.Status)})
		}
		ms := measures[start:len(measures):len(measures)]
		out.Assessments[i] = compare.Assessment{
			ID: s.ID, Incident: s.IncidentID, Axis1: &r[0], Axis2: &r[1], Category: &r[2], Submitted: s.Submitted,
			Threats: s.ThreatIDs, Assets: s.AssetIDs, Measures: ms,
			OwnerDepartment: s.OwnerDepartmentID, Rationale: s.Rationale,
		}
	}
	return out
}
