// What the app's figure pages share: a term that explains itself on hover
// and on keyboard focus (a tooltip the term describes itself by, so screen
// readers read it too), and numbers in the reader's language.
import { lang } from './i18n.js';
import { el } from './common.js';

let tips = 0;

/**
 * term returns a focusable label whose explanation shows on hover and on
 * focus (Escape hides it again until the next focus).
 */
export function term(label, explanation, attrs = {}) {
  const id = `tip-${++tips}`;
  const tip = el('span', { class: 'tip', role: 'tooltip', id }, explanation);
  const e = el('span', { ...attrs, class: `term${attrs.class ? ` ${attrs.class}` : ''}`, tabindex: '0', 'aria-describedby': id }, label, tip);
  // open shows the tip, on the term's left when it would leave the window on the right.
  const open = () => {
    e.classList.remove('tip-closed', 'tip-end');
    if (tip.getBoundingClientRect().right > document.documentElement.clientWidth) e.classList.add('tip-end');
  };
  e.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') e.classList.add('tip-closed'); });
  e.addEventListener('focus', open);
  e.addEventListener('mouseenter', open);
  return e;
}

/** num formats a number in the reader's language. */
export const num = (v, digits = 0) => (v == null ? '—' : Number(v).toLocaleString(lang() === 'ja' ? 'ja-JP' : 'en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** yen formats an amount in yen, or a dash for none. */
export const yen = (v) => (v == null ? '—' : `¥${num(v)}`);

/** pct formats a percentage with one decimal. */
export const pct = (v) => `${num(v, 1)}%`;

/** pathId returns the {id} of a path /kind/{id}/... */
export const pathId = () => decodeURIComponent(location.pathname.split('/')[2] || '');
