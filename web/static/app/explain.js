// Explanations: the one tooltip mechanism of the app. A statistic's "?"
// button (help) and a focusable term (term) are each described by a
// tooltip (role=tooltip, aria-describedby, so screen readers read it too)
// that shows on hover and on keyboard focus, stays open while the pointer
// moves onto it (WCAG 1.4.13), is kept within the window, and hides on
// Escape until the next hover or focus.
import { addLabels, t } from './i18n.js';
import { el } from './common.js';

addLabels({ en: { 'explain.help': 'Explain' }, ja: { 'explain.help': '説明' } });

let tips = 0;

/**
 * term returns a focusable label whose explanation (already in the
 * reader's language) is its tooltip.
 */
export function term(label, explanation, attrs = {}) {
  const id = `tip-${++tips}`;
  const tip = el('span', { class: 'tip', role: 'tooltip', id, hidden: true }, explanation);
  return el('span', { ...attrs, class: `term${attrs.class ? ` ${attrs.class}` : ''}`, tabindex: '0', 'aria-describedby': id }, label, tip);
}

/** figure returns a labelled figure of a summary: the label, a term with its explanation, and the value. */
export const figure = (id, labelKey, explainKey, value) => [el('dt', {}, term(t(labelKey), t(explainKey))), el('dd', { id }, value)];

/**
 * help returns a "?" button with no text of its own (the label it sits in
 * reads the same) that explains a statistic. Its tooltip, tip-{name}, is
 * shared by every button of that name and follows the language switch
 * (data-i18n: explainKey); labelKey names the statistic in its
 * accessible name.
 */
export function help(name, explainKey, labelKey, id = null) {
  const tipId = `tip-${name}`;
  if (!document.getElementById(tipId)) {
    let box = document.getElementById('tips');
    if (!box) document.body.append(box = el('div', { id: 'tips' }));
    box.append(el('div', { role: 'tooltip', id: tipId, class: 'tip', hidden: true, 'data-i18n': explainKey }, t(explainKey)));
  }
  return el('button', { type: 'button', class: 'help', id, 'aria-describedby': tipId, 'aria-label': `${t('explain.help')}: ${t(labelKey)}` });
}

const triggers = '.help, .term';
let shown = null; // { trigger, tip } of the tooltip shown

// place puts the tip under its trigger, inside the window.
function place() {
  const { trigger, tip } = shown;
  const r = trigger.getBoundingClientRect();
  const width = Math.min(tip.offsetWidth, window.innerWidth - 16);
  tip.style.left = `${Math.max(8, Math.min(r.left, window.innerWidth - width - 8))}px`;
  const below = r.bottom + 6;
  tip.style.top = `${below + tip.offsetHeight > window.innerHeight && r.top > tip.offsetHeight + 6 ? r.top - tip.offsetHeight - 6 : below}px`;
}

function show(trigger) {
  const tip = document.getElementById(trigger.getAttribute('aria-describedby'));
  if (!tip) return;
  if (shown && shown.tip !== tip) hide();
  tip.hidden = false;
  shown = { trigger, tip };
  place();
}

function hide() {
  if (shown) shown.tip.hidden = true;
  shown = null;
}

const within = (node) => shown && node instanceof Node && (shown.trigger.contains(node) || shown.tip.contains(node));
const trigger = (node) => (node instanceof Element ? node.closest(triggers) : null);

document.addEventListener('focusin', (ev) => { const b = trigger(ev.target); if (b) show(b); });
document.addEventListener('focusout', (ev) => { if (shown && ev.target === shown.trigger) hide(); });
document.addEventListener('mouseover', (ev) => { const b = trigger(ev.target); if (b && !within(ev.target)) show(b); });
document.addEventListener('mouseout', (ev) => {
  // The pointer may move from the trigger onto its explanation (and back) without hiding it.
  if (within(ev.target) && !within(ev.relatedTarget) && document.activeElement !== shown.trigger) hide();
});
document.addEventListener('click', (ev) => { const b = trigger(ev.target); if (b) show(b); });
document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') hide(); });
window.addEventListener('scroll', () => { if (shown) place(); }, { capture: true, passive: true });
window.addEventListener('resize', () => { if (shown) place(); });
