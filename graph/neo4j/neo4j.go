package neo4j

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// QueryObserver is told how long each statement sent to Neo4j took and how
// it ended. Implementations must be safe for concurrent use and must not
// block.
type QueryObserver interface {
	ObserveQuery(op string, d time.Duration, err error)
}

// TransactionObserver is a QueryObserver that is also told how long each
// transaction took, from its start to its commit or rollback, retries
// included. An error that is the client's (a *model.Error) counts as ok.
type TransactionObserver interface {
	ObserveTransaction(op string, d time.Duration, err error)
}

// DB is ssfgraph's connection to one Neo4j database. Set its exported fields,
// then call Open (or OpenWithRetry); Close releases it. Its methods are safe
// for concurrent use once Open has returned.
type DB struct {
	// URI is the Bolt URI, for example bolt://127.0.0.1:7687.
	URI string
	// Username and Password authenticate to Neo4j; an empty Username means
	// no authentication (a local instance with auth disabled).
	Username, Password string
	// DatabaseName is the name of the database to use (default "neo4j").
	DatabaseName string
	// Observer, if set, is told the latency of every query.
	Observer QueryObserver
	// Log receives connection attempts and schema changes (default: discard).
	Log *slog.Logger

	once     sync.Once
	driver   neo4j.DriverWithContext
	initErr  error
	migrated atomic.Bool

	// inflight is held for reading by every statement execute and read
	// run, and for writing by Close: the driver must not close under a
	// query, which background readers (subscriptions, live comparisons)
	// could otherwise still be running at shutdown.
	inflight sync.RWMutex
	closed   bool
}

// NewDB returns a DB for the Neo4j at uri, using the database "neo4j" and no
// authentication. It does not connect.
func NewDB(uri string) *DB {
	return &DB{URI: uri, DatabaseName: "neo4j"}
}

// ValidateURI checks that uri is a URI the driver can dial: a bolt or neo4j
// scheme (with optional +s or +ssc) and a host. It returns an EINVALID error
// that names what is wrong.
func ValidateURI(uri string) error {
	u, err := url.Parse(uri)
	if err != nil {
		return model.Errorf(model.EINVALID, "malformed Neo4j URI %q: %v", uri, err)
	}
	switch u.Scheme {
	case "bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc":
	default:
		return model.Errorf(model.EINVALID, "malformed Neo4j URI %q: scheme must be bolt, bolt+s, bolt+ssc, neo4j, neo4j+s or neo4j+ssc", uri)
	}
	if u.Hostname() == "" {
		return model.Errorf(model.EINVALID, "malformed Neo4j URI %q: no host", uri)
	}
	if p := u.Port(); p != "" && strings.Trim(p, "0123456789") != "" {
		return model.Errorf(model.EINVALID, "malformed Neo4j URI %q: bad port %q", uri, p)
	}
	return nil
}

// init creates the driver once. The driver does not dial until first used.
func (db *DB) init() error {
	db.once.Do(func() {
		if db.DatabaseName == "" {
			db.DatabaseName = "neo4j"
		}
		if db.Log == nil {
			db.Log = slog.New(slog.DiscardHandler)
		}
		if err := ValidateURI(db.URI); err != nil {
			db.initErr = err
			return
		}
		auth := neo4j.NoAuth()
		if db.Username != "" {
			auth = neo4j.BasicAuth(db.Username, db.Password, "")
		}
		drv, err := neo4j.NewDriverWithContext(db.URI, auth, func(c *config.Config) {
			c.MaxConnectionPoolSize = 50
			c.ConnectionAcquisitionTimeout = 5 * time.Second
			c.SocketConnectTimeout = 3 * time.Second
			c.MaxTransactionRetryTime = 10 * time.Second
			c.UserAgent = "ssfgraph"
		})
		if err != nil {
			db.initErr = model.Errorf(model.EINVALID, "Neo4j URI %q: %v", db.URI, err)
			return
		}
		db.driver = drv
	})
	return db.initErr
}

// Open connects to Neo4j once and applies the schema migrations, unless
// the database records this build's schema version already (then they ran;
// Migrate applies them again regardless). It returns EINVALID for a
// malformed URI, and an error wrapping the driver's when Neo4j does not
// answer or refuses the credentials.
func (db *DB) Open(ctx context.Context) error {
	if err := db.Connect(ctx); err != nil {
		return err
	}
	if db.migrated.Load() {
		return nil
	}
	return db.Migrate(ctx)
}

// Connect connects to Neo4j once and checks that it answers, like Open, but
// applies no schema migrations: it writes nothing, for commands that must
// not (`ingest --dry-run`) and tests that share a migrated database. It
// only reads the schema version that Migrate recorded, and the DB counts
// as migrated (see Ready) when that is this build's. It returns the same
// errors as Open.
func (db *DB) Connect(ctx context.Context) error {
	if err := db.init(); err != nil {
		return err
	}
	if err := db.driver.VerifyConnectivity(ctx); err != nil {
		return formatError("neo4j.Connect", db.URI, err)
	}
	recs, err := db.read(ctx, "neo4j.Connect", "reading the schema version", schemaVersionCypher, nil)
	if err != nil {
		return err
	}
	if len(recs) == 1 {
		v, _, _ := neo4j.GetRecordValue[int64](recs[0], "version")
		db.migrated.Store(v == schemaVersion)
	}
	return nil
}

// OpenWithRetry calls Open until it succeeds, backing off from 250 ms to 5 s
// between attempts, and gives up when ctx ends, returning the last failure.
// Errors that retrying cannot fix (a malformed URI, refused credentials) end
// it at once.
func (db *DB) OpenWithRetry(ctx context.Context) error { return db.retry(ctx, db.Open) }

// ConnectWithRetry calls Connect as OpenWithRetry calls Open: it waits for
// Neo4j without applying the schema migrations.
func (db *DB) ConnectWithRetry(ctx context.Context) error { return db.retry(ctx, db.Connect) }

// retry calls open until it succeeds, ctx ends or it fails with an error
// that retrying cannot fix.
func (db *DB) retry(ctx context.Context, open func(context.Context) error) error {
	backoff := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := open(ctx)
		if err == nil {
			return nil
		}
		if !retryable(err) {
			return err
		}
		db.Log.InfoContext(ctx, "neo4j not ready, retrying", "uri", db.URI, "attempt", attempt, "in", backoff, "err", err)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// retryable reports whether Open may succeed if tried again.
func retryable(err error) bool {
	switch model.ErrorCode(err) {
	case model.EINVALID, model.EUNAUTHENTICATED, model.EFORBIDDEN:
		return false
	}
	return true
}

// Close waits for the statements in flight, then releases the driver and
// its connections. Statements after Close fail with EUNAVAILABLE.
func (db *DB) Close(ctx context.Context) error {
	db.inflight.Lock()
	db.closed = true
	db.inflight.Unlock()
	if db.driver == nil {
		return nil
	}
	if err := db.driver.Close(ctx); err != nil {
		return fmt.Errorf("neo4j.Close: %w", err)
	}
	return nil
}

// enter marks a statement in flight, or fails when the DB is closed;
// leave ends it.
func (db *DB) enter() error {
	db.inflight.RLock()
	if db.closed {
		db.inflight.RUnlock()
		return model.Errorf(model.EUNAVAILABLE, "the store is closed")
	}
	return nil
}

func (db *DB) leave() { db.inflight.RUnlock() }

// Database returns the name of the database the graph is kept in.
func (db *DB) Database() string { return db.DatabaseName }
