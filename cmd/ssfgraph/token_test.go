package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
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
		{"UnknownSubcommand", []string{"revoke"}, exitUsage, `unknown token subcommand "revoke"`},
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
