import type { DType } from '../safetensors/tensor-record';
import type { PickleCallable } from './unpickle';

/** A storage type named in a persistent id, e.g. torch.FloatStorage. */
export interface StorageType {
  readonly kind: 'storage-type';
  readonly qualifiedName: string;
  readonly dtype: DType;
}

/** torch.float32 and friends, should a pickle name a dtype object. */
export interface DtypeMarker {
  readonly kind: 'dtype';
  readonly qualifiedName: string;
  readonly dtype: DType;
}

/** A storage the pickle refers to through a persistent id; its bytes live in `{archive}/data/{key}`. */
export interface StorageRef {
  readonly kind: 'storage';
  readonly key: string;
  readonly dtype: DType;
  /** Elements, as torch wrote them in the persistent id. */
  readonly numel: number;
}

/** What torch._utils._rebuild_tensor_v2 describes: a strided view of a storage. */
export interface TensorRef {
  readonly kind: 'tensor';
  readonly storage: StorageRef;
  /** In elements. */
  readonly storageOffset: number;
  readonly shape: number[];
  /** In elements. */
  readonly stride: number[];
}

export function isTensorRef(value: unknown): value is TensorRef {
  return typeof value === 'object' && value !== null && (value as TensorRef).kind === 'tensor';
}

export function isStorageRef(value: unknown): value is StorageRef {
  return typeof value === 'object' && value !== null && (value as StorageRef).kind === 'storage';
}

const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

const DTYPE_OBJECTS: Record<string, DType> = {
  float32: 'F32',
  float: 'F32',
  float16: 'F16',
  half: 'F16',
  bfloat16: 'BF16',
  int64: 'I64',
  long: 'I64',
  int32: 'I32',
  int: 'I32',
  uint8: 'U8',
  bool: 'BOOL',
};

function isIntList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => Number.isSafeInteger(v) && v >= 0);
}

/** Thrown as plain Errors here; the reader turns them into KoenbertErrors naming the file. */
const rebuildTensorV2: PickleCallable = {
  kind: 'callable',
  qualifiedName: 'torch._utils._rebuild_tensor_v2',
  call(args) {
    const [storage, storageOffset, shape, stride] = args;
    if (!isStorageRef(storage)) throw new Error('_rebuild_tensor_v2: first argument is not a storage');
    if (!Number.isSafeInteger(storageOffset) || (storageOffset as number) < 0) {
      throw new Error(`_rebuild_tensor_v2: storage offset ${String(storageOffset)} is not a non-negative integer`);
    }
    if (!isIntList(shape) || !isIntList(stride) || shape.length !== stride.length) {
      throw new Error(`_rebuild_tensor_v2: size ${JSON.stringify(shape)} and stride ${JSON.stringify(stride)} must be integer tuples of one length`);
    }
    const tensor: TensorRef = { kind: 'tensor', storage, storageOffset: storageOffset as number, shape: [...shape], stride: [...stride] };
    return tensor;
  },
};

const rebuildParameter: PickleCallable = {
  kind: 'callable',
  qualifiedName: 'torch._utils._rebuild_parameter',
  call(args) {
    if (!isTensorRef(args[0])) throw new Error('_rebuild_parameter: first argument is not a tensor');
    return args[0];
  },
};

const orderedDict: PickleCallable = {
  kind: 'callable',
  qualifiedName: 'collections.OrderedDict',
  call(args) {
    if (args.length !== 0) throw new Error('collections.OrderedDict is only allowed with no arguments');
    return new Map();
  },
};

/**
 * The allow-list: the only globals a state dict pickle may name. Everything else (os.system,
 * builtins.eval, any class) is refused before anything else happens.
 */
export function findTorchGlobal(module: string, name: string): unknown {
  if (module === 'collections' && name === 'OrderedDict') return orderedDict;
  if (module === 'torch._utils' && name === '_rebuild_tensor_v2') return rebuildTensorV2;
  if (module === 'torch._utils' && name === '_rebuild_parameter') return rebuildParameter;
  if (module === 'torch' && Object.hasOwn(STORAGE_DTYPES, name)) {
    const storageType: StorageType = { kind: 'storage-type', qualifiedName: `torch.${name}`, dtype: STORAGE_DTYPES[name] };
    return storageType;
  }
  if (module === 'torch' && Object.hasOwn(DTYPE_OBJECTS, name)) {
    const dtype: DtypeMarker = { kind: 'dtype', qualifiedName: `torch.${name}`, dtype: DTYPE_OBJECTS[name] };
    return dtype;
  }
  return undefined;
}

/** BINPERSID for torch: ('storage', storage type, key, location, numel). */
export function torchStorageFromPid(pid: unknown[]): StorageRef {
  const [tag, storageType, key, , numel] = pid;
  if (tag !== 'storage') throw new Error(`persistent id ${JSON.stringify(tag)} is not a 'storage' tuple`);
  const type = storageType as StorageType | undefined;
  if (type?.kind !== 'storage-type') throw new Error('persistent id does not name a storage type');
  if (typeof key !== 'string' || !/^[A-Za-z0-9_]+$/.test(key)) throw new Error(`storage key ${JSON.stringify(key)} is invalid`);
  if (!Number.isSafeInteger(numel) || (numel as number) < 0) throw new Error(`storage size ${String(numel)} is invalid`);
  return { kind: 'storage', key, dtype: type.dtype, numel: numel as number };
}
