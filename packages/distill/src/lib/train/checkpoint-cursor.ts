export type CheckpointReason = 'interval' | 'stop' | 'final';
export interface CheckpointEvent {
  type: 'checkpoint';
  step: number;
  dir: string;
  reason: CheckpointReason;
}

/**
 * The latest checkpoint of a training run (the one resumed from, at first), so a stop right after an interval
 * checkpoint does not write the same step twice and a non-finite loss can name the last good one.
 */
export class CheckpointCursor {
  last?: string;
  private lastStep: number;

  constructor(private readonly write: () => Promise<string>, resumed?: { dir: string; step: number }) {
    this.last = resumed?.dir;
    this.lastStep = resumed ? resumed.step : -1;
  }

  /** Writes a checkpoint of `step` unless the latest already is one; the event to yield, or undefined. */
  async save(step: number, reason: CheckpointReason): Promise<CheckpointEvent | undefined> {
    if (this.lastStep === step) return undefined;
    this.last = await this.write();
    this.lastStep = step;
    return { type: 'checkpoint', step, dir: this.last, reason };
  }
}
