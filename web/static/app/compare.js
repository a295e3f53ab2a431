// The comparison page: the incidents × analyses matrix of one target, kept
// live by the comparisonUpdated subscription over graphql-transport-ws.
import { lang, t } from './i18n.js';
import { $, ApiError, el, showError, signOut, start, status } from './common.js';

const targetId = decodeURIComponent(location.pathname.split('/')[2] || '');

const query = `subscription($t: ID!) { comparisonUpdated(targetId: $t, includeDrafts: true) {
  target { id name } revision computedAt
  analyses { analysis { id title version status organization { name } } }
  agreement { axis1 { value n } axis2 { value n } category { value n } }
  incidents { incident { id name } divergent entries { analysisId axis1 axis2 category rationale
    threats { name } assets { name } measures { perspective measure { name } } ownerDepartment { name } } }
  hotspots { incident { id } score } } }`;

let last = null; // the comparison shown, redrawn when the language changes
let firstRender = 0; // the animation frame after the first render, when the mark is due

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
        const b = el('button', { type: 'button', class: 'cell-button', 'data-incident': r.incident.id, 'data-analysis': a.analysis.id }, `${e.axis1 ?? '–'} / ${e.axis2 ?? '–'} · ${e.category ?? '–'}`);
        b.addEventListener('click', () => details(r.incident, a.analysis, e));
        return el('td', { class: `cell level-${e.axis1 ?? 0}`, title: `${t('axis1')} ${e.axis1}, ${t('axis2')} ${e.axis2}, ${t('category')} ${e.category}` }, b);
      }));
  });
  $('matrix').replaceChildren(el('thead', {}, head), el('tbody', {}, ...body));
  status('live', String(c.revision));
  // Marked once the first matrix is laid out and painted: a task queued
  // from the next animation frame runs after that frame.
  if (!firstRender) firstRender = requestAnimationFrame(() => setTimeout(() => performance.mark('ssfgraph:first-render')));
}

let shown = null; // the arguments of the details shown, redrawn when the language changes
let opener = null; // the ids of the cell whose details are shown, to give it the focus back

// details shows what one analysis said of one incident.
function details(incident, analysis, e) {
  shown = [incident, analysis, e];
  opener = { incident: incident.id, analysis: analysis.id };
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

const apiError = (errors) => new ApiError(errors.map((e) => e.message).join('; '), errors[0].extensions && errors[0].extensions.code);

// closeDetails hides the details and gives the focus back to the cell
// that opened them (found again by its ids: a redraw replaces the buttons).
function closeDetails() {
  $('details').hidden = true;
  shown = null;
  if (!opener) return;
  const b = $('matrix').querySelector(`button[data-incident="${CSS.escape(opener.incident)}"][data-analysis="${CSS.escape(opener.analysis)}"]`);
  opener = null;
  if (b) b.focus();
}

// The reconnection waits 1 s, 2 s, 4 s, … up to 10 s, each time between
// half and all of it at random, so that a server coming back is not met by
// every page at once; a connection the server accepts starts again at 1 s.
let retries = 0;
const retryDelay = () => Math.min(1000 * 2 ** retries++, 10000) * (0.5 + Math.random() / 2);

function connect(token) {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`, 'graphql-transport-ws');
  const send = (m) => ws.send(JSON.stringify(m));
  ws.onopen = () => send({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } });
  ws.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    if (m.type === 'connection_ack') {
      retries = 0;
      send({ id: 'cmp', type: 'subscribe', payload: { query, variables: { t: targetId } } });
    } else if (m.type === 'ping') send({ type: 'pong' });
    else if (m.type === 'next' && m.payload.errors) showError(apiError(m.payload.errors));
    else if (m.type === 'next') render(m.payload.data.comparisonUpdated);
    else if (m.type === 'error') showError(apiError(m.payload));
  };
  ws.onclose = (ev) => {
    if (ev.code === 4401 || ev.code === 4403) {
      signOut(ev.reason);
      return;
    }
    status('gone', `(${ev.code})`, true);
    setTimeout(() => connect(token), retryDelay());
  };
}

$('details-close').addEventListener('click', closeDetails);
document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape' && !$('details').hidden) {
    ev.preventDefault();
    closeDetails();
  }
});

start(connect, () => {
  if (last) render(last);
  if (shown && !$('details').hidden) details(...shown);
});
