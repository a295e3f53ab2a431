package ingest

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// StoredNodes reads the stored nodes with the given ids (of any kind; ids
// nothing has are left out) as the load's own transaction sees them, and
// holds them locked until it ends, so that what a Guard decided on cannot
// change before the load commits.
type StoredNodes func(ctx context.Context, ids []string) (map[string]model.Node, error)

// Guard decides whether a batch may be loaded, from the stored nodes it
// reads through stored. A Loader calls it inside the load's transaction
// before it reads the batch or writes anything, so a guard may also
// complete the batch (the owner of a target it creates); an error it
// returns refuses the load, which then writes nothing, and reaches the
// Loader's caller as it is.
type Guard func(ctx context.Context, stored StoredNodes) error

type guardKey struct{}

// WithGuard returns a context that carries g, which a Loader runs inside
// each load's transaction (see Guard): the rights of the caller of
// importDocument, checked against the same state the load writes over.
func WithGuard(ctx context.Context, g Guard) context.Context {
	return context.WithValue(ctx, guardKey{}, g)
}

// GuardFrom returns the Guard in ctx, or nil.
func GuardFrom(ctx context.Context) Guard {
	g, _ := ctx.Value(guardKey{}).(Guard)
	return g
}
