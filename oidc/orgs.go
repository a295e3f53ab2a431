package oidc

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/internal/dataload"
)

// orgCacheTTL bounds how long the answer about an organization is used:
// as for ssfgraph's own tokens (whose organization and sector Neo4j gives
// at each check, cached 0.5 s), a deleted organization or a changed
// sector counts within it.
const orgCacheTTL = 500 * time.Millisecond

// orgCache looks up the sector of organizations: the lookups of concurrent
// requests go to the store as one batch, and each answer is kept for
// orgCacheTTL. Its methods are safe for concurrent use.
type orgCache struct {
	orgs Organizations

	mu      sync.Mutex
	loader  *dataload.Loader[string, string] // guarded by mu
	started time.Time                        // when loader was made; guarded by mu
}

func newOrgCache(orgs Organizations) *orgCache { return &orgCache{orgs: orgs} }

// sector returns the sector of organization id. It returns
// EUNAUTHENTICATED for an organization that does not exist, and the
// store's error (EUNAVAILABLE, …) when it fails.
func (c *orgCache) sector(ctx context.Context, id string) (string, error) {
	c.mu.Lock()
	if c.loader == nil || time.Since(c.started) > orgCacheTTL {
		c.loader, c.started = dataload.New(c.fetch, dataload.Limits{}), time.Now()
	}
	l := c.loader
	c.mu.Unlock()
	sector, err := l.Load(ctx, id)
	if errors.Is(err, dataload.ErrNotFound) {
		return "", unauthenticated("names an unknown organization %q", model.Truncate(id, 60))
	}
	if err != nil {
		return "", fmt.Errorf("oidc: looking up organization %s: %w", id, err)
	}
	return sector, nil
}

// fetch reads the sectors of the organizations ids, in one call.
func (c *orgCache) fetch(ctx context.Context, ids []string) (map[string]string, error) {
	nodes, err := c.orgs.Nodes(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(nodes))
	for id, n := range nodes {
		if o, ok := n.(*model.Organization); ok {
			out[id] = o.Sector
		}
	}
	return out, nil
}
