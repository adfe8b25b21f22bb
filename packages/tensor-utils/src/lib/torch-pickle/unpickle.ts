import { KoenbertError } from '../errors';

/** A Python callable the allow-list lets through; REDUCE calls it with the argument tuple. */
export interface PickleCallable {
  readonly kind: 'callable';
  readonly qualifiedName: string;
  call(args: unknown[]): unknown;
}

export function isPickleCallable(value: unknown): value is PickleCallable {
  return typeof value === 'object' && value !== null && (value as PickleCallable).kind === 'callable';
}

export interface UnpickleParams {
  bytes: Uint8Array;
  /** The checkpoint, for error messages. */
  file: string;
  /** The pickle's name inside the archive, for error messages. */
  entryName: string;
  /**
   * What GLOBAL/STACK_GLOBAL `module.name` stands for, or undefined when it is not allowed:
   * the unpickler then stops with "forbidden pickle global module.name".
   */
  findGlobal: (module: string, name: string) => unknown;
  /** BINPERSID: the object a persistent id (torch: a ('storage', type, key, location, numel) tuple) refers to. */
  persistentLoad: (pid: unknown[]) => unknown;
}

const MARK = Symbol('mark');

/**
 * A restricted unpickler for the pickle protocols torch.save writes (2, and 4-5 framing opcodes).
 * It builds plain values (str, int, float, bool, None, bytes, list, tuple → array, dict → Map) and
 * resolves globals only through `findGlobal`; nothing from the file is ever executed — the only
 * "calls" are the allow-listed JavaScript functions. Any other opcode is refused by name.
 */
export function unpickle(params: UnpickleParams): unknown {
  const { bytes, file, entryName, findGlobal, persistentLoad } = params;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder('utf-8', { fatal: true });
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let position = 0;
  let opcodeAt = 0;

  const fail = (message: string, code = 'PICKLE_INVALID'): KoenbertError =>
    new KoenbertError({ code, file, message: `${entryName} byte ${opcodeAt}: ${message}` });
  const need = (length: number): number => {
    if (!Number.isSafeInteger(length) || length < 0 || position + length > bytes.byteLength) {
      throw fail(`needs ${length} more bytes but the pickle ends at ${bytes.byteLength} (truncated)`);
    }
    const start = position;
    position += length;
    return start;
  };
  const u8 = () => view.getUint8(need(1));
  const u16 = () => view.getUint16(need(2), true);
  const u32 = () => view.getUint32(need(4), true);
  const i32 = () => view.getInt32(need(4), true);
  const u64 = () => {
    const value = view.getBigUint64(need(8), true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw fail(`length ${value} is too large`);
    return Number(value);
  };
  const raw = (length: number) => bytes.subarray(need(length), position);
  const utf8 = (length: number) => {
    const encoded = raw(length);
    try {
      return text.decode(encoded);
    } catch {
      throw fail('string is not valid UTF-8');
    }
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, position);
    if (end < 0) throw fail('unterminated text line');
    const value = new TextDecoder('latin1').decode(bytes.subarray(position, end));
    position = end + 1;
    return value;
  };
  const pop = () => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) throw fail('stack underflow');
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) throw fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const at = marks.pop();
    if (at === undefined) throw fail('no MARK on the stack');
    const items = stack.splice(at);
    items.shift(); // the MARK itself
    return items;
  };
  const global = (module: string, name: string) => {
    const value = findGlobal(module, name);
    if (value === undefined) {
      throw new KoenbertError({
        code: 'PICKLE_FORBIDDEN_GLOBAL',
        file,
        message: `forbidden pickle global ${module}.${name} in ${entryName}: a state dict needs only torch tensors, storages and dicts (nothing was executed)`,
      });
    }
    return value;
  };
  const dictOf = (target: unknown, opcode: string): Map<unknown, unknown> => {
    if (!(target instanceof Map)) throw fail(`${opcode} on a ${describe(target)}, not a dict`);
    return target;
  };
  const listOf = (target: unknown, opcode: string): unknown[] => {
    if (!Array.isArray(target) || Object.isFrozen(target)) throw fail(`${opcode} on a ${describe(target)}, not a list`);
    return target;
  };
  const guarded = (run: () => unknown): unknown => {
    try {
      return run();
    } catch (error) {
      if (error instanceof KoenbertError) throw error;
      throw fail((error as Error).message);
    }
  };
  const tuple = (items: unknown[]) => Object.freeze(items);
  const long = (length: number): number | bigint => {
    if (length === 0) return 0;
    const digits = raw(length);
    let value = 0n;
    for (let i = length - 1; i >= 0; i--) value = (value << 8n) | BigInt(digits[i]);
    if (digits[length - 1] & 0x80) value -= 1n << BigInt(8 * length);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  };

  for (;;) {
    opcodeAt = position;
    const opcode = u8();
    switch (opcode) {
      case 0x80: // PROTO
        if (u8() > 5) throw fail('pickle protocol above 5');
        break;
      case 0x95: // FRAME: a length hint only
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) throw fail(`STOP with ${stack.length} items on the stack`);
        return stack[0];
      case 0x28: // MARK
        marks.push(stack.length);
        stack.push(MARK);
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(long(u8()));
        break;
      case 0x8b: // LONG4
        stack.push(long(i32()));
        break;
      case 0x47: // BINFLOAT (big-endian double)
        stack.push(view.getFloat64(need(8), false));
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8(u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8(u64()));
        break;
      case 0x55: // SHORT_BINSTRING (a Python 2 str; torch writes none, decoded as latin-1)
        stack.push(new TextDecoder('latin1').decode(raw(u8())));
        break;
      case 0x54: // BINSTRING
        stack.push(new TextDecoder('latin1').decode(raw(i32())));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(raw(u8()).slice());
        break;
      case 0x42: // BINBYTES
        stack.push(raw(u32()).slice());
        break;
      case 0x8e: // BINBYTES8
        stack.push(raw(u64()).slice());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(tuple([]));
        break;
      case 0x85: // TUPLE1
        stack.push(tuple([pop()]));
        break;
      case 0x86: { // TUPLE2
        const b = pop();
        stack.push(tuple([pop(), b]));
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(tuple([pop(), b, c]));
        break;
      }
      case 0x74: // TUPLE
        stack.push(tuple(popMark()));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: { // APPEND
        const item = pop();
        listOf(top(), 'APPEND').push(item);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        listOf(top(), 'APPENDS').push(...items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: { // DICT
        const items = popMark();
        const dict = new Map<unknown, unknown>();
        for (let i = 0; i + 1 < items.length; i += 2) dict.set(items[i], items[i + 1]);
        stack.push(dict);
        break;
      }
      case 0x73: { // SETITEM
        const value = pop();
        const key = pop();
        dictOf(top(), 'SETITEM').set(key, value);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        if (items.length % 2) throw fail('SETITEMS with an odd number of items');
        const dict = dictOf(top(), 'SETITEMS');
        for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: { // LONG_BINGET
        const index = opcode === 0x68 ? u8() : u32();
        if (!memo.has(index)) throw fail(`memo entry ${index} was never stored`);
        stack.push(memo.get(index));
        break;
      }
      case 0x63: { // GLOBAL "module\nname\n"
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw fail('STACK_GLOBAL needs two strings');
        stack.push(global(module, name));
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!Array.isArray(pid)) throw fail(`persistent id must be a tuple, got ${describe(pid)}`);
        stack.push(guarded(() => persistentLoad(pid)));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const callable = pop();
        if (!isPickleCallable(callable)) throw fail(`REDUCE on ${describe(callable)}, which is not an allowed callable`);
        if (!Array.isArray(args)) throw fail(`REDUCE arguments must be a tuple, got ${describe(args)}`);
        stack.push(guarded(() => callable.call([...args])));
        break;
      }
      case 0x62: { // BUILD: only attribute state on a dict (OrderedDict._metadata in state dicts) is accepted, and ignored
        const state = pop();
        const target = top();
        if (!(target instanceof Map) || !(state instanceof Map || state === null)) {
          throw fail(`BUILD of ${describe(target)} with ${describe(state)} is not part of a state dict`);
        }
        break;
      }
      default:
        throw fail(`pickle opcode 0x${opcode.toString(16).padStart(2, '0')} (${JSON.stringify(String.fromCharCode(opcode))}) is not allowed in a state dict`);
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'None';
  if (value instanceof Map) return 'dict';
  if (Array.isArray(value)) return Object.isFrozen(value) ? 'tuple' : 'list';
  if (isPickleCallable(value)) return value.qualifiedName;
  if (typeof value === 'object') return (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
  return typeof value;
}
