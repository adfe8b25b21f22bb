import { KoenbertError } from '../errors';
import { unpickle } from './unpickle';

// pickle.dumps(value, protocol=p).hex() with Python 3.11 for
// value = {'ints': [0, 1, -1, 255, 256, 65535, 65536, -2**31, 2**31, 2**62, -2**70], 'float': -1.25e-3, 'none': None,
//          'flags': (True, False), 'text': '한국어', 'nested': {'t3': (1, 2, 3), 't1': ('x',), 'empty': ()}}  (+ 'bytes': b'\x00\xff' in protocol 4)
const PROTOCOL_2 =
  '80027d7100285804000000696e747371015d7102284b004b014affffffff4bff4d00014dffff4a000001004a000000808a0500000080008a0800000000000000408a090000000000000000c0655805000000666c6f6174710347bf547ae147ae147b58040000006e6f6e6571044e5805000000666c6167737105888986710658040000007465787471075809000000ed959ceab5adec96b4710858060000006e657374656471097d710a2858020000007433710b4b014b024b0387710c58020000007431710d580100000078710e85710f5805000000656d70747971102975752e';
const PROTOCOL_4 =
  '800495ba000000000000007d94288c04696e7473945d94284b004b014affffffff4bff4d00014dffff4a000001004a000000808a0500000080008a0800000000000000408a090000000000000000c0658c05666c6f61749447bf547ae147ae147b8c046e6f6e65944e8c05666c61677394888986948c05627974657394430200ff948c0474657874948c09ed959ceab5adec96b4948c066e6573746564947d94288c027433944b014b024b0387948c027431948c01789485948c05656d707479942975752e';

const run = (hex: string, findGlobal: (module: string, name: string) => unknown = () => undefined) =>
  unpickle({ bytes: Buffer.from(hex, 'hex'), file: 'x.bin', entryName: 'archive/data.pkl', findGlobal, persistentLoad: () => null });

const plain = (value: unknown): unknown =>
  value instanceof Map ? Object.fromEntries([...value].map(([k, v]) => [k, plain(v)])) : Array.isArray(value) ? value.map(plain) : value;

describe('unpickle (restricted)', () => {
  const expected = {
    ints: [0, 1, -1, 255, 256, 65535, 65536, -(2 ** 31), 2 ** 31, 2n ** 62n, -(2n ** 70n)],
    float: -1.25e-3,
    none: null,
    flags: [true, false],
    text: '한국어',
    nested: { t3: [1, 2, 3], t1: ['x'], empty: [] },
  };

  it('decodes protocol 2 values as Python wrote them', () => {
    expect(plain(run(PROTOCOL_2))).toEqual(expected);
  });

  it('decodes protocol 4 (FRAME, MEMOIZE, SHORT_BINUNICODE, bytes) the same way', () => {
    expect(plain(run(PROTOCOL_4))).toEqual({ ...expected, bytes: Uint8Array.from([0, 255]) });
    expect(Object.isFrozen((run(PROTOCOL_4) as Map<string, unknown>).get('flags'))).toBe(true); // tuples are frozen arrays
  });

  it('refuses a global the allow-list does not know, before anything else', () => {
    // protocol 2 bytes encode through _codecs.encode: a global a state dict never needs
    const withBytes = '80027d7100580500000062797465737101635f636f646563730a656e636f64650a2e';
    const error = (() => {
      try {
        run('80025d7100635f636f646563730a656e636f64650a71012e');
      } catch (e) {
        return e as KoenbertError;
      }
    })();
    expect(error).toBeInstanceOf(KoenbertError);
    expect(error!.code).toBe('PICKLE_FORBIDDEN_GLOBAL');
    expect(error!.message).toMatch(/^x\.bin: forbidden pickle global _codecs\.encode in archive\/data\.pkl/);
    expect(() => run(withBytes)).toThrow('forbidden pickle global _codecs.encode');
  });

  it('names unknown opcodes and truncation with the byte position', () => {
    expect(() => run('8002' + '69' + '2e')).toThrow("x.bin: archive/data.pkl byte 2: pickle opcode 0x69 (\"i\") is not allowed in a state dict");
    expect(() => run('80025804000000616263')).toThrow('archive/data.pkl byte 2: needs 4 more bytes but the pickle ends at 10 (truncated)');
    expect(() => run('80024b01')).toThrow(/byte 4: needs 1 more bytes/);
  });
});
