import { appendFileSync } from 'node:fs';

/**
 * Measured values a scenario reports (latencies of the answers under a fault, exit and recovery
 * times): printed at the end of the file's run, and appended to FAULTS_FIGURES_FILE when set, so
 * docs/RELIABILITY.md can quote a run. Nothing here is asserted: the bounds are asserted where
 * the scenario measures them.
 */
export class Figures {
  private readonly rows: string[] = [];

  constructor(private readonly file: string) {}

  add(what: string, value: number | string, unit = 'ms'): void {
    const shown = typeof value === 'number' ? `${Math.round(value)} ${unit}` : value;
    this.rows.push(`${what}: ${shown}`);
  }

  /** min/median/max of a series, e.g. the latencies of every 503 answered under one fault. */
  series(what: string, values: number[], unit = 'ms'): void {
    if (values.length === 0) return;
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted[Math.floor(sorted.length / 2)];
    this.rows.push(
      `${what}: n=${values.length} min ${Math.round(sorted[0])} median ${Math.round(mid)} ` +
        `max ${Math.round(sorted[sorted.length - 1])} ${unit}`,
    );
  }

  print(): void {
    if (this.rows.length === 0) return;
    const text = `\n[fault figures] ${this.file}\n${this.rows.map((r) => `  ${r}`).join('\n')}\n`;
    process.stdout.write(text);
    if (process.env.FAULTS_FIGURES_FILE) appendFileSync(process.env.FAULTS_FIGURES_FILE, text);
  }
}
