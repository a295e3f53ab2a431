// The coverage page: how far one analysis's measures reach into a chosen
// guideline (guidelineCoverage), with the summary, a bar per clause family
// and every clause with the path that explains its status.
import { addLabels, t } from './i18n.js';
import { $, analysisContext, el, gql, pathId, showError, start, status } from './common.js';
import { figure as stat } from './explain.js';
import { num, pct } from './format.js';

addLabels({
  en: {
    'cov.title': 'Guideline coverage', 'cov.findGuideline': 'Find a guideline', 'cov.guideline': 'Guideline',
    'cov.choose': 'Choose a guideline…', 'cov.maxHops': 'Most crosswalk steps', 'cov.show': 'Show coverage',
    'cov.summary': 'Summary', 'cov.families': 'Coverage by clause family', 'cov.clauses': 'Clauses and what explains them',
    'cov.familiesNote': "Each bar is one family's counted clauses, split by status; the numbers follow each bar.",
    'cov.showOnly': 'Show', 'cov.all': 'All statuses', 'cov.loading': 'Computing coverage…', 'cov.loaded': 'Coverage computed.',
    'cov.pick': 'Choose a guideline to see how far this analysis covers it.',
    'cov.notFound': 'There is no analysis with this id that you may read.',
    'cov.analysis': 'Analysis', 'cov.of': 'of', 'cov.by': 'by', 'cov.toTargets': 'All targets', 'cov.toCompare': 'Compare the analyses of this target',
    'cov.toInsurance': 'Insurance gaps of this analysis',
    'cov.clausesCounted': 'Clauses counted', 'cov.clausesHelp': 'Clauses of the guideline that can be met; groupings (families, functions, categories) and withdrawn clauses are not counted.',
    'cov.applicable': 'Applicable', 'cov.applicableHelp': 'Counted clauses the analysis has not marked as not applicable; the percentages are shares of these.',
    'cov.score': 'Score', 'cov.scoreHelp': 'The mean coverage of the applicable clauses, from 0 (nothing met) to 1 (all fully met): a covered clause counts 1, a partly covered one the share its best path meets, others 0.',
    'cov.help.COVERED': 'An implemented or verified measure meets all of the clause, directly or through crosswalk mappings that each carry the whole of it.',
    'cov.help.PARTIAL': 'Implemented or verified measures meet part of the clause (a subset or overlap, or a stated coverage below 1).',
    'cov.help.PLANNED': 'Only measures still planned reach the clause.',
    'cov.help.GAP': 'No measure of the analysis reaches the clause, directly or through crosswalks.',
    'cov.help.NOT_APPLICABLE': 'The analysis marked the clause as not applicable to its target, with a reason.',
    'cov.st.COVERED': 'Covered', 'cov.st.PARTIAL': 'Partly covered', 'cov.st.PLANNED': 'Planned only', 'cov.st.GAP': 'Gap', 'cov.st.NOT_APPLICABLE': 'Not applicable',
    'cov.nothingReaches': 'Nothing reaches this clause: no measure meets it, and no crosswalk leads to it from a clause that one meets.',
    'cov.reason': 'Reason:', 'cov.path': 'Path:', 'cov.pathScore': 'score', 'cov.hops': 'crosswalk steps',
    'cov.measure': 'Measure', 'cov.planned': '(planned)', 'cov.reversed': 'read backwards', 'cov.allOf': 'all of',
    'cov.kind.SATISFIES': 'satisfies', 'cov.kind.MAPS_TO': 'maps to', 'cov.kind.INCORPORATED_INTO': 'incorporated into', 'cov.kind.JOINT': 'together meet',
    'cov.rel.EQUIVALENT_TO': 'equivalent to', 'cov.rel.EQUAL_TO': 'equal to', 'cov.rel.SUBSET_OF': 'subset of',
    'cov.rel.SUPERSET_OF': 'superset of', 'cov.rel.INTERSECTS_WITH': 'intersects with', 'cov.rel.NO_RELATIONSHIP': 'no relationship',
    'cov.family': 'Family', 'cov.counted': 'clauses', 'cov.clauseScore': 'score',
  },
  ja: {
    'cov.title': 'ガイドライン充足度', 'cov.findGuideline': 'ガイドラインを検索', 'cov.guideline': 'ガイドライン',
    'cov.choose': 'ガイドラインを選択…', 'cov.maxHops': 'クロスウォークの最大段数', 'cov.show': '充足度を表示',
    'cov.summary': '概要', 'cov.families': '条項ファミリー別の充足度', 'cov.clauses': '条項とその根拠',
    'cov.familiesNote': '各バーはファミリーの集計対象条項を状態別に分けたものです。数値はバーの後ろに示します。',
    'cov.showOnly': '表示', 'cov.all': 'すべての状態', 'cov.loading': '充足度を計算中…', 'cov.loaded': '充足度を計算しました。',
    'cov.pick': 'ガイドラインを選ぶと、この分析がどこまで充足しているかを表示します。',
    'cov.notFound': 'この ID の分析は存在しないか、閲覧する権限がありません。',
    'cov.analysis': '分析', 'cov.of': '対象', 'cov.by': '作成', 'cov.toTargets': '対象一覧', 'cov.toCompare': 'この対象の分析を比較',
    'cov.toInsurance': 'この分析の保険のギャップ',
    'cov.clausesCounted': '集計対象の条項', 'cov.clausesHelp': '充足できるガイドラインの条項です。グループ（ファミリー、機能、カテゴリ）と廃止された条項は数えません。',
    'cov.applicable': '適用対象', 'cov.applicableHelp': '分析が適用外としていない集計対象の条項です。割合はこれに対するものです。',
    'cov.score': 'スコア', 'cov.scoreHelp': '適用対象の条項の平均充足度で、0（何も満たさない）から 1（すべて完全に満たす）まで。充足は 1、一部充足は最良の経路が満たす割合、それ以外は 0 と数えます。',
    'cov.help.COVERED': '実装済みまたは検証済みの対策が、直接またはクロスウォークを通じて条項の全体を満たしています。',
    'cov.help.PARTIAL': '実装済みまたは検証済みの対策が条項の一部を満たしています（部分集合・重なり、または 1 未満の充足率）。',
    'cov.help.PLANNED': '条項に届くのは計画中の対策だけです。',
    'cov.help.GAP': '分析のどの対策も、直接にもクロスウォーク経由でも条項に届いていません。',
    'cov.help.NOT_APPLICABLE': '分析が理由を添えて、この条項を対象に適用されないとしました。',
    'cov.st.COVERED': '充足', 'cov.st.PARTIAL': '一部充足', 'cov.st.PLANNED': '計画中のみ', 'cov.st.GAP': 'ギャップ', 'cov.st.NOT_APPLICABLE': '適用外',
    'cov.nothingReaches': 'この条項に届くものはありません。満たす対策も、対策が満たす条項からのクロスウォークもありません。',
    'cov.reason': '理由：', 'cov.path': '経路：', 'cov.pathScore': 'スコア', 'cov.hops': 'クロスウォーク段数',
    'cov.measure': '対策', 'cov.planned': '（計画中）', 'cov.reversed': '逆向きに読む', 'cov.allOf': '次のすべて',
    'cov.kind.SATISFIES': '満たす', 'cov.kind.MAPS_TO': '対応', 'cov.kind.INCORPORATED_INTO': '統合先', 'cov.kind.JOINT': '合わせて満たす',
    'cov.rel.EQUIVALENT_TO': '同等', 'cov.rel.EQUAL_TO': '同一', 'cov.rel.SUBSET_OF': '部分集合',
    'cov.rel.SUPERSET_OF': '上位集合', 'cov.rel.INTERSECTS_WITH': '一部重複', 'cov.rel.NO_RELATIONSHIP': '関係なし',
    'cov.family': 'ファミリー', 'cov.counted': '条項', 'cov.clauseScore': 'スコア',
  },
});

const statuses = ['COVERED', 'PARTIAL', 'PLANNED', 'GAP', 'NOT_APPLICABLE'];
const order = ['GAP', 'PLANNED', 'PARTIAL', 'COVERED', 'NOT_APPLICABLE']; // the clause list: what needs work first
const countOf = { COVERED: 'covered', PARTIAL: 'partial', PLANNED: 'planned', GAP: 'gaps', NOT_APPLICABLE: 'notApplicable' };
const pctOf = { COVERED: 'coveredPercent', PARTIAL: 'partialPercent', PLANNED: 'plannedPercent', GAP: 'gapPercent' };

const analysisId = pathId();

const contextQuery = `query($a: ID!, $text: String, $g: ID!, $withG: Boolean!) {
  analysis(id: $a) { id title version organization { name } target { id name } }
  guidelines(first: 100, text: $text) { nodes { id title version } }
  chosen: guideline(id: $g) @include(if: $withG) { id title version } }`;

const guidelinesQuery = `query($text: String) { guidelines(first: 100, text: $text) { nodes { id title version } } }`;

const coverageQuery = `query($a: ID!, $g: ID!, $h: Int) { guidelineCoverage(analysisId: $a, guidelineId: $g, maxHops: $h) {
  maxHops guideline { id title version }
  summary { ...S }
  families { family { id ref title } summary { ...S } }
  clauses { clause { id ref title } status score reason
    path { measure { id name } achieved relationship score hops inferred
      steps { kind relationship reversed score
        from { id ... on Measure { name } ... on Clause { ref title guideline { title } } }
        to { id ref title guideline { title } } members { id ref title } } } } } }
fragment S on CoverageSummary { clauses applicable covered partial planned gaps notApplicable coveredPercent partialPercent plannedPercent gapPercent score }`;

let analysis = null; // the analysis, once read
let report = null; // the coverage shown, redrawn when the language changes

const params = () => new URLSearchParams(location.search);
const option = (g) => el('option', { value: g.id }, `${g.title} ${g.version} (${g.id})`);

function drawContext() {
  if (!analysis) return;
  const a = analysis;
  $('title').textContent = `${t('cov.title')}: ${a.title}`;
  analysisContext(a, 'cov', ['to-insurance', `/analyses/${encodeURIComponent(a.id)}/insurance`, 'cov.toInsurance']);
}

function fillGuidelines(nodes, chosen) {
  const select = $('guideline');
  const list = chosen && !nodes.some((g) => g.id === chosen.id) ? [chosen, ...nodes] : nodes;
  const keep = select.value || (chosen && chosen.id) || '';
  select.replaceChildren(select.firstElementChild, ...list.map(option));
  select.value = keep;
}

function drawSummary(s) {
  $('summary').replaceChildren(
    ...stat('sum-clauses', 'cov.clausesCounted', 'cov.clausesHelp', num(s.clauses)),
    ...stat('sum-applicable', 'cov.applicable', 'cov.applicableHelp', num(s.applicable)),
    ...statuses.flatMap((st) => stat(`sum-${st}`, `cov.st.${st}`, `cov.help.${st}`,
      pctOf[st] ? `${num(s[countOf[st]])} (${pct(s[pctOf[st]])})` : num(s[countOf[st]]))),
    ...stat('sum-score', 'cov.score', 'cov.scoreHelp', num(s.score, 2)),
  );
}

function drawFamilies(families) {
  $('legend').replaceChildren(...statuses.map((st) => el('li', {}, el('span', { class: `swatch st-${st}`, 'aria-hidden': 'true' }), t(`cov.st.${st}`))));
  $('families').replaceChildren(...families.map((f) => {
    const s = f.summary;
    const bar = el('span', { class: 'bar', 'aria-hidden': 'true' }, ...statuses.filter((st) => s[countOf[st]] > 0).map((st) => {
      const seg = el('span', { class: `seg st-${st}` });
      seg.style.width = `${(100 * s[countOf[st]]) / s.clauses}%`; // CSSOM, which the CSP allows
      return seg;
    }));
    const counts = el('span', { class: 'counts' }, ...statuses.flatMap((st, i) => [i ? ' · ' : '',
      el('span', { class: `n n-${st}` }, `${t(`cov.st.${st}`)} `, el('b', {}, num(s[countOf[st]])))]),
    ` — ${num(s.clauses)} ${t('cov.counted')}, ${t('cov.clauseScore')} ${num(s.score, 2)}`);
    return el('li', { class: 'family', 'data-family': f.family.id },
      el('span', { class: 'family-name' }, `${f.family.ref} ${f.family.title}`), bar, counts);
  }));
}

const clauseName = (c) => `${c.ref} ${c.title}${c.guideline ? ` (${c.guideline.title})` : ''}`;

// chain renders a path as measure → clause → mapping → clause …
function chain(p) {
  const items = [];
  p.steps.forEach((s, i) => {
    if (i === 0) {
      if (s.kind === 'SATISFIES' && s.from) items.push(el('li', { class: 'node measure' }, `${t('cov.measure')}: ${s.from.name}${p.achieved ? '' : ` ${t('cov.planned')}`}`));
      else if (s.kind === 'JOINT') items.push(el('li', { class: 'node' }, `${t('cov.allOf')}: ${s.members.map((m) => m.ref).join(', ')}`));
      else if (s.from) items.push(el('li', { class: 'node clause' }, clauseName(s.from)));
    } else if (s.kind === 'JOINT') {
      items.push(el('li', { class: 'node' }, `${t('cov.allOf')}: ${s.members.map((m) => m.ref).join(', ')}`));
    }
    const how = `${t(`cov.kind.${s.kind}`)}, ${t(`cov.rel.${s.relationship}`)}${s.reversed ? `, ${t('cov.reversed')}` : ''} (${num(s.score, 2)})`;
    items.push(el('li', { class: `edge kind-${s.kind}` }, `→ ${how} →`));
    items.push(el('li', { class: 'node clause' }, clauseName(s.to)));
  });
  return el('ol', { class: 'chain' }, ...items);
}

function drawClauses() {
  const only = $('only').value;
  const rows = [...report.clauses]
    .filter((c) => !only || c.status === only)
    .sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status));
  $('clauses').replaceChildren(...rows.map((c) => {
    let why;
    if (c.status === 'GAP') why = el('p', { class: 'why' }, t('cov.nothingReaches'));
    else if (c.status === 'NOT_APPLICABLE') why = el('p', { class: 'why' }, `${t('cov.reason')} ${c.reason || '—'}`);
    else if (c.path) {
      why = el('div', { class: 'why' }, el('span', {}, `${t('cov.path')} ${t('cov.pathScore')} ${num(c.path.score, 2)}, ${t('cov.hops')} ${c.path.hops}`), chain(c.path));
    }
    return el('li', { class: `clause st-${c.status}`, 'data-clause': c.clause.id, 'data-status': c.status },
      el('span', { class: `badge st-${c.status}` }, t(`cov.st.${c.status}`)), ' ',
      el('span', { class: 'clause-ref' }, c.clause.ref), ' ', el('span', { class: 'clause-title' }, c.clause.title),
      ` — ${t('cov.clauseScore')} ${num(c.score, 2)}`, why);
  }));
}

function drawOnly() {
  const keep = $('only').value;
  $('only').replaceChildren(el('option', { value: '' }, t('cov.all')),
    ...order.map((st) => el('option', { value: st }, t(`cov.st.${st}`))));
  $('only').value = keep;
}

function draw() {
  drawContext();
  drawOnly();
  if (!report) return;
  $('title').textContent = `${t('cov.title')}: ${analysis.title} — ${report.guideline.title} ${report.guideline.version}`;
  drawSummary(report.summary);
  drawFamilies(report.families);
  drawClauses();
  $('report').hidden = false;
}

async function show() {
  const g = $('guideline').value;
  if (!g) {
    status('cov.pick');
    return;
  }
  const hops = Math.min(6, Math.max(1, Number($('hops').value) || 3));
  const p = new URLSearchParams({ guideline: g });
  if (hops !== 3) p.set('hops', String(hops));
  history.replaceState(null, '', `?${p}`);
  status('cov.loading');
  try {
    const data = await gql(coverageQuery, { a: analysisId, g, h: hops });
    report = data.guidelineCoverage;
    draw();
    status('cov.loaded');
  } catch (err) {
    showError(err);
  }
}

async function run() {
  const g = params().get('guideline') || '';
  $('hops').value = params().get('hops') || '3';
  try {
    const data = await gql(contextQuery, { a: analysisId, text: null, g, withG: g !== '' });
    if (!data.analysis) {
      status('cov.notFound', `(${analysisId})`, true);
      return;
    }
    analysis = data.analysis;
    drawContext();
    fillGuidelines(data.guidelines.nodes, data.chosen);
    $('chooser').hidden = false;
  } catch (err) {
    $('chooser').hidden = true;
    $('report').hidden = true;
    showError(err);
    return;
  }
  drawOnly();
  show();
}

let timer = 0;
$('gtext').addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(async () => {
    try {
      const data = await gql(guidelinesQuery, { text: $('gtext').value.trim() || null });
      fillGuidelines(data.guidelines.nodes, null);
    } catch (err) {
      showError(err);
    }
  }, 300);
});
$('chooser').addEventListener('submit', (ev) => { ev.preventDefault(); show(); });
$('guideline').addEventListener('change', show);
$('only').addEventListener('change', drawClauses);

start(run, draw);
