// The feedback page: the feedback routed to the signed-in user's
// organization, counted by kind and by the author's sector, listed by kind,
// each with what it is about (and the department that owns that risk) and,
// for those who may answer, the owner's responses. New feedback arrives
// live through the feedbackAdded subscription over graphql-transport-ws.
import { addLabels, lang, t } from './i18n.js';
import { $, el, errorText, gql, showError, signOut, start, status, subscribe } from './common.js';
import { date } from './format.js';

addLabels({
  en: {
    'fb.title': 'Feedback routed to my organization', 'fb.titleOf': 'Feedback routed to',
    'fb.viewer': 'Signed in as', 'fb.role': 'role',
    'fb.filterStatus': 'Status', 'fb.filterKind': 'Kind', 'fb.filterSector': "Author's sector",
    'fb.undecided': 'Undecided (open or acknowledged)', 'fb.allStatuses': 'Every status',
    'fb.allKinds': 'Every kind', 'fb.allSectors': 'Every sector', 'fb.refresh': 'Refresh',
    'fb.summary': "By kind and author's sector",
    'fb.summaryNote': 'Counts of the feedback loaded for the chosen status; a number filters the list.',
    'fb.kind': 'Kind', 'fb.total': 'Total', 'fb.noFeedback': 'No feedback is routed to your organization with this status.',
    'fb.shown': 'Shown:', 'fb.of': 'of', 'fb.filterBy': 'Show only this kind from this sector',
    'fb.kind.MERIT_DEMERIT': 'Merits and demerits', 'fb.kind.NEW_RISK': 'New risk',
    'fb.kind.PROBLEM_OR_HESITATION': 'Problem or hesitation', 'fb.kind.REVISION_REQUEST': 'Revision request',
    'fb.status.OPEN': 'Open', 'fb.status.ACKNOWLEDGED': 'Acknowledged', 'fb.status.ACCEPTED': 'Accepted', 'fb.status.DECLINED': 'Declined',
    'fb.from': 'From', 'fb.about': 'About', 'fb.version': 'Version', 'fb.owner': 'Owner department',
    'fb.given': 'Given', 'fb.answer': 'Answer', 'fb.answered': 'Answered', 'fb.answeredBy': 'Answered by version',
    'fb.aboutGone': 'deleted, or not visible to you', 'fb.compare': 'comparison of the target',
    'fb.reason': 'Answer (required to decline)', 'fb.acknowledge': 'Acknowledge', 'fb.accept': 'Accept', 'fb.decline': 'Decline',
    'fb.needReason': 'Say why you decline: the author reads your answer.',
    'fb.responded': 'Answered:', 'fb.readOnly': 'Your role may read this feedback but not answer it.',
    'fb.loaded': 'Loaded:', 'fb.live': 'Live: new feedback appears here as it is given.', 'fb.added': 'New feedback arrived:', 'fb.new': 'new',
    'fb.capped': 'Only the first items are shown; narrow the status.',
    'type.Analysis': 'Analysis', 'type.Assessment': 'Assessment', 'type.Incident': 'Incident', 'type.Asset': 'Asset',
    'type.Threat': 'Threat', 'type.Measure': 'Measure', 'type.Guideline': 'Guideline', 'type.Clause': 'Clause',
    'type.Target': 'Target', 'type.AxisScale': 'Scale', 'type.AxisLevel': 'Scale level',
  },
  ja: {
    'fb.title': '自組織宛てのフィードバック', 'fb.titleOf': 'フィードバックの宛先：',
    'fb.viewer': 'サインイン中：', 'fb.role': 'ロール',
    'fb.filterStatus': '状態', 'fb.filterKind': '種別', 'fb.filterSector': '投稿者の業界',
    'fb.undecided': '未決（未対応または確認済み）', 'fb.allStatuses': 'すべての状態',
    'fb.allKinds': 'すべての種別', 'fb.allSectors': 'すべての業界', 'fb.refresh': '再読み込み',
    'fb.summary': '種別・投稿者の業界ごとの件数',
    'fb.summaryNote': '選んだ状態で読み込んだフィードバックの件数です。数字を押すと一覧を絞り込みます。',
    'fb.kind': '種別', 'fb.total': '合計', 'fb.noFeedback': 'この状態で自組織宛てのフィードバックはありません。',
    'fb.shown': '表示：', 'fb.of': '件中', 'fb.filterBy': 'この業界からのこの種別のみを表示',
    'fb.kind.MERIT_DEMERIT': 'メリット・デメリット', 'fb.kind.NEW_RISK': '新たなリスク',
    'fb.kind.PROBLEM_OR_HESITATION': '問題点・懸念', 'fb.kind.REVISION_REQUEST': '改訂の要望',
    'fb.status.OPEN': '未対応', 'fb.status.ACKNOWLEDGED': '確認済み', 'fb.status.ACCEPTED': '採用', 'fb.status.DECLINED': '不採用',
    'fb.from': '投稿者', 'fb.about': '対象の項目', 'fb.version': '版', 'fb.owner': '担当部署',
    'fb.given': '投稿日時', 'fb.answer': '回答', 'fb.answered': '回答日時', 'fb.answeredBy': '反映した版',
    'fb.aboutGone': '削除されたか、閲覧する権限がありません', 'fb.compare': '対象の分析の比較',
    'fb.reason': '回答（不採用の場合は必須）', 'fb.acknowledge': '確認済みにする', 'fb.accept': '採用する', 'fb.decline': '不採用にする',
    'fb.needReason': '不採用の理由を記入してください。投稿者が回答を読みます。',
    'fb.responded': '回答しました：', 'fb.readOnly': 'このロールではフィードバックを閲覧できますが、回答はできません。',
    'fb.loaded': '読み込み件数：', 'fb.live': 'ライブ：新しいフィードバックは投稿され次第ここに表示されます。', 'fb.added': '新しいフィードバックが届きました：', 'fb.new': '新着',
    'fb.capped': '先頭の項目のみ表示しています。状態で絞り込んでください。',
    'type.Analysis': '分析', 'type.Assessment': '評価', 'type.Incident': 'インシデント', 'type.Asset': '資産',
    'type.Threat': '脅威', 'type.Measure': '対策', 'type.Guideline': 'ガイドライン', 'type.Clause': '条項',
    'type.Target': '対象', 'type.AxisScale': '尺度', 'type.AxisLevel': '尺度の水準',
  },
});

/** kinds are the FeedbackKind values, in the schema's order. */
const kinds = ['MERIT_DEMERIT', 'NEW_RISK', 'PROBLEM_OR_HESITATION', 'REVISION_REQUEST'];

/** writers are the roles that may answer feedback routed to their organization (the server decides again). */
const writers = ['analyst', 'org-admin', 'admin'];

const target = 'id name';
const fields = `fragment F on Feedback { id kind text status answer aboutVersion sector createdAt respondedAt
  organization { id name sector } routedTo { id } routedToDepartment { id name } answeredBy { id version }
  about { __typename id
    ... on Analysis { title version target { ${target} } }
    ... on Assessment { incident { name } ownerDepartment { name } analysis { id title version target { ${target} } } }
    ... on Incident { name target { ${target} } }
    ... on Asset { name target { ${target} } }
    ... on Target { name } ... on Threat { name } ... on Measure { name }
    ... on Guideline { title } ... on Clause { ref title } ... on AxisScale { name } ... on AxisLevel { labelEn labelJa } } }`;

const listQuery = `query($org: ID!, $status: FeedbackStatus, $after: String) {
  feedback(routedToId: $org, status: $status, first: 200, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ...F } } } ${fields}`;

const respondMutation = `mutation($in: FeedbackResponseInput!) { respondToFeedback(input: $in) { ...F } } ${fields}`;

const subscription = `subscription { feedbackAdded { ...F } } ${fields}`;

const maxPages = 50; // pages of 200 (the query complexity limit allows no more per page): 10 000 items, more is for narrowing, not scrolling

let me = null; // { userId, role, organization { id name sector } }
let items = new Map(); // id → feedback, of the chosen status
let capped = false;
const fresh = new Set(); // ids that arrived live since the last load
const drafts = new Map(); // id → the answer typed and not yet sent
const errors = new Map(); // id → the error shown under an item

let announce = null; // redraws the last announcement in the chosen language

// say shows an announcement in the status line, again after each change of language.
function say(key, detail = () => '') {
  announce = () => status(key, detail());
  announce();
}

// fail shows an error in the status line.
function fail(err) {
  announce = null;
  showError(err);
}

const canRespond = () => me && writers.includes(me.role);
const undecided = (s) => s === 'OPEN' || s === 'ACKNOWLEDGED';

// matchesStatus tells whether feedback in status s belongs under the chosen status filter.
function matchesStatus(s) {
  const f = $('filter-status').value;
  return f === 'ALL' || (f === 'UNDECIDED' ? undecided(s) : f === s);
}

// load reads every page of the feedback routed to my organization in the chosen status.
// A newer load supersedes an older one still reading; feedback that arrives
// live while a load reads is kept in arrived and joins what it read.
let loadSeq = 0;
const arrived = new Map();

async function load() {
  const seq = ++loadSeq;
  arrived.clear();
  const f = $('filter-status').value;
  const statuses = f === 'ALL' ? [null] : f === 'UNDECIDED' ? ['OPEN', 'ACKNOWLEDGED'] : [f];
  const next = new Map();
  capped = false;
  for (const s of statuses) {
    let after = null;
    for (let page = 0; ; page++) {
      if (page === maxPages) { capped = true; break; }
      const d = await gql(listQuery, { org: me.organization.id, status: s, after });
      for (const n of d.feedback.nodes) next.set(n.id, n);
      if (!d.feedback.pageInfo.hasNextPage) break;
      after = d.feedback.pageInfo.endCursor;
    }
  }
  if (seq !== loadSeq) return;
  fresh.clear();
  for (const [id, fb] of arrived) {
    if (!next.has(id)) fresh.add(id);
    next.set(id, fb);
  }
  arrived.clear();
  items = next;
  errors.clear();
  render();
  if (capped) {
    announce = () => status('fb.loaded', `${items.size} — ${t('fb.capped')}`, true);
    announce();
  } else say('fb.loaded', () => String(items.size));
}

// counts tallies the loaded feedback by kind × author sector.
function counts() {
  const sectors = [...new Set([...items.values()].map((f) => f.sector))].sort();
  const cell = new Map();
  for (const f of items.values()) {
    const k = `${f.kind}\u0000${f.sector}`;
    cell.set(k, (cell.get(k) ?? 0) + 1);
  }
  const get = (kind, sector) => cell.get(`${kind}\u0000${sector}`) ?? 0;
  return { sectors, get };
}

function option(value, label, selected) {
  return el('option', { value, selected: value === selected }, label);
}

// renderFilters fills the kind and sector choices, keeping what was chosen.
function renderFilters(sectors) {
  const kind = $('filter-kind').value;
  const sector = $('filter-sector').value;
  $('filter-kind').replaceChildren(option('', t('fb.allKinds'), kind), ...kinds.map((k) => option(k, t(`fb.kind.${k}`), kind)));
  const all = sector && !sectors.includes(sector) ? [...sectors, sector] : sectors;
  $('filter-sector').replaceChildren(option('', t('fb.allSectors'), sector), ...all.map((s) => option(s, s, sector)));
}

// renderSummary draws the kind × sector table; a non-zero count filters the list to its cell.
function renderSummary({ sectors, get }) {
  const filterTo = (kind, sector) => () => {
    $('filter-kind').value = kind;
    $('filter-sector').value = sector;
    renderList();
  };
  const count = (n, attrs, kind, sector) => {
    if (!n) return el('td', attrs, '0');
    const b = el('button', { type: 'button', class: 'fb-count', title: t('fb.filterBy') }, String(n));
    b.addEventListener('click', filterTo(kind, sector));
    return el('td', attrs, b);
  };
  const head = el('tr', {}, el('th', { scope: 'col' }, t('fb.kind')),
    ...sectors.map((s) => el('th', { scope: 'col' }, s)), el('th', { scope: 'col' }, t('fb.total')));
  const rows = kinds.map((k) => {
    const total = sectors.reduce((n, s) => n + get(k, s), 0);
    return el('tr', {}, el('th', { scope: 'row' }, t(`fb.kind.${k}`)),
      ...sectors.map((s) => count(get(k, s), { 'data-kind': k, 'data-sector': s }, k, s)),
      count(total, { 'data-kind': k, 'data-total': 'kind' }, k, ''));
  });
  const foot = el('tr', { class: 'fb-totals' }, el('th', { scope: 'row' }, t('fb.total')),
    ...sectors.map((s) => count(kinds.reduce((n, k) => n + get(k, s), 0), { 'data-sector': s, 'data-total': 'sector' }, '', s)),
    count(items.size, { id: 'fb-total' }, '', ''));
  $('fb-summary').replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows), el('tfoot', {}, foot));
}

// aboutText names what feedback is about, and the target whose comparison it concerns.
function aboutOf(a) {
  if (!a) return { text: t('fb.aboutGone'), target: null };
  const type = t(`type.${a.__typename}`);
  switch (a.__typename) {
    case 'Analysis':
      return { text: `${type}: ${a.title} (v${a.version})`, target: a.target };
    case 'Assessment':
      return { text: `${type}: ${a.incident.name} (${t('type.Analysis')} ${a.analysis.title}, v${a.analysis.version})`, target: a.analysis.target };
    case 'Incident': case 'Asset':
      return { text: `${type}: ${a.name}`, target: a.target };
    case 'Clause':
      return { text: `${type}: ${a.ref} ${a.title}`, target: null };
    case 'AxisLevel':
      return { text: `${type}: ${lang() === 'ja' ? a.labelJa : a.labelEn}`, target: null };
    default:
      return { text: `${type}: ${a.name ?? a.title ?? a.id}`, target: a.__typename === 'Target' ? { id: a.id, name: a.name } : null };
  }
}

// item draws one feedback with its facts and, when it is undecided and the role may answer, the responses.
function item(f) {
  const about = aboutOf(f.about);
  const dept = f.routedToDepartment || (f.about && f.about.ownerDepartment) || null;
  const row = (key, ...value) => [el('dt', {}, t(key)), el('dd', { class: `fb-${key.slice(3)}` }, ...value)];
  const facts = [
    ...row('fb.from', `${f.organization.name} (${f.sector})`),
    ...row('fb.about', about.text, about.target ? ' · ' : null,
      about.target ? el('a', { href: `/targets/${encodeURIComponent(about.target.id)}/compare` }, `${t('fb.compare')} ${about.target.name}`) : null),
    ...(f.aboutVersion != null ? row('fb.version', `v${f.aboutVersion}`) : []),
    ...row('fb.owner', dept ? dept.name : t('none')),
    ...row('fb.given', date(f.createdAt)),
    ...(f.answer != null ? row('fb.answer', f.answer) : []),
    ...(f.respondedAt ? row('fb.answered', date(f.respondedAt)) : []),
    ...(f.answeredBy ? row('fb.answeredBy', `v${f.answeredBy.version}`) : []),
  ];
  const head = el('p', { class: 'fb-head' },
    el('span', { class: `fb-status fb-status-${f.status}` }, t(`fb.status.${f.status}`)),
    fresh.has(f.id) ? el('span', { class: 'fb-new' }, t('fb.new')) : null);
  const art = el('article', { class: 'fb-item', 'data-id': f.id, 'data-status': f.status, 'data-kind': f.kind, 'data-sector': f.sector },
    head, el('p', { class: 'fb-text' }, f.text), el('dl', { class: 'fb-facts' }, ...facts));
  if (undecided(f.status) && canRespond()) art.append(respondForm(f));
  return el('li', {}, art);
}

let formSeq = 0;

// respondForm holds the answer and the buttons that are possible from f's status.
function respondForm(f) {
  const id = `fb-answer-${++formSeq}`;
  const answer = el('textarea', { id, class: 'fb-answer', rows: '2', maxlength: '10000' });
  answer.value = drafts.get(f.id) ?? '';
  answer.addEventListener('input', () => drafts.set(f.id, answer.value));
  const error = el('p', { class: 'error fb-error', role: 'alert' }, errors.get(f.id) ?? '');
  const button = (to, key) => {
    const b = el('button', { type: 'button', class: `fb-respond-${to}`, 'data-action': to }, t(key));
    b.addEventListener('click', () => respond(f, to, answer, error, form));
    return b;
  };
  const form = el('form', { class: 'fb-respond' },
    el('label', { for: id }, t('fb.reason')), answer,
    el('div', { class: 'fb-buttons' },
      f.status === 'OPEN' ? button('ACKNOWLEDGED', 'fb.acknowledge') : null,
      button('ACCEPTED', 'fb.accept'), button('DECLINED', 'fb.decline')),
    error);
  form.addEventListener('submit', (ev) => ev.preventDefault());
  return form;
}

// respond sends the owner's answer; the item is redrawn with what the server returns.
async function respond(f, to, answer, error, form) {
  const text = answer.value.trim();
  if (to === 'DECLINED' && !text) {
    errors.set(f.id, t('fb.needReason'));
    error.textContent = t('fb.needReason');
    answer.setAttribute('aria-invalid', 'true');
    answer.focus();
    return;
  }
  const buttons = [...form.querySelectorAll('button')];
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const input = { id: f.id, status: to };
    if (text) input.answer = text;
    const d = await gql(respondMutation, { in: input });
    const updated = d.respondToFeedback;
    items.set(updated.id, updated);
    drafts.delete(updated.id);
    errors.delete(updated.id);
    const li = document.querySelector(`article.fb-item[data-id="${CSS.escape(updated.id)}"]`)?.parentElement;
    if (li) {
      const next = item(updated);
      li.replaceWith(next);
      next.querySelector('.fb-status').setAttribute('tabindex', '-1');
      next.querySelector('.fb-status').focus();
    }
    say('fb.responded', () => `${t(`fb.status.${updated.status}`)} — ${updated.text.slice(0, 60)}`);
  } catch (err) {
    const msg = errorText(err);
    errors.set(f.id, msg);
    error.textContent = msg;
    buttons.forEach((b) => { b.disabled = false; });
  }
}

// renderList draws the feedback that the kind and sector filters keep, grouped by kind.
function renderList() {
  const kind = $('filter-kind').value;
  const sector = $('filter-sector').value;
  const shown = [...items.values()]
    .filter((f) => (!kind || f.kind === kind) && (!sector || f.sector === sector))
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  $('fb-shown').textContent = `${t('fb.shown')} ${shown.length} ${t('fb.of')} ${items.size}`;
  if (!items.size) {
    $('fb-list').replaceChildren(el('p', { class: 'note' }, t('fb.noFeedback')));
    return;
  }
  const groups = kinds.map((k) => {
    const of = shown.filter((f) => f.kind === k);
    if (!of.length) return null;
    return el('section', { class: 'fb-group', 'data-kind': k, 'aria-label': t(`fb.kind.${k}`) },
      el('h2', {}, `${t(`fb.kind.${k}`)} (${of.length})`), el('ol', { class: 'fb-items' }, ...of.map(item)));
  });
  $('fb-list').replaceChildren(...groups.filter(Boolean));
}

// render draws the whole page from the loaded feedback.
function render() {
  if (!me) return;
  $('title').textContent = `${t('fb.titleOf')} ${me.organization.name}`;
  $('fb-viewer').replaceChildren(`${t('fb.viewer')} ${me.userId} (${me.organization.name}, ${me.organization.sector}; ${t('fb.role')} ${me.role})`,
    ...(canRespond() ? [] : [el('span', { class: 'note' }, ` — ${t('fb.readOnly')}`)]));
  const c = counts();
  renderFilters(c.sectors);
  renderSummary(c);
  renderList();
}

let live = null; // the feedbackAdded subscription

// listen subscribes to feedbackAdded; feedback routed to my organization in the chosen status joins the page.
// After a lost connection it reloads, so that nothing given meanwhile is missed.
function listen() {
  live = subscribe(subscription, {}, {
    next: (data) => added(data.feedbackAdded),
    error: fail,
    open: (again) => {
      $('fb-live').hidden = false;
      if (again) load().catch(fail);
    },
    lost: () => {
      $('fb-live').hidden = true;
      announce = null;
    },
  });
}

// added shows feedback that has just been given, when it is routed to my organization.
function added(f) {
  if (!f || !me || !f.routedTo || f.routedTo.id !== me.organization.id || !matchesStatus(f.status) || items.has(f.id)) return;
  arrived.set(f.id, f);
  items.set(f.id, f);
  fresh.add(f.id);
  const focused = document.activeElement;
  const focusKey = focused && focused.closest('article.fb-item')
    ? [focused.closest('article.fb-item').dataset.id, focused.className, focused.dataset.action] : null;
  render();
  if (focusKey) {
    const art = document.querySelector(`article.fb-item[data-id="${CSS.escape(focusKey[0])}"]`);
    const again = art && [...art.querySelectorAll('textarea, button, a')].find((x) => x.className === focusKey[1] && x.dataset.action === focusKey[2]);
    if (again) again.focus();
  }
  say('fb.added', () => `${t(`fb.kind.${f.kind}`)} — ${f.organization.name} (${f.sector})`);
}

// run signs in: who am I, then the list, then the live updates.
async function run() {
  if (live) {
    live.close();
    live = null;
  }
  try {
    const d = await gql('{ viewer { userId role organization { id name sector } } }');
    if (!d.viewer) {
      signOut('');
      return;
    }
    me = d.viewer;
    $('fb-main').hidden = false;
    await load();
    listen();
  } catch (err) {
    if (err.code !== 'UNAUTHENTICATED') fail(err);
  }
}

$('filter-status').addEventListener('change', () => load().catch(fail));
$('filter-kind').addEventListener('change', renderList);
$('filter-sector').addEventListener('change', renderList);
$('refresh').addEventListener('click', () => load().catch(fail));

start(run, () => {
  render();
  if (announce) announce();
});
