// The runtime as benchmark tables name it: "wasm, 2 threads", or the backend's name.
import { wasmThreadsRunning } from '@koenbert/tensor-utils';

export function backendLabel(choice) {
  if (choice.name !== 'wasm') return choice.name;
  const threads = wasmThreadsRunning();
  return `wasm, ${threads} thread${threads === 1 ? '' : 's'}`;
}
