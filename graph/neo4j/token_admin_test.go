package neo4j_test

import (
	"slices"
	"strings"
	"testing"
	"time"

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

func TestTokenLifecycle(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	org := neo4jtest.Org(t, p+"org", "home")
	ctx := t.Context()
	forever, err := db.CreateToken(ctx, p+"forever", org, model.RoleAnalyst)
	if err != nil {
		t.Fatal(err)
	}
	hour, err := db.CreateExpiringToken(ctx, p+"hour", org, model.RoleViewer, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	pf, err := db.Authenticate(ctx, forever)
	if err != nil || len(pf.TokenID) != 16 || !pf.ExpiresAt.IsZero() {
		t.Fatalf("Authenticate(forever) = %+v, %v", pf, err)
	}
	ph, err := db.Authenticate(ctx, hour)
	if err != nil || time.Until(ph.ExpiresAt) < 59*time.Minute || time.Until(ph.ExpiresAt) > time.Hour {
		t.Fatalf("Authenticate(hour) = %+v, %v", ph, err)
	}

	list, err := db.ListTokens(ctx, org)
	if err != nil || len(list) != 2 || list[0].CreatedAt.Before(list[1].CreatedAt) ||
		!slices.ContainsFunc(list, func(k *model.APIToken) bool { return k.ID == ph.TokenID && k.ExpiresAt != nil }) ||
		!slices.ContainsFunc(list, func(k *model.APIToken) bool { return k.ID == pf.TokenID && k.ExpiresAt == nil }) {
		t.Fatalf("ListTokens = %+v, %v; want both, newest first", list, err)
	}
	if found, err := db.FindToken(ctx, pf.TokenID); err != nil || found.UserID != p+"forever" || found.OrganizationID != org || found.Role != model.RoleAnalyst || found.RevokedAt != nil {
		t.Errorf("FindToken = %+v, %v", found, err)
	}

	// RevokedTokens names the revoked and the unknown, not the valid.
	const unknown = "0123456789abcdef"
	revoked, err := db.RevokeToken(ctx, pf.TokenID)
	if err != nil || revoked.RevokedAt == nil {
		t.Fatalf("RevokeToken = %+v, %v", revoked, err)
	}
	again, err := db.RevokeToken(ctx, pf.TokenID)
	if err != nil || !again.RevokedAt.Equal(*revoked.RevokedAt) {
		t.Errorf("revoking again: %+v, %v; want the first revocation time kept", again, err)
	}
	gone, err := db.RevokedTokens(ctx, []string{pf.TokenID, ph.TokenID, unknown})
	slices.Sort(gone)
	if want := []string{unknown, pf.TokenID}; err != nil || !slices.Equal(gone, slices.Sorted(slices.Values(want))) {
		t.Errorf("RevokedTokens = %v, %v; want %v", gone, err, want)
	}
	if _, err := db.Authenticate(ctx, forever); model.ErrorCode(err) != model.EUNAUTHENTICATED || !strings.Contains(model.ErrorMessage(err), "revoked") {
		t.Errorf("Authenticate(revoked) = %v", err)
	}
	if _, err := db.Authenticate(ctx, "ssf_unknown"); model.ErrorCode(err) != model.EUNAUTHENTICATED || !strings.Contains(model.ErrorMessage(err), "unknown") {
		t.Errorf("Authenticate(unknown) = %v", err)
	}
	for _, id := range []string{unknown, "not-an-id", forever} {
		if _, err := db.RevokeToken(ctx, id); model.ErrorCode(err) != model.ENOTFOUND || strings.Contains(model.ErrorMessage(err), forever) {
			t.Errorf("RevokeToken(%q) = %v, want ENOTFOUND without the argument", id, err)
		}
	}
}
