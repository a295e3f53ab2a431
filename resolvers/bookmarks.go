package resolvers

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// bookmarkExtension is the response extension that carries the bookmarks
// of the writes an operation committed.
const bookmarkExtension = "bookmark"

// Limits of the bookmark header: a bookmark of Neo4j 5 is under 100
// bytes, and one response hands out one.
const (
	maxBookmarkHeader = 4096
	maxBookmarks      = 16
)

// encodeBookmarks returns the token that carries b to a client and back:
// base64url of b's JSON, so that it travels in a header unchanged
// whatever the bookmarks hold.
func encodeBookmarks(b model.Bookmarks) string {
	raw, _ := json.Marshal(b) // a list of strings always encodes
	return base64.RawURLEncoding.EncodeToString(raw)
}

// decodeBookmarks returns the bookmarks of a token encodeBookmarks made,
// or an error saying what is wrong with it.
func decodeBookmarks(token string) (model.Bookmarks, error) {
	if len(token) > maxBookmarkHeader {
		return nil, fmt.Errorf("it is %d bytes long, more than the %d a bookmark takes", len(token), maxBookmarkHeader)
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return nil, errors.New("it is not base64url (pass the bookmark extension of a response as it came)")
	}
	var b model.Bookmarks
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, errors.New("it does not hold a list of bookmarks (pass the bookmark extension of a response as it came)")
	}
	if len(b) > maxBookmarks {
		return nil, fmt.Errorf("it holds %d bookmarks, more than %d", len(b), maxBookmarks)
	}
	for i, s := range b {
		if s == "" {
			return nil, fmt.Errorf("its bookmark %d is empty", i)
		}
	}
	return b, nil
}

// readAfterBookmarks makes a request's reads begin after the bookmarks of
// its Ssfgraph-Bookmark header (model.WithBookmarks): a client that sends
// the bookmark of its last write reads that write on whichever replica
// and Neo4j server answers. A header that does not decode is answered 400
// BAD_REQUEST, naming the header, before the request runs.
func readAfterBookmarks(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := r.Header.Get(model.BookmarkHeader)
		if token == "" {
			next.ServeHTTP(w, r)
			return
		}
		b, err := decodeBookmarks(token)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, graphql.Response{Errors: gqlerror.List{{
				Message:    fmt.Sprintf("the %s header is not a bookmark: %v", model.BookmarkHeader, err),
				Extensions: map[string]any{"code": "BAD_REQUEST"},
			}}})
			return
		}
		next.ServeHTTP(w, r.WithContext(model.WithBookmarks(r.Context(), b)))
	})
}

// committedBookmarks keeps the bookmarks of the last write an operation
// committed (each covers the writes before it) for its response.
type committedBookmarks struct {
	mu   sync.Mutex
	last model.Bookmarks
}

// hook returns a commit hook that records each commit's bookmarks and
// then calls next.
func (c *committedBookmarks) hook(next model.CommitHook) model.CommitHook {
	return func(ctx context.Context, ch *model.Change) {
		if len(ch.Bookmarks) > 0 {
			c.mu.Lock()
			c.last = ch.Bookmarks
			c.mu.Unlock()
		}
		next(ctx, ch)
	}
}

// extend adds the bookmark extension to resp when the operation wrote.
func (c *committedBookmarks) extend(resp *graphql.Response) *graphql.Response {
	c.mu.Lock()
	last := c.last
	c.mu.Unlock()
	if resp == nil || len(last) == 0 {
		return resp
	}
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	resp.Extensions[bookmarkExtension] = encodeBookmarks(last)
	return resp
}
