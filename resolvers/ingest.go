package resolvers

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// importFormats maps the GraphQL ImportFormat to ingest's format names.
var importFormats = map[model.ImportFormat]ingest.Format{
	model.ImportFormatAuto:         ingest.FormatAuto,
	model.ImportFormatNative:       ingest.FormatNative,
	model.ImportFormatStix:         ingest.FormatSTIX,
	model.ImportFormatOscalCatalog: ingest.FormatOSCALCatalog,
	model.ImportFormatOscalProfile: ingest.FormatOSCALProfile,
	model.ImportFormatOscalMapping: ingest.FormatOSCALMapping,
	model.ImportFormatCSVCrosswalk: ingest.FormatCSVCrosswalk,
	model.ImportFormatCisoLibrary:  ingest.FormatCISOLibrary,
}

// catalogImporters may import catalogs and crosswalks (every format but
// native documents).
var catalogImporters = []model.Role{model.RoleCurator, model.RoleAdmin}

// importNameMax is the longest document name a request may give.
const importNameMax = 200

// importDocument parses content and loads it through r.Loader in one
// transaction. Catalogs and crosswalks need a curator or admin. A native
// document needs a writer of every organization it writes for (its
// analysis's, its departments', its policies' holders') and of every
// organization that owns what it would overwrite, and may change only what
// the caller could change with mutations (authorizeNativeChanges); a
// submitted analysis stays as it is (a document that would change one is
// refused). A problem
// with the document is BAD_USER_INPUT, its message naming the location.
func (r *mutationResolver) importDocument(ctx context.Context, format *model.ImportFormat, content string, name *string, dryRun *bool) (*ingest.Report, error) {
	p, err := model.Require(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Is(model.RoleAnalyst, model.RoleOrgAdmin, model.RoleCurator) {
		return nil, model.Errorf(model.EFORBIDDEN, "importing documents needs a curator or admin (catalogs, crosswalks) or an analyst or org-admin (native analysis documents); the token has %s", p.Role)
	}
	if r.Loader == nil {
		return nil, model.Errorf(model.EUNAVAILABLE, "this server cannot load documents")
	}
	f := ingest.FormatAuto
	if format != nil {
		f = importFormats[*format]
	}
	src := "request"
	if name != nil && strings.TrimSpace(*name) != "" {
		if len(*name) > importNameMax {
			return nil, model.FieldErrorf(model.EINVALID, "name", "the name is longer than %d bytes", importNameMax)
		}
		src = *name
	}
	data := []byte(content)
	if f == ingest.FormatAuto {
		if f, err = ingest.DetectFormat(src, data); err != nil {
			return nil, importError(err)
		}
	}
	var opts ingest.ParseOptions
	if f == ingest.FormatNative {
		if opts.Scales, err = r.Store.Scales(ctx); err != nil {
			return nil, err
		}
	} else if _, err := model.Require(ctx, catalogImporters...); err != nil {
		return nil, err
	}
	b, err := ingest.Parse(src, data, f, opts)
	if err != nil {
		return nil, importError(err)
	}
	if f == ingest.FormatNative {
		// The rights are checked inside the load's transaction, against the
		// stored nodes it locks, so that nothing can change between the
		// check and the write (a concurrent rename, a new department).
		ctx = ingest.WithGuard(ctx, func(ctx context.Context, stored ingest.StoredNodes) error {
			if err := authorizeNative(ctx, b, stored); err != nil {
				return err
			}
			return checkReliance(ctx, b, stored)
		})
	}
	// The loader refuses, in the load's own transaction, a document that
	// would change a submitted analysis.
	rep, err := r.Loader.LoadBatch(ctx, b, dryRun != nil && *dryRun)
	if err != nil {
		return nil, importError(err)
	}
	return rep, nil
}

// importError turns a problem with the document into BAD_USER_INPUT on the
// content argument, its message naming the file and the location; other
// errors pass as they are.
func importError(err error) error {
	if ie, ok := errors.AsType[*ingest.Error](err); ok {
		return &model.Error{Code: model.EINVALID, Field: "content", Message: ie.Error()}
	}
	return err
}

// ownedLabels are the labels of nodes an organization owns.
var ownedLabels = []string{model.LabelOrganization, model.LabelDepartment, model.LabelAnalysis, model.LabelAssessment,
	model.LabelTreatment, model.LabelInsurancePolicy, model.LabelCoverageLine}

// authorizeNative checks that the caller may write every organization a
// native batch writes for, as the batch says and as the stored nodes it
// would overwrite say.
func authorizeNative(ctx context.Context, b *ingest.Batch, storedNodes ingest.StoredNodes) error {
	orgs := map[string]bool{}
	var ids []string
	for _, n := range b.Nodes {
		str := func(k string) string { s, _ := n.Props[k].(string); return s }
		switch n.Label {
		case model.LabelOrganization:
			orgs[n.ID] = true
		case model.LabelDepartment, model.LabelAnalysis:
			orgs[str("organizationId")] = true
		case model.LabelInsurancePolicy:
			orgs[str("holderId")] = true
		}
		if slices.Contains(ownedLabels, n.Label) {
			ids = append(ids, n.ID)
		}
	}
	delete(orgs, "")
	// The organizations the document names first: refusing them does not
	// depend on what is stored.
	for _, org := range slices.Sorted(maps.Keys(orgs)) {
		if _, err := model.RequireWriter(ctx, org); err != nil {
			return err
		}
	}
	// Stored nodes name their owner directly or through a parent: an
	// assessment its analysis, a treatment its assessment, a line its policy.
	for round := 0; len(ids) > 0 && round < 3; round++ {
		stored, err := storedNodes(ctx, ids)
		if err != nil {
			return err
		}
		if round == 0 {
			if err := nativeIDsFree(ctx, b, stored); err != nil {
				return err
			}
		}
		ids = nil
		for _, n := range stored {
			switch n := n.(type) {
			case *model.Organization:
				orgs[n.ID] = true
			case *model.Department:
				orgs[n.OrganizationID] = true
			case *model.Analysis:
				orgs[n.OrganizationID] = true
			case *model.InsurancePolicy:
				orgs[n.HolderID] = true
			case *model.Assessment:
				ids = append(ids, n.AnalysisID)
			case *model.Treatment:
				ids = append(ids, n.AssessmentID)
			case *model.CoverageLine:
				ids = append(ids, n.PolicyID)
			}
		}
	}
	delete(orgs, "")
	if len(orgs) == 0 {
		if _, err := model.Require(ctx, catalogImporters...); err != nil {
			return err
		}
	}
	for _, org := range slices.Sorted(maps.Keys(orgs)) {
		if _, err := model.RequireWriter(ctx, org); err != nil {
			return err
		}
	}
	if err := authorizeNativeChanges(ctx, b, storedNodes); err != nil {
		return err
	}
	if err := authorizeNativeTargets(ctx, b, storedNodes); err != nil {
		return err
	}
	return authorizeNativeCatalog(ctx, b, storedNodes)
}

// authorizeNativeCatalog applies model.Principal.EditsShared to the threats
// and measures a native batch defines, as updateThreat and updateMeasure
// would: a stored one whose fields the document changes needs an editor
// of it (its owner organization's analysts and org-admins, curators,
// admins); one the document creates is owned by the caller's organization,
// as createThreat's would be (the batch is given that owner here). Entries
// the document repeats unchanged, as an exported analysis repeats the
// catalog entries it cites, need nothing more. It returns EFORBIDDEN with a
// message that starts with the document path.
func authorizeNativeCatalog(ctx context.Context, b *ingest.Batch, storedNodes ingest.StoredNodes) error {
	p := model.PrincipalFrom(ctx)
	stored, err := storedOf(ctx, b, storedNodes, model.LabelThreat, model.LabelMeasure)
	if err != nil || stored == nil {
		return err
	}
	same := func(a *string, v any) bool {
		s, _ := v.(string)
		return (a == nil && v == nil) || (a != nil && *a == s)
	}
	threats, measures := 0, 0
	for i, n := range b.Nodes {
		str := func(k string) string { s, _ := n.Props[k].(string); return s }
		var path, what string
		var owner *string
		switch n.Label {
		case model.LabelThreat:
			path = fmt.Sprintf("threats[%d]", threats)
			threats++
			x, _ := stored[n.ID].(*model.Threat)
			if x == nil {
				break
			}
			if x.Name == str("name") && x.Kind == str("kind") && x.Description == str("description") &&
				same(x.ExternalID, n.Props["externalId"]) && same(x.Source, n.Props["source"]) {
				continue
			}
			what, owner = "threat "+x.ID, x.OwnerID
		case model.LabelMeasure:
			path = fmt.Sprintf("measures[%d]", measures)
			measures++
			x, _ := stored[n.ID].(*model.Measure)
			if x == nil {
				break
			}
			if x.Name == str("name") && x.Kind == str("kind") && x.Description == str("description") && x.PerspectiveCode == str("perspective") {
				continue
			}
			what, owner = "measure "+x.ID, x.OwnerID
		default:
			continue
		}
		if what == "" { // new: the caller's organization owns it
			props := maps.Clone(n.Props)
			props["ownerId"] = p.OrganizationID
			b.Nodes[i].Props = props
			continue
		}
		if _, err := model.RequireEditor(ctx, what, "", owner); err != nil {
			return model.Errorf(model.EFORBIDDEN, "%s: %s", path, model.ErrorMessage(err))
		}
	}
	return nil
}

// nativeIDsFree refuses a native batch that names a stored analysis,
// assessment or insurance policy the caller may not read, with the
// CONFLICT "<kind> <id> already exists" that createAnalysis answers for an
// id in use: neither names its owner nor tells it from a public node with
// that id (README, "Errors for ids you may not see").
func nativeIDsFree(ctx context.Context, b *ingest.Batch, stored map[string]model.Node) error {
	for _, n := range b.Nodes {
		switch s := stored[n.ID].(type) {
		case *model.Analysis, *model.Assessment, *model.InsurancePolicy:
			ok, err := canSee(ctx, s)
			if err != nil {
				return err
			}
			if !ok {
				kind := strings.ToLower(n.Label)
				if n.Label == model.LabelInsurancePolicy {
					kind = "insurance policy"
				}
				return model.Errorf(model.ECONFLICT, "%s %s already exists", kind, n.ID)
			}
		}
	}
	return nil
}

// storedOf reads, in one round trip, the stored nodes with the ids of b's
// nodes of the given labels and of the targets those name (targetId); nil
// when b has no such node.
func storedOf(ctx context.Context, b *ingest.Batch, storedNodes ingest.StoredNodes, labels ...string) (map[string]model.Node, error) {
	var ids []string
	for _, n := range b.Nodes {
		if slices.Contains(labels, n.Label) {
			ids = append(ids, n.ID)
			if t, _ := n.Props["targetId"].(string); t != "" {
				ids = append(ids, t)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return storedNodes(ctx, ids)
}

// authorizeNativeTargets applies model.Principal.EditsShared to the target,
// assets and incidents a native batch writes, as updateTarget, createAsset,
// updateAsset, createIncident and updateIncident would: a stored target
// whose name, sector or description the document changes, and a new or
// changed asset or incident of a stored target, need an editor of that
// target (its owner organization's analysts and org-admins, curators,
// admins). A target the document creates is owned by the caller's
// organization, as createTarget's would be; the batch is given that owner
// here. Nodes the document repeats unchanged need nothing more. It returns
// EFORBIDDEN with a message that starts with the document path.
func authorizeNativeTargets(ctx context.Context, b *ingest.Batch, storedNodes ingest.StoredNodes) error {
	p := model.PrincipalFrom(ctx)
	stored, err := storedOf(ctx, b, storedNodes, model.LabelTarget, model.LabelAsset, model.LabelIncident)
	if err != nil || stored == nil {
		return err
	}
	// edits reports whether the caller may change target id: a stored one
	// by its owner, one the batch creates (owned by the caller's
	// organization) always.
	edits := func(id string) (bool, string) {
		t, _ := stored[id].(*model.Target)
		if t == nil {
			return true, ""
		}
		owner := ""
		if t.OwnerID != nil {
			owner = *t.OwnerID
		}
		return p.EditsShared(owner), owner
	}
	deny := func(path, target, owner string) error {
		who := "only curators and admins (target " + target + " has no owner organization)"
		if owner != "" {
			who = "only analysts and org-admins of organization " + owner + " (which owns target " + target + "), curators and admins"
		}
		return model.Errorf(model.EFORBIDDEN, "%s: %s may change target %s, its assets and its incidents", path, who, target)
	}
	assets, incidents := 0, 0
	for i, n := range b.Nodes {
		str := func(k string) string { s, _ := n.Props[k].(string); return s }
		switch n.Label {
		case model.LabelTarget:
			t, _ := stored[n.ID].(*model.Target)
			if t == nil {
				props := maps.Clone(n.Props)
				props["ownerId"] = p.OrganizationID
				b.Nodes[i].Props = props
				continue
			}
			if t.Name == str("name") && t.Sector == str("sector") && t.Description == str("description") {
				continue
			}
			if ok, owner := edits(n.ID); !ok {
				return deny("target", n.ID, owner)
			}
		case model.LabelAsset:
			path := fmt.Sprintf("target.assets[%d]", assets)
			assets++
			x, _ := stored[n.ID].(*model.Asset)
			if x != nil && x.Name == str("name") && x.Kind == str("kind") && x.Description == str("description") {
				continue
			}
			if ok, owner := edits(str("targetId")); !ok {
				return deny(path, str("targetId"), owner)
			}
		case model.LabelIncident:
			path := fmt.Sprintf("target.incidents[%d]", incidents)
			incidents++
			x, _ := stored[n.ID].(*model.Incident)
			if x != nil && x.Name == str("name") && x.Consequence == str("consequence") && x.Description == str("description") {
				continue
			}
			if ok, owner := edits(str("targetId")); !ok {
				return deny(path, str("targetId"), owner)
			}
		}
	}
	return nil
}

// authorizeNativeChanges applies to what a native batch would change the
// rules the mutations apply to the same change, so that an import does only
// what its caller could do with mutations:
//   - a new organization needs an admin (createOrganization); a changed
//     name or sector, and a new or changed department, need an org-admin of
//     that organization or an admin (updateOrganization, createDepartment,
//     updateDepartment);
//   - an analysis is loaded as SUBMITTED, or with a version or times other
//     than the stored ones (1 and none for a new analysis), only by an admin
//     restoring a backup; others submit through submitAnalysis. A document
//     that repeats a stored submitted analysis unchanged passes (the loader
//     refuses any change to it).
//
// Values that repeat the stored ones unchanged need no more than writing
// for the organization. It returns EFORBIDDEN with a message that starts
// with the document path.
func authorizeNativeChanges(ctx context.Context, b *ingest.Batch, storedNodes ingest.StoredNodes) error {
	stored, err := storedOf(ctx, b, storedNodes, model.LabelOrganization, model.LabelDepartment, model.LabelAnalysis)
	if err != nil || stored == nil {
		return err
	}
	at := func(path string, err error) error {
		return model.Errorf(model.ErrorCode(err), "%s: %s", path, model.ErrorMessage(err))
	}
	dept := 0
	for _, n := range b.Nodes {
		str := func(k string) string { s, _ := n.Props[k].(string); return s }
		switch n.Label {
		case model.LabelOrganization:
			o, _ := stored[n.ID].(*model.Organization)
			switch {
			case o == nil:
				if _, err := model.Require(ctx, model.RoleAdmin); err != nil {
					return at("organization.id", model.Errorf(model.EFORBIDDEN, "only admins may create organization %s", n.ID))
				}
			case o.Name != str("name"):
				if _, err := requireOrgAdmin(ctx, n.ID); err != nil {
					return at("organization.name", err)
				}
			case o.Sector != str("sector"):
				if _, err := requireOrgAdmin(ctx, n.ID); err != nil {
					return at("organization.sector", err)
				}
			}
		case model.LabelDepartment:
			path := fmt.Sprintf("organization.departments[%d]", dept)
			dept++
			org := str("organizationId")
			d, _ := stored[n.ID].(*model.Department)
			if d != nil && d.OrganizationID != org {
				// Moving a department is no mutation's to do.
				return at(path+".id", model.Errorf(model.EFORBIDDEN, "department %s belongs to organization %s", n.ID, d.OrganizationID))
			}
			if d == nil || d.Name != str("name") {
				if _, err := requireOrgAdmin(ctx, org); err != nil {
					return at(path, err)
				}
			}
		case model.LabelAnalysis:
			if model.PrincipalFrom(ctx).Is(model.RoleAdmin) {
				continue
			}
			if err := nativeAnalysisUnchanged(n, stored[n.ID]); err != nil {
				return err
			}
		}
	}
	return nil
}

// nativeAnalysisUnchanged refuses (EFORBIDDEN, naming the path) a
// non-admin's analysis node whose status, version or times are not the
// stored analysis's: SUBMITTED for a new analysis or a stored draft, a
// version other than the stored one (1 for a new analysis), or a time the
// store does not hold.
func nativeAnalysisUnchanged(n ingest.Node, node model.Node) error {
	a, _ := node.(*model.Analysis)
	status, _ := n.Props["status"].(string)
	if status == string(model.AnalysisStatusSubmitted) && (a == nil || a.Status != model.AnalysisStatusSubmitted) {
		return model.Errorf(model.EFORBIDDEN, "analysis.status: only admins may load an analysis as SUBMITTED (restoring a backup); load it as a DRAFT and submit it with submitAnalysis")
	}
	version, _ := n.Props["version"].(int64)
	want := int64(1)
	if a != nil {
		want = int64(a.Version)
	}
	if version != want {
		return model.Errorf(model.EFORBIDDEN, "analysis.version: only admins may set an analysis's version (%d here, %d stored or new); reviseAnalysis starts the next one", version, want)
	}
	for _, k := range []string{"createdAt", "updatedAt", "submittedAt"} {
		v, ok := n.Props[k].(time.Time)
		if !ok {
			continue
		}
		var stored *time.Time
		if a != nil {
			switch k {
			case "createdAt":
				stored = &a.CreatedAt
			case "updatedAt":
				stored = &a.UpdatedAt
			case "submittedAt":
				stored = a.SubmittedAt
			}
		}
		if stored == nil || !stored.Equal(v) {
			return model.Errorf(model.EFORBIDDEN, "analysis.%s: only admins may set an analysis's times (restoring a backup); the store keeps them", k)
		}
	}
	return nil
}

// checkReliance refuses a native batch whose analysis relies on a policy
// that its organization does not hold (model.InsurancePolicy.ReliableFor),
// with the loader's answer for a policy that is not loaded, so that
// another organization's policy is not told apart from a missing one.
// Policies the batch itself writes count with the holder it gives.
func checkReliance(ctx context.Context, b *ingest.Batch, storedNodes ingest.StoredNodes) error {
	analyses, policies := map[string]*model.Analysis{}, map[string]*model.InsurancePolicy{}
	for _, n := range b.Nodes {
		str := func(k string) string { s, _ := n.Props[k].(string); return s }
		switch n.Label {
		case model.LabelAnalysis:
			analyses[n.ID] = &model.Analysis{ID: n.ID, OrganizationID: str("organizationId")}
		case model.LabelInsurancePolicy:
			policies[n.ID] = &model.InsurancePolicy{ID: n.ID, HolderID: str("holderId")}
		}
	}
	var rels []ingest.Rel
	var stored []string
	for _, rel := range b.Rels {
		if rel.Type != model.RelReliesOn {
			continue
		}
		rels = append(rels, rel)
		if policies[rel.To] == nil {
			stored = append(stored, rel.To)
		}
		if analyses[rel.From] == nil {
			stored = append(stored, rel.From)
		}
	}
	if len(stored) > 0 {
		nodes, err := storedNodes(ctx, stored)
		if err != nil {
			return err
		}
		for id, n := range nodes {
			switch n := n.(type) {
			case *model.InsurancePolicy:
				policies[id] = n
			case *model.Analysis:
				analyses[id] = n
			}
		}
	}
	for _, rel := range rels {
		if p := policies[rel.To]; p != nil && !p.ReliableFor(analyses[rel.From]) {
			msg := fmt.Sprintf("insurance policy %s is not loaded", rel.To)
			if rel.Hint != "" { // as the loader says it (graph/neo4j/ingest_load.go)
				msg += fmt.Sprintf("; ingest %s first (or give both files in one run)", rel.Hint)
			}
			return &ingest.Error{File: b.Source, Path: rel.Where, Message: msg}
		}
	}
	return nil
}
