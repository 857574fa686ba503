/**
 * Light or dark: the user's choice (light / dark / system) kept in
 * localStorage, "system" following `prefers-color-scheme` live. The resolved
 * theme is `data-theme` on <html>, which styles.css keys its colours on; the
 * terminals read their xterm theme from here and follow every change.
 */
export type ThemeChoice = 'light' | 'dark' | 'system';
export type Theme = 'light' | 'dark';

const KEY = 'slipway.theme';
const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
const listeners = new Set<(theme: Theme) => void>();

export function themeChoice(): ThemeChoice {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === 'light' || saved === 'dark' || saved === 'system') return saved;
  } catch {
    // storage blocked (private mode, policy): fall back to the system's choice
  }
  return 'system';
}

export function currentTheme(): Theme {
  const choice = themeChoice();
  if (choice !== 'system') return choice;
  return media?.matches ? 'dark' : 'light';
}

function apply() {
  const theme = currentTheme();
  document.documentElement.dataset.theme = theme;
  for (const listener of listeners) listener(theme);
}

export function setThemeChoice(choice: ThemeChoice) {
  try {
    localStorage.setItem(KEY, choice);
  } catch {
    // not remembered, but still applied for this page
  }
  apply();
}

/** Calls `listener` on every change of the resolved theme; returns how to stop. */
export function onThemeChange(listener: (theme: Theme) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * xterm.js paints on a canvas-like DOM of its own and cannot read CSS
 * variables, so its colours live here, matching --term-* in styles.css.
 */
export function xtermTheme(theme: Theme) {
  return theme === 'dark'
    ? { background: '#14181d', foreground: '#dfe3e8', cursor: '#9fd8c5', cursorAccent: '#14181d', selectionBackground: '#3a5a52' }
    : {
        background: '#ffffff',
        foreground: '#1f2428',
        cursor: '#256f5c',
        cursorAccent: '#ffffff',
        selectionBackground: '#bfe0d5',
        // xterm's default palette is made for a dark background (its yellow is unreadable on white).
        black: '#1f2428',
        red: '#b3261e',
        green: '#1a7a45',
        yellow: '#845300',
        blue: '#1f5fbf',
        magenta: '#8a3fa0',
        cyan: '#0b6f7a',
        white: '#5c656e',
        brightBlack: '#5c656e',
        brightRed: '#9c1f18',
        brightGreen: '#15693b',
        brightYellow: '#6f4600',
        brightBlue: '#1a4f9f',
        brightMagenta: '#74328a',
        brightCyan: '#095c65',
        brightWhite: '#1f2428',
      };
}

media?.addEventListener('change', () => {
  if (themeChoice() === 'system') apply();
});
// Another tab changed the choice: follow it here too.
window.addEventListener('storage', (event) => {
  if (event.key === KEY) apply();
});
apply();
