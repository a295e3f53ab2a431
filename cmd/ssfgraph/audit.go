package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
)

// Audit export formats.
const (
	auditJSONL = "jsonl"
	auditCSV   = "csv"
)

// auditPageSize is how many events audit export reads per statement.
const auditPageSize = 500

// runAudit is `ssfgraph audit export [--since T] [--until T] [--org ID]
// [--op OP] [--format jsonl|csv] [--out FILE]`: it writes the audit trail's
// events (newest first, as the auditLog query lists them) as JSON lines or
// CSV, to FILE (replaced whole, see writeFileAtomic) or standard output.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("missing subcommand (want: ssfgraph audit export [flags])")
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, "Usage: ssfgraph audit export [--since T] [--until T] [--org ID] [--op OP] [--format jsonl|csv] [--out FILE] [flags]")
		fmt.Fprintln(stdout, "\nWrites the audit trail (one event per committed write), newest first. Run 'ssfgraph audit export --help' for the flags.")
		return errHelp
	case "export":
	default:
		return usageError("unknown audit subcommand %q (want export)", args[0])
	}
	var cfg Config
	fs, envs := cfg.flagSet("audit export", stdout, false)
	since := fs.String("since", "", "keep events at or after this `time` (RFC 3339, e.g. 2026-01-31T00:00:00Z)")
	until := fs.String("until", "", "keep events before this `time` (RFC 3339)")
	org := fs.String("org", "", "keep events of callers acting for the organization `ID`")
	op := fs.String("op", "", "keep events of the store operation `OP`, e.g. neo4j.AssessIncident")
	format := fs.String("format", auditJSONL, "the output `format`: jsonl (one JSON event per line) or csv")
	out := fs.String("out", "", "write the events to `FILE` (replacing it) instead of standard output")
	if err := cfg.parse(fs, envs, args[1:]); err != nil {
		return err
	}
	q := model.AuditQuery{OrganizationID: *org, Op: *op, First: auditPageSize}
	var err error
	if q.Since, err = parseAuditTime("--since", *since); err != nil {
		return err
	}
	if q.Until, err = parseAuditTime("--until", *until); err != nil {
		return err
	}
	if *format != auditJSONL && *format != auditCSV {
		return usageError("--format must be jsonl or csv, got %q", *format)
	}

	db := cfg.db(cfg.logger(stderr))
	defer db.Close(context.WithoutCancel(ctx))
	if err := cfg.connect(ctx, db); err != nil {
		return err
	}
	events, err := auditEvents(ctx, db, q)
	if err != nil {
		return err
	}
	data, err := marshalAudit(events, *format)
	if err != nil {
		return err
	}
	return writeOutput(stdout, stderr, *out, data, fmt.Sprintf("%d audit events", len(events)))
}

// parseAuditTime parses an RFC 3339 time flag; empty is the zero time.
func parseAuditTime(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usageError("%s must be an RFC 3339 time such as 2026-01-31T00:00:00Z, got %q", flag, s)
	}
	return t, nil
}

// auditEvents reads every event q selects, page by page, newest first.
func auditEvents(ctx context.Context, db *neo4j.DB, q model.AuditQuery) ([]*model.AuditEvent, error) {
	var all []*model.AuditEvent
	for {
		page, err := db.AuditLog(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("reading the audit trail: %w", err)
		}
		all = append(all, page.Events...)
		if !page.HasNextPage || len(page.Events) == 0 {
			return all, nil
		}
		last := page.Events[len(page.Events)-1]
		q.After = &model.AuditCursor{At: last.At, ID: last.ID}
	}
}

// auditCSVHeader names the columns of the CSV export; ids are separated by
// spaces.
var auditCSVHeader = []string{"id", "at", "op", "userId", "organizationId", "role", "tokenId", "summary", "idCount", "ids"}

// marshalAudit writes events as JSON lines or CSV (with a header).
func marshalAudit(events []*model.AuditEvent, format string) ([]byte, error) {
	var buf bytes.Buffer
	if format == auditJSONL {
		enc := json.NewEncoder(&buf)
		for _, ev := range events {
			if err := enc.Encode(ev); err != nil {
				return nil, fmt.Errorf("encoding audit event %s: %w", ev.ID, err)
			}
		}
		return buf.Bytes(), nil
	}
	w := csv.NewWriter(&buf)
	_ = w.Write(auditCSVHeader)
	for _, ev := range events {
		_ = w.Write([]string{ev.ID, ev.At.UTC().Format(time.RFC3339Nano), ev.Op, ev.UserID, ev.OrganizationID, ev.Role, ev.TokenID,
			ev.Summary, strconv.Itoa(ev.IDCount), strings.Join(ev.IDs, " ")})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("writing the audit CSV: %w", err)
	}
	return buf.Bytes(), nil
}
