package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
)

// runToken is `ssfgraph token create|list|revoke`.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("missing subcommand (want: ssfgraph token create|list|revoke)")
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, "Usage: ssfgraph token create --org ID --user NAME --role ROLE [--ttl DURATION] [--org-name NAME --sector SECTOR] [flags]")
		fmt.Fprintln(stdout, "       ssfgraph token list [--org ID] [--json] [flags]")
		fmt.Fprintln(stdout, "       ssfgraph token revoke ID [flags]")
		fmt.Fprintln(stdout, "\ncreate issues a bearer token and prints it on stdout (the only time it is shown); list shows")
		fmt.Fprintln(stdout, "tokens without their secrets; revoke stops one (running servers notice within a second, at once with --bus).")
		fmt.Fprintln(stdout, "Run 'ssfgraph token SUBCOMMAND --help' for the flags.")
		return errHelp
	case "create":
		return tokenCreate(ctx, args[1:], stdout, stderr)
	case "list":
		return tokenList(ctx, args[1:], stdout, stderr)
	case "revoke":
		return tokenRevoke(ctx, args[1:], stdout, stderr)
	default:
		return usageError("unknown token subcommand %q (want create, list or revoke)", args[0])
	}
}

// tokenCreate is `ssfgraph token create`: it issues a bearer token for a
// user of an organization with a role, creating the organization first
// when --org-name is given and it does not exist (to bootstrap the first
// admin). It prints only the token on stdout, so that
//
//	TOKEN=$(ssfgraph token create --org acme --user alice --role admin --org-name "Acme" --sector factory)
//
// works, and a one-line hint on stderr.
func tokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg Config
	fs, envs := cfg.flagSet("token create", stdout, false)
	var org, user, role, orgName, sector string
	fs.StringVar(&org, "org", "", "`id` of the organization the user acts for (required)")
	fs.StringVar(&user, "user", "", "`name` (id) of the user; created if missing (required)")
	fs.StringVar(&role, "role", "", "the token's `role`: "+roleList()+" (required)")
	fs.StringVar(&orgName, "org-name", "", "create the organization with this `name` if it does not exist (needs --sector)")
	fs.StringVar(&sector, "sector", "", "the `sector` of the organization that --org-name creates")
	var ttl time.Duration
	fs.DurationVar(&ttl, "ttl", 0, "how long the token works, e.g. 720h; 0 for ever")
	if err := cfg.parse(fs, envs, args); err != nil {
		return err
	}
	switch {
	case org == "":
		return usageError("--org is required")
	case user == "":
		return usageError("--user is required")
	case role == "":
		return usageError("--role is required (%s)", roleList())
	case !model.Role(role).Valid():
		return usageError("unknown role %q (want %s)", role, roleList())
	case orgName != "" && sector == "":
		return usageError("--org-name needs --sector")
	case orgName == "" && sector != "":
		return usageError("--sector is only for creating an organization with --org-name")
	case ttl < 0:
		return usageError("--ttl must not be negative, got %s", ttl)
	}

	db, err := cfg.openQuiet(ctx, stderr) // so that stderr holds the hint
	if err != nil {
		return err
	}
	defer db.Close(context.WithoutCancel(ctx))
	created := false
	if orgName != "" {
		if created, err = db.EnsureOrganization(ctx, org, orgName, sector); err != nil {
			switch model.ErrorCode(err) {
			case model.ECONFLICT:
				return fmt.Errorf("id %q belongs to a node that is not an organization", org)
			case model.EINTERNAL:
				return err
			}
			return errors.New(model.ErrorMessage(err))
		}
	}
	token, err := db.CreateExpiringToken(ctx, user, org, model.Role(role), ttl)
	if err != nil {
		if model.ErrorCode(err) == model.ENOTFOUND {
			return fmt.Errorf("no organization %q (pass --org-name and --sector to create it)", org)
		}
		if model.ErrorCode(err) != model.EINTERNAL {
			return errors.New(model.ErrorMessage(err))
		}
		return err
	}
	if _, err := fmt.Fprintln(stdout, token); err != nil {
		return err
	}
	what := "organization " + org
	if created {
		what = "new organization " + org
	}
	expiry := ""
	if ttl > 0 {
		expiry = ", expiring " + time.Now().Add(ttl).UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(stderr, "ssfgraph token create: token for %s (%s) of %s%s; send it as 'Authorization: Bearer <token>'; it is shown only once\n", user, role, what, expiry)
	return nil
}

// roleList names the roles for help and errors.
func roleList() string {
	names := make([]string, len(model.Roles))
	for i, r := range model.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// tokenJSON is a token as `ssfgraph token list --json` prints it.
type tokenJSON struct {
	ID             string     `json:"id"`
	UserID         string     `json:"userId"`
	OrganizationID string     `json:"organizationId"`
	Role           model.Role `json:"role"`
	CreatedAt      time.Time  `json:"createdAt"`
	ExpiresAt      *time.Time `json:"expiresAt"`
	Expired        bool       `json:"expired"`
	RevokedAt      *time.Time `json:"revokedAt"`
	Revoked        bool       `json:"revoked"`
}

// tokenList is `ssfgraph token list [--org ID] [--json]`: the tokens of
// one organization or of all, newest first, as a table or as JSON. It never
// shows a secret: only hashes are stored.
func tokenList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg Config
	fs, envs := cfg.flagSet("token list", stdout, false)
	var org string
	var asJSON bool
	fs.StringVar(&org, "org", "", "list only the tokens of the organization with this `id`")
	fs.BoolVar(&asJSON, "json", false, "print a JSON array instead of a table")
	if err := cfg.parse(fs, envs, args); err != nil {
		return err
	}
	db, err := cfg.openQuiet(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close(context.WithoutCancel(ctx))
	tokens, err := db.ListTokens(ctx, org)
	if err != nil {
		return err
	}
	now := time.Now()
	if asJSON {
		out := make([]tokenJSON, len(tokens))
		for i, t := range tokens {
			out[i] = tokenJSON{ID: t.ID, UserID: t.UserID, OrganizationID: t.OrganizationID, Role: t.Role, CreatedAt: t.CreatedAt,
				ExpiresAt: t.ExpiresAt, Expired: t.Expired(now), RevokedAt: t.RevokedAt, Revoked: t.RevokedAt != nil}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSER\tORGANIZATION\tROLE\tCREATED\tEXPIRES\tSTATE")
	stamp := func(t *time.Time) string {
		if t == nil {
			return "never"
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, t := range tokens {
		state := "valid"
		switch {
		case t.RevokedAt != nil:
			state = "revoked"
		case t.Expired(now):
			state = "expired"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.UserID, t.OrganizationID, t.Role, stamp(&t.CreatedAt), stamp(t.ExpiresAt), state)
	}
	return tw.Flush()
}

// tokenRevoke is `ssfgraph token revoke ID`: the token stops working at
// once for new servers and within a second for running ones (they trust a
// checked token for half a second and check their websockets' tokens as
// often).
func tokenRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg Config
	fs, envs := cfg.flagSet("token revoke ID", stdout, false)
	cfg.busFlag(fs, envs)
	flags, pos := splitExportArgs(fs, args)
	if err := cfg.parse(fs, envs, flags); err != nil {
		return err
	}
	switch {
	case len(pos) == 0:
		return usageError("token revoke needs the token's ID (see ssfgraph token list)")
	case len(pos) > 1:
		return usageError("unexpected argument %q", pos[1])
	}
	db, err := cfg.openQuiet(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close(context.WithoutCancel(ctx))
	if cfg.Bus != "" { // servers on the bus refuse the token at once
		var done func()
		if ctx, done, err = cfg.announceChanges(ctx, "token revoke", slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))); err != nil {
			return err
		}
		defer done()
	}
	t, err := db.FindToken(ctx, pos[0])
	if err == nil && t.RevokedAt == nil {
		t, err = db.RevokeToken(ctx, pos[0])
	} else if err == nil {
		_, err = fmt.Fprintf(stdout, "token %s of %s (%s, organization %s) was already revoked at %s\n", t.ID, t.UserID, t.Role, t.OrganizationID, t.RevokedAt.UTC().Format(time.RFC3339))
		return err
	}
	if err != nil {
		if model.ErrorCode(err) != model.EINTERNAL {
			return errors.New(model.ErrorMessage(err))
		}
		return err
	}
	_, err = fmt.Fprintf(stdout, "revoked token %s of %s (%s, organization %s)\n", t.ID, t.UserID, t.Role, t.OrganizationID)
	return err
}

// openQuiet connects to Neo4j for a command whose output is its result:
// only warnings and errors are logged, to stderr.
func (c *Config) openQuiet(ctx context.Context, stderr io.Writer) (*neo4j.DB, error) {
	level, _ := parseLevel(c.LogLevel)
	db := c.db(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: max(level, slog.LevelWarn)})))
	if err := c.connect(ctx, db); err != nil {
		db.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return db, nil
}
