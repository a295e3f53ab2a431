package model

import "context"

// Bookmarks name states of the database a read must see: Neo4j's
// bookmarks, opaque strings its driver hands out after each committed
// transaction. On a cluster (neo4j:// or neo4j+s://), reads are routed to
// followers, which may lag the leader; a read begun with the bookmarks of
// a write waits until its server has that write. Within one process the
// store carries them from each write to the next read itself; between
// processes (another replica, `ssfgraph ingest`) they travel with the
// change event and, for clients, in the ssfgraph-bookmark header and the
// response's bookmark extension.
type Bookmarks []string

// BookmarkHeader is the HTTP request header that carries a client's
// bookmarks: the value of the bookmark extension of an earlier response,
// as it came.
const BookmarkHeader = "Ssfgraph-Bookmark"

type bookmarksKey struct{}

// WithBookmarks returns ctx whose store transactions begin after the
// given bookmarks (besides the process's own), adding to any ctx has.
func WithBookmarks(ctx context.Context, b Bookmarks) context.Context {
	if len(b) == 0 {
		return ctx
	}
	if old := BookmarksFrom(ctx); len(old) > 0 {
		b = append(append(Bookmarks{}, old...), b...)
	}
	return context.WithValue(ctx, bookmarksKey{}, b)
}

// BookmarksFrom returns the bookmarks ctx carries, or nil.
func BookmarksFrom(ctx context.Context) Bookmarks {
	b, _ := ctx.Value(bookmarksKey{}).(Bookmarks)
	return b
}

// BookmarkFollower is a store that can make every transaction it begins
// from now on begin after another process's writes (graph/neo4j's DB is
// one).
type BookmarkFollower interface {
	FollowBookmarks(ctx context.Context, b Bookmarks) error
}
