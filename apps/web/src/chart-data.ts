/**
 * Shapes a job's history into what the price chart draws: points in time order, out-of-stock
 * periods, the target, and axis ticks. Positions are numbers (pixels need them); every label is
 * built from the decimal strings or from integer minor units, so what is shown is exact.
 */
import type { CheckOutcome, Check, Job } from './api-types';
import { dateTime, decimalToMinor, formatMoney, isDecimal, minorToDecimal } from './format';

export interface ChartPoint {
  id: string;
  t: number;
  price: string;
  /** The price in integer minor units at the model's scale; for positioning only. */
  minor: number;
  label: string;
}

export interface CheckRow {
  id: string;
  t: number;
  checkedAt: string;
  outcome: CheckOutcome;
  price?: string;
  reason?: string;
  source?: string;
  availability?: string;
  durationMs?: number;
}

export interface Band {
  from: number;
  to: number;
}

export interface Tick {
  value: number;
  label: string;
}

export interface ChartModel {
  currency: string;
  scale: number;
  points: ChartPoint[];
  checks: CheckRow[];
  outOfStock: Band[];
  target: { price: string; minor: number };
  x: { min: number; max: number; ticks: Tick[] };
  y: { min: number; max: number; ticks: Tick[] };
}

export function compareDecimal(a: string, b: string): number {
  const scale = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  const x = toBig(a, scale);
  const y = toBig(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

function toBig(value: string, scale: number): bigint {
  const [int, frac = ''] = value.split('.');
  return BigInt(int + frac.padEnd(scale, '0'));
}

function fractionDigits(value: string): number {
  return value.split('.')[1]?.length ?? 0;
}

function currencyScale(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits as number;
  } catch {
    return 2;
  }
}

/** 1, 2 or 5 times a power of ten, at least `raw`; integer minor units, so at least 1. */
export function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return Math.max(1, Math.round(m * power));
  return Math.max(1, Math.round(10 * power));
}

const HOUR = 3_600_000;

/** Time ticks spread evenly; clock times within a day and a half, dates beyond. */
function timeTicks(min: number, max: number, count: number, locale?: string): Tick[] {
  const span = max - min;
  const fmt = new Intl.DateTimeFormat(
    locale,
    span <= 10 * 60_000
      ? { hour: '2-digit', minute: '2-digit', second: '2-digit' }
      : span <= 36 * HOUR
        ? { hour: '2-digit', minute: '2-digit' }
        : { month: 'short', day: 'numeric' },
  );
  const ticks: Tick[] = [];
  for (let i = 0; i < count; i++) {
    const value = min + (span * i) / (count - 1);
    ticks.push({ value, label: fmt.format(value) });
  }
  return ticks;
}

export function shapeHistory(
  history: Check[],
  job: Pick<Job, 'targetPrice' | 'currency' | 'lastOutcome' | 'lastCheckedAt'>,
  now: number,
  locale?: string,
): ChartModel {
  const checks: CheckRow[] = history
    .map((p) => ({
      id: p.id,
      t: Date.parse(p.checkedAt),
      checkedAt: p.checkedAt,
      outcome: p.outcome ?? (p.price ? 'ok' : 'price_not_found'),
      price: p.price && isDecimal(p.price) ? p.price : undefined,
      reason: p.reason,
      source: p.source,
      availability: p.availability,
      durationMs: p.durationMs,
    }))
    .filter((c) => !Number.isNaN(c.t))
    .sort((a, b) => a.t - b.t || a.id.localeCompare(b.id));

  const priced = checks.filter((c) => c.outcome === 'ok' && c.price !== undefined);
  const target = isDecimal(job.targetPrice) ? job.targetPrice : '0';
  const scale = Math.min(
    6,
    Math.max(
      currencyScale(job.currency),
      fractionDigits(target),
      ...priced.map((c) => fractionDigits(c.price!)),
    ),
  );
  const points: ChartPoint[] = priced.map((c) => ({
    id: c.id,
    t: c.t,
    price: c.price!,
    minor: decimalToMinor(c.price!, scale),
    label: `${dateTime(c.checkedAt, locale)}: ${formatMoney(c.price!, job.currency, locale)}`,
  }));

  // Out of stock from an out-of-stock check until the next check that saw something else.
  const outOfStock: Band[] = [];
  let open: number | undefined;
  for (const c of checks) {
    if (c.outcome === 'out_of_stock') open ??= c.t;
    else if (open !== undefined) {
      outOfStock.push({ from: open, to: c.t });
      open = undefined;
    }
  }
  const lastChecked = job.lastCheckedAt ? Date.parse(job.lastCheckedAt) : NaN;
  if (open === undefined && job.lastOutcome === 'out_of_stock' && !Number.isNaN(lastChecked)) {
    // The history may hold priced checks only: the job itself says the last one was out of stock.
    const lastSeen = checks.length ? checks[checks.length - 1].t : -Infinity;
    if (lastChecked >= lastSeen) open = lastChecked;
  }

  const times = [...checks.map((c) => c.t), ...(Number.isNaN(lastChecked) ? [] : [lastChecked])];
  if (open !== undefined) times.push(now);
  let xMin = times.length ? Math.min(...times) : now - HOUR;
  let xMax = times.length ? Math.max(...times) : now;
  // A little room either side, so the first and last points are not on the frame.
  const pad = Math.max(30_000, (xMax - xMin) * 0.04);
  xMin -= pad;
  xMax += pad;
  if (open !== undefined) outOfStock.push({ from: open, to: Math.min(now, xMax) });

  const targetMinor = decimalToMinor(target, scale);
  const values = [...points.map((p) => p.minor), targetMinor];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi === lo) {
    const pad = Math.max(1, Math.round(hi * 0.1));
    lo = Math.max(0, lo - pad);
    hi += pad;
  }
  const step = niceStep((hi - lo) / 4);
  const yMin = Math.max(0, Math.floor(lo / step) * step);
  const yMax = Math.ceil(hi / step) * step;
  const yTicks: Tick[] = [];
  for (let v = yMin; v <= yMax; v += step) {
    yTicks.push({ value: v, label: formatMoney(minorToDecimal(v, scale), job.currency, locale) });
  }

  return {
    currency: job.currency,
    scale,
    points,
    checks,
    outOfStock,
    target: { price: target, minor: targetMinor },
    x: { min: xMin, max: xMax, ticks: timeTicks(xMin, xMax, 4, locale) },
    y: { min: yMin, max: yMax, ticks: yTicks },
  };
}

/** The chart's accessible name: "Price history of …" with the figures a reader needs. */
export function chartName(model: ChartModel, title: string, locale?: string): string {
  const money = (v: string) => formatMoney(v, model.currency, locale);
  const head = `Price history of ${title}`;
  const target = `target ${money(model.target.price)}`;
  if (model.points.length === 0) return `${head}: no prices yet; ${target}`;
  let lowest = model.points[0];
  for (const p of model.points) if (compareDecimal(p.price, lowest.price) < 0) lowest = p;
  const latest = model.points[model.points.length - 1];
  const count = model.points.length === 1 ? '1 price' : `${model.points.length} prices`;
  return `${head}: ${count}, latest ${money(latest.price)}, lowest ${money(lowest.price)}; ${target}`;
}

/** An SVG path through the last prices, scaled into a width × height box (the list's sparkline). */
export function sparklinePath(prices: string[], width: number, height: number): string {
  const valid = prices.filter(isDecimal);
  if (valid.length === 0) return '';
  const scale = Math.min(6, Math.max(...valid.map(fractionDigits)));
  const minor = valid.map((p) => decimalToMinor(p, scale));
  const lo = Math.min(...minor);
  const hi = Math.max(...minor);
  const pad = 2;
  const y = (v: number) =>
    hi === lo ? height / 2 : pad + ((hi - v) / (hi - lo)) * (height - 2 * pad);
  if (minor.length === 1) return `M0 ${y(minor[0]).toFixed(1)}H${width}`;
  const dx = width / (minor.length - 1);
  return minor
    .map((v, i) => `${i === 0 ? 'M' : 'L'}${(i * dx).toFixed(1)} ${y(v).toFixed(1)}`)
    .join('');
}
