import { pretrainMlmIter, type PretrainMlmOptions } from './pretrain-mlm-iter';
import type { PretrainMlmConfig, PretrainMlmConfigInput } from './pretrain-mlm-config';

export interface PretrainMlmResult {
  step: number;
  stopped: boolean;
  output: string;
  lastLoss?: number;
  evals: Array<{ step: number; loss: number; perplexity: number }>;
}

/** Runs `pretrainMlmIter` to the end (or to a stop) and returns where it got. */
export async function pretrainMlm(config: PretrainMlmConfigInput | PretrainMlmConfig, options: PretrainMlmOptions = {}): Promise<PretrainMlmResult> {
  const result: PretrainMlmResult = { step: 0, stopped: false, output: config.output, evals: [] };
  for await (const event of pretrainMlmIter(config, options)) {
    if (event.type === 'step') {
      result.step = event.step;
      result.lastLoss = event.loss;
    } else if (event.type === 'eval') result.evals.push({ step: event.step, loss: event.loss, perplexity: event.perplexity });
    else if (event.type === 'stopped') {
      result.step = event.step;
      result.stopped = true;
    } else if (event.type === 'done') result.output = event.output;
  }
  return result;
}
