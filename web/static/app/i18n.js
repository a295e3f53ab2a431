// Labels of the pages in English and Japanese (the IoT-SSF's own terms);
// the browser's language chooses, the switch on each page overrides it
// for the tab.
const labels = {
  en: {
    comparison: 'Comparison', connecting: 'Connecting…', token: 'Token', signIn: 'Sign in',
    tokenNote: "The token stays in this tab's session storage; it never goes into a URL.",
    pasteToken: 'Paste a token to sign in.', revision: 'Revision', changed: 'Changed',
    alpha1: 'α axis 1 (recovery)', alpha2: 'α axis 2 (economic impact)', alphaCategory: 'α category',
    alphaHelp: "Krippendorff's alpha: 1 is full agreement, 0 is what chance would give, below 0 systematic disagreement.",
    incident: 'Incident', draft: 'draft', notAssessed: 'not assessed', live: 'Live: revision',
    signedOut: 'Signed out', gone: 'The server went away; reconnecting…',
    details: 'Details', rationale: 'Rationale', threats: 'Threats', assets: 'Assets', measures: 'Measures',
    owner: 'Owner department', none: 'none', axis1: 'Axis 1', axis2: 'Axis 2', category: 'Category',
    divergent: 'the analyses differ', close: 'Close', language: 'Language', error: 'Error:',
  },
  ja: {
    comparison: '分析の比較', connecting: '接続中…', token: 'トークン', signIn: 'サインイン',
    tokenNote: 'トークンはこのタブのセッションストレージにのみ保存され、URL には含まれません。',
    pasteToken: 'サインインするにはトークンを貼り付けてください。', revision: 'リビジョン', changed: '更新日時',
    alpha1: 'α 第1軸（回復の困難度）', alpha2: 'α 第2軸（経済的損失）', alphaCategory: 'α カテゴリ',
    alphaHelp: 'クリッペンドルフのα：1 は完全な一致、0 は偶然と同程度、負の値は系統的な不一致を表します。',
    incident: 'インシデント', draft: '下書き', notAssessed: '未評価', live: 'ライブ：リビジョン',
    signedOut: 'サインアウトしました', gone: 'サーバーとの接続が切れました。再接続しています…',
    details: '詳細', rationale: '根拠', threats: '脅威', assets: '資産', measures: '対策',
    owner: '担当部署', none: 'なし', axis1: '第1軸', axis2: '第2軸', category: 'カテゴリ',
    divergent: '分析間で評価が異なります', close: '閉じる', language: '言語', error: 'エラー：',
  },
};

const langKey = 'ssfgraph.lang';

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
