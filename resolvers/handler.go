package resolvers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/gorilla/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/ssfgraph/ssfgraph/graph"
	"github.com/ssfgraph/ssfgraph/graph/broker"
	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/ingest"
	"github.com/ssfgraph/ssfgraph/live"
	"github.com/ssfgraph/ssfgraph/metrics"
	"github.com/ssfgraph/ssfgraph/report"
	"github.com/ssfgraph/ssfgraph/transport"
	"github.com/ssfgraph/ssfgraph/web"
)

// Default limits; Options overrides each.
const (
	DefaultMaxBodyBytes = 1 << 20 // a POST body or a websocket message
	// DefaultComplexityLimit is 20,000 rather than GraphQL Armor's 10,000
	// because the cost multiplies by page sizes (Armor's does not): a full
	// page (500) of the nested read of BenchmarkNestedRead costs 12,001.
	DefaultComplexityLimit = 20000
	DefaultDepthLimit      = 12
	DefaultMaxTokens       = 2000 // lexer tokens of one document
	DefaultMaxAliases      = 15
	DefaultMaxDirectives   = 50
	DefaultBodyReadTimeout = 10 * time.Second
)

// Options configures NewHandler. System is required; the rest have defaults.
type Options struct {
	// Store reads and writes the graph and reports on Neo4j.
	Store model.Store
	// Version is this build's version.
	Version string
	// Log receives internal errors and recovered panics (default: discard).
	Log *slog.Logger
	// Bus carries comparison snapshots to subscriptions; NewHandler makes
	// an in-process one when nil. The caller closes it on shutdown to end
	// subscriptions.
	Bus model.EventBus[*live.Snapshot]
	// FeedbackBus carries submitted feedback to subscriptions, like Bus.
	FeedbackBus model.EventBus[*model.FeedbackEvent]
	// Changes, when set, is the bus shared by every process that writes
	// to the same database (natsbus): each committed write is published
	// on it, and the changes of the others are applied here, so that
	// subscribers, cached comparisons and cached tokens follow writes
	// made anywhere. Nil: this process is alone. The caller closes it on
	// shutdown. A Changes bus with a Ready method is part of /readyz.
	Changes model.EventBus[*model.ChangeEvent]
	// Live recomputes comparisons; NewHandler makes one over Store and Bus
	// when nil.
	Live *live.Comparisons
	// Metrics records operations and websocket connections; nil records nothing.
	Metrics *metrics.Metrics
	// MaxBodyBytes caps a request body and a websocket message.
	MaxBodyBytes int64
	// ComplexityLimit caps the cost of one operation (see operationCost:
	// page sizes, input lists and introspection count).
	ComplexityLimit int
	// DepthLimit caps the nesting of selections in one operation.
	DepthLimit int
	// MaxTokens, MaxAliases and MaxDirectives cap the raw document before
	// gqlgen parses and validates it.
	MaxTokens, MaxAliases, MaxDirectives int
	// NoAnonymousIntrospection turns introspection off for callers without
	// a token.
	NoAnonymousIntrospection bool
	// BodyReadTimeout bounds how long reading one request body may take.
	BodyReadTimeout time.Duration
	// Limits holds the rate and websocket limits; its zero fields turn the
	// limit off.
	Limits RateLimits
	// AllowedOrigins lists the origins (scheme://host[:port]) whose pages may
	// open websockets besides the server's own; "*" allows any.
	AllowedOrigins []string
	// KeepAlive is the interval of websocket keep-alive messages (default 10 s).
	KeepAlive time.Duration
	// WebsocketInitTimeout is how long a websocket may take to send
	// connection_init before it is closed with 4408 (default 10 s).
	WebsocketInitTimeout time.Duration
	// JWT, when set, checks the bearer tokens that have the shape of a JWT
	// (three base64url parts; oidc.Verifier for single sign-on); the
	// others are Store's own tokens. Nil: every token is Store's.
	JWT BearerVerifier

	noLimits      bool // for the benchmark that measures what the limits cost
	resolverReads bool // every read through the resolvers (compiled.go), for tests that compare the two
}

// extCodes turns model error codes into GraphQL `extensions.code` values.
var extCodes = map[string]string{
	model.EINVALID:         "BAD_USER_INPUT",
	model.ENOTFOUND:        "NOT_FOUND",
	model.ECONFLICT:        "CONFLICT",
	model.EFORBIDDEN:       "FORBIDDEN",
	model.EUNAUTHENTICATED: "UNAUTHENTICATED",
	model.EUNAVAILABLE:     "UNAVAILABLE",
	model.ETIMEOUT:         "TIMEOUT",
	model.EINTERNAL:        "INTERNAL",
}

// NewHandler returns ssfgraph's HTTP handler: GraphQL on /graphql (POST, GET
// and websocket upgrades), GraphiQL on /, /healthz, /readyz and /metrics.
func NewHandler(o Options) http.Handler {
	o = o.withDefaults()
	mux := http.NewServeMux()
	auth := newAuthenticator(o.Store, o.JWT, o.Log)
	conns := newConnLimits(o.Limits)
	avail := &availability{store: o.Store, log: o.Log}
	auth.unavailable = avail.suspect
	if o.noLimits {
		o.Limits = RateLimits{}
	}
	gql := newGraphQLServer(o, auth, conns, avail)
	mux.Handle("/graphql", cors(o.AllowedOrigins, rateLimit(o.Limits, avail.middleware(conns.middleware(
		limitBody(o.MaxBodyBytes, o.BodyReadTimeout, auth.middleware(readAfterBookmarks(gql))))))))
	mux.Handle("/schema.graphql", cors(o.AllowedOrigins, rateLimit(o.Limits, auth.middleware(schemaSDL(o.NoAnonymousIntrospection)))))
	mux.Handle("GET /{$}", web.GraphiQL("ssfgraph", "/graphql"))
	mux.Handle("GET /static/", web.Static())
	mux.Handle("GET /targets/{id}/compare", web.Page("compare.html"))
	mux.Handle("GET /feedback", web.Page("feedback.html"))
	mux.Handle("GET /targets", web.Page("targets.html"))
	mux.Handle("GET /analyses/{id}/coverage", web.Page("coverage.html"))
	mux.Handle("GET /analyses/{id}/insurance", web.Page("insurance.html"))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		err := o.Store.Ready(r.Context())
		if r.Context().Err() == nil {
			avail.observe(err)
		}
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": model.ErrorMessage(err)})
			return
		}
		ready := map[string]string{"status": "ready"}
		if b, ok := o.Changes.(readier); ok {
			// Reported, not failed on: writes still commit and every
			// replica reads the same database; a lost bus costs
			// freshness (see followChanges), and all replicas lose it
			// alike, so taking them out of service would help no one.
			ready["bus"] = "connected"
			if err := b.Ready(r.Context()); err != nil {
				ready["bus"] = "disconnected"
				ready["busReason"] = model.ErrorMessage(err)
			}
		}
		writeJSON(w, http.StatusOK, ready)
	})
	if o.Metrics != nil {
		mux.Handle("GET /metrics", o.Metrics.Handler())
	}
	return mux
}

// readier is a Changes bus that can say whether it is connected
// (natsbus.Bus).
type readier interface {
	Ready(ctx context.Context) error
}

func (o Options) withDefaults() Options {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.ComplexityLimit <= 0 {
		o.ComplexityLimit = DefaultComplexityLimit
	}
	if o.DepthLimit <= 0 {
		o.DepthLimit = DefaultDepthLimit
	}
	if o.MaxTokens <= 0 {
		o.MaxTokens = DefaultMaxTokens
	}
	if o.MaxAliases <= 0 {
		o.MaxAliases = DefaultMaxAliases
	}
	if o.MaxDirectives <= 0 {
		o.MaxDirectives = DefaultMaxDirectives
	}
	if o.BodyReadTimeout <= 0 {
		o.BodyReadTimeout = DefaultBodyReadTimeout
	}
	if o.KeepAlive <= 0 {
		o.KeepAlive = transport.DefaultKeepAlive
	}
	if o.WebsocketInitTimeout <= 0 {
		o.WebsocketInitTimeout = transport.DefaultInitTimeout
	}
	if o.Version == "" {
		o.Version = "devel"
	}
	if o.Bus == nil {
		o.Bus = broker.New[*live.Snapshot]()
	}
	if o.FeedbackBus == nil {
		o.FeedbackBus = broker.New[*model.FeedbackEvent]()
	}
	if o.Live == nil {
		o.Live = live.New(o.Store, o.Bus, 0, o.Log)
	}
	return o
}

// newGraphQLServer builds the gqlgen server with its transports, limits,
// error presenter and metrics.
func newGraphQLServer(o Options, auth *authenticator, conns *connLimits, avail *availability) *handler.Server {
	loader, _ := o.Store.(ingest.Loader)  // graph/neo4j's DB is one
	reports, _ := o.Store.(report.Source) // and this
	res := &Resolver{Store: o.Store, Loader: loader, Reports: reports, Bus: o.Bus, FeedbackBus: o.FeedbackBus, Live: o.Live, Changes: o.Changes, Version: o.Version, Log: o.Log, auth: auth, origin: newOrigin(), metrics: o.Metrics}
	if o.Changes != nil {
		o.Metrics.BusEnabled()
		go res.followChanges() // until the caller closes Changes
	}
	srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: res}))

	srv.AddTransport(transport.Websocket{ // first: it claims any websocket upgrade
		Upgrader: websocket.Upgrader{CheckOrigin: checkOrigin(o.AllowedOrigins)},
		Init: func(ctx context.Context, payload map[string]any) (context.Context, error) {
			ctx, err := auth.websocketInit(ctx, payload)
			if err != nil {
				return ctx, err
			}
			return conns.websocketInit(ctx)
		},
		InitTimeout: o.WebsocketInitTimeout,
		KeepAlive:   o.KeepAlive,
		ReadLimit:   o.MaxBodyBytes,
		OnOpen:      o.Metrics.WebsocketOpened,
		OnClose:     o.Metrics.WebsocketClosed,
	})
	srv.AddTransport(transport.HTTP{
		KeepAlive:  o.KeepAlive,
		OpenStream: streamAdmission{auth: auth, conns: conns, metrics: o.Metrics}.open,
		AdmitBatch: admitBatch,
	})

	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	if o.noLimits {
		srv.Use(extension.Introspection{})
	} else {
		// After APQ, which fills in the query text of a persisted query.
		srv.Use(documentLimits{maxTokens: o.MaxTokens, maxAliases: o.MaxAliases, maxDirectives: o.MaxDirectives})
		srv.Use(operationCost{limit: o.ComplexityLimit, anonIntrospection: !o.NoAnonymousIntrospection})
	}
	srv.SetValidationRulesFn(validationRules(o.DepthLimit))
	srv.Use(operationMetrics{m: o.Metrics})
	srv.AroundOperations(conns.aroundOperations)
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(context.WithValue(ctx, goneOnceKey{}, new(sync.Once)))
	})
	srv.AroundOperations(gateSubscriptions)
	srv.AroundResponses((&sharedAnswers{metrics: o.Metrics}).middleware) // before the loaders: a shared answer needs none
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		// Fresh loaders per query, mutation or subscription event, the
		// publisher that follows each write's commit, and the bookmark
		// of the last commit for the response.
		var written committedBookmarks
		return written.extend(next(model.WithCommitHook(withLoaders(ctx, o.Store), written.hook(res.committed))))
	})
	projector, _ := o.Store.(model.Projector) // graph/neo4j's DB is one
	if o.resolverReads {
		projector = nil
	}
	srv.AroundRootFields(func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
		// The audit trail names the mutation field behind each write.
		if oc := graphql.GetOperationContext(ctx); oc.Operation != nil && oc.Operation.Operation == ast.Mutation {
			ctx = model.WithAuditField(ctx, graphql.GetRootFieldContext(ctx).Field.Name)
		}
		if projector != nil {
			if m, ok := compiledRoot(ctx, projector, o.Log); ok {
				return m
			}
		}
		return next(ctx)
	})
	srv.SetErrorPresenter(errorPresenter(o.Log, avail))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		o.Log.ErrorContext(ctx, "graphql panic", "panic", p)
		return model.Errorf(model.EINTERNAL, "internal error")
	})
	return srv
}

// errorPresenter turns errors into GraphQL errors with an `extensions.code`.
// gqlgen's own errors keep their codes (or get BAD_REQUEST); *model.Error
// gets its mapped code and field; anything else is logged and shown as
// "internal error".
func errorPresenter(log *slog.Logger, avail *availability) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		if _, ok := gerr.Extensions["code"]; ok {
			return gerr // gqlgen's own: parse, validation, complexity
		}
		if gerr.Err == nil { // made by gqlgen itself, e.g. an undecodable body
			gerr.Extensions = map[string]any{"code": "BAD_REQUEST"}
			return gerr
		}
		if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || model.ErrorCode(err) == model.EUNAVAILABLE) {
			// The client went away (or the server is shutting down): every
			// field still running fails alike, so say it once, quietly.
			if once, _ := ctx.Value(goneOnceKey{}).(*sync.Once); once != nil {
				once.Do(func() { log.DebugContext(ctx, "graphql: request ended before its answer", "cause", context.Cause(ctx)) })
			}
			return &gqlerror.Error{Message: "request canceled", Path: gerr.Path, Extensions: map[string]any{"code": extCodes[model.EUNAVAILABLE]}}
		}
		code := model.ErrorCode(err)
		if code == model.EUNAVAILABLE && avail != nil {
			avail.suspect() // is Neo4j down? then the next requests fail fast
		}
		if code == model.EINTERNAL && badEnumValue.MatchString(err.Error()) {
			// gqlgen's generated enum UnmarshalGQL (reached with a value in
			// the wrong case through variables): the client's mistake.
			return &gqlerror.Error{Message: err.Error(), Path: gerr.Path, Locations: gerr.Locations,
				Extensions: map[string]any{"code": extCodes[model.EINVALID]}}
		}
		if code == model.EINTERNAL {
			log.ErrorContext(ctx, "graphql", "path", gerr.Path.String(), "err", err)
			gerr.Message = "internal error"
		} else {
			gerr.Message = model.ErrorMessage(err)
		}
		gerr.Extensions = map[string]any{"code": extCodes[code]}
		if f := model.ErrorField(err); f != "" {
			gerr.Extensions["field"] = f
		}
		return gerr
	}
}

// goneOnceKey keys the per-operation sync.Once that limits the log of a
// client that went away to one line.
type goneOnceKey struct{}

// badEnumValue matches the error of gqlgen's generated enum unmarshalers.
var badEnumValue = regexp.MustCompile(`^.{1,200} is not a valid [A-Z][A-Za-z]*$`)

// checkOrigin is originAllowed for the websocket upgrader.
func checkOrigin(allowed []string) func(*http.Request) bool {
	return func(r *http.Request) bool { return originAllowed(allowed, r) }
}

// limitBody rejects a request body larger than limit with 413 and a GraphQL
// error coded REQUEST_TOO_LARGE, before gqlgen reads it. A body that takes
// longer than timeout to arrive is cut (408, REQUEST_TIMEOUT).
func limitBody(limit int64, timeout time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		tooLarge := func() {
			writeJSON(w, http.StatusRequestEntityTooLarge, graphql.Response{Errors: gqlerror.List{{
				Message:    fmt.Sprintf("request body is larger than the limit of %d bytes", limit),
				Extensions: map[string]any{"code": "REQUEST_TOO_LARGE"},
			}}})
		}
		if r.ContentLength > limit {
			tooLarge()
			return
		}
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Now().Add(timeout)) // not every ResponseWriter supports it
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
		if err != nil {
			// The deadline stays: net/http's discard of the unread body
			// before it writes the answer must not wait for the client.
			if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
				w.Header().Set("Connection", "close")
				writeJSON(w, http.StatusRequestTimeout, graphql.Response{Errors: gqlerror.List{{
					Message:    fmt.Sprintf("the request body did not arrive within %s", timeout),
					Extensions: map[string]any{"code": "REQUEST_TIMEOUT"},
				}}})
				return
			}
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				tooLarge()
				return
			}
			writeJSON(w, http.StatusBadRequest, graphql.Response{Errors: gqlerror.List{{
				Message:    "could not read the request body: " + err.Error(),
				Extensions: map[string]any{"code": "BAD_REQUEST"},
			}}})
			return
		}
		_ = rc.SetReadDeadline(time.Time{}) // the handler may run longer; net/http reads on in the background
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
