package resolvers

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// importFormats maps the GraphQL ImportFormat to ingest's format names.
var importFormats = map[model.ImportFormat]ingest.Format{
	model.ImportFormatAuto:         ingest.FormatAuto,
	model.ImportFormatNative:       ingest.FormatNative,
	model.ImportFormatStix:         ingest.FormatSTIX,
	model.ImportFormatOscalCatalog: ingest.FormatOSCALCatalog,
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
// organization that owns what it would overwrite; a submitted analysis
// stays as it is (a document that would change one is refused). A problem
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
	dry := dryRun != nil && *dryRun
	if f == ingest.FormatNative {
		submitted, err := r.authorizeNative(ctx, b)
		if err != nil {
			return nil, err
		}
		if len(submitted) > 0 && !dry {
			if err := r.keepSubmitted(ctx, b, submitted); err != nil {
				return nil, err
			}
		}
	}
	rep, err := r.Loader.LoadBatch(ctx, b, dry)
	if err != nil {
		return nil, importError(err)
	}
	if !dry {
		for _, target := range batchTargets(b) {
			r.analysisChanged(ctx, target)
		}
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
var ownedLabels = []string{ingest.LabelOrganization, ingest.LabelDepartment, ingest.LabelAnalysis, ingest.LabelAssessment,
	ingest.LabelTreatment, ingest.LabelPolicy, ingest.LabelCoverageLine}

// authorizeNative checks that the caller may write every organization a
// native batch writes for, as the batch says and as the stored nodes it
// would overwrite say. It returns the ids of stored analyses that are no
// longer drafts.
func (r *mutationResolver) authorizeNative(ctx context.Context, b *ingest.Batch) ([]string, error) {
	orgs := map[string]bool{}
	var ids []string
	for _, n := range b.Nodes {
		str := func(k string) string { s, _ := n.Props[k].(string); return s }
		switch n.Label {
		case ingest.LabelOrganization:
			orgs[n.ID] = true
		case ingest.LabelDepartment, ingest.LabelAnalysis:
			orgs[str("organizationId")] = true
		case ingest.LabelPolicy:
			orgs[str("holderId")] = true
		}
		if slices.Contains(ownedLabels, n.Label) {
			ids = append(ids, n.ID)
		}
	}
	delete(orgs, "")
	var submitted []string
	// Stored nodes name their owner directly or through a parent: an
	// assessment its analysis, a treatment its assessment, a line its policy.
	for round := 0; len(ids) > 0 && round < 3; round++ {
		stored, err := r.Store.Nodes(ctx, ids)
		if err != nil {
			return nil, err
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
				if n.Status != model.AnalysisStatusDraft {
					submitted = append(submitted, n.ID)
				}
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
			return nil, err
		}
	}
	for _, org := range slices.Sorted(maps.Keys(orgs)) {
		if _, err := model.RequireWriter(ctx, org); err != nil {
			return nil, err
		}
	}
	slices.Sort(submitted)
	return slices.Compact(submitted), nil
}

// analysisLabels are what a native document changes of an analysis.
var analysisLabels = []string{ingest.LabelAnalysis, ingest.LabelAssessment, ingest.LabelTreatment}

// analysisRels are the relationships that hang from an analysis.
var analysisRels = []string{ingest.RelAuthored, ingest.RelAnalyzes, ingest.RelHasAssessment, ingest.RelOf, ingest.RelCausedBy,
	ingest.RelThrough, ingest.RelOwnedBy, ingest.RelTreatedBy, ingest.RelApplies, ingest.RelReliesOn}

// keepSubmitted refuses, after a dry run, a document that would change any
// analysis when one it names is submitted: a submitted version is immutable
// (revise it instead). Loading such a document unchanged is allowed.
func (r *mutationResolver) keepSubmitted(ctx context.Context, b *ingest.Batch, submitted []string) error {
	rep, err := r.Loader.LoadBatch(ctx, b, true)
	if err != nil {
		return importError(err)
	}
	changed := func(m map[string]ingest.Counts, kinds []string) bool {
		for _, k := range kinds {
			if c := m[k]; c.Created+c.Updated > 0 {
				return true
			}
		}
		return false
	}
	if changed(rep.Nodes, analysisLabels) || changed(rep.Rels, analysisRels) {
		return model.Errorf(model.ECONFLICT, "analysis %s is submitted and cannot change; revise it (reviseAnalysis) and import the document as the new version", strings.Join(submitted, ", "))
	}
	return nil
}

// batchTargets lists the targets of the analyses a batch writes.
func batchTargets(b *ingest.Batch) []string {
	var out []string
	for _, n := range b.Nodes {
		if n.Label != ingest.LabelAnalysis {
			continue
		}
		if t, _ := n.Props["targetId"].(string); t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}
