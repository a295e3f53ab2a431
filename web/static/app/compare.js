// The comparison page: the incidents × analyses matrix of one target, kept
// live by the comparisonUpdated subscription over graphql-transport-ws.
import { lang, setLang, t, translate } from './i18n.js';

const tokenKey = 'ssfgraph.token';
const targetId = decodeURIComponent(location.pathname.split('/')[2] || '');
const $ = (id) => document.getElementById(id);

const query = `subscription($t: ID!) { comparisonUpdated(targetId: $t, includeDrafts: true) {
  target { id name } revision computedAt
  analyses { analysis { id title version status organization { name } } }
  agreement { axis1 { value n } axis2 { value n } category { value n } }
  incidents { incident { id name } divergent entries { analysisId axis1 axis2 category rationale
    threats { name } assets { name } measures { perspective measure { name } } ownerDepartment { name } } }
  hotspots { incident { id } score } } }`;

let last = null; // the comparison shown, redrawn when the language changes
let statusKey = 'connecting';
let statusDetail = '';

function status(key, detail = '', error = false) {
  statusKey = key;
  statusDetail = detail;
  $('status').textContent = t(key) + (detail ? ` ${detail}` : '');
  $('status').className = error ? 'error' : '';
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

const fmt = (s) => (s.value == null ? '—' : s.value.toFixed(2));
const names = (list) => (list.length ? list.map((x) => x.name).join(', ') : t('none'));

function render(c) {
  last = c;
  $('title').textContent = `${t('comparison')}: ${c.target.name}`;
  $('summary').replaceChildren(
    el('dt', {}, t('revision')), el('dd', { id: 'revision' }, String(c.revision)),
    el('dt', {}, t('changed')), el('dd', {}, new Date(c.computedAt).toLocaleString(lang())),
    el('dt', { title: t('alphaHelp') }, t('alpha1')), el('dd', { id: 'alpha-axis1' }, fmt(c.agreement.axis1)),
    el('dt', { title: t('alphaHelp') }, t('alpha2')), el('dd', { id: 'alpha-axis2' }, fmt(c.agreement.axis2)),
    el('dt', { title: t('alphaHelp') }, t('alphaCategory')), el('dd', { id: 'alpha-category' }, fmt(c.agreement.category)),
  );
  const score = new Map(c.hotspots.map((h) => [h.incident.id, h.score]));
  const rows = [...c.incidents].sort((a, b) => (score.get(b.incident.id) ?? 0) - (score.get(a.incident.id) ?? 0));
  const head = el('tr', {}, el('th', { scope: 'col' }, t('incident')),
    ...c.analyses.map((a) => el('th', { scope: 'col' },
      `${a.analysis.title} (${a.analysis.organization.name}, v${a.analysis.version}${a.analysis.status === 'DRAFT' ? `, ${t('draft')}` : ''})`)));
  const body = rows.map((r) => {
    const by = new Map(r.entries.map((e) => [e.analysisId, e]));
    const name = el('th', { scope: 'row' }, r.incident.name);
    if (r.divergent) name.title = t('divergent');
    return el('tr', { class: r.divergent ? 'divergent' : '' }, name,
      ...c.analyses.map((a) => {
        const e = by.get(a.analysis.id);
        if (!e) return el('td', { class: 'cell missing' }, t('notAssessed'));
        const b = el('button', { type: 'button', class: 'cell-button' }, `${e.axis1 ?? '–'} / ${e.axis2 ?? '–'} · ${e.category ?? '–'}`);
        b.addEventListener('click', () => details(r.incident, a.analysis, e));
        return el('td', { class: `cell level-${e.axis1 ?? 0}`, title: `${t('axis1')} ${e.axis1}, ${t('axis2')} ${e.axis2}, ${t('category')} ${e.category}` }, b);
      }));
  });
  $('matrix').replaceChildren(el('thead', {}, head), el('tbody', {}, ...body));
  status('live', String(c.revision));
}

let shown = null; // the arguments of the details shown, redrawn when the language changes

// details shows what one analysis said of one incident.
function details(incident, analysis, e) {
  shown = [incident, analysis, e];
  $('details-title').textContent = `${incident.name} — ${analysis.title}`;
  const row = (key, value, id) => [el('dt', {}, t(key)), el('dd', id ? { id } : {}, value)];
  $('details-body').replaceChildren(
    ...row('axis1', String(e.axis1 ?? '–')), ...row('axis2', String(e.axis2 ?? '–')), ...row('category', String(e.category ?? '–')),
    ...row('rationale', e.rationale || t('none'), 'details-rationale'),
    ...row('threats', names(e.threats)), ...row('assets', names(e.assets)),
    ...row('measures', e.measures.length ? e.measures.map((m) => `${m.measure.name} (${m.perspective})`).join(', ') : t('none')),
    ...row('owner', e.ownerDepartment ? e.ownerDepartment.name : t('none')),
  );
  $('details').hidden = false;
  $('details-close').focus();
}

function connect(token) {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`, 'graphql-transport-ws');
  const send = (m) => ws.send(JSON.stringify(m));
  ws.onopen = () => send({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } });
  ws.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    if (m.type === 'connection_ack') send({ id: 'cmp', type: 'subscribe', payload: { query, variables: { t: targetId } } });
    else if (m.type === 'ping') send({ type: 'pong' });
    else if (m.type === 'next' && m.payload.errors) status('error', m.payload.errors.map((e) => e.message).join('; '), true);
    else if (m.type === 'next') render(m.payload.data.comparisonUpdated);
    else if (m.type === 'error') status('error', m.payload.map((e) => e.message).join('; '), true);
  };
  ws.onclose = (ev) => {
    if (ev.code === 4401 || ev.code === 4403) {
      sessionStorage.removeItem(tokenKey);
      status('signedOut', ev.reason, true);
      $('signin').hidden = false;
      return;
    }
    status('gone', `(${ev.code})`, true);
    setTimeout(() => connect(token), 1000);
  };
}

$('signin').addEventListener('submit', (ev) => {
  ev.preventDefault();
  sessionStorage.setItem(tokenKey, $('token').value.trim());
  $('signin').hidden = true;
  connect(sessionStorage.getItem(tokenKey));
});
$('details-close').addEventListener('click', () => { $('details').hidden = true; shown = null; });
$('lang').value = lang();
$('lang').addEventListener('change', () => {
  setLang($('lang').value);
  translate();
  if (last) render(last);
  else status(statusKey, statusDetail);
  if (shown && !$('details').hidden) details(...shown);
});

translate();
const token = sessionStorage.getItem(tokenKey);
if (token) connect(token);
else { $('signin').hidden = false; status('pasteToken'); }
