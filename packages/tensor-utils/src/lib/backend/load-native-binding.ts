/** The native TensorFlow bindings, in the order they are tried. Neither is a dependency: the user installs one. */
export const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

export type ModuleLoader = (name: string) => Promise<unknown>;

/** Loads a package at run time; the name is a variable so that bundlers and tsc leave it alone. */
export const importModule: ModuleLoader = (name) => import(name);

export type NativeBindingResult = { ok: true; packageName: string } | { ok: false; reason: string };

/**
 * Tries @tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node (loading one registers the 'tensorflow' backend), or
 * only `packages`.
 * When neither loads, `reason` says for each why not, e.g.
 * "@tensorflow/tfjs-node-gpu is not installed; @tensorflow/tfjs-node is installed but its native library is missing (…)".
 */
export async function loadNativeBinding(params: { loadModule?: ModuleLoader; packages?: readonly string[] } = {}): Promise<NativeBindingResult> {
  const loadModule = params.loadModule ?? importModule;
  const failures: string[] = [];
  for (const packageName of params.packages ?? NATIVE_PACKAGES) {
    try {
      await loadModule(packageName);
      return { ok: true, packageName };
    } catch (error) {
      failures.push(describeLoadFailure(packageName, error));
    }
  }
  return { ok: false, reason: failures.join('; ') };
}

/** A shared library of CUDA or cuDNN in a loader error (libtensorflow 2.9.1 links CUDA 11.2 and cuDNN 8.1). */
const CUDA_LIBRARY = /lib(cudart|cublas|cublasLt|cufft|curand|cusolver|cusparse|cudnn|nvinfer)[\w.-]*\.so|cudnn|CUDA driver version is insufficient/i;

/** One short phrase for why `packageName` did not load. */
export function describeLoadFailure(packageName: string, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0].trim();
  if ((code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && message.includes(`'${packageName}'`)) {
    return `${packageName} is not installed`;
  }
  if (CUDA_LIBRARY.test(message)) {
    return `${packageName} is installed but the CUDA 11.2 / cuDNN 8.1 libraries it needs did not load (${firstLine}): install them and put them on LD_LIBRARY_PATH, or use @tensorflow/tfjs-node instead`;
  }
  if (message.includes('tfjs_binding.node')) {
    return `${packageName} is installed but its native library is missing (${firstLine}: its install script did not download libtensorflow)`;
  }
  return `${packageName} failed to load (${firstLine})`;
}
