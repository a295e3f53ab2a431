// The insurance page: what insurance does for each assessed incident of one
// analysis (insuranceGaps, IoT-SSF perspective P4): the responding coverage
// lines and what each pays, the conditions not met, and the residual risk
// that stays with the organization.
import { addLabels, t } from './i18n.js';
import { $, analysisContext, el, gql, pathId, showError, start, status } from './common.js';
import { figure as stat, term } from './explain.js';
import { num, yen } from './format.js';

addLabels({
  en: {
    'ins.title': 'Insurance gaps', 'ins.summary': 'Summary', 'ins.entries': 'Assessed incidents',
    'ins.entriesNote': "Marked rows need attention: no coverage line responds, or a line's conditions are not met.",
    'ins.loading': 'Reckoning insurance…', 'ins.loaded': 'Insurance reckoned.',
    'ins.notFound': 'There is no analysis with this id that you may read.',
    'ins.analysis': 'Analysis', 'ins.of': 'target', 'ins.by': 'by', 'ins.toTargets': 'All targets',
    'ins.toCompare': 'Compare the analyses of this target', 'ins.toCoverage': 'Guideline coverage of this analysis',
    'ins.source.RELIED_ON': 'Policies the analysis relies on:', 'ins.source.HELD': 'The analysis names no policy; those its organization holds stand in:',
    'ins.noPolicy': 'no policy',
    'ins.assessments': 'Assessed incidents', 'ins.assessmentsHelp': 'How many incidents the analysis assessed; each has one row below.',
    'ins.totalLoss': 'Total loss', 'ins.totalLossHelp': "The sum of the incidents' losses: the estimate, else the upper bound of the axis-2 (economic impact) level. Each incident is reckoned alone, as if it were the period's only claim.",
    'ins.totalPaid': 'Insurance pays', 'ins.totalPaidHelp': 'What the responding lines pay together: each pays the loss above its deductible up to its limit, and a policy at most its aggregate limit.',
    'ins.totalResidual': 'Residual risk', 'ins.totalResidualHelp': 'What stays with the organization: the loss minus what insurance pays, deductibles included. No probability is involved.',
    'ins.irreversible': 'Irreversible', 'ins.irreversibleHelp': 'Incidents at the top of axis 1 (recovery difficulty): money does not undo the harm, so P1–P3 measures stay required whatever insurance pays.',
    'ins.withoutLoss': 'Without a loss figure', 'ins.withoutLossHelp': 'Incidents with neither an estimated loss nor a bounded axis-2 level; they count in no total.',
    'ins.st.INSURED': 'Insured', 'ins.st.CONDITION_UNMET': 'Condition unmet', 'ins.st.UNDER_INSURED': 'Under-insured', 'ins.st.RESIDUAL': 'Not covered', 'ins.st.NO_ESTIMATE': 'No loss figure',
    'ins.help.INSURED': 'Responding lines pay the whole loss above the deductible.',
    'ins.help.CONDITION_UNMET': 'A line covers the incident, but none responds: a measure or clause it requires is not met. The loss stays with the organization.',
    'ins.help.UNDER_INSURED': 'Lines respond, but their limits or the policy aggregate leave part of the loss above the deductible unpaid.',
    'ins.help.RESIDUAL': 'No line covers the incident or its threats: the risk stays with the organization.',
    'ins.help.NO_ESTIMATE': 'A line responds, but there is no loss to compare its limit with.',
    'ins.incident': 'Incident', 'ins.category': 'Category', 'ins.categoryHelp': 'The IoT-SSF category from axis 1 and axis 2: higher is more severe.',
    'ins.loss': 'Loss', 'ins.lossHelp': 'The loss the amounts are computed from: the estimate, else the upper bound of the axis-2 level.',
    'ins.basis.ESTIMATE': 'estimate', 'ins.basis.AXIS2_UPPER_BOUND': 'axis-2 upper bound', 'ins.basis.NONE': 'no figure',
    'ins.status': 'Status', 'ins.statusHelp': 'What insurance does for the incident, from best (insured) to worst (not covered).',
    'ins.lines': 'Responding lines (pays)', 'ins.linesHelp': 'The coverage lines that cover the incident (or one of its threats) and whose conditions are met, each with what it pays.',
    'ins.unmet': 'Unmet conditions', 'ins.unmetHelp': 'Measures not implemented or verified, and clauses not met, that a covering line requires before it responds.',
    'ins.paid': 'Paid', 'ins.residual': 'Residual', 'ins.residualHelp': 'What stays with the organization for this incident: loss minus paid, deductibles included.',
    'ins.noLine': '⚠ No responding line', 'ins.condUnmet': '⚠ Conditions unmet', 'ins.irrev': 'irreversible',
    'ins.capped': 'cut by the aggregate', 'ins.threat': 'through threat', 'ins.limit': 'limit', 'ins.deductible': 'deductible',
    'ins.measure': 'Measure', 'ins.clause': 'Clause', 'ins.PLANNED': 'planned', 'ins.none': 'none', 'ins.uncovered': 'unpaid above the deductible',
  },
  ja: {
    'ins.title': '保険のギャップ', 'ins.summary': '概要', 'ins.entries': '評価済みインシデント',
    'ins.entriesNote': '印の付いた行は要確認です：支払う補償がないか、補償の条件を満たしていません。',
    'ins.loading': '保険を計算中…', 'ins.loaded': '保険を計算しました。',
    'ins.notFound': 'この ID の分析は存在しないか、閲覧する権限がありません。',
    'ins.analysis': '分析', 'ins.of': '対象', 'ins.by': '作成', 'ins.toTargets': '対象一覧',
    'ins.toCompare': 'この対象の分析を比較', 'ins.toCoverage': 'この分析のガイドライン充足度',
    'ins.source.RELIED_ON': '分析が前提とする保険：', 'ins.source.HELD': '分析は保険を指定していないため、組織が契約している保険で計算しています：',
    'ins.noPolicy': '保険なし',
    'ins.assessments': '評価済みインシデント', 'ins.assessmentsHelp': '分析が評価したインシデントの数です。下の表に 1 件ずつ示します。',
    'ins.totalLoss': '損失の合計', 'ins.totalLossHelp': '各インシデントの損失の合計です。見積額、なければ第2軸（経済的損失）のレベルの上限を使います。インシデントは期間中の唯一の請求として個別に計算します。',
    'ins.totalPaid': '保険の支払額', 'ins.totalPaidHelp': '支払う補償の合計です。各補償は免責額を超える損失を支払限度額まで支払い、保険契約ごとに総支払限度額が上限です。',
    'ins.totalResidual': '残留リスク', 'ins.totalResidualHelp': '組織に残る額です。損失から保険の支払額を引いたもので、免責額を含みます。確率は用いません。',
    'ins.irreversible': '回復不能', 'ins.irreversibleHelp': '第1軸（回復の困難度）が最上位のインシデントです。金銭では損害を元に戻せないため、保険の支払いにかかわらず P1〜P3 の対策が必要です。',
    'ins.withoutLoss': '損失額なし', 'ins.withoutLossHelp': '損失の見積もりも、上限のある第2軸のレベルもないインシデントです。どの合計にも含めません。',
    'ins.st.INSURED': '補償あり', 'ins.st.CONDITION_UNMET': '条件未達', 'ins.st.UNDER_INSURED': '補償不足', 'ins.st.RESIDUAL': '補償なし', 'ins.st.NO_ESTIMATE': '損失額なし',
    'ins.help.INSURED': '支払う補償が、免責額を超える損失の全額を支払います。',
    'ins.help.CONDITION_UNMET': 'インシデントを対象とする補償はありますが、要求される対策または条項を満たしていないため支払われません。損失は組織に残ります。',
    'ins.help.UNDER_INSURED': '補償は支払われますが、支払限度額または総支払限度額により、免責額を超える損失の一部が支払われません。',
    'ins.help.RESIDUAL': 'インシデントにもその脅威にも補償がありません。リスクは組織に残ります。',
    'ins.help.NO_ESTIMATE': '補償は支払われますが、支払限度額と比べる損失額がありません。',
    'ins.incident': 'インシデント', 'ins.category': 'カテゴリ', 'ins.categoryHelp': '第1軸と第2軸から決まる IoT-SSF のカテゴリです。大きいほど深刻です。',
    'ins.loss': '損失', 'ins.lossHelp': '金額の計算に使う損失です。見積額、なければ第2軸のレベルの上限です。',
    'ins.basis.ESTIMATE': '見積額', 'ins.basis.AXIS2_UPPER_BOUND': '第2軸の上限', 'ins.basis.NONE': '金額なし',
    'ins.status': '状態', 'ins.statusHelp': 'インシデントに対して保険が果たす役割です。最良（補償あり）から最悪（補償なし）まで。',
    'ins.lines': '支払う補償（支払額）', 'ins.linesHelp': 'インシデント（またはその脅威）を対象とし、条件を満たしている補償と、それぞれの支払額です。',
    'ins.unmet': '未達の条件', 'ins.unmetHelp': '補償が支払われる前提として要求される、実装・検証されていない対策と、満たされていない条項です。',
    'ins.paid': '支払額', 'ins.residual': '残留', 'ins.residualHelp': 'このインシデントで組織に残る額です。損失から支払額を引いたもので、免責額を含みます。',
    'ins.noLine': '⚠ 支払う補償なし', 'ins.condUnmet': '⚠ 条件未達', 'ins.irrev': '回復不能',
    'ins.capped': '総支払限度額で減額', 'ins.threat': '脅威による', 'ins.limit': '支払限度額', 'ins.deductible': '免責額',
    'ins.measure': '対策', 'ins.clause': '条項', 'ins.PLANNED': '計画中', 'ins.none': 'なし', 'ins.uncovered': '免責額を超える未払い',
  },
});

const analysisId = pathId();

const query = `query($a: ID!) { insuranceGaps(analysisId: $a) {
  analysis { id title version organization { name } target { id name } }
  policySource policies { id insurer product aggregateLimitJPY }
  entries { incident { id name } category lossJPY lossBasis status irreversible
    lines { policy { id product } line { id type limitJPY deductibleJPY } coversIncident matchedThreats { name } paysJPY cappedByAggregate }
    unmetConditions { policy { product } line { id type } measure { name } clause { ref title } measureStatus reason }
    paidJPY residualJPY uncoveredJPY reason }
  summary { assessments counts { status count } irreversible withoutLoss totalLossJPY totalPaidJPY totalResidualJPY } } }`;

let report = null; // the report shown, redrawn when the language changes

const head = (labelKey, helpKey) => el('th', { scope: 'col' }, helpKey ? term(t(labelKey), t(helpKey)) : t(labelKey));

function lineItem(l) {
  const via = l.coversIncident ? '' : ` (${t('ins.threat')} ${l.matchedThreats.map((x) => x.name).join(', ')})`;
  return el('li', { class: 'line' }, `${l.policy.product} / ${l.line.type}${via}: `, el('b', { class: 'pays' }, yen(l.paysJPY)),
    ` (${t('ins.limit')} ${yen(l.line.limitJPY)}, ${t('ins.deductible')} ${yen(l.line.deductibleJPY)}${l.cappedByAggregate ? `, ${t('ins.capped')}` : ''})`);
}

function unmetItem(u) {
  const what = u.measure
    ? `${t('ins.measure')} ${u.measure.name}${u.measureStatus ? ` (${t(`ins.${u.measureStatus}`)})` : ''}`
    : `${t('ins.clause')} ${u.clause.ref} ${u.clause.title}`;
  return el('li', { class: 'unmet' }, `${u.policy.product} / ${u.line.type}: ${what}`);
}

function row(e) {
  const noLine = e.lines.length === 0;
  const unmet = e.unmetConditions.length > 0;
  const marks = [noLine ? el('span', { class: 'flag no-line' }, t('ins.noLine')) : null,
    unmet ? el('span', { class: 'flag cond-unmet' }, t('ins.condUnmet')) : null,
    e.irreversible ? el('span', { class: 'flag irreversible' }, t('ins.irrev')) : null];
  return el('tr', { class: `entry${noLine || unmet ? ' attention' : ''}`, 'data-incident': e.incident.id, 'data-status': e.status },
    el('th', { scope: 'row' }, el('span', { class: 'incident-name' }, e.incident.name), ...marks.filter(Boolean).flatMap((m) => [el('br'), m])),
    el('td', { class: 'category' }, String(e.category)),
    el('td', { class: 'loss' }, yen(e.lossJPY), el('br'), el('small', {}, t(`ins.basis.${e.lossBasis}`))),
    el('td', { class: 'status' }, el('span', { class: `badge ins-${e.status}`, title: t(`ins.help.${e.status}`) }, t(`ins.st.${e.status}`))),
    el('td', { class: 'lines' }, noLine ? t('ins.none') : el('ul', {}, ...e.lines.map(lineItem))),
    el('td', { class: 'unmet-list' }, unmet ? el('ul', {}, ...e.unmetConditions.map(unmetItem)) : t('ins.none')),
    el('td', { class: 'paid' }, yen(e.paidJPY)),
    el('td', { class: 'residual' }, yen(e.residualJPY),
      ...(e.uncoveredJPY ? [el('br'), el('small', {}, `${t('ins.uncovered')} ${yen(e.uncoveredJPY)}`)] : [])));
}

function draw() {
  if (!report) return;
  const r = report;
  const a = r.analysis;
  $('title').textContent = `${t('ins.title')}: ${a.title}`;
  analysisContext(a, 'ins', ['to-coverage', `/analyses/${encodeURIComponent(a.id)}/coverage`, 'ins.toCoverage']);
  $('source').textContent = `${t(`ins.source.${r.policySource}`)} ${r.policies.length ? r.policies.map((p) => `${p.insurer} ${p.product} (${yen(p.aggregateLimitJPY)})`).join(', ') : t('ins.noPolicy')}`;
  const s = r.summary;
  $('summary').replaceChildren(
    ...stat('sum-assessments', 'ins.assessments', 'ins.assessmentsHelp', num(s.assessments)),
    ...stat('sum-loss', 'ins.totalLoss', 'ins.totalLossHelp', yen(s.totalLossJPY)),
    ...stat('sum-paid', 'ins.totalPaid', 'ins.totalPaidHelp', yen(s.totalPaidJPY)),
    ...stat('sum-residual', 'ins.totalResidual', 'ins.totalResidualHelp', yen(s.totalResidualJPY)),
    ...stat('sum-irreversible', 'ins.irreversible', 'ins.irreversibleHelp', num(s.irreversible)),
    ...stat('sum-without-loss', 'ins.withoutLoss', 'ins.withoutLossHelp', num(s.withoutLoss)),
  );
  $('counts').replaceChildren(...s.counts.flatMap((c) => stat(`count-${c.status}`, `ins.st.${c.status}`, `ins.help.${c.status}`, num(c.count))));
  $('entries').replaceChildren(
    el('thead', {}, el('tr', {}, head('ins.incident'), head('ins.category', 'ins.categoryHelp'), head('ins.loss', 'ins.lossHelp'),
      head('ins.status', 'ins.statusHelp'), head('ins.lines', 'ins.linesHelp'), head('ins.unmet', 'ins.unmetHelp'),
      head('ins.paid', 'ins.totalPaidHelp'), head('ins.residual', 'ins.residualHelp'))),
    el('tbody', {}, ...r.entries.map(row)));
  $('report').hidden = false;
}

async function run() {
  status('ins.loading');
  try {
    const data = await gql(query, { a: analysisId });
    report = data.insuranceGaps;
    draw();
    status('ins.loaded');
  } catch (err) {
    $('report').hidden = true;
    if (err.code === 'NOT_FOUND') status('ins.notFound', `(${analysisId})`, true);
    else showError(err);
  }
}

start(run, draw);
