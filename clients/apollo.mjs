// Apollo Client 4 against ssfgraph: queries, mutations and their errors over
// HttpLink, subscriptions over GraphQLWsLink (graphql-ws) and over HttpLink
// (multipart/mixed;subscriptionSpec=1.0), BatchHttpLink, and a Relay-style
// pager.

import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { BatchHttpLink } from '@apollo/client/link/batch-http';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { bearer, config, describe, liveUpdate, recordingFetch, run } from './lib.mjs';

const headers = { Authorization: bearer };

// client returns an Apollo Client over link that never caches, so that
// each query goes to the server.
function client(link) {
  return new ApolloClient({
    link,
    cache: new InMemoryCache(),
    defaultOptions: { query: { fetchPolicy: 'no-cache' }, watchQuery: { fetchPolicy: 'no-cache' } },
  });
}

const http = (options = {}) => new HttpLink({ uri: config.httpUrl, headers, ...options });

// errorCodes runs op, which must fail with GraphQL errors, and returns
// their extensions.code.
async function errorCodes(op) {
  try {
    const r = await op();
    throw new Error(`no error: ${JSON.stringify(r)}`);
  } catch (err) {
    if (!CombinedGraphQLErrors.is(err)) throw new Error(`not a GraphQL error: ${describe(err)}`);
    return err.errors.map((e) => e.extensions?.code ?? null);
  }
}

// subscribeWith returns liveUpdate's subscribe for an Apollo Client.
function subscribeWith(c) {
  return (sink) => {
    const sub = c
      .subscribe({ query: gql(config.subscription), variables: { t: config.targetId } })
      .subscribe(sink);
    return () => sub.unsubscribe();
  };
}

// mutateWith returns liveUpdate's mutate for an Apollo Client.
function mutateWith(c) {
  return async (variables) => (await c.mutate({ mutation: gql(config.mutation), variables })).data;
}

const targetQuery = gql`query ($t: ID!) { target(id: $t) { id name } }`;

const pageQuery = gql`
  query ($t: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    analyses(targetId: $t, first: $first, after: $after, last: $last, before: $before) {
      edges { cursor node { id } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }`;

await run({
  // A query and a mutation through HttpLink.
  async http() {
    const c = client(http());
    const q = await c.query({ query: targetQuery, variables: { t: config.targetId } });
    const id = `${config.idPrefix}apollo-http`;
    const m = await c.mutate({ mutation: gql(config.mutation), variables: { t: config.targetId, id, title: 'Apollo HttpLink' } });
    return { target: q.data.target?.id ?? null, created: m.data.createAnalysis.id };
  },

  // Errors through HttpLink: a validation error and a NOT_FOUND.
  async errors() {
    const c = client(http());
    const validation = await errorCodes(() =>
      c.query({ query: gql`query ($t: ID!) { target(id: $t) { noSuchField } }`, variables: { t: config.targetId } }),
    );
    const notFound = await errorCodes(() =>
      c.mutate({ mutation: gql`mutation ($id: ID!) { submitAnalysis(id: $id) { id } }`, variables: { id: config.missingId } }),
    );
    return { validationCodes: validation, notFoundCodes: notFound };
  },

  // A subscription through GraphQLWsLink; the mutation through HttpLink.
  async ws() {
    const ws = createClient({ url: config.wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: bearer }, retryAttempts: 0 });
    const link = ApolloLink.split((op) => op.operationType === 'subscription', new GraphQLWsLink(ws), http());
    const c = client(link);
    try {
      return await liveUpdate('apollo-ws', subscribeWith(c), mutateWith(c));
    } finally {
      await ws.dispose();
    }
  },

  // A subscription through HttpLink: multipart/mixed;subscriptionSpec=1.0.
  async multipart() {
    const rec = recordingFetch();
    const c = client(http({ fetch: rec.fetch }));
    const live = await liveUpdate('apollo-multipart', subscribeWith(c), mutateWith(c));
    return { ...live, exchanges: rec.exchanges };
  },

  // Two queries in one POST through BatchHttpLink.
  async batch() {
    const posts = [];
    const link = new BatchHttpLink({
      uri: config.httpUrl,
      headers,
      batchMax: 10,
      batchInterval: 50,
      fetch: (url, init) => {
        posts.push(JSON.parse(init.body));
        return fetch(url, init);
      },
    });
    const c = client(link);
    const [a, b] = await Promise.all([
      c.query({ query: targetQuery, variables: { t: config.targetId } }),
      c.query({ query: gql`{ viewer { organization { id } } }` }),
    ]);
    return {
      posts: posts.length,
      operationsPerPost: posts.map((p) => (Array.isArray(p) ? p.length : 1)),
      target: a.data.target?.id ?? null,
      viewerOrganization: b.data.viewer?.organization.id ?? null,
    };
  },

  // A Relay-style pager: forwards with first/after to the end, then
  // backwards with last/before to the start.
  async pager() {
    const c = client(http());
    const page = async (variables) => {
      const r = await c.query({ query: pageQuery, variables: { t: config.pagerTargetId, ...variables } });
      const conn = r.data.analyses;
      return { ids: conn.edges.map((e) => e.node.id), cursors: conn.edges.map((e) => e.cursor), pageInfo: conn.pageInfo };
    };
    const forwards = [];
    for (let after = null; ; ) {
      const p = await page({ first: config.pageSize, after });
      forwards.push(p);
      if (!p.pageInfo.hasNextPage || forwards.length > 50) break;
      after = p.pageInfo.endCursor;
    }
    const backwards = [];
    for (let before = null; ; ) {
      const p = await page({ last: config.pageSize, before });
      backwards.push(p);
      if (!p.pageInfo.hasPreviousPage || backwards.length > 50) break;
      before = p.pageInfo.startCursor;
    }
    return { forwards, backwards };
  },
});
