/** xterm.js and its addons, loaded on demand: only the workspace page needs them (most of the bundle). */
import '@xterm/xterm/css/xterm.css';

export { Terminal } from '@xterm/xterm';
export { FitAddon } from '@xterm/addon-fit';
export { WebLinksAddon } from '@xterm/addon-web-links';
