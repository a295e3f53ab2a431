package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// runSeed is `ssfgraph seed --demo`: it loads a small, illustrative data
// set (see seedDemo), and prints a bearer token per demo organization so
// that a newcomer can explore at once.
func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg Config
	fs, envs := cfg.flagSet("seed", stdout, false)
	demo := fs.Bool("demo", false, "load the illustrative smart-home window-shutter demo (ids start with demo-)")
	reset := fs.Bool("reset", false, "delete the demo data (every id starting with demo-, and the feedback about it) first")
	if err := cfg.parse(fs, envs, args); err != nil {
		return err
	}
	if !*demo {
		return usageError("nothing to seed: pass --demo")
	}
	db := cfg.db(cfg.logger(stderr))
	defer db.Close(context.WithoutCancel(ctx))
	if err := cfg.connect(ctx, db); err != nil {
		return err
	}
	if *reset {
		if err := db.DeleteDemo(ctx); err != nil {
			return err
		}
	}
	loaded, err := seedDemo(ctx, db)
	if err != nil {
		return fmt.Errorf("seeding the demo (run again with --reset to start afresh): %w", err)
	}
	if !loaded {
		fmt.Fprintln(stderr, "the demo data is loaded already; new tokens follow")
	} else {
		fmt.Fprintln(stderr, "loaded the illustrative window-shutter demo (target demo-shutter)")
	}
	for _, t := range []struct {
		org  string
		role model.Role
	}{{"demo-maker", model.RoleAnalyst}, {"demo-operator", model.RoleAnalyst}, {"demo-insurer", model.RoleAnalyst}, {"demo-committee", model.RoleAdmin}} {
		tok, err := db.CreateToken(ctx, t.org+"-"+string(t.role), t.org, t.role)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-15s %-8s Authorization: Bearer %s\n", t.org, t.role, tok)
	}
	return nil
}

// demoFiles holds the demo's native analysis documents.
//
//go:embed demo/maker.yaml demo/operator.yaml
var demoFiles embed.FS

// demoTargetOwner is the organization that owns the demo's target.
const demoTargetOwner = "demo-maker"

// demoDocuments names the demo's native documents in the order they load.
var demoDocuments = []string{"demo/maker.yaml", "demo/operator.yaml"}

// seedDemo writes the demo unless it exists, and reports whether it wrote.
// Every value is marked illustrative: it shows the model, it is not an
// assessment of any real product. The two organizations' analyses, with
// the target, the threats, the measures and the insurance policy they
// name, are native documents loaded through the ingest path (ingest.Parse,
// then the loader that `ssfgraph ingest` uses); what that format cannot
// hold goes through the store methods the API uses: the organizations
// without an analysis, the guidelines and clauses that the measures cite
// and a crosswalk between them, which threats the measures mitigate, and
// feedback. Names are in English and Japanese side by side ("English /
// 日本語"), as a Japanese team might enter them; the threats of MITRE
// ATT&CK for ICS keep their published names and say in Japanese what they
// are in their descriptions.
func seedDemo(ctx context.Context, db *neo4j.DB) (bool, error) {
	if n, err := db.Nodes(ctx, []string{"demo-shutter"}); err != nil {
		return false, err
	} else if len(n) > 0 {
		return false, nil
	}
	// Parse first: a document that does not parse writes nothing.
	batches, err := demoBatches(ctx, db)
	if err != nil {
		return false, err
	}
	s := &seeder{}
	str := func(v string) *string { return &v }
	f := func(v float64) *float64 { return &v }

	for _, o := range [][3]string{
		{"demo-insurer", "Example Mutual (illustrative insurer) / 例示相互保険（架空の保険会社）", "insurance"},
		{"demo-committee", "Use-case committee (illustrative) / ユースケース委員会（例示）", "cross-industry"},
	} {
		s.do(func() error {
			_, err := db.CreateOrganization(ctx, model.OrganizationInput{ID: str(o[0]), Name: o[1], Sector: o[2]})
			return err
		})
	}
	s.do(func() error {
		_, err := db.CreateGuideline(ctx, model.GuidelineInput{ID: str("demo-etsi-303645"), Title: "ETSI EN 303 645 (excerpt, illustrative)", Publisher: "ETSI", Version: "V2.1.1"})
		return err
	})
	s.do(func() error {
		_, err := db.CreateGuideline(ctx, model.GuidelineInput{ID: str("demo-iec-62443-4-2"), Title: "IEC 62443-4-2 (excerpt, illustrative)", Publisher: "IEC", Version: "2019"})
		return err
	})
	for _, c := range [][4]string{
		{"demo-etsi-5.1", "demo-etsi-303645", "5.1", "No universal default passwords"},
		{"demo-etsi-5.3", "demo-etsi-303645", "5.3", "Keep software updated"},
		{"demo-etsi-5.5", "demo-etsi-303645", "5.5", "Communicate securely"},
		{"demo-iec-cr-1.1", "demo-iec-62443-4-2", "CR 1.1", "Human user identification and authentication"},
		{"demo-iec-cr-3.4", "demo-iec-62443-4-2", "CR 3.4", "Software and information integrity"},
		{"demo-iec-cr-3.1", "demo-iec-62443-4-2", "CR 3.1", "Communication integrity"},
	} {
		s.do(func() error {
			_, err := db.CreateClause(ctx, model.ClauseInput{ID: str(c[0]), GuidelineID: c[1], Ref: c[2], Title: c[3], Text: str("Illustrative excerpt: see the published standard.")})
			return err
		})
	}
	for _, m := range []model.ClauseMappingInput{
		{SourceID: "demo-etsi-5.3", TargetID: "demo-iec-cr-3.4", Relationship: model.MappingRelationshipIntersectsWith, Coverage: f(0.5), Origin: str("illustrative")},
		{SourceID: "demo-etsi-5.5", TargetID: "demo-iec-cr-3.1", Relationship: model.MappingRelationshipSupersetOf, Origin: str("illustrative")},
	} {
		s.do(func() error { _, err := db.MapClauses(ctx, m); return err })
	}

	// The manufacturer's and the service operator's divergent analyses of
	// the same target, each in its own transaction.
	s.do(func() error {
		var errs []error
		db.LoadBatches(ctx, batches, false, func(_ int, _ *ingest.Report, err error) { errs = append(errs, err) })
		return errors.Join(errs...)
	})

	for _, l := range [][2]string{{"demo-threat-t0855", "demo-m-cmd-auth"}, {"demo-threat-t0839", "demo-m-signed-fw"}, {"demo-threat-t0813", "demo-m-monitoring"}, {"demo-threat-misuse", "demo-m-manual-override"}} {
		s.do(func() error { _, err := db.LinkThreatToMeasure(ctx, l[0], l[1], str("illustrative")); return err })
	}
	insurer := &model.Principal{UserID: "demo-insurer-analyst", OrganizationID: "demo-insurer", Sector: "insurance", Role: model.RoleAnalyst}
	s.do(func() error {
		_, err := db.SubmitFeedback(ctx, insurer, model.FeedbackInput{Kind: model.FeedbackKindNewRisk, AboutID: "demo-analysis-maker",
			Text: "The privacy incident (presence patterns) is missing from the manufacturer's analysis. (illustrative) / " +
				"製造事業者の分析には、プライバシーのインシデント（在宅パターンの漏えい）が含まれていない。（例示）"})
		return err
	})
	operator := &model.Principal{UserID: "demo-operator-analyst", OrganizationID: "demo-operator", Sector: "home", Role: model.RoleAnalyst}
	s.do(func() error {
		_, err := db.SubmitFeedback(ctx, operator, model.FeedbackInput{Kind: model.FeedbackKindRevisionRequest, AboutID: "demo-analysis-maker",
			Text: "Axis 2 for the crush incident looks low given product-liability claims. (illustrative) / " +
				"製造物責任の請求を考えると、挟み込みインシデントの第2軸（経済的損失）の評価は低すぎるように見える。（例示）"})
		return err
	})
	return true, s.err
}

// demoBatches parses the demo's native documents against the scales in
// force.
func demoBatches(ctx context.Context, db *neo4j.DB) ([]*ingest.Batch, error) {
	scales, err := db.Scales(ctx)
	if err != nil {
		return nil, err
	}
	var batches []*ingest.Batch
	for _, name := range demoDocuments {
		data, err := demoFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		b, err := ingest.Parse(name, data, ingest.FormatNative, ingest.ParseOptions{Scales: scales})
		if err != nil {
			return nil, err
		}
		// The target belongs to the manufacturer (its analysts edit it, see
		// model.Principal.EditsShared); the operator's document names it
		// without changing its owner.
		for i, n := range b.Nodes {
			if n.Label == model.LabelTarget && name == demoDocuments[0] {
				b.Nodes[i].Props["ownerId"] = demoTargetOwner
			}
		}
		batches = append(batches, b)
	}
	return batches, nil
}

// seeder runs steps until the first error, which it keeps.
type seeder struct{ err error }

func (s *seeder) do(step func() error) {
	if s.err == nil {
		s.err = step()
	}
}
