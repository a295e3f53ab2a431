// Labels of the pages in English and Japanese (the IoT-SSF's own terms);
// the browser's language chooses, the switch on each page overrides it
// for the tab.
const labels = {
  en: {
    comparison: 'Comparison', connecting: 'Connecting…', token: 'Token', signIn: 'Sign in',
    tokenNote: "The token stays in this tab's session storage; it never goes into a URL.",
    pasteToken: 'Paste a token to sign in.', revision: 'Revision', changed: 'Changed',
    alpha1: 'α axis 1 (recovery)', alpha2: 'α axis 2 (economic impact)', alphaCategory: 'α category',
    incident: 'Incident', draft: 'draft', notAssessed: 'not assessed', live: 'Live: revision',
    signedOut: 'Signed out', gone: 'The server went away; reconnecting…',
    details: 'Details', rationale: 'Rationale', threats: 'Threats', assets: 'Assets', measures: 'Measures',
    owner: 'Owner department', none: 'none', axis1: 'Axis 1', axis2: 'Axis 2', category: 'Category',
    divergent: 'the analyses differ', close: 'Close', language: 'Language', error: 'Error:',
    'nav.targets': 'Targets', 'nav.feedback': 'Feedback', 'nav.graphiql': 'GraphiQL',
    'err.UNAUTHENTICATED': 'The token was refused: sign in again.',
    'err.FORBIDDEN': 'Your token may not do this.',
    'err.NOT_FOUND': 'There is no such thing, or you may not see it.',
    'err.BAD_USER_INPUT': 'The input is not valid.',
    'err.CONFLICT': 'Someone changed it meanwhile; reload and try again.',
    'err.RATE_LIMITED': 'Too many requests; wait a moment.',
    'err.UNREACHABLE': 'The server cannot be reached.',
  },
  ja: {
    comparison: '分析の比較', connecting: '接続中…', token: 'トークン', signIn: 'サインイン',
    tokenNote: 'トークンはこのタブのセッションストレージにのみ保存され、URL には含まれません。',
    pasteToken: 'サインインするにはトークンを貼り付けてください。', revision: 'リビジョン', changed: '更新日時',
    alpha1: 'α 第1軸（回復の困難度）', alpha2: 'α 第2軸（経済的損失）', alphaCategory: 'α カテゴリ',
    incident: 'インシデント', draft: '下書き', notAssessed: '未評価', live: 'ライブ：リビジョン',
    signedOut: 'サインアウトしました', gone: 'サーバーとの接続が切れました。再接続しています…',
    details: '詳細', rationale: '根拠', threats: '脅威', assets: '資産', measures: '対策',
    owner: '担当部署', none: 'なし', axis1: '第1軸', axis2: '第2軸', category: 'カテゴリ',
    divergent: '分析間で評価が異なります', close: '閉じる', language: '言語', error: 'エラー：',
    'nav.targets': '対象一覧', 'nav.feedback': 'フィードバック', 'nav.graphiql': 'GraphiQL',
    'err.UNAUTHENTICATED': 'トークンが拒否されました。もう一度サインインしてください。',
    'err.FORBIDDEN': 'このトークンにはこの操作の権限がありません。',
    'err.NOT_FOUND': '見つからないか、閲覧する権限がありません。',
    'err.BAD_USER_INPUT': '入力が正しくありません。',
    'err.CONFLICT': '他の人が先に変更しました。再読み込みしてやり直してください。',
    'err.RATE_LIMITED': 'リクエストが多すぎます。少し待ってください。',
    'err.UNREACHABLE': 'サーバーに接続できません。',
  },
};

const langKey = 'ssfgraph.lang';

/**
 * addLabels adds a page's own labels ({en: {...}, ja: {...}}); every
 * key needs both languages.
 */
export function addLabels(more) {
  for (const l of Object.keys(labels)) Object.assign(labels[l], more[l]);
}

/** lang is the chosen language: the tab's choice, else the browser's. */
export function lang() {
  const chosen = sessionStorage.getItem(langKey);
  if (chosen && labels[chosen]) return chosen;
  return (navigator.languages || [navigator.language]).some((l) => l.startsWith('ja')) ? 'ja' : 'en';
}

/** setLang remembers the tab's language. */
export function setLang(l) {
  sessionStorage.setItem(langKey, l);
}

/** t returns the label of key in the chosen language. */
export function t(key) {
  return labels[lang()][key] ?? labels.en[key] ?? key;
}

/** translate fills every element with data-i18n (its text) and data-i18n-title. */
export function translate(root = document) {
  document.documentElement.lang = lang();
  for (const e of root.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const e of root.querySelectorAll('[data-i18n-title]')) e.title = t(e.dataset.i18nTitle);
}
