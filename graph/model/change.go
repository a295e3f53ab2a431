package model

import (
	"context"
	"slices"
	"time"
)

// Change is what one committed write transaction changed, as the store
// reports it to its commit hooks: the effects that must follow a commit
// (recomputing comparisons, clearing caches, telling subscribers) are
// decided from it in one place, so no caller has to remember them.
type Change struct {
	// Targets are the targets whose analyses changed, or whose
	// comparisons show something that changed (an assessment's threat,
	// asset, measure or owning department removed by a cascade).
	Targets []string
	// Nodes are the ids of nodes created, changed or deleted that a
	// cache may hold.
	Nodes []string
	// Feedback is the feedback submitted or answered.
	Feedback []*Feedback
	// Tokens are the ids of the API tokens revoked.
	Tokens []string
	// Bookmarks name the committed transaction, for reads elsewhere that
	// must see it (see Bookmarks); empty from a store that has none.
	Bookmarks Bookmarks
}

// AddTargets adds target ids, skipping empty ones.
func (c *Change) AddTargets(ids ...string) { c.Targets = appendIDs(c.Targets, ids) }

// AddNodes adds node ids, skipping empty ones.
func (c *Change) AddNodes(ids ...string) { c.Nodes = appendIDs(c.Nodes, ids) }

// Empty reports whether c records nothing.
func (c *Change) Empty() bool {
	return len(c.Targets) == 0 && len(c.Nodes) == 0 && len(c.Feedback) == 0 && len(c.Tokens) == 0
}

// Normalize sorts the ids and drops repeats.
func (c *Change) Normalize() {
	slices.Sort(c.Targets)
	c.Targets = slices.Compact(c.Targets)
	slices.Sort(c.Nodes)
	c.Nodes = slices.Compact(c.Nodes)
	slices.Sort(c.Tokens)
	c.Tokens = slices.Compact(c.Tokens)
}

func appendIDs(dst, ids []string) []string {
	for _, id := range ids {
		if id != "" {
			dst = append(dst, id)
		}
	}
	return dst
}

// CommitHook is told what a write transaction changed, after it
// committed, in the goroutine that wrote and before the write returns. It
// must not block for long and must not write through the store.
type CommitHook func(ctx context.Context, c *Change)

type commitHookKey struct{}

// WithCommitHook returns a context whose writes report their committed
// changes to hook. The GraphQL handler installs its publisher so for every
// operation; writes made without one (the command line) report to nobody.
func WithCommitHook(ctx context.Context, hook CommitHook) context.Context {
	return context.WithValue(ctx, commitHookKey{}, hook)
}

// CommitHookFrom returns the hook in ctx, or nil.
func CommitHookFrom(ctx context.Context) CommitHook {
	h, _ := ctx.Value(commitHookKey{}).(CommitHook)
	return h
}

// ChangesTopic is the topic of ChangeEvents on a bus shared by the
// processes that write to one database.
const ChangesTopic = "changes"

// ChangeEvent is what a committed write changed, as it goes from the
// process that wrote (a server replica, `ssfgraph ingest`) to every other
// process serving the same database, over a shared
// EventBus[*ChangeEvent]. It carries ids only: a receiver reads what it
// needs from the store, which already holds the committed state.
type ChangeEvent struct {
	// Origin names the process that wrote. A process applies its own
	// changes as they commit and ignores them when the bus brings them
	// back.
	Origin string `json:"origin"`
	// Targets are the targets whose comparisons changed.
	Targets []string `json:"targets,omitempty"`
	// Feedback are the ids of the feedback submitted or answered.
	Feedback []string `json:"feedback,omitempty"`
	// Tokens are the ids of the API tokens revoked.
	Tokens []string `json:"tokens,omitempty"`
	// Bookmarks name the writer's transaction (Change.Bookmarks): a
	// receiver's reads begin after them, so that on a cluster its
	// recomputed comparison shows the change (BookmarkFollower).
	Bookmarks Bookmarks `json:"bookmarks,omitempty"`
	// Published is when the writer published the event (by its clock),
	// for the bus lag metric; zero from a writer that does not say.
	Published time.Time `json:"published,omitzero"`
}

// NewChangeEvent returns the event of c from the process origin, or nil
// when c changed nothing another process must know of (nodes alone live
// only in the writer's per-operation loaders).
func NewChangeEvent(origin string, c *Change) *ChangeEvent {
	ev := &ChangeEvent{Origin: origin, Targets: slices.Clone(c.Targets), Tokens: slices.Clone(c.Tokens), Bookmarks: slices.Clone(c.Bookmarks), Published: time.Now()}
	for _, fb := range c.Feedback {
		ev.Feedback = append(ev.Feedback, fb.ID)
	}
	if len(ev.Targets) == 0 && len(ev.Feedback) == 0 && len(ev.Tokens) == 0 {
		return nil
	}
	return ev
}

// ConnectionWatcher is implemented by an EventBus that can be cut off
// from its peers (a network bus), losing the events published meanwhile.
// Connection returns a channel holding the newest connection state not
// read yet: false when the connection was lost, true when it came back
// (so that a consumer reloads what it serves). It closes when ctx ends or
// the bus closes.
type ConnectionWatcher interface {
	Connection(ctx context.Context) <-chan bool
}
