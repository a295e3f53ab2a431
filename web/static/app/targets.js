// The target list: the targets the token may see, searchable by full text
// and filterable by sector, a page at a time, each with its analyses and
// links to the comparison, coverage and insurance pages. One request per
// page of targets: the analyses come nested in it.
import { addLabels, t } from './i18n.js';
import { $, el, gql, showError, start, status } from './common.js';
import { num } from './format.js';

addLabels({
  en: {
    'targets.title': 'Targets', 'targets.search': 'Search', 'targets.sector': 'Sector', 'targets.allSectors': 'All sectors',
    'targets.searchHelp': "Full-text search over each target's name and description; the term goes into the address so it can be shared, the token never does.",
    'targets.more': 'More targets', 'targets.count': 'targets match', 'targets.shown': 'shown',
    'targets.none': 'No target matches.', 'targets.noAnalyses': 'No analysis you may see.',
    'targets.compare': 'Compare the analyses', 'targets.coverage': 'Guideline coverage', 'targets.insurance': 'Insurance gaps',
    'targets.version': 'version', 'targets.loading': 'Loading targets…', 'targets.loaded': 'Targets loaded.',
    'targets.analyses': 'Analyses', 'status.DRAFT': 'draft', 'status.SUBMITTED': 'submitted',
  },
  ja: {
    'targets.title': '対象一覧', 'targets.search': '検索', 'targets.sector': '業種', 'targets.allSectors': 'すべての業種',
    'targets.searchHelp': '対象の名称と説明を全文検索します。検索語は共有できるよう URL に入りますが、トークンは入りません。',
    'targets.more': 'さらに表示', 'targets.count': '件の対象が該当', 'targets.shown': '件を表示',
    'targets.none': '該当する対象はありません。', 'targets.noAnalyses': '閲覧できる分析はありません。',
    'targets.compare': '分析を比較', 'targets.coverage': 'ガイドライン充足度', 'targets.insurance': '保険のギャップ',
    'targets.version': '版', 'targets.loading': '対象を読み込み中…', 'targets.loaded': '対象を読み込みました。',
    'targets.analyses': '分析', 'status.DRAFT': '下書き', 'status.SUBMITTED': '提出済み',
  },
});

const pageSize = 20;

const query = `query($first: Int, $after: String, $text: String, $sector: String) {
  targets(first: $first, after: $after, text: $text, sector: $sector) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id name sector analyses { id title version status organization { name } } } } }`;

const sectorsQuery = '{ sectors { name targets } }';

let shown = []; // the targets listed, redrawn when the language changes
let total = 0;
let cursor = null;
let loaded = false;
let generation = 0; // a newer search makes older answers stale

const params = () => new URLSearchParams(location.search);
const enc = encodeURIComponent;

function targetItem(x) {
  const analyses = x.analyses.length
    ? el('ul', { class: 'analyses' }, ...x.analyses.map((a) => el('li', { class: 'analysis', 'data-id': a.id },
      el('span', { class: 'analysis-title' }, a.title),
      ` — ${a.organization.name}, ${t('targets.version')} ${a.version}, ${t(`status.${a.status}`)} `,
      el('a', { href: `/analyses/${enc(a.id)}/coverage`, class: 'coverage-link' }, t('targets.coverage')), ' · ',
      el('a', { href: `/analyses/${enc(a.id)}/insurance`, class: 'insurance-link' }, t('targets.insurance')))))
    : el('p', { class: 'note' }, t('targets.noAnalyses'));
  return el('li', { class: 'target', 'data-id': x.id },
    el('div', { class: 'target-head' },
      el('h2', {}, el('span', { class: 'target-name' }, x.name), ' ', el('span', { class: 'sector' }, x.sector)),
      el('a', { href: `/targets/${enc(x.id)}/compare`, class: 'compare-link' }, t('targets.compare'))),
    el('h3', { class: 'visually-hidden' }, t('targets.analyses')),
    analyses);
}

function render() {
  $('targets').replaceChildren(...(shown.length ? shown.map(targetItem) : [el('li', { class: 'note' }, t('targets.none'))]));
  $('count').textContent = `${num(total)} ${t('targets.count')}, ${num(shown.length)} ${t('targets.shown')}`;
  $('more').hidden = !cursor;
}

async function load(more = false) {
  const gen = more ? generation : ++generation;
  const q = $('q').value.trim();
  const sector = $('sector').value;
  status('targets.loading');
  try {
    const data = await gql(query, { first: pageSize, after: more ? cursor : null, text: q || null, sector: sector || null });
    if (gen !== generation) return; // a newer search answered or will
    const c = data.targets;
    shown = more ? shown.concat(c.nodes) : c.nodes;
    total = c.totalCount;
    cursor = c.pageInfo.hasNextPage ? c.pageInfo.endCursor : null;
    loaded = true;
    render();
    status('targets.loaded');
  } catch (err) {
    if (gen === generation) showError(err);
  }
}

// remember puts the search and the sector into the address (never the token).
function remember() {
  const p = new URLSearchParams();
  if ($('q').value.trim()) p.set('q', $('q').value.trim());
  if ($('sector').value) p.set('sector', $('sector').value);
  const s = p.toString();
  history.replaceState(null, '', s ? `?${s}` : location.pathname);
}

let timer = 0;
function search() {
  clearTimeout(timer);
  timer = setTimeout(() => { remember(); load(); }, 300);
}

async function run() {
  $('q').value = params().get('q') || '';
  try {
    const { sectors } = await gql(sectorsQuery);
    const wanted = params().get('sector') || '';
    $('sector').replaceChildren($('sector').firstElementChild,
      ...sectors.filter((s) => s.targets > 0).map((s) => el('option', { value: s.name }, `${s.name} (${s.targets})`)));
    $('sector').value = wanted;
  } catch (err) {
    showError(err);
    return;
  }
  load();
}

$('q').addEventListener('input', search);
$('sector').addEventListener('change', () => { remember(); load(); });
$('filters').addEventListener('submit', (ev) => { ev.preventDefault(); clearTimeout(timer); remember(); load(); });
$('more').addEventListener('click', () => load(true));

start(run, () => { if (loaded) render(); });
