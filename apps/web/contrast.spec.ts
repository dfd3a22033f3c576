import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * WCAG 2.2 AA contrast of the web app's palette, in the light and the dark scheme: every text
 * colour against every background it is drawn on (4.5:1; the app has no large-text exception it
 * relies on), and every UI boundary, focus ring and chart mark against what surrounds it (3:1,
 * SC 1.4.11). The colours are read from the custom properties in src/styles.css, so a colour
 * changed there is judged here. Disabled controls are exempt (SC 1.4.3), as is decoration: card
 * borders and grid lines (`--line`), and the out-of-stock shading, which the checks table and the
 * legend state in words.
 */
const CSS = readFileSync(path.join(__dirname, 'src/styles.css'), 'utf8');

type Rgba = [number, number, number, number];

/** The custom properties of the first `:root { ... }` block in `css`. */
function customProperties(css: string): Record<string, string> {
  const block = /:root\s*\{([^}]*)\}/.exec(css);
  if (!block) throw new Error('no :root block');
  const props: Record<string, string> = {};
  for (const m of block[1].matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)) props[m[1]] = m[2].trim();
  return props;
}

function schemes(): { light: Record<string, string>; dark: Record<string, string> } {
  const light = customProperties(CSS);
  const media = /@media\s*\(prefers-color-scheme:\s*dark\)\s*\{([\s\S]*?\})\s*\}/.exec(CSS);
  if (!media) throw new Error('no dark scheme block');
  return { light, dark: { ...light, ...customProperties(media[1]) } };
}

function parseColour(value: string): Rgba {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value);
  if (hex) {
    const h = hex[1].length === 3 ? [...hex[1]].map((c) => c + c).join('') : hex[1];
    return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)).concat(1) as Rgba;
  }
  const rgb = /^rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+)\s*)?\)$/i.exec(value);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3]), Number(rgb[4] ?? 1)];
  throw new Error(`cannot read the colour ${value}`);
}

/** `top` painted over the opaque `under`. */
function over(top: Rgba, under: Rgba): Rgba {
  const a = top[3];
  return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1) as Rgba;
}

/** WCAG 2.x relative luminance. */
function luminance([r, g, b]: Rgba): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export function contrast(fg: Rgba, bg: Rgba): number {
  const base = bg[3] < 1 ? over(bg, [255, 255, 255, 1]) : bg;
  const front = fg[3] < 1 ? over(fg, base) : fg;
  const [hi, lo] = [luminance(front), luminance(base)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** [foreground, background, where the UI draws it]: text, 4.5:1. */
const TEXT: [string, string, string][] = [
  ['--text', '--bg', 'body text on the page'],
  ['--text', '--surface', 'text in cards, fields, buttons, dialogs'],
  ['--muted', '--bg', 'hints and the signed-in e-mail on the page'],
  ['--muted', '--surface', 'hints, fact labels, chart axis labels'],
  ['--accent', '--bg', 'links on the page'],
  ['--accent', '--surface', 'links, navigation, skip link'],
  ['--accent-text', '--accent', 'primary buttons'],
  ['--surface', '--bad', 'the danger button'],
  ['--bad', '--surface', 'field errors, form errors, danger outline, failed statuses'],
  ['--bad', '--bg', 'field errors on the sign-in page'],
  ['--ok', '--surface', 'saved, sent, notified'],
  ['--ok', '--bg', 'saved messages on the page'],
  ['--info', '--surface', 'watching statuses'],
  ['--warn', '--surface', 'warning statuses'],
  ['--target', '--surface', "the chart's target label"],
  ['--bg', '--text', 'the chart tooltip'],
];

/** Non-text contrast, 3:1: boundaries of controls, focus rings, chart marks. */
const UI: [string, string, string][] = [
  ['--border', '--surface', 'input and button borders in cards'],
  ['--border', '--bg', 'input and button borders on the page'],
  ['--focus', '--surface', 'focus ring in cards'],
  ['--focus', '--bg', 'focus ring on the page'],
  ['--accent', '--surface', 'chart line, points, sparkline, current page underline'],
  ['--target', '--surface', "the chart's target line"],
  ['--bad', '--surface', 'the border of an invalid field, the legend swatch'],
];

describe('colour contrast (WCAG 2.2 AA)', () => {
  it('reads both schemes from styles.css', () => {
    const { light, dark } = schemes();
    for (const props of [light, dark]) {
      for (const [fg, bg] of [...TEXT, ...UI]) {
        expect(props[fg]).toBeDefined();
        expect(props[bg]).toBeDefined();
      }
    }
    expect(dark['--bg']).not.toBe(light['--bg']);
  });

  it('has no colour outside the palette (the custom properties judged here)', () => {
    const rules = CSS.replace(/:root\s*\{[^}]*\}/g, '');
    const stray = [...rules.matchAll(/#[0-9a-f]{3,8}\b|rgba?\([^)]*\)|hsla?\([^)]*\)/gi)]
      .map((m) => m[0])
      // The dialog's backdrop dims the page behind it; nothing is read on it.
      .filter((c) => c !== 'rgba(0, 0, 0, 0.5)');
    expect(stray).toEqual([]);
  });

  it('computes the WCAG ratio (black on white 21:1, a colour on itself 1:1)', () => {
    expect(contrast([0, 0, 0, 1], [255, 255, 255, 1])).toBeCloseTo(21, 5);
    expect(contrast([118, 118, 118, 1], [255, 255, 255, 1])).toBeCloseTo(4.54, 2);
    expect(contrast([10, 20, 30, 1], [10, 20, 30, 1])).toBe(1);
  });

  for (const scheme of ['light', 'dark'] as const) {
    it.each(TEXT)(`${scheme}: text %s on %s (%s) is at least 4.5:1`, (fg, bg) => {
      const props = schemes()[scheme];
      expect(contrast(parseColour(props[fg]), parseColour(props[bg]))).toBeGreaterThanOrEqual(4.5);
    });

    it.each(UI)(`${scheme}: %s against %s (%s) is at least 3:1`, (fg, bg) => {
      const props = schemes()[scheme];
      expect(contrast(parseColour(props[fg]), parseColour(props[bg]))).toBeGreaterThanOrEqual(3);
    });
  }
});
