package neo4j_test

import (
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
)

func TestEnsureOrganization(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	created, err := db.EnsureOrganization(t.Context(), p+"org", "Org 「一」", "home")
	if err != nil || !created {
		t.Fatalf("first call: created %v, %v", created, err)
	}
	created, err = db.EnsureOrganization(t.Context(), p+"org", "Renamed", "factory")
	if err != nil || created {
		t.Fatalf("second call: created %v, %v", created, err)
	}
	nodes, err := db.Nodes(t.Context(), []string{p + "org"})
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := nodes[p+"org"].(*model.Organization); o == nil || o.Name != "Org 「一」" || o.Sector != "home" {
		t.Errorf("organization %+v, want the first name and sector", nodes[p+"org"])
	}
	neo4jtest.NewFeedbackFixtures(t).Target(p+"target", "home")
	before := neo4jtest.Snapshot(t, p)
	for _, tt := range []struct {
		name, id, orgName, sector, code, field string
	}{
		{"BadID", "bad id!", "n", "s", model.EINVALID, "org"},
		{"EmptyName", p + "x", "", "s", model.EINVALID, "org-name"},
		{"LongName", p + "x", strings.Repeat("n", 501), "s", model.EINVALID, "org-name"},
		{"EmptySector", p + "x", "n", "", model.EINVALID, "sector"},
		{"LongSector", p + "x", "n", strings.Repeat("s", 101), model.EINVALID, "sector"},
		{"IDOfAnotherKind", p + "target", "n", "s", model.ECONFLICT, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.EnsureOrganization(t.Context(), tt.id, tt.orgName, tt.sector)
			if model.ErrorCode(err) != tt.code || model.ErrorField(err) != tt.field {
				t.Errorf("error %v, want %s on %q", err, tt.code, tt.field)
			}
		})
	}
	if after := neo4jtest.Snapshot(t, p); after != before {
		t.Errorf("the graph changed:\nbefore %s\nafter  %s", before, after)
	}
}
