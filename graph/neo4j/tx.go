package neo4j

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// This file is the one way the store talks to Neo4j. Every statement, read
// or write, single or one of many, runs in a transaction opened by
// inTx: it waits for Close (the inflight guard), opens a session that
// shares the driver's bookmark manager (so a read sees every write this
// process committed before it, on a cluster too), runs the work through
// the driver's retrying ExecuteRead/ExecuteWrite, tells the Observer about
// every statement and every transaction, classifies the error once
// (formatError), and after a commit hands what the work recorded as
// changed to the commit hook of the context (model.WithCommitHook).
// Every write transaction that is to commit also stores the comparison refs
// of the assessments it touched (comparison.go), counts up the revision of
// each target it touched (revision.go) and writes one audit event
// (audit.go) as its last statement, so the revisions and the audit trail
// follow exactly the committed writes.

// txn is one transaction in progress. The work function given to inTx
// may be retried by the driver, so it must only talk to its txn: no
// publishing, logging or appending to outer state. What it changed it
// records with touch; the hooks see it only after the commit.
type txn struct {
	db     *DB
	op     string
	tx     runner
	change model.Change
	// wrote and summary add to the audit event (see wrote and summarize).
	written []string
	summary string
	// refs are the assessments (or treatments) whose comparison refs the
	// transaction must store before it commits (see touchAssessments).
	refs []string
}

// runner is what both kinds of driver transaction offer.
type runner interface {
	Run(ctx context.Context, cypher string, params map[string]any) (neo4j.ResultWithContext, error)
}

// run runs one statement and returns all its records, telling the
// Observer how long it took.
func (t *txn) run(ctx context.Context, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	start := time.Now()
	res, err := t.tx.Run(ctx, cypher, params)
	var recs []*neo4j.Record
	if err == nil {
		recs, err = res.Collect(ctx)
	}
	t.db.observe(t.op, start, err)
	return recs, err
}

// touchTargets records that analyses of these targets (or what their
// comparisons show) changed. Empty ids are ignored.
func (t *txn) touchTargets(ids ...string) { t.change.AddTargets(ids...) }

// touchNodes records that the nodes with these ids were created, changed
// or deleted, so that caches holding them are cleared after the commit.
func (t *txn) touchNodes(ids ...string) { t.change.AddNodes(ids...) }

// touchRecord records the ids in the columns "targets" and "nodes" of a
// record (lists of ids; either may be missing) as changed.
func (t *txn) touchRecord(rec *neo4j.Record) {
	t.touchTargets(recordStrings(rec, "targets")...)
	t.touchNodes(recordStrings(rec, "nodes")...)
}

// touchFeedback records feedback that was submitted or answered.
func (t *txn) touchFeedback(fb *model.Feedback) { t.change.Feedback = append(t.change.Feedback, fb) }

// wrote records ids the transaction wrote that its change does not name,
// for the audit event only (caches are not cleared for them).
func (t *txn) wrote(ids ...string) { t.written = append(t.written, ids...) }

// summarize replaces the audit event's summary (by default the subject
// given to inTx). It must not hold secrets or document contents.
func (t *txn) summarize(s string) { t.summary = s }

// access is whether a transaction reads or writes.
type access int

const (
	readAccess access = iota
	writeAccess
	// schemaAccess writes without an audit event: Migrate's schema
	// statements, which Neo4j does not let share a transaction with a data
	// write, and its seeds.
	schemaAccess
)

// errRollback is returned by a work function to end its transaction with a
// rollback instead of a commit while still handing its value back (a dry
// run). inTx returns the value with a nil error.
var errRollback = errors.New("roll back")

// inTx runs work in one transaction of the given access, retried by the
// driver on transient failures. op names the operation for metrics and
// errors, subject what it is about (for messages). A *model.Error that work
// returns rolls the transaction back and reaches the caller as it is; any
// other error is classified by formatError. When work returns no error, a
// write (writeAccess) writes its audit event in the same transaction before
// it commits (see writeAudit); a work that fails, or returns errRollback (a
// dry run), writes none. After a write commits, the commit hooks get what
// work recorded as changed.
func inTx[T any](ctx context.Context, db *DB, mode access, op, subject string, work func(t *txn) (T, error)) (T, error) {
	var zero T
	if err := db.init(); err != nil {
		return zero, err
	}
	if err := db.enter(); err != nil {
		return zero, err
	}
	defer db.leave()
	// The process's bookmarks (every transaction it committed or read, and
	// those FollowBookmarks added) and the caller's (model.WithBookmarks):
	// on a cluster a read waits until its server has all of them.
	cfg := neo4j.SessionConfig{DatabaseName: db.DatabaseName, BookmarkManager: db.driver.ExecuteQueryBookmarkManager(),
		Bookmarks: neo4j.Bookmarks(model.BookmarksFrom(ctx))}
	if mode == readAccess {
		cfg.AccessMode = neo4j.AccessModeRead
	}
	sess := db.driver.NewSession(ctx, cfg)
	defer sess.Close(context.WithoutCancel(ctx))
	var last *txn
	var v T // the driver drops the value of a work that fails, errRollback too
	fn := func(tx neo4j.ManagedTransaction) (T, error) {
		last = &txn{db: db, op: op, tx: tx, summary: subject} // a retry starts from nothing
		var err error
		v, err = work(last)
		if err == nil && mode == writeAccess {
			err = last.storeComparisonRefs(ctx)
		}
		if err == nil && mode == writeAccess {
			err = last.bumpRevisions(ctx)
		}
		if err == nil && mode == writeAccess {
			err = last.writeAudit(ctx)
		}
		return v, err
	}
	start := time.Now()
	var err error
	if mode == readAccess {
		_, err = neo4j.ExecuteRead(ctx, sess, fn)
	} else {
		_, err = neo4j.ExecuteWrite(ctx, sess, fn)
	}
	rolledBack := errors.Is(err, errRollback)
	if rolledBack {
		err = nil
	}
	observed := err
	if _, ok := errors.AsType[*model.Error](err); ok {
		observed = nil // the client's mistake, not Neo4j's failure
	}
	if o, ok := db.Observer.(TransactionObserver); ok {
		o.ObserveTransaction(op, time.Since(start), observed)
	}
	if err != nil {
		return zero, formatError(op, subject, err)
	}
	if mode != readAccess && !rolledBack && last != nil && !last.change.Empty() {
		last.change.Bookmarks = model.Bookmarks(sess.LastBookmarks())
		db.committed(ctx, &last.change)
	}
	return v, nil
}

// FollowBookmarks makes every transaction this DB begins from now on
// begin after the given bookmarks, another process's writes (a change
// event's): on a cluster, a read routed to a follower then waits until the
// follower has them. It runs one read after them (inTx, with the process's
// bookmark manager), whose own bookmark, covering them, the manager then
// keeps for every later transaction; a bookmark this database did not
// issue fails that read (EINVALID) and never reaches the manager, so it
// cannot fail later transactions.
func (db *DB) FollowBookmarks(ctx context.Context, b model.Bookmarks) error {
	if len(b) == 0 {
		return nil
	}
	_, err := db.read(model.WithBookmarks(ctx, b), "neo4j.FollowBookmarks", fmt.Sprintf("%d bookmarks", len(b)), "RETURN 1", nil)
	return err
}

// writeTx runs work in one write transaction (see inTx).
func writeTx[T any](ctx context.Context, db *DB, op, subject string, work func(t *txn) (T, error)) (T, error) {
	return inTx(ctx, db, writeAccess, op, subject, work)
}

// readTx runs work in one read transaction, routed to readers (see inTx).
func readTx[T any](ctx context.Context, db *DB, op, subject string, work func(t *txn) (T, error)) (T, error) {
	return inTx(ctx, db, readAccess, op, subject, work)
}

// read runs one read-only statement in its own transaction and returns its
// records; its errors are classified already.
func (db *DB) read(ctx context.Context, op, subject, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	return readTx(ctx, db, op, subject, func(t *txn) ([]*neo4j.Record, error) {
		return t.run(ctx, cypher, params)
	})
}

// write runs one statement in its own write transaction and returns its
// records; its errors are classified already.
func (db *DB) write(ctx context.Context, op, subject, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	return writeTx(ctx, db, op, subject, func(t *txn) ([]*neo4j.Record, error) {
		return t.run(ctx, cypher, params)
	})
}

// observe tells the Observer, if any, how long op took since start.
func (db *DB) observe(op string, start time.Time, err error) {
	if db.Observer != nil {
		db.Observer.ObserveQuery(op, time.Since(start), err)
	}
}

// committed hands c to the commit hook in ctx, if any (see
// model.WithCommitHook).
func (db *DB) committed(ctx context.Context, c *model.Change) {
	if h := model.CommitHookFrom(ctx); h != nil {
		c.Normalize()
		h(ctx, c)
	}
}

// single runs one statement that must return exactly one record.
func (t *txn) single(ctx context.Context, cypher string, params map[string]any) (*neo4j.Record, error) {
	recs, err := t.run(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	if len(recs) != 1 {
		return nil, fmt.Errorf("%s: expected one record, got %d", t.op, len(recs))
	}
	return recs[0], nil
}
