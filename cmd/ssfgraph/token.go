package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// runToken is `ssfgraph token create`: it issues a bearer token for a user
// of an organization with a role, creating the organization first when
// --org-name is given and it does not exist (to bootstrap the first admin).
// It prints only the token on stdout, so that
//
//	TOKEN=$(ssfgraph token create --org acme --user alice --role admin --org-name "Acme" --sector factory)
//
// works, and a one-line hint on stderr.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("missing subcommand (want: ssfgraph token create --org ID --user NAME --role ROLE)")
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, "Usage: ssfgraph token create --org ID --user NAME --role ROLE [--org-name NAME --sector SECTOR] [flags]")
		fmt.Fprintln(stdout, "\nIssues a bearer token and prints it on stdout. Run 'ssfgraph token create --help' for the flags.")
		return errHelp
	case "create":
	default:
		return usageError("unknown token subcommand %q (want create)", args[0])
	}

	var cfg Config
	fs, envs := cfg.flagSet("token create", stdout, false)
	var org, user, role, orgName, sector string
	fs.StringVar(&org, "org", "", "`id` of the organization the user acts for (required)")
	fs.StringVar(&user, "user", "", "`name` (id) of the user; created if missing (required)")
	fs.StringVar(&role, "role", "", "the token's `role`: "+roleList()+" (required)")
	fs.StringVar(&orgName, "org-name", "", "create the organization with this `name` if it does not exist (needs --sector)")
	fs.StringVar(&sector, "sector", "", "the `sector` of the organization that --org-name creates")
	if err := cfg.parse(fs, envs, args[1:]); err != nil {
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
	}

	// Only warnings and errors are logged, so that stderr holds the hint.
	level, _ := parseLevel(cfg.LogLevel)
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: max(level, slog.LevelWarn)}))
	db := cfg.db(log)
	defer db.Close(context.WithoutCancel(ctx))
	if err := cfg.connect(ctx, db); err != nil {
		return err
	}
	created := false
	if orgName != "" {
		var err error
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
	token, err := db.CreateToken(ctx, user, org, model.Role(role))
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
	fmt.Fprintf(stderr, "ssfgraph token create: token for %s (%s) of %s; send it as 'Authorization: Bearer <token>'; it is shown only once\n", user, role, what)
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
