import type { DistillConfig, DistillConfigInput } from './config';
import { distillIter, type DistillEvent, type DistillOptions } from './train/distill-iter';

export interface DistillResult {
  /** Steps completed. */
  step: number;
  /** True when the run stopped early (signal) with a checkpoint to resume from. */
  stopped: boolean;
  /** The run folder (the distilled model when not stopped). */
  output: string;
  /** Loss of the last step, when a step ran. */
  lastLoss?: number;
}

/** Runs `distillIter` to the end (no progress output) and returns where it ended. */
export async function distill(config: DistillConfigInput | DistillConfig, options: DistillOptions = {}): Promise<DistillResult> {
  let result: DistillResult = { step: 0, stopped: false, output: config.output };
  for await (const event of distillIter(config, options) as AsyncGenerator<DistillEvent>) {
    if (event.type === 'start') result = { ...result, step: event.startStep };
    else if (event.type === 'step') result = { ...result, step: event.step, lastLoss: event.loss };
    else if (event.type === 'stopped') result = { ...result, step: event.step, stopped: true };
    else if (event.type === 'done') result = { ...result, step: event.step, output: event.output };
  }
  return result;
}
