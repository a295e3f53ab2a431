// Package wsclient is a small GraphQL-over-websocket client on
// gorilla/websocket that speaks both graphql-transport-ws and the legacy
// graphql-ws. Tests and benchmarks use it as a real client would.
package wsclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// Subprotocols a Client can speak.
const (
	TransportWS = "graphql-transport-ws" // the current protocol (subscribe/next/complete)
	LegacyWS    = "graphql-ws"           // the legacy Apollo protocol (start/data/complete)
)

// Message is one message from the server.
type Message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Client is one websocket connection to a GraphQL server. It is not safe for
// concurrent use: one goroutine reads, subscribes and closes.
type Client struct {
	Conn     *websocket.Conn
	Protocol string
}

// Dial connects to the GraphQL endpoint at url (http:// or ws://) with the
// given subprotocol, sends connection_init with payload (nil for none) and
// waits for connection_ack.
func Dial(ctx context.Context, url, protocol string, payload map[string]any) (*Client, error) {
	url = strings.Replace(url, "http", "ws", 1)
	d := websocket.Dialer{Subprotocols: []string{protocol}, HandshakeTimeout: 10 * time.Second}
	conn, resp, err := d.DialContext(ctx, url, http.Header{})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("wsclient.Dial %s: %w (HTTP %d)", url, err, resp.StatusCode)
		}
		return nil, fmt.Errorf("wsclient.Dial %s: %w", url, err)
	}
	if got := conn.Subprotocol(); got != protocol {
		conn.Close()
		return nil, fmt.Errorf("wsclient.Dial %s: server chose subprotocol %q, want %q", url, got, protocol)
	}
	c := &Client{Conn: conn, Protocol: protocol}
	init := map[string]any{"type": "connection_init"}
	if payload != nil {
		init["payload"] = payload
	}
	if err := conn.WriteJSON(init); err != nil {
		conn.Close()
		return nil, fmt.Errorf("wsclient.Dial: connection_init: %w", err)
	}
	for {
		m, err := c.Next(ctx)
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("wsclient.Dial: waiting for connection_ack: %w", err)
		}
		switch m.Type {
		case "connection_ack":
			return c, nil
		case "ka", "ping", "pong":
			continue
		default:
			conn.Close()
			return nil, fmt.Errorf("wsclient.Dial: got %q (%s) before connection_ack", m.Type, m.Payload)
		}
	}
}

// Subscribe starts the operation query with variables under id.
func (c *Client) Subscribe(id, query string, variables map[string]any) error {
	typ := "subscribe"
	if c.Protocol == LegacyWS {
		typ = "start"
	}
	return c.Conn.WriteJSON(map[string]any{
		"id": id, "type": typ,
		"payload": map[string]any{"query": query, "variables": variables},
	})
}

// Stop ends the operation id.
func (c *Client) Stop(id string) error {
	typ := "complete"
	if c.Protocol == LegacyWS {
		typ = "stop"
	}
	return c.Conn.WriteJSON(map[string]any{"id": id, "type": typ})
}

// Next returns the next message, answering pings on the way. It gives up
// when ctx ends. The read deadline follows ctx's deadline.
func (c *Client) Next(ctx context.Context) (*Message, error) {
	if d, ok := ctx.Deadline(); ok {
		_ = c.Conn.SetReadDeadline(d)
	} else {
		_ = c.Conn.SetReadDeadline(time.Time{})
	}
	for {
		var m Message
		if err := c.Conn.ReadJSON(&m); err != nil {
			return nil, err
		}
		if m.Type == "ping" {
			if err := c.Conn.WriteJSON(map[string]string{"type": "pong"}); err != nil {
				return nil, err
			}
			continue
		}
		return &m, nil
	}
}

// NextData returns the payload of the next data event of any operation,
// skipping keep-alives. It returns an error for an error message, and
// ErrComplete when an operation completes.
func (c *Client) NextData(ctx context.Context) (id string, payload json.RawMessage, err error) {
	for {
		m, err := c.Next(ctx)
		if err != nil {
			return "", nil, err
		}
		switch m.Type {
		case "next", "data":
			return m.ID, m.Payload, nil
		case "complete":
			return m.ID, nil, ErrComplete
		case "error", "connection_error":
			return m.ID, nil, fmt.Errorf("wsclient: %s: %s", m.Type, m.Payload)
		}
	}
}

// ErrComplete is returned by NextData when the server completes an operation.
var ErrComplete = errors.New("operation complete")

// Close closes the connection with a normal-closure frame.
func (c *Client) Close() error {
	_ = c.Conn.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	return c.Conn.Close()
}
