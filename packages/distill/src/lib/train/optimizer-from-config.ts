import { AdamW, type AdamWParams } from '@koenbert/tensor-utils';

/** The AdamW settings of a trainer's `optim` config section (distill and pretrain-mlm name them alike). */
export type OptimSettings = Required<Pick<AdamWParams, 'lr' | 'beta1' | 'beta2' | 'epsilon' | 'weightDecay'>>;

/** AdamW of a trainer's `optim` section; `decayExcluded` replaces the default rule (bias and LayerNorm weights). */
export function optimizerFromConfig(params: { optim: OptimSettings; decayExcluded?: AdamWParams['decayExcluded'] }): AdamW {
  const { lr, beta1, beta2, epsilon, weightDecay } = params.optim;
  return new AdamW({ lr, beta1, beta2, epsilon, weightDecay, decayExcluded: params.decayExcluded });
}
