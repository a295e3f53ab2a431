// Numbers and dates in the reader's language: one set of functions for
// every page (each page chooses its precision).
import { lang } from './i18n.js';

const locale = () => (lang() === 'ja' ? 'ja-JP' : 'en-US');

/** num formats a number with this many decimals, or a dash for none. */
export const num = (v, digits = 0) => (v == null ? '—' : Number(v).toLocaleString(locale(), { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** yen formats an amount in yen, or a dash for none. */
export const yen = (v) => (v == null ? '—' : `¥${num(v)}`);

/** pct formats a percentage (0–100) with this many decimals, or a dash for none. */
export const pct = (v, digits = 1) => (v == null ? '—' : `${num(v, digits)}%`);

/** date formats an instant as a date and time, or nothing for none. */
export const date = (v) => (v ? new Date(v).toLocaleString(locale()) : '');
