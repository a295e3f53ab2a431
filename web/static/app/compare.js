// The comparison page: the incidents × analyses matrix of one target, the
// agreement statistics (alpha per axis, pairwise kappa and percent
// agreement as heat maps) and the differences between two analyses, kept
// live by the comparisonUpdated subscription over graphql-transport-ws.
// With a selection of the reader's own, each event re-runs compareAnalyses
// over HTTP for exactly the analyses chosen.
import './compare-labels.js';
import { lang, t } from './i18n.js';
import { $, el, gql, pathId, showError, start, status, subscribe } from './common.js';
import { help as explainHelp } from './explain.js';
import { date, num, pct as percent } from './format.js';

const targetId = pathId();

const stat = '{ kappa { value n } percent { value n } }';
const fields = `target { id name } revision computedAt
  analyses { analysis { id title version status organization { name } } }
  agreement { axis1 { value n } axis2 { value n } category { value n } }
  pairs { a b axis1 ${stat} axis2 ${stat} category ${stat} incidents }
  incidents { incident { id name } divergent entries { analysisId axis1 axis2 category rationale
    threats { name } assets { name } measures { perspective measure { name } } ownerDepartment { name } } }
  hotspots { incident { id } score }`;

const subscription = `subscription($t: ID!, $d: Boolean) { comparisonUpdated(targetId: $t, includeDrafts: $d) { ${fields} } }`;
const compareQuery = `query($t: ID!, $ids: [ID!], $d: Boolean) { compareAnalyses(targetId: $t, analysisIds: $ids, includeDrafts: $d) { ${fields} } }`;
const analysesQuery = `query($t: ID!) { analyses(targetId: $t, first: 500) { nodes {
  id title version status organization { name } supersedes { id } } } }`;
const side = 'id title version status organization { name }';
const diffQuery = `query($a: ID!, $b: ID!) { diffAnalyses(a: $a, b: $b) {
  a { ${side} } b { ${side} }
  pair { axis1 ${stat} axis2 ${stat} category ${stat} incidents threats assets measures }
  added { id name } removed { id name }
  changed { incident { id name } axis1 { from to } axis2 { from to } category { from to }
    threats { added removed } assets { added removed } measures { added removed }
    measureChanges { measureId fromPerspective toPerspective fromStatus toStatus }
    ownerDepartment { from to } rationale { from to } } } }`;

let last = null; // the comparison shown, redrawn when the language changes
let rows = []; // its incident rows in the order shown (the matrix's clicks index them)
let includeDrafts = true; // the default shows drafts: an analysis being written is seen as it grows
let selection = null; // null: the default selection; else the Set of analysis ids chosen
let analyses = []; // every analysis of the target the reader may read, all versions
let diffPair = null; // [a, b] of the diff shown, re-run on every change
let lastDiff = null;
let firstRender = 0; // the animation frame after the first render, when the mark is due

// A statistic ({value, n}): kappa and alpha with two decimals, percent agreement (a share) as a whole percent.
const fmt = (s) => num(s && s.value, 2);
const pct = (s) => percent(s && s.value != null ? s.value * 100 : null, 0);
const names = (list) => (list.length ? list.map((x) => x.name).join(', ') : t('none'));
const fill = (key, vars) => t(key).replace(/\{(\w+)\}/g, (_, k) => vars[k]);

/** label names an analysis version for people: title, organization, version, state. */
function label(a, superseded = false) {
  const extra = [a.organization.name, `v${a.version}`];
  if (a.status === 'DRAFT') extra.push(t('draft'));
  if (superseded) extra.push(t('cmp.superseded'));
  return `${a.title} (${extra.join(', ')})`;
}

// ---------------------------------------------------------------- help

const helpOf = { alpha: 'α', kappa: 'cmp.kappa', percent: 'cmp.percent', hotspot: 'cmp.hotspot', revision: 'revision', overlap: 'cmp.overlap' };

/** help returns the "?" button that explains a statistic (see explain.js). */
const help = (name, id) => explainHelp(name, `cmp.help${name[0].toUpperCase()}${name.slice(1)}`, helpOf[name], id);

// ---------------------------------------------------------------- the comparison

function render(c) {
  last = c;
  $('title').textContent = `${t('comparison')}: ${c.target.name}`;
  $('summary').replaceChildren(
    el('dt', {}, t('revision'), help('revision', 'help-revision')), el('dd', { id: 'revision' }, String(c.revision)),
    el('dt', {}, t('changed')), el('dd', {}, date(c.computedAt)),
    el('dt', {}, t('alpha1'), help('alpha', 'help-alpha-axis1')), el('dd', { id: 'alpha-axis1' }, fmt(c.agreement.axis1)),
    el('dt', {}, t('alpha2'), help('alpha', 'help-alpha-axis2')), el('dd', { id: 'alpha-axis2' }, fmt(c.agreement.axis2)),
    el('dt', {}, t('alphaCategory'), help('alpha', 'help-alpha-category')), el('dd', { id: 'alpha-category' }, fmt(c.agreement.category)),
  );
  renderMatrix(c);
  renderHeatmaps(c);
  renderChoice();
  status('live', String(c.revision));
  // Marked once the first matrix is laid out and painted: a task queued
  // from the next animation frame runs after that frame.
  if (!firstRender) firstRender = requestAnimationFrame(() => setTimeout(() => performance.mark('ssfgraph:first-render')));
}

function renderMatrix(c) {
  const score = new Map(c.hotspots.map((h) => [h.incident.id, h.score]));
  rows = [...c.incidents].sort((a, b) => (score.get(b.incident.id) ?? 0) - (score.get(a.incident.id) ?? 0));
  const head = el('tr', {}, el('th', { scope: 'col' }, t('incident'), help('hotspot', 'help-hotspot')),
    ...c.analyses.map((a) => el('th', { scope: 'col', 'data-analysis': a.analysis.id }, label(a.analysis))));
  const body = document.createDocumentFragment();
  rows.forEach((r, ri) => {
    const by = new Map(r.entries.map((e) => [e.analysisId, e]));
    const s = score.get(r.incident.id) ?? 0;
    const name = el('th', { scope: 'row' }, r.incident.name,
      s > 0 ? el('span', { class: 'score', title: t('cmp.hotspot') }, num(s, 2)) : null);
    if (r.divergent) name.title = t('divergent');
    const tr = el('tr', { class: r.divergent ? 'divergent' : '' }, name);
    c.analyses.forEach((a, ci) => {
      const e = by.get(a.analysis.id);
      if (!e) {
        tr.append(el('td', { class: 'cell missing' }, t('notAssessed')));
        return;
      }
      tr.append(el('td', { class: `cell level-${e.axis1 ?? 0}`, title: `${t('axis1')} ${e.axis1}, ${t('axis2')} ${e.axis2}, ${t('category')} ${e.category}` },
        el('button', { type: 'button', class: 'cell-button', 'data-r': ri, 'data-c': ci, 'data-incident': r.incident.id, 'data-analysis': a.analysis.id }, `${e.axis1 ?? '–'} / ${e.axis2 ?? '–'} · ${e.category ?? '–'}`)));
    });
    body.append(tr);
  });
  $('matrix').replaceChildren(el('thead', {}, head), el('tbody', {}, body));
}

// One listener for every cell of the matrix.
$('matrix').addEventListener('click', (ev) => {
  const b = ev.target.closest('.cell-button');
  if (!b || !last) return;
  const r = rows[Number(b.dataset.r)];
  const a = last.analyses[Number(b.dataset.c)];
  const e = r && a && r.entries.find((x) => x.analysisId === a.analysis.id);
  if (e) details(r.incident, a.analysis, e);
});

const kappaClass = (k) => {
  if (k == null || k.value == null) return 'kb-none';
  const b = Math.round(Math.max(-1, Math.min(1, k.value)) * 4);
  return `kb-${b < 0 ? 'm' : 'p'}${Math.abs(b)}`;
};

/** renderHeatmaps draws the pairwise kappa and percent agreement, one analyses × analyses table per rating. */
function renderHeatmaps(c) {
  $('agreement-help').replaceChildren(help('kappa', 'help-kappa'), help('percent', 'help-percent'));
  if (c.analyses.length < 2) {
    $('heatmaps').replaceChildren(el('p', { class: 'note' }, t('cmp.needTwo')));
    return;
  }
  const pair = new Map();
  for (const p of c.pairs) {
    pair.set(`${p.a}\n${p.b}`, p);
    pair.set(`${p.b}\n${p.a}`, p);
  }
  const ids = c.analyses.map((a) => a.analysis.id);
  const maps = ['axis1', 'axis2', 'category'].map((axis) => {
    const head = el('tr', {}, el('td', {}),
      ...c.analyses.map((a, j) => el('th', { scope: 'col', title: label(a.analysis) }, String(j + 1))));
    const body = document.createDocumentFragment();
    c.analyses.forEach((ra, i) => {
      const tr = el('tr', {}, el('th', { scope: 'row', title: label(ra.analysis) }, `${i + 1}. ${label(ra.analysis)}`));
      ids.forEach((b, j) => {
        if (i === j) {
          tr.append(el('td', { class: 'heat-cell self', title: t('cmp.self') }, '—'));
          return;
        }
        const p = pair.get(`${ids[i]}\n${b}`);
        const s = p && p[axis];
        const k = s ? s.kappa : null;
        const pc = s ? s.percent : null;
        tr.append(el('td', {
          id: `kappa-${axis}-${i}-${j}`, class: `heat-cell ${kappaClass(k)}`, 'data-a': ids[i], 'data-b': b,
          'data-kappa': k && k.value != null ? String(k.value) : '', 'data-percent': pc && pc.value != null ? String(pc.value) : '',
          title: fill('cmp.pairTitle', { a: label(ra.analysis), b: label(c.analyses[j].analysis), k: fmt(k), p: pct(pc) }),
        }, el('span', { class: 'k' }, fmt(k)), el('span', { class: 'p' }, pct(pc))));
      });
      body.append(tr);
    });
    return el('table', { class: 'heat', id: `heat-${axis}` }, el('caption', {}, t(`cmp.heat.${axis}`)),
      el('thead', {}, head), el('tbody', {}, body));
  });
  $('heatmaps').replaceChildren(...maps.map((m) => el('div', { class: 'scroll' }, m)));
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

// ---------------------------------------------------------------- choosing analyses

let pickerKey = '';

/** visible are the analyses the picker offers: drafts only when they are included. */
const visible = () => analyses.filter((a) => includeDrafts || a.status !== 'DRAFT');

/** renderChoice shows which analyses are compared and lets the reader choose. */
function renderChoice() {
  $('include-drafts').checked = includeDrafts;
  $('selection-note').textContent = selection
    ? fill('cmp.customNote', { n: selection.size })
    : fill('cmp.defaultNote', { drafts: t(includeDrafts ? 'cmp.draftsIn' : 'cmp.draftsOut') });
  $('selection-default').disabled = !selection;
  const list = visible();
  const superseded = new Set(analyses.filter((a) => a.supersedes).map((a) => a.supersedes.id));
  const key = lang() + JSON.stringify(list.map((a) => [a.id, a.title, a.version, a.status, superseded.has(a.id)]));
  if (key !== pickerKey) {
    pickerKey = key;
    $('picker-list').replaceChildren(el('legend', {}, t('cmp.pick')), ...(list.length ? list.map((a) => el('label', { class: 'check' },
      el('input', { type: 'checkbox', value: a.id, 'data-analysis': a.id }), ' ', label(a, superseded.has(a.id)), ' ', el('code', {}, a.id)))
      : [el('p', {}, t('cmp.noAnalyses'))]));
  }
  const compared = new Set(last ? last.analyses.map((a) => a.analysis.id) : []);
  for (const box of $('picker-list').querySelectorAll('input')) box.checked = selection ? selection.has(box.value) : compared.has(box.value);
  renderDiffChoice(superseded);
}

function renderDiffChoice(superseded) {
  for (const [id, n] of [['diff-a', 0], ['diff-b', 1]]) {
    const s = $(id);
    const before = s.value;
    s.replaceChildren(...analyses.map((a) => el('option', { value: a.id }, `${label(a, superseded.has(a.id))} · ${a.id}`)));
    const fallback = last && last.analyses[n] ? last.analyses[n].analysis.id : (analyses[n] || {}).id;
    s.value = analyses.some((a) => a.id === before) ? before : fallback || '';
  }
}

async function loadAnalyses() {
  const data = await gql(analysesQuery, { t: targetId });
  analyses = data.analyses.nodes;
  if (selection) {
    const known = new Set(visible().map((a) => a.id));
    selection = new Set([...selection].filter((id) => known.has(id)));
    if (selection.size === 0) selection = null;
  }
}

let computing = 0; // the latest compareAnalyses request; older answers are dropped

/** computeSelection compares exactly the chosen analyses over HTTP. */
async function computeSelection() {
  const mine = ++computing;
  const ids = [...selection];
  const data = await gql(compareQuery, { t: targetId, ids, d: includeDrafts });
  if (mine === computing && selection) render(data.compareAnalyses);
}

/** refresh brings the page up to date after an event or a change of choice. */
async function refresh(event) {
  try {
    if (!selection && event) render(event);
    await loadAnalyses();
    if (selection) await computeSelection();
    else if (last) renderChoice();
    if (diffPair) await runDiff();
  } catch (err) {
    showError(err);
  }
}

$('picker-list').addEventListener('change', () => {
  const chosen = [...$('picker-list').querySelectorAll('input:checked')].map((b) => b.value);
  selection = chosen.length ? new Set(chosen) : null;
  if (selection) refresh();
  else resubscribe();
});
$('selection-default').addEventListener('click', () => {
  selection = null;
  resubscribe();
});
$('include-drafts').addEventListener('change', () => {
  includeDrafts = $('include-drafts').checked;
  if (selection && !includeDrafts) {
    const drafts = new Set(analyses.filter((a) => a.status === 'DRAFT').map((a) => a.id));
    selection = new Set([...selection].filter((id) => !drafts.has(id)));
    if (selection.size === 0) selection = null;
  }
  resubscribe();
});

// ---------------------------------------------------------------- diff

const change = (c) => (c ? `${c.from ?? '–'} → ${c.to ?? '–'}` : '');
const setChange = (s) => [...s.added.map((id) => `+${id}`), ...s.removed.map((id) => `−${id}`)].join(' ');

async function runDiff() {
  const [a, b] = diffPair;
  const mine = ++diffing;
  const data = await gql(diffQuery, { a, b });
  if (mine === diffing) renderDiff(data.diffAnalyses);
}
let diffing = 0;

function renderDiff(d) {
  lastDiff = d;
  const count = (key, id, n) => [el('dt', {}, t(key)), el('dd', { id }, String(n))];
  const incidentList = (list) => (list.length
    ? el('ul', {}, ...list.map((i) => el('li', {}, i.name, ' ', el('code', {}, i.id))))
    : el('p', {}, t('none')));
  const agreement = el('table', { class: 'pair', id: 'diff-pair' },
    el('thead', {}, el('tr', {}, el('td', {}),
      el('th', { scope: 'col' }, t('cmp.kappa'), help('kappa')), el('th', { scope: 'col' }, t('cmp.percent'), help('percent')))),
    el('tbody', {}, ...['axis1', 'axis2', 'category'].map((axis) => el('tr', {}, el('th', { scope: 'row' }, t(`cmp.heat.${axis}`)),
      el('td', { id: `diff-kappa-${axis}` }, fmt(d.pair[axis].kappa)), el('td', { id: `diff-percent-${axis}` }, pct(d.pair[axis].percent))))));
  const overlap = el('dl', { class: 'overlap' },
    ...['incidents', 'threats', 'assets', 'measures'].flatMap((k) => [el('dt', {}, `${t('cmp.overlap')}: ${t(`cmp.${k}`)}`),
      el('dd', { id: `diff-overlap-${k}` }, num(d.pair[k], 2))]));
  const changed = d.changed.length ? el('div', { class: 'scroll' }, el('table', { id: 'diff-changed' },
    el('thead', {}, el('tr', {}, ...['incident', 'axis1', 'axis2', 'category', 'cmp.threats', 'cmp.assets', 'cmp.measures', 'cmp.changeOf']
      .map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, ...d.changed.map((c) => el('tr', {},
      el('th', { scope: 'row' }, c.incident.name, ' ', el('code', {}, c.incident.id)),
      el('td', {}, change(c.axis1)), el('td', {}, change(c.axis2)), el('td', {}, change(c.category)),
      el('td', {}, setChange(c.threats)), el('td', {}, setChange(c.assets)),
      el('td', {}, setChange(c.measures), ...c.measureChanges.map((m) => el('div', {},
        `${m.measureId}: ${m.fromPerspective} → ${m.toPerspective}, ${m.fromStatus} → ${m.toStatus}`))),
      el('td', {},
        c.ownerDepartment ? el('div', {}, `${t('cmp.ownerChange')}: ${c.ownerDepartment.from} → ${c.ownerDepartment.to}`) : null,
        c.rationale ? el('div', {}, `${t('cmp.rationaleChange')}: ${c.rationale.from} → ${c.rationale.to}`) : null)))))) : el('p', {}, t('cmp.noChange'));
  $('diff').replaceChildren(
    el('h3', { id: 'diff-heading', 'data-a': d.a.id, 'data-b': d.b.id }, `${label(d.a)} → ${label(d.b)}`),
    el('dl', { class: 'counts' },
      ...count('cmp.added', 'diff-added-count', d.added.length),
      ...count('cmp.removed', 'diff-removed-count', d.removed.length),
      ...count('cmp.changedIncidents', 'diff-changed-count', d.changed.length)),
    el('h4', {}, t('cmp.added')), incidentList(d.added),
    el('h4', {}, t('cmp.removed')), incidentList(d.removed),
    el('h4', {}, t('cmp.changedIncidents')), changed,
    el('h4', {}, t('cmp.pairAgreement'), help('overlap')), agreement, overlap,
  );
}

$('diff-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const a = $('diff-a').value;
  const b = $('diff-b').value;
  if (!a || !b || a === b) {
    diffPair = null;
    $('diff').replaceChildren(el('p', { class: 'note' }, t('cmp.diffSame')));
    return;
  }
  diffPair = [a, b];
  runDiff().catch(showError);
});

// ---------------------------------------------------------------- the subscription

let live = null; // the comparisonUpdated subscription
const liveVariables = () => ({ t: targetId, d: includeDrafts });

/** resubscribe starts the subscription again for the current choice of drafts. */
function resubscribe() {
  if (live) live.restart(liveVariables());
}

/** connect subscribes (again after each sign-in); each event refreshes the page. */
function connect() {
  if (live) live.close();
  live = subscribe(subscription, liveVariables(), { next: (data) => refresh(data.comparisonUpdated) });
}

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

$('details-close').addEventListener('click', closeDetails);
document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape' && !$('details').hidden) {
    ev.preventDefault();
    closeDetails();
  }
});

start(connect, () => {
  pickerKey = '';
  if (last) render(last);
  if (shown && !$('details').hidden) details(...shown);
  if (lastDiff) renderDiff(lastDiff);
});
