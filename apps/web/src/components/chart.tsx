import { useState } from 'preact/hooks';
import type { ChartModel } from '../chart-data';
import { formatMoney } from '../format';
import { useWidth } from '../hooks';

const HEIGHT = 260;
const PAD = { top: 16, right: 16, bottom: 30, left: 72 };

/**
 * The price-history chart: SVG drawn from the shaped model. It is one image to assistive
 * technology (role="img", named "Price history of …"); the table beside it carries every value.
 * Keyboard: Tab to the chart, then ←/→ (Home/End) walk the points, each with its tooltip, read
 * out through a live region. The pointer shows the nearest point the same way.
 */
export function PriceChart({ model, name }: { model: ChartModel; name: string }) {
  const { ref, width } = useWidth<HTMLDivElement>();
  const [active, setActive] = useState<number | undefined>(undefined);
  const w = width;
  const plotW = Math.max(10, w - PAD.left - PAD.right);
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + ((t - model.x.min) / (model.x.max - model.x.min)) * plotW;
  const y = (minor: number) =>
    PAD.top + (1 - (minor - model.y.min) / (model.y.max - model.y.min || 1)) * plotH;
  const pts = model.points;
  const line = pts.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)} ${y(p.minor).toFixed(1)}`);
  const current = active !== undefined ? pts[active] : undefined;
  // On a phone four time labels collide: keep the first and the last.
  const xTicks =
    plotW < 420 ? [model.x.ticks[0], model.x.ticks[model.x.ticks.length - 1]] : model.x.ticks;

  function onKey(e: KeyboardEvent) {
    if (pts.length === 0) return;
    const last = pts.length - 1;
    const at = active ?? last;
    let next: number | undefined;
    if (e.key === 'ArrowLeft') next = Math.max(0, active === undefined ? last : at - 1);
    else if (e.key === 'ArrowRight') next = Math.min(last, active === undefined ? last : at + 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = last;
    else if (e.key === 'Escape') {
      setActive(undefined);
      return;
    }
    if (next === undefined) return;
    e.preventDefault();
    setActive(next);
  }

  function onPointer(e: PointerEvent) {
    if (pts.length === 0) return;
    const box = (e.currentTarget as SVGElement).getBoundingClientRect();
    const px = e.clientX - box.left;
    let best = 0;
    for (let i = 1; i < pts.length; i++)
      if (Math.abs(x(pts[i].t) - px) < Math.abs(x(pts[best].t) - px)) best = i;
    setActive(best);
  }

  const tipLeft = current ? Math.min(Math.max(x(current.t), 90), w - 90) : 0;
  const tipTop = current ? y(current.minor) : 0;
  const targetY = y(model.target.minor);

  return (
    <div class="chart" ref={ref}>
      <svg
        role="img"
        aria-label={name}
        tabIndex={0}
        width={w}
        height={HEIGHT}
        viewBox={`0 0 ${w} ${HEIGHT}`}
        onKeyDown={onKey}
        onPointerMove={onPointer}
        onPointerLeave={() => setActive(undefined)}
        onBlur={() => setActive(undefined)}
        onFocus={() => pts.length && setActive(pts.length - 1)}
      >
        {model.outOfStock.map((b, i) => (
          <rect
            key={`oos-${i}`}
            class="oos"
            x={x(b.from)}
            y={PAD.top}
            width={Math.max(2, x(b.to) - x(b.from))}
            height={plotH}
          />
        ))}
        {model.y.ticks.map((t) => (
          <g key={`y-${t.value}`} class="tick">
            <line x1={PAD.left} x2={PAD.left + plotW} y1={y(t.value)} y2={y(t.value)} />
            <text x={PAD.left - 8} y={y(t.value)} dy="0.32em" text-anchor="end">
              {t.label}
            </text>
          </g>
        ))}
        {xTicks.map((t, i) => (
          <text
            key={`x-${i}`}
            class="tick-label"
            x={x(t.value)}
            y={HEIGHT - 8}
            text-anchor={i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle'}
          >
            {t.label}
          </text>
        ))}
        <line class="target" x1={PAD.left} x2={PAD.left + plotW} y1={targetY} y2={targetY} />
        <text class="target-label" x={PAD.left + plotW - 4} y={targetY - 6} text-anchor="end">
          Target {formatMoney(model.target.price, model.currency)}
        </text>
        {pts.length > 1 && <path class="line" d={line.join('')} />}
        {pts.map((p, i) => (
          <circle
            key={p.id}
            class={i === active ? 'point active' : 'point'}
            cx={x(p.t)}
            cy={y(p.minor)}
            r={i === active ? 6 : 4}
          />
        ))}
      </svg>
      {current && (
        <div
          class="tooltip"
          aria-hidden="true"
          style={{ left: `${tipLeft}px`, top: `${tipTop}px` }}
        >
          {current.label}
        </div>
      )}
      <p class="sr-only" aria-live="polite">
        {current ? current.label : ''}
      </p>
      <p class="chart-help hint">
        {pts.length > 0 && 'Focus the chart and use the arrow keys to read each price. '}
        {model.outOfStock.length > 0 && (
          <>
            <span class="legend-oos" aria-hidden="true" /> Shaded: out of stock.
          </>
        )}
      </p>
    </div>
  );
}
