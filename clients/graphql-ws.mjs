// The graphql-ws reference client (subprotocol graphql-transport-ws) against
// ssfgraph: both shapes of connection_init auth, a live comparison update,
// and a complete that ends the subscription cleanly.

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { bearer, config, describe, Events, liveUpdate, run } from './lib.mjs';

const viewerQuery = '{ viewer { organization { id } } }';

// once runs a query or mutation over the socket and resolves to its data.
async function once(client, query, variables) {
  for await (const result of client.iterate({ query, variables })) {
    if (result.errors?.length) throw new Error(describe(result.errors));
    return result.data;
  }
  throw new Error(`${query}: completed without a result`);
}

// connect returns a non-lazy client (one socket for the whole step) that
// sends connectionParams in connection_init and records, per operation
// id, the messages it receives and how the socket closed.
function connect(connectionParams) {
  const received = [];
  let closed;
  const closedOnce = new Promise((r) => (closed = r));
  const client = createClient({
    url: config.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => {}, // the step's own operations report it
    on: {
      message: (m) => received.push({ id: m.id, type: m.type }),
      closed: (ev) => closed({ code: ev.code, reason: String(ev.reason) }),
    },
  });
  return { client, received, closed: closedOnce };
}

// authStep subscribes with connectionParams, makes the mutation over the
// same socket, completes the subscription, reads the viewer again on the
// same socket and disposes of the client.
async function authStep(tag, connectionParams) {
  const { client, received, closed } = connect(connectionParams);
  const viewer = await once(client, viewerQuery);
  const events = new Events();
  let subscriptionId, completedAt;
  const live = await liveUpdate(
    tag,
    (sink) => {
      const before = received.length;
      const unsubscribe = client.subscribe({ query: config.subscription, variables: { t: config.targetId } }, {
        next: (v) => {
          subscriptionId ??= received.slice(before).find((m) => m.type === 'next')?.id;
          sink.next(v);
        },
        error: sink.error,
        complete: sink.complete,
      });
      return () => {
        completedAt = received.length; // what comes after our complete
        unsubscribe();
      };
    },
    (vars) => once(client, config.mutation, vars),
    events,
  );
  const ended = await events.ended;
  const after = await once(client, viewerQuery); // the socket still serves
  const afterComplete = received.slice(completedAt).filter((m) => m.id === subscriptionId).map((m) => m.type);
  await client.dispose();
  const close = await closed;
  return {
    ...live,
    viewerOrganization: viewer.viewer?.organization.id ?? null,
    ended,
    afterComplete,
    viewerAfterComplete: after.viewer?.organization.id ?? null,
    closeCode: close.code,
  };
}

await run({
  // connectionParams {"Authorization": "Bearer …"}: graphql-ws's own examples.
  authorization: () => authStep('ws-authorization', { Authorization: bearer }),
  // connectionParams {"headers": {"Authorization": …}}: what Apollo and urql examples send.
  headers: () => authStep('ws-headers', { headers: { Authorization: bearer } }),
});
