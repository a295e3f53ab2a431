package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/natsbus"
)

// busFlag binds --bus (SSFGRAPH_BUS) to c.Bus, for the commands that write
// through a shared changes bus: serve and ingest.
func (c *Config) busFlag(fs *flag.FlagSet, envs map[string]string) {
	fs.StringVar(&c.Bus, "bus", "", "NATS `URL` (nats://host:4222, or a comma-separated list of a cluster's servers) of the changes bus that replicas share; empty: this process is alone [SSFGRAPH_BUS]")
	envs["bus"] = "SSFGRAPH_BUS"
}

// validateBus checks a --bus value: empty, or NATS URLs.
func validateBus(bus string) error {
	if bus == "" {
		return nil
	}
	for _, s := range strings.Split(bus, ",") {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || u.Host == "" {
			return fmt.Errorf("--bus: %q is not a URL such as nats://host:4222", s)
		}
		switch u.Scheme {
		case "nats", "tls", "ws", "wss":
		default:
			return fmt.Errorf("--bus: %q: the scheme must be nats, tls, ws or wss", s)
		}
	}
	return nil
}

// dialChanges connects to the changes bus of c.Bus (which must be set).
func (c *Config) dialChanges(ctx context.Context, name string, log *slog.Logger) (*natsbus.Bus[*model.ChangeEvent], error) {
	host, _ := os.Hostname()
	b, err := natsbus.Dial[*model.ChangeEvent](ctx, c.Bus, natsbus.Options{Name: fmt.Sprintf("ssfgraph %s %s/%d", name, host, os.Getpid()), Log: log})
	if err != nil {
		return nil, fmt.Errorf("--bus (SSFGRAPH_BUS): %w", err)
	}
	return b, nil
}
