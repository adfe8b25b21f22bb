import cliProgress from 'cli-progress';
import { etaSeconds, formatDuration, type ProgressEvent } from '@koenbert/tensor-utils';
import type { OutputStream } from '../io';

export interface ProgressRendererParams {
  stream: OutputStream;
  /** Seconds between status lines when the stream is not a terminal (0: every event). */
  intervalSeconds: number;
  now?: () => number;
}

interface StageState {
  started: number;
  firstStep: number;
  lastLine: number;
  bar?: cliProgress.SingleBar;
}

/**
 * Draws the stages' ProgressEvents: a cli-progress bar per stage (rate and ETA) on a terminal, otherwise one line every
 * `intervalSeconds` (and at the last step) so that logs of non-interactive runs stay readable.
 */
export class ProgressRenderer {
  private readonly stages = new Map<string, StageState>();
  private readonly now: () => number;

  constructor(private readonly params: ProgressRendererParams) {
    this.now = params.now ?? (() => performance.now() / 1000);
  }

  update(event: ProgressEvent): void {
    const now = this.now();
    let state = this.stages.get(event.stage);
    if (!state) {
      this.stopBars();
      state = { started: now, firstStep: event.step, lastLine: -Infinity };
      this.stages.set(event.stage, state);
    }
    const done = event.step - state.firstStep;
    const elapsed = now - state.started;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const metrics = formatMetrics(event.metrics);
    if (this.params.stream.isTTY) {
      if (!state.bar) {
        state.bar = new cliProgress.SingleBar(
          {
            stream: this.params.stream as NodeJS.WritableStream,
            format: `${event.stage} |{bar}| {value}/{total} | {rate}/s | ETA {etaText} | {metrics}`,
            hideCursor: true,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        );
        state.bar.start(event.total ?? 0, event.step, { rate: '0', etaText: '?', metrics });
      }
      if (event.total !== undefined) state.bar.setTotal(event.total);
      const eta = etaSeconds({ step: done, total: event.total === undefined ? undefined : event.total - state.firstStep, elapsedSeconds: elapsed });
      state.bar.update(event.step, { rate: rate.toFixed(2), etaText: formatDuration(eta), metrics });
      return;
    }
    const last = event.total !== undefined && event.step >= event.total;
    if (!last && now - state.lastLine < this.params.intervalSeconds) return;
    state.lastLine = now;
    const eta = etaSeconds({ step: done, total: event.total === undefined ? undefined : event.total - state.firstStep, elapsedSeconds: elapsed });
    const total = event.total === undefined ? '' : `/${event.total} (${((100 * event.step) / Math.max(event.total, 1)).toFixed(0)}%)`;
    this.params.stream.write(`${event.stage} ${event.step}${total} ${rate.toFixed(2)}/s ETA ${formatDuration(eta)}${metrics ? ` ${metrics}` : ''}\n`);
  }

  /** Stops the bars (call before printing anything else and at the end). */
  stop(): void {
    this.stopBars();
  }

  private stopBars(): void {
    for (const state of this.stages.values()) {
      state.bar?.stop();
      state.bar = undefined;
    }
  }
}

function formatMetrics(metrics: Record<string, number> | undefined): string {
  if (!metrics) return '';
  return Object.entries(metrics)
    .map(([key, value]) => `${key}=${Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(4)}`)
    .join(' ');
}
