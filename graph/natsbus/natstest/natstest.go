// Package natstest runs an embedded NATS server (with JetStream) in a
// test binary, so that tests of natsbus and of replicas sharing it need no
// outside process.
package natstest

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Server is an embedded NATS server that a test may stop and start again
// on the same port.
type Server struct {
	tb   testing.TB
	opts server.Options
	ns   *server.Server
}

// Start starts a NATS server on a free port of 127.0.0.1, stopped in
// tb.Cleanup.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{tb: tb, opts: server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: tb.TempDir(), NoSigs: true}}
	s.start()
	s.opts.Port = s.ns.Addr().(*net.TCPAddr).Port // a restart keeps it
	tb.Cleanup(s.Stop)
	return s
}

func (s *Server) start() {
	s.tb.Helper()
	opts := s.opts
	ns, err := server.NewServer(&opts)
	if err != nil {
		s.tb.Fatalf("natstest: %v", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		s.tb.Fatalf("natstest: the NATS server on port %d is not ready after 10s", s.opts.Port)
	}
	s.ns = ns
}

// URL returns the server's client URL.
func (s *Server) URL() string { return fmt.Sprintf("nats://127.0.0.1:%d", s.opts.Port) }

// Stop shuts the server down, waiting for it; clients start reconnecting.
func (s *Server) Stop() {
	if s.ns != nil {
		s.ns.Shutdown()
		s.ns.WaitForShutdown()
		s.ns = nil
	}
}

// Restart starts the server again on the same port after Stop, with the
// streams it had.
func (s *Server) Restart() {
	s.tb.Helper()
	s.start()
}

// RestartEmpty starts the server again on the same port after Stop, with
// empty storage: a server that lost its streams.
func (s *Server) RestartEmpty() {
	s.tb.Helper()
	s.opts.StoreDir = s.tb.TempDir()
	s.start()
}
