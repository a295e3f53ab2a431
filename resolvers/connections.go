package resolvers

import (
	"encoding/base64"
	"strings"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Relay connections (https://relay.dev/graphql/connections.htm). Every list
// field takes first/after (a page from the start, or from after a cursor)
// and last/before (a page from the end, or from before a cursor), and
// answers nodes, edges (each node with its cursor) and pageInfo. The
// rules of the paging arguments live in paging below, a cursor's format in
// encodeCursor and decodeCursor; every list and the compiled reads use
// them.

// paging are a connection's paging arguments as the client gave them.
type paging struct {
	first, last   *int
	after, before *string
}

// pageSizes checks the page size arguments and returns the size of a
// forward page (first, 50 when neither is given) or of a backward one
// (last); exactly one is above zero. It returns EINVALID naming the
// argument for a size outside 1 to maxPageSize, or for first and last
// together (a page is read from one end).
func (pg paging) pageSizes() (first, last int, err error) {
	if pg.first != nil && pg.last != nil {
		return 0, 0, model.FieldErrorf(model.EINVALID, "last", "first and last cannot be used together: page forwards with first/after or backwards with last/before")
	}
	for _, a := range []struct {
		name string
		v    *int
	}{{"first", pg.first}, {"last", pg.last}} {
		if a.v != nil && (*a.v < 1 || *a.v > maxPageSize) {
			return 0, 0, model.FieldErrorf(model.EINVALID, a.name, "%s must be between 1 and %d, got %d", a.name, maxPageSize, *a.v)
		}
	}
	if pg.last != nil {
		return 0, *pg.last, nil
	}
	if pg.first != nil {
		return *pg.first, 0, nil
	}
	return defaultPageSize, 0, nil
}

// cursors decodes the after and before cursors of a list of kind (its
// label), "" for one not given.
func (pg paging) cursors(kind string) (after, before string, err error) {
	if pg.after != nil && *pg.after != "" {
		if after, err = decodeCursor(kind, "after", *pg.after); err != nil {
			return "", "", err
		}
	}
	if pg.before != nil && *pg.before != "" {
		if before, err = decodeCursor(kind, "before", *pg.before); err != nil {
			return "", "", err
		}
	}
	return after, before, nil
}

// encodeCursor returns the cursor of the item with the given key (an id,
// or an audit event's time and id) in a list of kind. A cursor names its
// list's kind, so that one from another list is refused rather than read
// as a position in this one, and holds the key, not an offset, so that it
// keeps its place when items are added or removed.
func encodeCursor(kind, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + key))
}

// decodeCursor returns the key of a cursor of a list of kind given as the
// argument arg. It returns EINVALID naming arg for anything else: a
// malformed cursor, or one of another list.
func decodeCursor(kind, arg, c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	key, ok := strings.CutPrefix(string(b), kind+":")
	if err != nil || !ok || key == "" {
		return "", badCursor(arg)
	}
	return key, nil
}

// badCursor is the error of a cursor argument arg that is not a cursor of
// the list it was given to.
func badCursor(arg string) error {
	return model.FieldErrorf(model.EINVALID, arg, "%s is not a cursor of this list: pass back a cursor (an edge's cursor, startCursor or endCursor) of the same field unchanged", arg)
}

// pageInfo returns the page information of a page of a list of kind whose
// first and last items have the keys first and last ("" for an empty
// page).
func pageInfo(kind string, hasPrevious, hasNext bool, first, last string) *model.PageInfo {
	info := &model.PageInfo{HasNextPage: hasNext, HasPreviousPage: hasPrevious}
	if first != "" {
		c := encodeCursor(kind, first)
		info.StartCursor = &c
	}
	if last != "" {
		c := encodeCursor(kind, last)
		info.EndCursor = &c
	}
	return info
}

// pageInfoOf returns the page information of the page items of a list of
// kind, key giving each item's cursor key.
func pageInfoOf[N any](kind string, hasPrevious, hasNext bool, items []N, key func(N) string) *model.PageInfo {
	first, last := "", ""
	if n := len(items); n > 0 {
		first, last = key(items[0]), key(items[n-1])
	}
	return pageInfo(kind, hasPrevious, hasNext, first, last)
}

// edgesOf returns the edges of the items of a page of a list of kind,
// made by edge from each item and its cursor (of the key key gives).
func edgesOf[N, E any](kind string, items []N, key func(N) string, edge func(cursor string, n N) E) []E {
	out := make([]E, len(items))
	for i, n := range items {
		out[i] = edge(encodeCursor(kind, key(n)), n)
	}
	return out
}

// nodeKey is the cursor key of a node: its id.
func nodeKey[N any](n N) string { return any(n).(model.Node).GetID() }

// The edge constructors of each connection.

func organizationEdge(c string, n *model.Organization) *model.OrganizationEdge {
	return &model.OrganizationEdge{Cursor: c, Node: n}
}
func targetEdge(c string, n *model.Target) *model.TargetEdge {
	return &model.TargetEdge{Cursor: c, Node: n}
}
func threatEdge(c string, n *model.Threat) *model.ThreatEdge {
	return &model.ThreatEdge{Cursor: c, Node: n}
}
func measureEdge(c string, n *model.Measure) *model.MeasureEdge {
	return &model.MeasureEdge{Cursor: c, Node: n}
}
func guidelineEdge(c string, n *model.Guideline) *model.GuidelineEdge {
	return &model.GuidelineEdge{Cursor: c, Node: n}
}
func analysisEdge(c string, n *model.Analysis) *model.AnalysisEdge {
	return &model.AnalysisEdge{Cursor: c, Node: n}
}
func policyEdge(c string, n *model.InsurancePolicy) *model.InsurancePolicyEdge {
	return &model.InsurancePolicyEdge{Cursor: c, Node: n}
}
func feedbackEdge(c string, n *model.Feedback) *model.FeedbackEdge {
	return &model.FeedbackEdge{Cursor: c, Node: n}
}
