// The comparison page: the incidents × analyses matrix of one target, kept
// live by the comparisonUpdated subscription over graphql-transport-ws.
const tokenKey = 'ssfgraph.token';
const targetId = decodeURIComponent(location.pathname.split('/')[2] || '');
const $ = (id) => document.getElementById(id);

const query = `subscription($t: ID!) { comparisonUpdated(targetId: $t, includeDrafts: true) {
  target { id name } revision computedAt
  analyses { analysis { id title version status organization { name } } }
  agreement { axis1 { value n } axis2 { value n } category { value n } }
  incidents { incident { id name } divergent entries { analysisId axis1 axis2 category } }
  hotspots { incident { id } score } } }`;

function status(text, error = false) {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

const fmt = (s) => (s.value == null ? '—' : s.value.toFixed(2));

function render(c) {
  $('title').textContent = `Comparison: ${c.target.name}`;
  const summary = $('summary');
  summary.replaceChildren(
    el('dt', {}, 'Revision'), el('dd', { id: 'revision' }, String(c.revision)),
    el('dt', {}, 'Changed'), el('dd', {}, new Date(c.computedAt).toLocaleString()),
    el('dt', { title: "Krippendorff's alpha: 1 is full agreement, 0 what chance would give" }, 'α axis 1'), el('dd', { id: 'alpha-axis1' }, fmt(c.agreement.axis1)),
    el('dt', {}, 'α axis 2'), el('dd', { id: 'alpha-axis2' }, fmt(c.agreement.axis2)),
    el('dt', {}, 'α category'), el('dd', { id: 'alpha-category' }, fmt(c.agreement.category)),
  );
  const score = new Map(c.hotspots.map((h) => [h.incident.id, h.score]));
  const rows = [...c.incidents].sort((a, b) => (score.get(b.incident.id) ?? 0) - (score.get(a.incident.id) ?? 0));
  const head = el('tr', {}, el('th', { scope: 'col' }, 'Incident'),
    ...c.analyses.map((a) => el('th', { scope: 'col' }, `${a.analysis.title} (${a.analysis.organization.name}, v${a.analysis.version}${a.analysis.status === 'DRAFT' ? ', draft' : ''})`)));
  const body = rows.map((r) => {
    const by = new Map(r.entries.map((e) => [e.analysisId, e]));
    return el('tr', { class: r.divergent ? 'divergent' : '' },
      el('th', { scope: 'row' }, r.incident.name),
      ...c.analyses.map((a) => {
        const e = by.get(a.analysis.id);
        if (!e) return el('td', { class: 'cell missing' }, 'not assessed');
        return el('td', { class: `cell level-${e.axis1 ?? 0}`, title: `axis 1 ${e.axis1}, axis 2 ${e.axis2}, category ${e.category}` },
          `${e.axis1 ?? '–'} / ${e.axis2 ?? '–'} · ${e.category ?? '–'}`);
      }));
  });
  $('matrix').replaceChildren(el('thead', {}, head), el('tbody', {}, ...body));
  status(`Live: revision ${c.revision}`);
}

function connect(token) {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`, 'graphql-transport-ws');
  const send = (m) => ws.send(JSON.stringify(m));
  ws.onopen = () => send({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } });
  ws.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    if (m.type === 'connection_ack') send({ id: 'cmp', type: 'subscribe', payload: { query, variables: { t: targetId } } });
    else if (m.type === 'ping') send({ type: 'pong' });
    else if (m.type === 'next' && m.payload.errors) status(m.payload.errors.map((e) => e.message).join('; '), true);
    else if (m.type === 'next') render(m.payload.data.comparisonUpdated);
    else if (m.type === 'error') status(m.payload.map((e) => e.message).join('; '), true);
  };
  ws.onclose = (ev) => {
    if (ev.code === 4401 || ev.code === 4403) {
      sessionStorage.removeItem(tokenKey);
      status(`Signed out: ${ev.reason || 'the token was refused'}`, true);
      $('signin').hidden = false;
      return;
    }
    status(`The server went away (${ev.code}); reconnecting…`, true);
    setTimeout(() => connect(token), 1000);
  };
}

$('signin').addEventListener('submit', (ev) => {
  ev.preventDefault();
  sessionStorage.setItem(tokenKey, $('token').value.trim());
  $('signin').hidden = true;
  connect(sessionStorage.getItem(tokenKey));
});

const token = sessionStorage.getItem(tokenKey);
if (token) connect(token);
else { $('signin').hidden = false; status('Paste a token to sign in.'); }
