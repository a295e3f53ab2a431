// What every page shares: the sign-in by pasted token (kept in the tab's
// session storage, never in a URL), GraphQL over HTTP with that token,
// the header with its links and language switch, and errors in the
// reader's language.
import { lang, setLang, t, translate } from './i18n.js';

export const tokenKey = 'ssfgraph.token';

/** $ returns the element with this id. */
export const $ = (id) => document.getElementById(id);

/** el builds an element with attributes and children (text is never parsed as HTML). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    e.setAttribute(k, v === true ? '' : v);
  }
  e.append(...children.filter((c) => c != null));
  return e;
}

/** pathId returns the {id} of the page's path /kind/{id}/... */
export const pathId = () => decodeURIComponent(location.pathname.split('/')[2] || '');

/**
 * analysisContext says, in #analysis, which analysis of which target a
 * page shows, with links to the target list, the target's comparison and
 * one more page [id, href, labelKey]; its labels are the page's
 * {prefix}.analysis, .by, .of, .toTargets and .toCompare.
 */
export function analysisContext(a, prefix, [id, href, key]) {
  const k = (name) => t(`${prefix}.${name}`);
  $('analysis').replaceChildren(
    `${k('analysis')}: ${a.title} (${k('by')} ${a.organization.name}, v${a.version}) — ${k('of')}: ${a.target.name} · `,
    el('a', { href: '/targets', id: 'to-targets' }, k('toTargets')), ' · ',
    el('a', { href: `/targets/${encodeURIComponent(a.target.id)}/compare`, id: 'to-compare' }, k('toCompare')), ' · ',
    el('a', { href, id }, t(key)));
}

/** token is the signed-in token, or null. */
export const token = () => sessionStorage.getItem(tokenKey);

/** signOut forgets the token and shows the sign-in form with why. */
export function signOut(reason) {
  sessionStorage.removeItem(tokenKey);
  status('signedOut', reason, true);
  $('signin').hidden = false;
}

/**
 * ApiError is an error the server answered, with its extensions.code
 * (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, …) when it gave one.
 */
export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

/**
 * gql sends one operation over HTTP with the token and returns its data;
 * it throws an ApiError for the first error, and signs out when the
 * server refuses the token.
 */
// The bookmark of this tab's last write (the answer's bookmark extension),
// sent with every later request so that, behind a load balancer over
// replicas on a Neo4j cluster, the tab reads its own writes.
const bookmarkKey = 'ssfgraph.bookmark';

export async function gql(query, variables = {}) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  const bookmark = sessionStorage.getItem(bookmarkKey);
  if (bookmark) headers['Ssfgraph-Bookmark'] = bookmark;
  let res;
  try {
    res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  } catch (e) {
    throw new ApiError(String(e.message || e), 'UNREACHABLE');
  }
  let body;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`HTTP ${res.status}`, 'UNREACHABLE');
  }
  if (body.extensions && body.extensions.bookmark) sessionStorage.setItem(bookmarkKey, body.extensions.bookmark);
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    if (bookmark && String(first.message).includes('Ssfgraph-Bookmark')) {
      // A bookmark of another database (restored, replaced): forget it.
      sessionStorage.removeItem(bookmarkKey);
      return gql(query, variables);
    }
    const err = new ApiError(first.message, first.extensions && first.extensions.code);
    if (err.code === 'UNAUTHENTICATED') signOut(first.message);
    throw err;
  }
  return body.data;
}

/** errorText says what went wrong in the reader's language, with the server's words after. */
export function errorText(err) {
  const key = err && err.code ? `err.${err.code}` : '';
  const known = key && t(key) !== key;
  return known ? `${t(key)} (${err.message})` : String((err && err.message) || err);
}

let statusKey = 'connecting';
let statusDetail = '';
let statusError = false;

/** status shows a labelled message in the page's live status line. */
export function status(key, detail = '', error = false) {
  statusKey = key;
  statusDetail = detail;
  statusError = error;
  const s = $('status');
  if (!s) return;
  s.textContent = t(key) + (detail ? ` ${detail}` : '');
  s.className = error ? 'error' : '';
}

/** showError puts an error in the status line. */
export function showError(err) {
  status('error', errorText(err), true);
}

/** apiError makes one ApiError of a GraphQL errors list. */
const apiError = (errors) => new ApiError(errors.map((e) => e.message).join('; '), errors[0].extensions && errors[0].extensions.code);

// The reconnection waits 1 s, 2 s, 4 s, … up to 10 s, each time between
// half and all of it at random, so that a server coming back is not met by
// every page at once; a connection the server accepts starts again at 1 s.
const backOff = (retries) => Math.min(1000 * 2 ** retries, 10000) * (0.5 + Math.random() / 2);

/**
 * subscribe keeps one GraphQL subscription live over graphql-transport-ws
 * with the session token. next(data) gets each event, error(err) the
 * errors the server sends, open(again) is called after each connection the
 * server accepts (again: after a lost one, when events may have been
 * missed) and lost() when the connection drops. It reconnects with
 * back-off and signs out when the server refuses the token (4401, 4403).
 * It returns restart(variables), which subscribes anew (events of the
 * earlier subscription are dropped), and close().
 */
export function subscribe(query, variables, { next, error = showError, open = () => {}, lost = () => {} }) {
  let ws = null; // the current websocket; null once closed on purpose
  let acked = false;
  let id = null; // the live subscription's id
  let subs = 0;
  let retries = 0;
  let connections = 0;
  let closed = false;
  const send = (m) => ws.send(JSON.stringify(m));
  const begin = () => {
    id = `s${++subs}`;
    send({ id, type: 'subscribe', payload: { query, variables } });
  };
  function connect() {
    const me = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`, 'graphql-transport-ws');
    ws = me;
    acked = false;
    me.onopen = () => me.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${token()}` } }));
    me.onmessage = (ev) => {
      if (ws !== me) return;
      const m = JSON.parse(ev.data);
      if (m.type === 'connection_ack') {
        retries = 0;
        acked = true;
        begin();
        open(connections++ > 0);
      } else if (m.type === 'ping') send({ type: 'pong' });
      else if (m.id && m.id !== id) return; // an earlier subscription's
      else if (m.type === 'next' && m.payload.errors) error(apiError(m.payload.errors));
      else if (m.type === 'next') next(m.payload.data);
      else if (m.type === 'error') error(apiError(m.payload));
    };
    me.onclose = (ev) => {
      if (ws !== me) return; // closed on purpose
      ws = null;
      acked = false;
      lost();
      if (ev.code === 4401 || ev.code === 4403) {
        signOut(ev.reason);
        return;
      }
      status('gone', `(${ev.code})`, true);
      setTimeout(() => { if (!closed) connect(); }, backOff(retries++));
    };
  }
  connect();
  return {
    restart(more) {
      variables = more;
      if (!acked) return; // subscribed with these once the server accepts the connection
      send({ id, type: 'complete' });
      begin();
    },
    close() {
      closed = true;
      const w = ws;
      ws = null;
      if (w) w.close();
    },
  };
}

/**
 * start wires the page: the header's links and language switch, the
 * sign-in form, and calls run(token) once a token is there (again after
 * each sign-in). onLang is called after the language changes.
 */
export function start(run, onLang = () => {}) {
  const nav = $('nav');
  if (nav) {
    nav.replaceChildren(
      el('a', { href: '/targets', 'data-i18n': 'nav.targets' }, t('nav.targets')),
      el('a', { href: '/feedback', 'data-i18n': 'nav.feedback' }, t('nav.feedback')),
      el('a', { href: '/', 'data-i18n': 'nav.graphiql' }, t('nav.graphiql')),
    );
  }
  const select = $('lang');
  select.value = lang();
  select.addEventListener('change', () => {
    setLang(select.value);
    translate();
    status(statusKey, statusDetail, statusError);
    onLang();
  });
  $('signin').addEventListener('submit', (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(tokenKey, $('token').value.trim());
    $('token').value = '';
    $('signin').hidden = true;
    run(token());
  });
  translate();
  if (token()) run(token());
  else {
    $('signin').hidden = false;
    status('pasteToken');
  }
}
