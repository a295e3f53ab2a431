package resolvers

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Compiled reads. A query's root field `target`, `analysis`, `guideline`,
// `node`, `targets` or `analyses` whose whole selection this file knows is answered by one
// projection (model.Projector: one Cypher query with exactly the selected
// properties and relations, visibility inside it) and written straight as
// JSON from the decoded nodes, without a resolver, a loader or a goroutine
// per field; the scales in force come with the same query. Any other
// selection, and any error, takes the resolvers' path (next), which stays the reference: TestCompiledReadsEqualResolvers
// checks that both give the same bytes for each shape.
//
// What is compiled: the fields listed in compiledTypes below, fragments,
// aliases and @skip/@include included. What is not (and so takes the
// resolvers' path for the whole root field): every other field, for
// example Assessment.changedSinceSubmission, Analysis.policies,
// Analysis.supersedes, Analysis.sharedWithOrganizations, Target.analyses
// below an assessment's threats or assets, Measure.mitigates, the clause
// lists and mappings of guidelines and clauses.

// fieldKind is how a compiled field gets its value.
type fieldKind int

const (
	scalarField   fieldKind = iota // a property of the node
	typenameField                  // __typename
	storeField                     // nodes a relation of the projection read
	scalesField                    // an object the scales in force give (axis levels, perspectives)
)

// fieldSpec says how to compile and write one field of a type.
type fieldSpec struct {
	kind  fieldKind
	props []string // the properties it needs
	// write writes a scalar field of the node n.
	write func(w io.Writer, n any)
	// rel, child and list describe a storeField (child also a
	// scalesField): the relation, the type it leads to and whether it is
	// a list.
	rel   model.Relation
	child string
	list  bool
	// fromScales returns a scalesField's object for the node n.
	fromScales func(s *model.Scales, n any) any
	// submitted returns what a submitted assessment rated instead of the
	// node read (the assessment is n for its fields, the parent of n for
	// a treatment's measure); nil when there is nothing to replace.
	submitted     func(n, parent any) any
	submittedList func(n any) ([]any, bool)
	// status reads the field's `status` argument (Target.analyses).
	status bool
	// inForce reads the field's `includeWithdrawn` argument and keeps the
	// clauses clauseInForce keeps.
	inForce bool
}

// typeSpec is one compiled GraphQL object type.
type typeSpec struct {
	name      string
	satisfies []string // the type and its interfaces, for field collection
	always    []string // properties read whatever is selected
	fields    map[string]*fieldSpec
	// readable, if set, keeps only the nodes the caller may read (the Go
	// rule, checked again after the query's Cypher twin).
	readable func(p *model.Principal, n any) bool
}

// planNode is the compiled selection of one object.
type planNode struct {
	typ    *typeSpec
	fields []planField
}

// planField is one selected field: its response key, how to get it, the
// index of its relation in the projection (store fields) and the plan of
// its object.
type planField struct {
	alias string
	spec  *fieldSpec
	rel   int
	child *planNode
	// includeWithdrawn is the argument of a list of clauses.
	includeWithdrawn *bool
}

// planner compiles one operation's selections.
type planner struct {
	oc     *graphql.OperationContext
	scales bool // whether a field needs the scales
}

// plan compiles sel on an object of type typ; ok is false when a field is
// not compiled.
func (pl *planner) plan(typ *typeSpec, sel ast.SelectionSet) (*planNode, *model.Projection, bool) {
	node := &planNode{typ: typ}
	proj := &model.Projection{}
	props := map[string]bool{}
	addProps := func(ps []string) {
		for _, p := range ps {
			if !props[p] {
				props[p] = true
				proj.Props = append(proj.Props, p)
			}
		}
	}
	addProps(typ.always)
	for _, f := range graphql.CollectFields(pl.oc, sel, typ.satisfies) {
		if f.Name == "__typename" {
			node.fields = append(node.fields, planField{alias: f.Alias, spec: &fieldSpec{kind: typenameField}})
			continue
		}
		spec, ok := typ.fields[f.Name]
		if !ok {
			return nil, nil, false
		}
		pf := planField{alias: f.Alias, spec: spec}
		addProps(spec.props)
		switch spec.kind {
		case scalesField:
			pl.scales = true
			child, childProj, ok := pl.plan(compiledTypes[spec.child], f.Selections)
			if !ok || len(childProj.Rels) > 0 {
				return nil, nil, false
			}
			pf.child = child
		case storeField:
			child, childProj, ok := pl.plan(compiledTypes[spec.child], f.Selections)
			if !ok || (spec.submittedList != nil && len(childProj.Rels) > 0) {
				return nil, nil, false // a submitted list is shown as kept: its nodes' relations are not read
			}
			rp := &model.RelProjection{Rel: spec.rel, Child: childProj}
			if spec.status {
				st, ok := statusArg(f.Field, pl.oc.Variables)
				if !ok {
					return nil, nil, false
				}
				rp.Status = st
			}
			if spec.inForce {
				v, ok := argMap(f.Field, pl.oc.Variables)["includeWithdrawn"]
				if b, isBool := v.(bool); isBool {
					pf.includeWithdrawn = &b
				} else if !ok || v != nil {
					return nil, nil, false
				}
				if !slices.Contains(childProj.Props, "withdrawn") {
					childProj.Props = append(childProj.Props, "withdrawn")
				}
			}
			pf.rel = len(proj.Rels)
			proj.Rels = append(proj.Rels, rp)
			pf.child = child
		}
		node.fields = append(node.fields, pf)
	}
	return node, proj, true
}

// statusArg reads an optional AnalysisStatus argument named status.
func statusArg(f *ast.Field, vars map[string]any) (*model.AnalysisStatus, bool) {
	v, ok := argMap(f, vars)["status"]
	if !ok || v == nil {
		return nil, true
	}
	s, ok := v.(string)
	st := model.AnalysisStatus(s)
	if !ok || !st.IsValid() {
		return nil, false
	}
	return &st, true
}

// argMap returns f's arguments with their defaults; nil if they cannot be
// read (the resolvers' path then reports the error).
func argMap(f *ast.Field, vars map[string]any) (m map[string]any) {
	defer func() {
		if recover() != nil {
			m = nil
		}
	}()
	return f.ArgumentMap(vars)
}

// intArg and strArg read optional arguments; ok is false for a value of
// another type.
func intArg(args map[string]any, name string) (*int, bool) {
	switch v := args[name].(type) {
	case nil:
		return nil, true
	case int64:
		n := int(v)
		return &n, true
	case int:
		return &v, true
	case json.Number:
		n, err := strconv.Atoi(string(v))
		return &n, err == nil
	}
	return nil, false
}

func strArg(args map[string]any, name string) (*string, bool) {
	switch v := args[name].(type) {
	case nil:
		return nil, true
	case string:
		return &v, true
	}
	return nil, false
}

// compiledRoot answers the root field in ctx from one projection, or
// returns ok false for the resolvers to answer it.
func compiledRoot(ctx context.Context, proj model.Projector, log *slog.Logger) (graphql.Marshaler, bool) {
	oc := graphql.GetOperationContext(ctx)
	rf := graphql.GetRootFieldContext(ctx)
	if oc == nil || rf == nil || oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return nil, false
	}
	args := argMap(rf.Field.Field, oc.Variables)
	if args == nil {
		return nil, false
	}
	var root model.ProjectionRoot
	var conn string // the connection type of a list root
	var typ *typeSpec
	var kind string // a list root's kind, for its cursors
	switch rf.Field.Name {
	case "target", "analysis", "guideline":
		id, ok := args["id"].(string)
		if !ok {
			return nil, false
		}
		label := map[string]string{"target": model.LabelTarget, "analysis": model.LabelAnalysis, "guideline": model.LabelGuideline}[rf.Field.Name]
		typ, root = compiledTypes[label], model.ProjectionRoot{Label: label, ID: id}
	case "targets", "analyses":
		q, ok := listRoot(ctx, rf.Field.Name, args)
		if !ok {
			return nil, false
		}
		root, kind = model.ProjectionRoot{List: &q}, q.Label
		typ = compiledTypes[q.Label]
		conn = typ.name + "Connection"
	case "node":
		id, ok := args["id"].(string)
		if !ok {
			return nil, false
		}
		root = model.ProjectionRoot{ID: id, ByLabel: map[string]*model.Projection{}}
	default:
		return nil, false
	}
	pl := &planner{oc: oc}
	if root.ByLabel != nil {
		return compiledNode(ctx, pl, proj, root, rf.Field.Selections, log)
	}
	var plan *planNode
	var p *model.Projection
	var connFields []graphql.CollectedField
	if conn == "" {
		var ok bool
		if plan, p, ok = pl.plan(typ, rf.Field.Selections); !ok {
			return nil, false
		}
	} else {
		var ok bool
		if connFields, plan, p, ok = pl.connection(typ, rf.Field.Selections); !ok {
			return nil, false
		}
	}
	page, wr, ok := project(ctx, proj, root, p, pl, log)
	if !ok {
		return nil, false
	}
	return graphql.WriterFunc(func(w io.Writer) {
		wr.w = w
		if conn == "" {
			wr.single(plan, page.Nodes, nil)
			return
		}
		wr.connection(oc, connFields, kind, typ, plan, page)
	}), true
}

// connection compiles the selection of a TargetConnection or
// AnalysisConnection of nodes of type typ: its fields, the plan of its
// nodes (nil when neither nodes nor edges.node is selected) and their
// projection. The nodes may be selected once, as nodes or as edges' node
// (a second selection of them takes the resolvers' path).
func (pl *planner) connection(typ *typeSpec, sel ast.SelectionSet) ([]graphql.CollectedField, *planNode, *model.Projection, bool) {
	fields := graphql.CollectFields(pl.oc, sel, []string{typ.name + "Connection"})
	var plan *planNode
	p := &model.Projection{}
	nodes := func(sel ast.SelectionSet) bool {
		if plan != nil {
			return false
		}
		var ok bool
		plan, p, ok = pl.plan(typ, sel)
		return ok
	}
	for _, f := range fields {
		switch f.Name {
		case "__typename", "totalCount":
		case "pageInfo":
			for _, pf := range graphql.CollectFields(pl.oc, f.Selections, []string{"PageInfo"}) {
				if !slices.Contains(pageInfoFields, pf.Name) {
					return nil, nil, nil, false
				}
			}
		case "nodes":
			if !nodes(f.Selections) {
				return nil, nil, nil, false
			}
		case "edges":
			for _, ef := range graphql.CollectFields(pl.oc, f.Selections, []string{typ.name + "Edge"}) {
				switch ef.Name {
				case "__typename", "cursor":
				case "node":
					if !nodes(ef.Selections) {
						return nil, nil, nil, false
					}
				default:
					return nil, nil, nil, false
				}
			}
		default:
			return nil, nil, nil, false
		}
	}
	return fields, plan, p, true
}

// pageInfoFields are the fields of PageInfo.
var pageInfoFields = []string{"__typename", "hasNextPage", "hasPreviousPage", "startCursor", "endCursor"}

// nodeRootTypes are the types `node(id:)` compiles, named as their labels;
// a node of another kind takes the resolvers' path.
var nodeRootTypes = []string{"Organization", "Department", "Target", "Asset", "Incident", "Threat", "Measure", "Guideline", "Clause", "Analysis", "Assessment"}

// compiledNode answers `node(id:)` from one projection with a plan per
// type the node may have.
func compiledNode(ctx context.Context, pl *planner, proj model.Projector, root model.ProjectionRoot, sel ast.SelectionSet, log *slog.Logger) (graphql.Marshaler, bool) {
	plans := map[string]*planNode{}
	for _, name := range nodeRootTypes {
		plan, p, ok := pl.plan(compiledTypes[name], sel)
		if !ok {
			return nil, false
		}
		plans[name], root.ByLabel[name] = plan, p
	}
	page, wr, ok := project(ctx, proj, root, nil, pl, log)
	if !ok || (len(page.Nodes) > 0 && page.Nodes[0].Node == nil) {
		return nil, false // an error, or a kind compiled reads do not know
	}
	return graphql.WriterFunc(func(w io.Writer) {
		wr.w = w
		if len(page.Nodes) == 0 {
			w.Write(jsonNull)
			return
		}
		el := page.Nodes[0]
		wr.single(plans[el.Kind], page.Nodes, nil)
	}), true
}

// project runs the projection p (nil for a root of any label) of a
// compiled root field and returns its result with the writer that writes
// it; ok is false when the query failed (the resolvers then answer, and
// report the error).
func project(ctx context.Context, proj model.Projector, root model.ProjectionRoot, p *model.Projection, pl *planner, log *slog.Logger) (*model.ProjectedPage, *jsonWriter, bool) {
	principal := model.PrincipalFrom(ctx)
	root.Scales = pl.scales
	page, err := proj.Project(ctx, root, p, principal)
	if err != nil {
		if ctx.Err() == nil { // else the client went away: the error presenter says so, once
			log.DebugContext(ctx, "compiled read failed; answering with the resolvers", "field", graphql.GetRootFieldContext(ctx).Field.Name, "err", err)
		}
		return nil, nil, false
	}
	wr := &jsonWriter{p: principal, scales: page.Scales}
	if wr.scales == nil {
		wr.scales = &model.Scales{} // none stored, or nothing read: every level shows its rank
	}
	return page, wr, true
}

// listRoot reads the arguments of `targets` or `analyses` into a list
// query with the checks of every list (listQuery).
func listRoot(ctx context.Context, field string, args map[string]any) (model.ListQuery, bool) {
	first, ok1 := intArg(args, "first")
	after, ok2 := strArg(args, "after")
	sector, ok3 := strArg(args, "sector")
	text, ok4 := strArg(args, "text")
	last, ok8 := intArg(args, "last")
	before, ok9 := strArg(args, "before")
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok8 || !ok9 {
		return model.ListQuery{}, false
	}
	label, f := model.ListTargets, targetFilters(sector)
	if field == "analyses" {
		targetID, ok5 := strArg(args, "targetId")
		orgID, ok6 := strArg(args, "organizationId")
		status, ok7 := strArg(args, "status")
		if !ok5 || !ok6 || !ok7 || (status != nil && !model.AnalysisStatus(*status).IsValid()) {
			return model.ListQuery{}, false // the resolvers report a bad value
		}
		label, f = model.ListAnalyses, analysisFilters(targetID, orgID, status, sector)
	}
	q, err := listQuery(ctx, label, paging{first, last, after, before}, f, text)
	return q, err == nil
}

// jsonWriter writes a projection's result as the response JSON of a plan,
// as gqlgen would write it (its scalar marshalers, its punctuation).
type jsonWriter struct {
	w      io.Writer
	p      *model.Principal
	scales *model.Scales
}

var (
	jsonNull  = []byte("null")
	jsonComma = []byte{','}
	jsonColon = []byte{':'}
)

// single writes the first readable node of els, or null.
func (wr *jsonWriter) single(plan *planNode, els []*model.Projected, parent any) {
	for _, el := range els {
		if plan.typ.readable == nil || plan.typ.readable(wr.p, el.Node) {
			wr.object(plan, el, el.Node, parent)
			return
		}
	}
	wr.w.Write(jsonNull)
}

// connection writes a TargetConnection or AnalysisConnection of nodes of
// type typ from a list of kind, with plan for its nodes.
func (wr *jsonWriter) connection(oc *graphql.OperationContext, fields []graphql.CollectedField, kind string, typ *typeSpec, plan *planNode, page *model.ProjectedPage) {
	nodes := page.Nodes
	if typ.readable != nil {
		kept := nodes[:0:0]
		for _, el := range nodes {
			if typ.readable(wr.p, el.Node) {
				kept = append(kept, el)
			}
		}
		nodes = kept
	}
	id := func(el *model.Projected) string { return el.Node.(model.Node).GetID() }
	info := pageInfoOf(kind, page.HasPreviousPage, page.HasNextPage, page.Nodes, id)
	wr.w.Write([]byte{'{'})
	for i, f := range fields {
		if i > 0 {
			wr.w.Write(jsonComma)
		}
		wr.key(f.Alias)
		switch f.Name {
		case "__typename":
			graphql.MarshalString(f.ObjectDefinition.Name).MarshalGQL(wr.w)
		case "totalCount":
			graphql.MarshalInt(page.Total).MarshalGQL(wr.w)
		case "nodes":
			wr.list(plan, nodes, nil)
		case "edges":
			efs := graphql.CollectFields(oc, f.Selections, []string{typ.name + "Edge"})
			wr.w.Write([]byte{'['})
			for j, el := range nodes {
				if j > 0 {
					wr.w.Write(jsonComma)
				}
				wr.edge(efs, kind, typ, plan, el, id(el))
			}
			wr.w.Write([]byte{']'})
		case "pageInfo":
			wr.pageInfo(oc, f, info)
		}
	}
	wr.w.Write([]byte{'}'})
}

// edge writes the edge of the node el (whose id is id) of a list of kind.
func (wr *jsonWriter) edge(fields []graphql.CollectedField, kind string, typ *typeSpec, plan *planNode, el *model.Projected, id string) {
	wr.w.Write([]byte{'{'})
	for i, f := range fields {
		if i > 0 {
			wr.w.Write(jsonComma)
		}
		wr.key(f.Alias)
		switch f.Name {
		case "__typename":
			graphql.MarshalString(typ.name + "Edge").MarshalGQL(wr.w)
		case "cursor":
			writeString(wr.w, encodeCursor(kind, id))
		case "node":
			wr.object(plan, el, el.Node, nil)
		}
	}
	wr.w.Write([]byte{'}'})
}

// pageInfo writes the PageInfo field f.
func (wr *jsonWriter) pageInfo(oc *graphql.OperationContext, f graphql.CollectedField, info *model.PageInfo) {
	wr.w.Write([]byte{'{'})
	for j, pf := range graphql.CollectFields(oc, f.Selections, []string{"PageInfo"}) {
		if j > 0 {
			wr.w.Write(jsonComma)
		}
		wr.key(pf.Alias)
		switch pf.Name {
		case "__typename":
			graphql.MarshalString("PageInfo").MarshalGQL(wr.w)
		case "hasNextPage":
			writeBool(wr.w, info.HasNextPage)
		case "hasPreviousPage":
			writeBool(wr.w, info.HasPreviousPage)
		case "startCursor":
			optString(wr.w, info.StartCursor)
		case "endCursor":
			optString(wr.w, info.EndCursor)
		}
	}
	wr.w.Write([]byte{'}'})
}

func (wr *jsonWriter) key(k string) {
	graphql.MarshalString(k).MarshalGQL(wr.w)
	wr.w.Write(jsonColon)
}

// list writes the readable nodes of els.
func (wr *jsonWriter) list(plan *planNode, els []*model.Projected, parent any) {
	wr.w.Write([]byte{'['})
	n := 0
	for _, el := range els {
		if plan.typ.readable != nil && !plan.typ.readable(wr.p, el.Node) {
			continue
		}
		if n > 0 {
			wr.w.Write(jsonComma)
		}
		n++
		wr.object(plan, el, el.Node, parent)
	}
	wr.w.Write([]byte{']'})
}

// object writes the node obj (read as el, which may be nil for an object
// that is not the store's: a submitted record, a level of the scales) with
// the fields of plan; parent is the object it is a field of.
func (wr *jsonWriter) object(plan *planNode, el *model.Projected, obj, parent any) {
	w := wr.w
	w.Write([]byte{'{'})
	for i, f := range plan.fields {
		if i > 0 {
			w.Write(jsonComma)
		}
		wr.key(f.alias)
		switch f.spec.kind {
		case typenameField:
			graphql.MarshalString(plan.typ.name).MarshalGQL(w)
		case scalarField:
			f.spec.write(w, obj)
		case scalesField:
			if v := f.spec.fromScales(wr.scales, obj); v != nil {
				wr.object(f.child, nil, v, obj)
			} else {
				w.Write(jsonNull)
			}
		case storeField:
			var els []*model.Projected
			if el != nil && f.rel < len(el.Rels) {
				els = el.Rels[f.rel]
			}
			wr.storeField(f, els, obj, parent)
		}
	}
	w.Write([]byte{'}'})
}

// storeField writes the nodes a relation read, or what a submitted
// assessment kept instead.
func (wr *jsonWriter) storeField(f planField, els []*model.Projected, obj, parent any) {
	if f.spec.list {
		if f.spec.submittedList != nil {
			if kept, ok := f.spec.submittedList(obj); ok {
				wr.w.Write([]byte{'['})
				for i, k := range kept {
					if i > 0 {
						wr.w.Write(jsonComma)
					}
					wr.object(f.child, nil, k, obj)
				}
				wr.w.Write([]byte{']'})
				return
			}
		}
		if f.spec.inForce {
			kept := make([]*model.Projected, 0, len(els))
			for _, el := range els {
				if clauseInForce(el.Node.(*model.Clause), f.includeWithdrawn) {
					kept = append(kept, el)
				}
			}
			els = kept
		}
		wr.list(f.child, els, obj)
		return
	}
	var el *model.Projected
	var node any
	if len(els) > 0 {
		el, node = els[0], els[0].Node
	}
	if f.spec.submitted != nil {
		if kept := f.spec.submitted(obj, parent); kept != nil {
			node = kept // its relations are the stored node's, read as el
		}
	}
	if node == nil || (f.child.typ.readable != nil && !f.child.typ.readable(wr.p, node)) {
		wr.w.Write(jsonNull)
		return
	}
	wr.object(f.child, el, node, obj)
}

// Scalar writers, with gqlgen's marshalers.

func writeString(w io.Writer, s string) { graphql.MarshalString(s).MarshalGQL(w) }
func writeID(w io.Writer, s string)     { graphql.MarshalID(s).MarshalGQL(w) }
func writeInt(w io.Writer, n int)       { graphql.MarshalInt(n).MarshalGQL(w) }
func writeBool(w io.Writer, b bool)     { graphql.MarshalBoolean(b).MarshalGQL(w) }
func writeTime(w io.Writer, t time.Time) {
	graphql.MarshalTime(t).MarshalGQL(w)
}

func optString(w io.Writer, s *string) {
	if s == nil {
		w.Write(jsonNull)
		return
	}
	writeString(w, *s)
}

func optFloat(w io.Writer, f *float64) {
	if f == nil {
		w.Write(jsonNull)
		return
	}
	if err := graphql.MarshalFloatContext(*f).MarshalGQLContext(context.Background(), w); err != nil {
		w.Write(jsonNull)
	}
}

func optTime(w io.Writer, t *time.Time) {
	if t == nil {
		w.Write(jsonNull)
		return
	}
	writeTime(w, *t)
}

func writeStrings(w io.Writer, ss []string) {
	w.Write([]byte{'['})
	for i, s := range ss {
		if i > 0 {
			w.Write(jsonComma)
		}
		writeString(w, s)
	}
	w.Write([]byte{']'})
}
