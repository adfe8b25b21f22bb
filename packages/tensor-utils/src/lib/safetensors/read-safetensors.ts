import { KoenbertError } from '../errors';
import { openForReading, readExactly, readHeaderFromHandle } from './read-safetensors-header';
import { allocateTensorData, isLittleEndianHost, recordBytes, shapeSize, type TensorRecord } from './tensor-record';

/**
 * Reads a .safetensors file: the header is validated first (see readSafetensorsHeader), then each
 * tensor's bytes are read straight into its own typed array — no whole-file buffer, no big strings.
 * `names` restricts which tensors are read (unknown names are an error naming the file).
 */
export async function readSafetensors(
  file: string,
  options: { names?: string[] } = {},
): Promise<{ tensors: Map<string, TensorRecord>; metadata: Record<string, string> }> {
  if (!isLittleEndianHost()) {
    throw new KoenbertError({ code: 'HOST_BIG_ENDIAN', file, message: 'reading safetensors needs a little-endian host' });
  }
  const handle = await openForReading(file);
  try {
    const header = await readHeaderFromHandle(file, handle);
    const wanted = options.names ?? [...header.entries.keys()];
    const tensors = new Map<string, TensorRecord>();
    for (const name of wanted) {
      const entry = header.entries.get(name);
      if (!entry) {
        throw new KoenbertError({ code: 'TENSOR_NOT_FOUND', file, message: `no tensor named "${name}" (the file has ${header.entries.size})` });
      }
      const record: TensorRecord = { dtype: entry.dtype, shape: entry.shape, data: allocateTensorData(entry.dtype, shapeSize(entry.shape)) };
      await readExactly({
        file,
        handle,
        target: recordBytes(record),
        position: header.dataStart + entry.offsets[0],
        what: `tensor "${name}"`,
      });
      tensors.set(name, record);
    }
    return { tensors, metadata: header.metadata };
  } finally {
    await handle.close();
  }
}
