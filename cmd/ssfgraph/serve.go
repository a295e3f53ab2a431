package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/broker"
	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/natsbus"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/live"
	"github.com/ssfgraph/ssfgraph/metrics"
	"github.com/ssfgraph/ssfgraph/oidc"
	"github.com/ssfgraph/ssfgraph/resolvers"
	"golang.org/x/time/rate"
)

// runServe is `ssfgraph serve`: it runs the server until ctx ends (SIGINT or
// SIGTERM), then shuts down gracefully.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg Config
	fs, envs := cfg.flagSet("serve", stdout, true)
	cfg.busFlag(fs, envs)
	if err := cfg.parse(fs, envs, args); err != nil {
		return err
	}
	m := NewMain(cfg, cfg.logger(stderr))
	if err := m.Run(ctx); err != nil {
		_ = m.Close()
		return err
	}
	fmt.Fprintf(stdout, "ssfgraph serving on %s (GraphiQL at /, GraphQL at /graphql)\n", m.URL())
	select {
	case <-ctx.Done():
		m.Log.Info("shutting down", "cause", context.Cause(ctx))
	case err := <-m.serveErr:
		_ = m.Close()
		return fmt.Errorf("http server stopped: %w", err)
	}
	return m.Close()
}

// Main is a running ssfgraph server: the HTTP server and the Neo4j
// connection. Build it with NewMain, start it with Run, stop it with Close.
type Main struct {
	Config  Config
	Log     *slog.Logger
	DB      *neo4j.DB
	Metrics *metrics.Metrics

	Bus         *broker.Broker[*live.Snapshot]
	FeedbackBus *broker.Broker[*model.FeedbackEvent]
	Live        *live.Comparisons
	// Changes is the changes bus shared with the other replicas, nil
	// without Config.Bus; Run connects it.
	Changes *natsbus.Bus[*model.ChangeEvent]

	ln            net.Listener
	srv           *http.Server
	cancelStreams context.CancelFunc
	serveErr      chan error
}

// NewMain returns a Main for cfg that logs to log. It does not listen or
// connect: Run does.
func NewMain(cfg Config, log *slog.Logger) *Main {
	m := &Main{Config: cfg, Log: log, Metrics: metrics.New(), serveErr: make(chan error, 1)}
	m.DB = cfg.db(log)
	m.DB.Observer = m.Metrics
	m.Bus = broker.New[*live.Snapshot]()
	m.FeedbackBus = broker.New[*model.FeedbackEvent]()
	m.Live = live.New(m.DB, m.Bus, 0, log)
	return m
}

// Run listens on Config.Addr and serves at once (/healthz answers, /readyz
// says 503), then connects to Neo4j, retrying with backoff for up to
// Config.Neo4jWait, and applies the schema migrations. It returns when the
// server is ready, or with an error that names the problem: the address is
// taken, the URI is malformed, or Neo4j did not answer in time.
func (m *Main) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("cannot listen on %s: the address is already in use (set --addr or SSFGRAPH_ADDR)", m.Config.Addr)
		}
		return fmt.Errorf("cannot listen on %s: %w", m.Config.Addr, err)
	}
	m.ln = ln

	var changes model.EventBus[*model.ChangeEvent] // a nil *natsbus.Bus would not be a nil interface
	if m.Config.Bus != "" {
		if m.Changes, err = m.Config.dialChanges(ctx, "serve", m.Log, m.Metrics); err != nil {
			return err
		}
		changes = m.Changes
		m.Log.Info("changes bus connected", "url", m.Config.Bus)
	}

	var jwt resolvers.BearerVerifier
	if cfg, ok := m.Config.oidcConfig(m.DB, m.Log); ok {
		v, err := oidc.New(ctx, cfg)
		if err != nil {
			return fmt.Errorf("single sign-on: %w", err)
		}
		jwt = v
		m.Log.Info("single sign-on", "issuer", cfg.Issuer, "audience", cfg.Audience, "jwks", cfg.JWKS)
	}

	// Websockets live under streamsCtx; shutdown cancels it so that open
	// subscriptions end (http.Server.Shutdown skips hijacked connections).
	// Other requests are left to finish: Shutdown waits for them, so a
	// mutation under way commits or rolls back whole, never cut off.
	streamsCtx, cancelStreams := context.WithCancel(context.WithoutCancel(ctx))
	m.cancelStreams = cancelStreams
	m.srv = &http.Server{
		Handler: endStreamsWith(streamsCtx, resolvers.NewHandler(resolvers.Options{
			Store:          m.DB,
			Bus:            m.Bus,
			FeedbackBus:    m.FeedbackBus,
			Changes:        changes,
			Live:           m.Live,
			Version:        Version(),
			Log:            m.Log,
			Metrics:        m.Metrics,
			MaxBodyBytes:   m.Config.MaxBodyBytes,
			AllowedOrigins: splitList(m.Config.AllowedOrigins),
			JWT:            jwt,

			ComplexityLimit:          m.Config.MaxCost,
			DepthLimit:               m.Config.MaxDepth,
			MaxTokens:                m.Config.MaxTokens,
			MaxAliases:               m.Config.MaxAliases,
			MaxDirectives:            m.Config.MaxDirectives,
			NoAnonymousIntrospection: !m.Config.AnonymousIntrospection,
			BodyReadTimeout:          m.Config.BodyReadTimeout,
			Limits: resolvers.RateLimits{
				PerIP: rate.Limit(m.Config.RatePerIP), PerIPBurst: m.Config.RateBurstPerIP,
				PerToken: rate.Limit(m.Config.RatePerToken), PerTokenBurst: m.Config.RateBurstPerToken,
				Websockets: m.Config.MaxWebsockets, WebsocketsPerIP: m.Config.MaxWebsocketsPerIP,
				WebsocketsPerToken:         m.Config.MaxWebsocketsPerToken,
				SubscriptionsPerConnection: m.Config.MaxSubscriptionsPerConnection,
			},
		})),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn),
	}
	m.srv.RegisterOnShutdown(func() {
		cancelStreams()
		m.Bus.Close() // ends every subscription's stream
		m.FeedbackBus.Close()
	})
	go func() {
		if err := m.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			m.serveErr <- err
		}
	}()
	m.Log.Info("listening", "url", m.URL(), "version", Version())

	waitCtx, cancel := context.WithTimeout(ctx, m.Config.Neo4jWait)
	defer cancel()
	start := time.Now()
	if err := m.DB.OpenWithRetry(waitCtx); err != nil {
		if ctx.Err() == nil && waitCtx.Err() != nil {
			return fmt.Errorf("Neo4j at %s did not answer within %s (start it with `make neo4j-start`, or set NEO4J_URI): %w", m.Config.Neo4jURI, m.Config.Neo4jWait, err)
		}
		return fmt.Errorf("Neo4j at %s: %w", m.Config.Neo4jURI, err)
	}
	m.Log.Info("ready", "neo4j", m.Config.Neo4jURI, "database", m.Config.Neo4jDatabase, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// URL returns the base URL the server listens on, with the real port when
// Config.Addr asked for port 0.
func (m *Main) URL() string {
	if m.ln == nil {
		return "http://" + m.Config.Addr
	}
	return "http://" + m.ln.Addr().String()
}

// Close shuts the HTTP server down, waiting up to Config.ShutdownTimeout for
// requests to finish and ending open subscriptions, then closes the Neo4j
// driver. It is safe to call after a failed Run.
func (m *Main) Close() error {
	var errs []error
	if m.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), max(m.Config.ShutdownTimeout, time.Second))
		defer cancel()
		if err := m.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
			_ = m.srv.Close()
		}
	}
	if m.cancelStreams != nil {
		m.cancelStreams()
	}
	m.Bus.Close()
	m.FeedbackBus.Close()
	if m.Changes != nil {
		m.Changes.Close() // after Shutdown: the last mutations have published
	}
	m.Live.Close()
	if err := m.DB.Close(context.Background()); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// endStreamsWith returns next with the context of each websocket upgrade
// request also ended when streams ends, so that shutdown can end
// subscriptions without cutting off the other requests in flight.
func endStreamsWith(streams context.Context, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		stop := context.AfterFunc(streams, cancel)
		defer stop()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
