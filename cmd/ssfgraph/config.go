package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/oidc"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// errHelp is returned when the user asked for --help; the usage has been
// printed already.
var errHelp = flag.ErrHelp

// Config is what serve and migrate need. Each field comes from a flag, which
// falls back to an environment variable, which falls back to a default.
type Config struct {
	Addr            string
	Neo4jURI        string
	Neo4jUsername   string
	Neo4jPassword   string
	Neo4jDatabase   string
	Neo4jWait       time.Duration
	ShutdownTimeout time.Duration
	MaxBodyBytes    int64
	AllowedOrigins  string
	LogLevel        string

	// Limits of serve (README, Limits).
	MaxCost, MaxDepth, MaxTokens, MaxAliases, MaxDirectives  int
	AnonymousIntrospection                                   bool
	BodyReadTimeout                                          time.Duration
	RatePerIP, RatePerToken                                  float64
	RateBurstPerIP, RateBurstPerToken                        int
	MaxWebsockets, MaxWebsocketsPerIP, MaxWebsocketsPerToken int
	MaxSubscriptionsPerConnection                            int

	LogFormat string

	// Bus is the NATS URL of the changes bus shared by replicas (serve
	// and ingest only; see busFlag); empty for none.
	Bus string

	// Single sign-on (README, Tokens): JWT bearers checked against a JWKS.
	OIDCIssuer, OIDCAudience, OIDCJWKS         string
	OIDCUserClaim, OIDCOrgClaim, OIDCRoleClaim string
	OIDCAlgorithms                             string
	OIDCLeeway                                 time.Duration

	printUsage func()
}

// flagSet returns a FlagSet for the named command bound to c. envs maps each
// flag to the environment variable it falls back to.
func (c *Config) flagSet(name string, stdout io.Writer, serve bool) (*flag.FlagSet, map[string]string) {
	fs := flag.NewFlagSet("ssfgraph "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // run prints errors as one line
	fs.Usage = func() {}     // parse prints the usage for --help only
	printUsage := func() {
		fs.SetOutput(stdout)
		fmt.Fprintf(stdout, "Usage: ssfgraph %s [flags]\n\nFlags (each falls back to the environment variable in brackets):\n", name)
		fs.PrintDefaults()
		fmt.Fprintln(stdout, "\nNEO4J_PASSWORD (environment only) is the Neo4j password.")
		fs.SetOutput(io.Discard)
	}
	envs := map[string]string{}
	c.printUsage = printUsage
	bind := func(flagName, envName string) { envs[flagName] = envName }
	if serve {
		fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "listen `address` for HTTP and websockets [SSFGRAPH_ADDR]")
		bind("addr", "SSFGRAPH_ADDR")
		fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 15*time.Second, "how long to wait for requests to finish on shutdown [SSFGRAPH_SHUTDOWN_TIMEOUT]")
		bind("shutdown-timeout", "SSFGRAPH_SHUTDOWN_TIMEOUT")
		fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", 1<<20, "largest request body or websocket message, in `bytes` [SSFGRAPH_MAX_BODY_BYTES]")
		bind("max-body-bytes", "SSFGRAPH_MAX_BODY_BYTES")
		fs.StringVar(&c.AllowedOrigins, "allowed-origins", "", "comma-separated `origins` whose pages may open websockets besides the server's own; * allows any [SSFGRAPH_ALLOWED_ORIGINS]")
		bind("allowed-origins", "SSFGRAPH_ALLOWED_ORIGINS")
		c.limitFlags(fs, bind)
		c.oidcFlags(fs, bind)
	}
	fs.StringVar(&c.Neo4jURI, "neo4j-uri", "bolt://127.0.0.1:7687", "Neo4j Bolt `URI` [NEO4J_URI]")
	bind("neo4j-uri", "NEO4J_URI")
	fs.StringVar(&c.Neo4jUsername, "neo4j-username", "", "Neo4j user; empty for a Neo4j without authentication [NEO4J_USERNAME]")
	bind("neo4j-username", "NEO4J_USERNAME")
	fs.StringVar(&c.Neo4jDatabase, "neo4j-database", "neo4j", "Neo4j database `name` [NEO4J_DATABASE]")
	bind("neo4j-database", "NEO4J_DATABASE")
	fs.DurationVar(&c.Neo4jWait, "neo4j-wait", 60*time.Second, "how long to keep retrying while Neo4j does not answer at start [SSFGRAPH_NEO4J_WAIT]")
	bind("neo4j-wait", "SSFGRAPH_NEO4J_WAIT")
	fs.StringVar(&c.LogLevel, "log-level", "info", "debug, info, warn or error [SSFGRAPH_LOG_LEVEL]")
	bind("log-level", "SSFGRAPH_LOG_LEVEL")
	fs.StringVar(&c.LogFormat, "log-format", "text", "text or json [SSFGRAPH_LOG_FORMAT]")
	bind("log-format", "SSFGRAPH_LOG_FORMAT")
	c.Neo4jPassword = os.Getenv("NEO4J_PASSWORD") // environment only: flags show in ps
	return fs, envs
}

// limitFlags binds serve's limit flags (README, Limits).
func (c *Config) limitFlags(fs *flag.FlagSet, bind func(flagName, envName string)) {
	intFlag := func(p *int, name string, def int, usage, env string) {
		fs.IntVar(p, name, def, usage+" ["+env+"]")
		bind(name, env)
	}
	intFlag(&c.MaxCost, "max-cost", resolvers.DefaultComplexityLimit, "largest cost of one operation (page sizes, input lists and introspection count)", "SSFGRAPH_MAX_COST")
	intFlag(&c.MaxDepth, "max-depth", resolvers.DefaultDepthLimit, "deepest nesting of selections", "SSFGRAPH_MAX_DEPTH")
	intFlag(&c.MaxTokens, "max-tokens", resolvers.DefaultMaxTokens, "most lexer tokens in one document, checked before parsing", "SSFGRAPH_MAX_TOKENS")
	intFlag(&c.MaxAliases, "max-aliases", resolvers.DefaultMaxAliases, "most aliases in one document, checked before parsing", "SSFGRAPH_MAX_ALIASES")
	intFlag(&c.MaxDirectives, "max-directives", resolvers.DefaultMaxDirectives, "most directives in one document, checked before parsing", "SSFGRAPH_MAX_DIRECTIVES")
	fs.BoolVar(&c.AnonymousIntrospection, "anonymous-introspection", true, "allow introspection without a token [SSFGRAPH_ANONYMOUS_INTROSPECTION]")
	bind("anonymous-introspection", "SSFGRAPH_ANONYMOUS_INTROSPECTION")
	fs.DurationVar(&c.BodyReadTimeout, "body-read-timeout", resolvers.DefaultBodyReadTimeout, "longest time a request body may take to arrive [SSFGRAPH_BODY_READ_TIMEOUT]")
	bind("body-read-timeout", "SSFGRAPH_BODY_READ_TIMEOUT")
	fs.Float64Var(&c.RatePerIP, "rate-per-ip", 50, "requests per second from one client address; 0 for no limit [SSFGRAPH_RATE_PER_IP]")
	bind("rate-per-ip", "SSFGRAPH_RATE_PER_IP")
	intFlag(&c.RateBurstPerIP, "rate-burst-per-ip", 100, "burst of requests above --rate-per-ip", "SSFGRAPH_RATE_BURST_PER_IP")
	fs.Float64Var(&c.RatePerToken, "rate-per-token", 20, "requests per second with one token; 0 for no limit [SSFGRAPH_RATE_PER_TOKEN]")
	bind("rate-per-token", "SSFGRAPH_RATE_PER_TOKEN")
	intFlag(&c.RateBurstPerToken, "rate-burst-per-token", 40, "burst of requests above --rate-per-token", "SSFGRAPH_RATE_BURST_PER_TOKEN")
	intFlag(&c.MaxWebsockets, "max-websockets", 1000, "open websockets in the whole server; 0 for no limit", "SSFGRAPH_MAX_WEBSOCKETS")
	intFlag(&c.MaxWebsocketsPerIP, "max-websockets-per-ip", 20, "open websockets from one client address; 0 for no limit", "SSFGRAPH_MAX_WEBSOCKETS_PER_IP")
	intFlag(&c.MaxWebsocketsPerToken, "max-websockets-per-token", 10, "open websockets of one token; 0 for no limit", "SSFGRAPH_MAX_WEBSOCKETS_PER_TOKEN")
	intFlag(&c.MaxSubscriptionsPerConnection, "max-subscriptions-per-connection", 20, "running subscriptions of one websocket; 0 for no limit", "SSFGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION")
}

// oidcFlags binds serve's single sign-on flags (README, Tokens).
func (c *Config) oidcFlags(fs *flag.FlagSet, bind func(flagName, envName string)) {
	strFlag := func(p *string, name, def, usage, env string) {
		fs.StringVar(p, name, def, usage+" ["+env+"]")
		bind(name, env)
	}
	strFlag(&c.OIDCIssuer, "oidc-issuer", "", "accept JWT bearers whose iss is this `issuer`; empty turns single sign-on off", "SSFGRAPH_OIDC_ISSUER")
	strFlag(&c.OIDCAudience, "oidc-audience", "", "the `audience` a JWT's aud must contain", "SSFGRAPH_OIDC_AUDIENCE")
	strFlag(&c.OIDCJWKS, "oidc-jwks", "", "the issuer's JSON Web Key Set: a `file` or an https URL", "SSFGRAPH_OIDC_JWKS")
	strFlag(&c.OIDCUserClaim, "oidc-user-claim", oidc.DefaultUserClaim, "the JWT `claim` that names the user", "SSFGRAPH_OIDC_USER_CLAIM")
	strFlag(&c.OIDCOrgClaim, "oidc-org-claim", oidc.DefaultOrgClaim, "the JWT `claim` that names the organization (its id in ssfgraph)", "SSFGRAPH_OIDC_ORG_CLAIM")
	strFlag(&c.OIDCRoleClaim, "oidc-role-claim", oidc.DefaultRoleClaim, "the JWT `claim` that gives the role: a role or a list, of which the most trusted role counts", "SSFGRAPH_OIDC_ROLE_CLAIM")
	strFlag(&c.OIDCAlgorithms, "oidc-algorithms", strings.Join(oidc.DefaultAlgorithms, ","), "comma-separated signature `algorithms` accepted; HMAC (HS256, …) only when listed, none never", "SSFGRAPH_OIDC_ALGORITHMS")
	fs.DurationVar(&c.OIDCLeeway, "oidc-leeway", oidc.DefaultLeeway, "how far a JWT's exp, nbf and iat may be off this server's clock [SSFGRAPH_OIDC_LEEWAY]")
	bind("oidc-leeway", "SSFGRAPH_OIDC_LEEWAY")
}

// oidcConfig returns the verifier's configuration, looking organizations
// up in orgs; ok is false when single sign-on is off.
func (c *Config) oidcConfig(orgs oidc.Organizations, log *slog.Logger) (cfg oidc.Config, ok bool) {
	if c.OIDCIssuer == "" {
		return oidc.Config{}, false
	}
	return oidc.Config{
		Issuer: c.OIDCIssuer, Audience: c.OIDCAudience, JWKS: c.OIDCJWKS,
		UserClaim: c.OIDCUserClaim, OrgClaim: c.OIDCOrgClaim, RoleClaim: c.OIDCRoleClaim,
		Algorithms: splitList(c.OIDCAlgorithms), Leeway: c.OIDCLeeway, Orgs: orgs, Log: log,
	}, true
}

// parse applies the environment, then args, to c and validates the result.
// Bad flags, variables and values come back as usage errors.
func (c *Config) parse(fs *flag.FlagSet, envs map[string]string, args []string) error {
	for _, name := range slices.Sorted(maps.Keys(envs)) {
		if v, ok := os.LookupEnv(envs[name]); ok && v != "" {
			if err := fs.Set(name, v); err != nil {
				return usageError("%s=%q: %v", envs[name], v, err)
			}
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.printUsage()
			return errHelp
		}
		return usageError("%v", err)
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	if err := c.Validate(); err != nil {
		return usageError("%v", err)
	}
	return nil
}

// Validate checks the values that flags and the environment gave.
func (c *Config) Validate() error {
	if c.Addr != "" {
		if _, port, err := net.SplitHostPort(c.Addr); err != nil {
			return fmt.Errorf("bad listen address %q: %v", c.Addr, err)
		} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			return fmt.Errorf("bad listen address %q: port must be a number from 0 to 65535", c.Addr)
		}
	}
	if err := neo4j.ValidateURI(c.Neo4jURI); err != nil {
		return fmt.Errorf("NEO4J_URI: %s", strings.TrimPrefix(err.Error(), "invalid: "))
	}
	if c.Neo4jDatabase == "" {
		return errors.New("the Neo4j database name is empty")
	}
	if c.Neo4jWait <= 0 {
		return fmt.Errorf("--neo4j-wait must be positive, got %s", c.Neo4jWait)
	}
	for name, v := range map[string]int{"--max-cost": c.MaxCost, "--max-depth": c.MaxDepth, "--max-tokens": c.MaxTokens,
		"--max-aliases": c.MaxAliases, "--max-directives": c.MaxDirectives, "--rate-burst-per-ip": c.RateBurstPerIP,
		"--rate-burst-per-token": c.RateBurstPerToken, "--max-websockets": c.MaxWebsockets,
		"--max-websockets-per-ip": c.MaxWebsocketsPerIP, "--max-websockets-per-token": c.MaxWebsocketsPerToken,
		"--max-subscriptions-per-connection": c.MaxSubscriptionsPerConnection} {
		if v < 0 {
			return fmt.Errorf("%s must not be negative, got %d", name, v)
		}
	}
	if c.RatePerIP < 0 || c.RatePerToken < 0 || c.BodyReadTimeout < 0 {
		return errors.New("--rate-per-ip, --rate-per-token and --body-read-timeout must not be negative")
	}
	if (c.OIDCIssuer != "" || c.OIDCAudience != "" || c.OIDCJWKS != "") && (c.OIDCIssuer == "" || c.OIDCAudience == "" || c.OIDCJWKS == "") {
		return errors.New("single sign-on needs all of --oidc-issuer, --oidc-audience and --oidc-jwks")
	}
	if c.OIDCLeeway < 0 {
		return fmt.Errorf("--oidc-leeway must not be negative, got %s", c.OIDCLeeway)
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		return err
	}
	if err := validateBus(c.Bus); err != nil {
		return err
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format must be text or json, got %q", c.LogFormat)
	}
	return nil
}

// logger returns the slog logger the config asks for, writing to w.
func (c *Config) logger(w io.Writer) *slog.Logger {
	level, _ := parseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// db returns a (not yet connected) neo4j.DB for the config.
func (c *Config) db(log *slog.Logger) *neo4j.DB {
	db := neo4j.NewDB(c.Neo4jURI)
	db.Username, db.Password, db.DatabaseName, db.Log = c.Neo4jUsername, c.Neo4jPassword, c.Neo4jDatabase, log
	return db
}

// connect opens db (applying the schema migrations), retrying for up to
// Neo4jWait while Neo4j does not answer, and wraps a failure with the URI.
func (c *Config) connect(ctx context.Context, db *neo4j.DB) error {
	return c.wait(ctx, db.OpenWithRetry)
}

// connectUnmigrated is connect without the schema migrations, for commands
// that must write nothing (ingest --dry-run).
func (c *Config) connectUnmigrated(ctx context.Context, db *neo4j.DB) error {
	return c.wait(ctx, db.ConnectWithRetry)
}

// wait calls open with a deadline Neo4jWait away and wraps a failure with
// the URI.
func (c *Config) wait(ctx context.Context, open func(context.Context) error) error {
	waitCtx, cancel := context.WithTimeout(ctx, c.Neo4jWait)
	defer cancel()
	if err := open(waitCtx); err != nil {
		return fmt.Errorf("Neo4j at %s: %w", c.Neo4jURI, err)
	}
	return nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("--log-level must be debug, info, warn or error, got %q", s)
	}
	return l, nil
}
