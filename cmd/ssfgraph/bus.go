package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

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

// dialChanges connects to the changes bus of c.Bus (which must be set);
// obs, if not nil, is told of its publishes and connection states.
func (c *Config) dialChanges(ctx context.Context, name string, log *slog.Logger, obs natsbus.Observer) (*natsbus.Bus[*model.ChangeEvent], error) {
	host, _ := os.Hostname()
	o := natsbus.ChangesOptions()
	o.Name, o.Log, o.Observer = fmt.Sprintf("ssfgraph %s %s/%d", name, host, os.Getpid()), log, obs
	b, err := natsbus.Dial[*model.ChangeEvent](ctx, c.Bus, o)
	if err != nil {
		return nil, fmt.Errorf("--bus (SSFGRAPH_BUS): %w", err)
	}
	return b, nil
}

// announceChanges connects a command that writes outside any server to
// the changes bus (c.Bus, which must be set): the returned ctx publishes
// each change committed through it, so that every replica shows it as if
// it had made it. done waits until the NATS server has them all and
// closes the bus; failing that, the data is still committed, and it
// warns that replicas show it only when their caches expire.
func (c *Config) announceChanges(ctx context.Context, command string, log *slog.Logger) (_ context.Context, done func(), _ error) {
	bus, err := c.dialChanges(ctx, command, log, nil)
	if err != nil {
		return ctx, nil, err
	}
	host, _ := os.Hostname()
	origin := fmt.Sprintf("%s-%s-%d", strings.ReplaceAll(command, " ", "-"), host, os.Getpid())
	ctx = model.WithCommitHook(ctx, func(_ context.Context, ch *model.Change) {
		if ev := model.NewChangeEvent(origin, ch); ev != nil {
			bus.Publish(model.ChangesTopic, ev)
		}
	})
	return ctx, func() {
		defer bus.Close()
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := bus.Flush(fctx); err != nil {
			log.Warn("the changes are committed, but the changes bus did not get their announcement: replicas show them when their caches expire", "err", err)
		}
	}, nil
}
