package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/internal/tstest"
)

// tokenViewer asks the server at url who token stands for.
func tokenViewer(t *testing.T, url, token string) (userID, role, org string, errs []any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", strings.NewReader(`{"query":"{ viewer { userId role organization { id } } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Data struct {
			Viewer *struct {
				UserID, Role string
				Organization struct{ ID string }
			}
		}
		Errors []any
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	if r.Data.Viewer == nil {
		return "", "", "", r.Errors
	}
	return r.Data.Viewer.UserID, r.Data.Viewer.Role, r.Data.Viewer.Organization.ID, r.Errors
}

// runTokenCreate runs `ssfgraph token create` with args against the test Neo4j.
func runTokenCreate(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv("NEO4J_URI", neo4jtest.URI())
	var out, errOut bytes.Buffer
	code = run(t.Context(), append([]string{"token", "create"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestTokenCreateWorksAgainstTheServer(t *testing.T) {
	p := neo4jtest.Prefix(t)
	m := startMain(t, neo4jtest.URI())

	// A new organization and its first admin.
	code, stdout, stderr := runTokenCreate(t, "--org", p+"acme", "--user", p+"alice", "--role", "admin", "--org-name", "Acme 「工場」", "--sector", p+"factory")
	if code != exitOK {
		t.Fatalf("exit %d; stderr: %s", code, stderr)
	}
	token, rest, _ := strings.Cut(stdout, "\n")
	if !strings.HasPrefix(token, "ssf_") || rest != "" {
		t.Fatalf("stdout %q, want only the token and a newline", stdout)
	}
	if lines := strings.Split(strings.TrimSpace(stderr), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "Authorization: Bearer") || strings.Contains(stderr, token) {
		t.Errorf("stderr %q, want one hint line without the token", stderr)
	}
	user, role, org, errs := tokenViewer(t, m.URL(), token)
	if user != p+"alice" || role != "admin" || org != p+"acme" || len(errs) > 0 {
		t.Errorf("viewer = %q %q %q %v, want %salice admin %sacme", user, role, org, errs, p, p)
	}

	// A second token for the same organization does not change it.
	code, stdout, stderr = runTokenCreate(t, "--org", p+"acme", "--user", p+"bob", "--role", "viewer", "--org-name", "Renamed", "--sector", "other")
	if code != exitOK {
		t.Fatalf("second token: exit %d; stderr: %s", code, stderr)
	}
	bobToken := strings.TrimSpace(stdout)
	if bobToken == token {
		t.Error("the second token equals the first")
	}
	user, role, org, errs = tokenViewer(t, m.URL(), bobToken)
	if user != p+"bob" || role != "viewer" || org != p+"acme" || len(errs) > 0 {
		t.Errorf("viewer = %q %q %q %v, want %sbob viewer %sacme", user, role, org, errs, p, p)
	}
	req, _ := http.NewRequest(http.MethodPost, m.URL()+"/graphql", strings.NewReader(`{"query":"query($id: ID!) { node(id: $id) { ... on Organization { name sector } } }","variables":{"id":"`+p+`acme"}}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Data struct{ Node struct{ Name, Sector string } }
	}
	err = json.NewDecoder(resp.Body).Decode(&r)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if r.Data.Node.Name != "Acme 「工場」" || r.Data.Node.Sector != p+"factory" {
		t.Errorf("organization after the second token: %+v, want it unchanged", r.Data.Node)
	}

	// An existing organization needs no --org-name.
	neo4jtest.Org(t, p+"existing", "home")
	code, stdout, stderr = runTokenCreate(t, "--org", p+"existing", "--user", p+"carol", "--role", "org-admin")
	if code != exitOK {
		t.Fatalf("existing organization: exit %d; stderr: %s", code, stderr)
	}
	if user, role, org, _ := tokenViewer(t, m.URL(), strings.TrimSpace(stdout)); user != p+"carol" || role != "org-admin" || org != p+"existing" {
		t.Errorf("viewer = %q %q %q", user, role, org)
	}
}

func TestTokenCreateErrors(t *testing.T) {
	p := neo4jtest.Prefix(t)
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"NoSubcommand", nil, exitUsage, "missing subcommand"},
		{"UnknownSubcommand", []string{"rotate"}, exitUsage, `unknown token subcommand "rotate"`},
		{"NegativeTTL", []string{"create", "--org", p + "o", "--user", p + "u", "--role", "admin", "--ttl", "-1h"}, exitUsage, "--ttl must not be negative"},
		{"BadTTL", []string{"create", "--org", p + "o", "--user", p + "u", "--role", "admin", "--ttl", "soon"}, exitUsage, "-ttl"},
		{"RevokeNoID", []string{"revoke"}, exitUsage, "needs the token's ID"},
		{"RevokeTwoIDs", []string{"revoke", "0123456789abcdef", "fedcba9876543210"}, exitUsage, `unexpected argument "fedcba9876543210"`},
		{"RevokeUnknown", []string{"revoke", "0123456789abcdef"}, exitError, `no token "0123456789abcdef"`},
		{"RevokeMalformed", []string{"revoke", "ssf_secret"}, exitError, "no token has that id"},
		{"ListStray", []string{"list", "extra"}, exitUsage, `unexpected argument "extra"`},
		{"NoOrg", []string{"create", "--user", p + "u", "--role", "admin"}, exitUsage, "--org is required"},
		{"NoUser", []string{"create", "--org", p + "o", "--role", "admin"}, exitUsage, "--user is required"},
		{"NoRole", []string{"create", "--org", p + "o", "--user", p + "u"}, exitUsage, "--role is required"},
		{"BadRole", []string{"create", "--org", p + "o", "--user", p + "u", "--role", "root"}, exitUsage, `unknown role "root"`},
		{"OrgNameWithoutSector", []string{"create", "--org", p + "o", "--user", p + "u", "--role", "admin", "--org-name", "O"}, exitUsage, "--org-name needs --sector"},
		{"SectorWithoutOrgName", []string{"create", "--org", p + "o", "--user", p + "u", "--role", "admin", "--sector", "home"}, exitUsage, "--sector is only for"},
		{"StrayArgument", []string{"create", "--org", p + "o", "--user", p + "u", "--role", "admin", "extra"}, exitUsage, `unexpected argument "extra"`},
		{"UnknownOrg", []string{"create", "--org", p + "nowhere", "--user", p + "u", "--role", "admin"}, exitError, `no organization "` + p + `nowhere"`},
		{"BadUser", []string{"create", "--org", p + "nowhere", "--user", "bad user!", "--role", "admin"}, exitError, "bad user!"},
		{"BadOrgID", []string{"create", "--org", "bad org!", "--user", p + "u", "--role", "admin", "--org-name", "O", "--sector", "home"}, exitError, "bad org!"},
		{"Neo4jDown", []string{"create", "--org", p + "o", "--user", p + "u", "--role", "admin", "--neo4j-uri", "bolt://127.0.0.1:1", "--neo4j-wait", "500ms"}, exitError, "bolt://127.0.0.1:1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("NEO4J_URI", neo4jtest.URI())
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append([]string{"token"}, tt.args...), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
			first, _, _ := strings.Cut(lastError(stderr.String()), "\n")
			if !strings.HasPrefix(first, "ssfgraph token: ") || !strings.Contains(first, tt.want) {
				t.Errorf("error line %q, want 'ssfgraph token: …%s…'", first, tt.want)
			}
		})
	}
	// Nothing was created by the failures.
	if n := neo4jtest.Count(t, p); n != 0 {
		t.Errorf("%d nodes with the prefix after failed commands", n)
	}
}

func TestTokenHelp(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if code := run(t.Context(), []string{"token", "create", "--help"}, &out, &bytes.Buffer{}); code != exitOK {
		t.Fatalf("token create --help: exit %d", code)
	}
	for _, f := range []string{"-org", "-user", "-role", "-org-name", "-sector", "NEO4J_URI", "org-admin"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("token create --help does not mention %s:\n%s", f, out.String())
		}
	}
}

// tokenRefusal returns the message of the error the server at url answers
// a request as token with, or "" when it accepts the token.
func tokenRefusal(t *testing.T, url, token string) string {
	t.Helper()
	_, _, _, errs := tokenViewer(t, url, token)
	if len(errs) == 0 {
		return ""
	}
	e, _ := errs[0].(map[string]any)
	msg, _ := e["message"].(string)
	return msg
}

// mustRunToken runs `ssfgraph token` with args against the test Neo4j and
// fails the test unless it succeeds.
func mustRunToken(t *testing.T, args ...string) (stdout string) {
	t.Helper()
	t.Setenv("NEO4J_URI", neo4jtest.URI())
	var out, errOut bytes.Buffer
	if code := run(t.Context(), append([]string{"token"}, args...), &out, &errOut); code != exitOK {
		t.Fatalf("token %v: exit %d; stderr: %s", args, code, errOut.String())
	}
	return out.String()
}

func TestTokenListRevokeAndTTL(t *testing.T) {
	p := neo4jtest.Prefix(t)
	m := startMain(t, neo4jtest.URI())
	org := p + "acme"
	create := func(user, role string, extra ...string) string {
		t.Helper()
		args := append([]string{"create", "--org", org, "--user", p + user, "--role", role, "--org-name", "Acme", "--sector", "factory"}, extra...)
		code, stdout, stderr := runTokenCreate(t, args[1:]...)
		if code != exitOK {
			t.Fatalf("create %s: exit %d; stderr: %s", user, code, stderr)
		}
		if len(extra) > 0 && !strings.Contains(stderr, "expiring 20") {
			t.Errorf("stderr %q does not say when the token expires", stderr)
		}
		return strings.TrimSpace(stdout)
	}
	forever := create("forever", "org-admin")
	day := create("day", "analyst", "--ttl", "24h")
	brief := create("brief", "viewer", "--ttl", "300ms")
	secrets := []string{forever, day, brief}

	// --ttl: the brief token is refused, saying it expired; the others work.
	tstest.WaitFor(t, 3*time.Second, func() error {
		if msg := tokenRefusal(t, m.URL(), brief); !strings.Contains(msg, "expired") {
			return fmt.Errorf("the brief token: %q, want a refusal saying it expired", msg)
		}
		return nil
	})
	for _, tok := range []string{forever, day} {
		if msg := tokenRefusal(t, m.URL(), tok); msg != "" {
			t.Errorf("a valid token is refused: %s", msg)
		}
	}

	// list --json: every token of the organization, no secret.
	type listed struct {
		ID, UserID, OrganizationID, Role string
		CreatedAt                        time.Time
		ExpiresAt, RevokedAt             *time.Time
		Expired, Revoked                 bool
	}
	list := func() map[string]listed {
		t.Helper()
		out := mustRunToken(t, "list", "--org", org, "--json")
		for _, s := range secrets {
			if strings.Contains(out, s) || strings.Contains(out, "ssf_") {
				t.Fatalf("token list --json shows a secret:\n%s", out)
			}
		}
		var got []listed
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		byUser := map[string]listed{}
		for _, l := range got {
			if l.OrganizationID != org || l.CreatedAt.IsZero() || len(l.ID) != 16 {
				t.Errorf("listed %+v", l)
			}
			byUser[strings.TrimPrefix(l.UserID, p)] = l
		}
		return byUser
	}
	got := list()
	if l := got["forever"]; len(got) != 3 || l.Role != "org-admin" || l.ExpiresAt != nil || l.Expired || l.Revoked {
		t.Errorf("forever: %+v (of %d)", l, len(got))
	}
	if l := got["day"]; l.ExpiresAt == nil || l.ExpiresAt.Sub(l.CreatedAt) < 23*time.Hour || l.Expired || l.Revoked {
		t.Errorf("day: %+v", l)
	}
	if l := got["brief"]; l.ExpiresAt == nil || !l.Expired || l.Revoked {
		t.Errorf("brief: %+v", l)
	}

	// The table names the same tokens, without secrets.
	table := mustRunToken(t, "list", "--org", org)
	if !strings.HasPrefix(table, "ID ") || !strings.Contains(table, got["day"].ID) || !strings.Contains(table, "expired") || strings.Contains(table, "ssf_") {
		t.Errorf("token list:\n%s", table)
	}

	// revoke: the running server refuses the token within a second.
	out := mustRunToken(t, "revoke", got["day"].ID)
	if !strings.Contains(out, "revoked token "+got["day"].ID) || strings.Contains(out, day) {
		t.Errorf("token revoke: %q", out)
	}
	tstest.WaitFor(t, time.Second, func() error {
		if msg := tokenRefusal(t, m.URL(), day); !strings.Contains(msg, "revoked") {
			return fmt.Errorf("the revoked token: %q, want a refusal saying it was revoked", msg)
		}
		return nil
	})
	if msg := tokenRefusal(t, m.URL(), forever); msg != "" {
		t.Errorf("the other token is refused: %s", msg)
	}
	if l := list()["day"]; !l.Revoked || l.RevokedAt == nil {
		t.Errorf("day after revoke: %+v", l)
	}
	if out := mustRunToken(t, "revoke", got["day"].ID); !strings.Contains(out, "already revoked") {
		t.Errorf("second revoke: %q", out)
	}
}
