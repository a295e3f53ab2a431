// Command ssfgraph is the ssfgraph server and its tools, in one binary.
//
//	ssfgraph serve     run the GraphQL server
//	ssfgraph migrate   create Neo4j constraints and indexes, then exit
//	ssfgraph token     issue a bearer token (token create --org ID --user NAME --role ROLE)
//	ssfgraph seed      load the illustrative demo (seed --demo)
//	ssfgraph ingest    load catalogs, crosswalks and analysis documents (ingest [--dry-run] FILE...)
//	ssfgraph export    write an analysis as a native document (export analysis ID [--format yaml|json] [--out FILE])
//	                   or an inferred crosswalk as OSCAL (export crosswalk FROM TO [--max-hops N] [--out FILE])
//	ssfgraph audit     write the audit trail (audit export [--since T] [--until T] [--org ID] [--format jsonl|csv] [--out FILE])
//	ssfgraph version   print the version
//
// Run `ssfgraph COMMAND --help` for a command's flags. Every flag falls back
// to an environment variable, named in its help.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the command ran and failed
	exitUsage = 2 // the command line is wrong
)

// command is one subcommand of ssfgraph.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"serve", "run the GraphQL server (HTTP, websockets) on a Neo4j database", runServe},
	{"migrate", "create the Neo4j constraints and indexes, then exit", runMigrate},
	{"token", "issue a bearer token: token create --org ID --user NAME --role ROLE", runToken},
	{"seed", "load the illustrative demo data set (--demo), then print a token per demo organization", runSeed},
	{"ingest", "load catalogs, crosswalks and analysis documents: ingest [--format F] [--dry-run] [--json] FILE...", runIngest},
	{"export", "write an analysis as a native analysis document (export analysis ID [--format yaml|json]) or an inferred crosswalk as an OSCAL mapping collection (export crosswalk FROM TO [--max-hops N]), to --out FILE or standard output", runExport},
	{"audit", "write the audit trail: audit export [--since T] [--until T] [--org ID] [--op OP] [--format jsonl|csv] [--out FILE]", runAudit},
	{"version", "print the version of this build", runVersion},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks an error in the command line; run prints it with a hint
// and exits with exitUsage.
var errUsage = errors.New("usage")

// usageError returns an error that wraps errUsage with a message.
func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// run dispatches args to a subcommand and returns the process exit code.
// Errors are printed to stderr as one line.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		cctx := ctx
		if c.name != "serve" { // the server's writes are its callers'
			cctx = model.WithOperator(ctx, model.AuditCLI)
		}
		err := c.run(cctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, errHelp):
			return exitOK
		case errors.Is(err, errUsage):
			fmt.Fprintf(stderr, "ssfgraph %s: %s\nRun 'ssfgraph %s --help' for usage.\n", c.name, trimUsage(err), c.name)
			return exitUsage
		default:
			fmt.Fprintf(stderr, "ssfgraph %s: %v\n", c.name, err)
			return exitError
		}
	}
	fmt.Fprintf(stderr, "ssfgraph: unknown command %q\nRun 'ssfgraph --help' for the list of commands.\n", args[0])
	return exitUsage
}

// trimUsage drops the "usage: " prefix that usageError adds.
func trimUsage(err error) string {
	s := err.Error()
	if p := errUsage.Error() + ": "; len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "ssfgraph: a collaborative knowledge-graph server for IoT security-safety analyses.")
	fmt.Fprintln(w, "\nUsage: ssfgraph COMMAND [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'ssfgraph COMMAND --help' for the flags of a command.")
}
