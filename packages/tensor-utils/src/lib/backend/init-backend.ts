import * as tf from '@tensorflow/tfjs';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendChoice {
  name: BackendName;
  /** Why this backend was picked, for the one log line. */
  reason: string;
}

/**
 * Minimal version: wasm only. The backend helper replaces this with the full
 * tensorflow > wasm > cpu selection and the project-side wasm kernels.
 */
export async function initBackend(params: { backend?: BackendName } = {}): Promise<BackendChoice> {
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(params.backend === 'cpu' ? 'cpu' : 'wasm');
  await tf.ready();
  return { name: tf.getBackend() as BackendName, reason: 'default' };
}
