import { KoenbertError } from '@koenbert/tensor-utils';

/** Gold and predicted sequences must pair up one to one. */
export function checkLengths(params: { metric: string; gold: ArrayLike<unknown>; predicted: ArrayLike<unknown> }): void {
  if (params.gold.length !== params.predicted.length) {
    throw new KoenbertError({
      code: 'INVALID_ARGUMENT',
      message: `${params.metric}: ${params.gold.length} gold values but ${params.predicted.length} predictions`,
    });
  }
}
