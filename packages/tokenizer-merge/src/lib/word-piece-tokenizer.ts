import { Tokenizer as RustTokenizer } from 'tokenizers';
import { addSpecialTokens, truncateSequences, type EncodeOptions, type Encoding, type SequenceTokens } from './encoding';
import { normalizeAligned, normalizeText } from './normalization';
import { bertPreTokenize } from './pre-tokenize';
import { fromRustEncoding } from './rust-encoding';
import { tokenizerSpecToJson, type TokenizerSpec } from './tokenizer-spec';
import { createWordPieceModel, wordPieceSplit, type WordPieceModel } from './word-piece';

/** A word of the input with the pieces the tokenizer cut it into (for reports and debugging). */
export interface TokenizedWord {
  /** The normalized word. */
  word: string;
  /** UTF-16 span in the input text. */
  start: number;
  end: number;
  pieces: string[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A BERT WordPiece tokenizer with two encoders that give the same ids:
 * - `encode` (synchronous, pure TypeScript: normalizer, BertPreTokenizer, WordPiece, [CLS]/[SEP]);
 * - `encodeBatch` (asynchronous, Hugging Face `tokenizers` in Rust, loaded from `tokenizerJson`) for bulk work.
 */
export class WordPieceTokenizer {
  readonly spec: TokenizerSpec;
  readonly vocab: string[];
  /** tokenizer.json text: the file read from disk, or the one derived from the spec. */
  readonly tokenizerJson: string;
  private readonly model: WordPieceModel;
  private readonly addedTokenPattern: RegExp | null;
  private readonly rustByMaxLength = new Map<number, RustTokenizer>();

  constructor(params: { spec: TokenizerSpec; tokenizerJson?: string | null }) {
    this.spec = params.spec;
    this.vocab = params.spec.vocab;
    this.tokenizerJson = params.tokenizerJson ?? tokenizerSpecToJson(params.spec);
    this.model = createWordPieceModel({
      vocab: this.vocab,
      unkToken: params.spec.specialTokens.unk,
      continuingSubwordPrefix: params.spec.continuingSubwordPrefix,
      maxInputCharsPerWord: params.spec.maxInputCharsPerWord,
    });
    const added = [...params.spec.addedTokens].sort((a, b) => b.length - a.length);
    this.addedTokenPattern = added.length > 0 ? new RegExp(added.map(escapeRegExp).join('|'), 'g') : null;
  }

  get size(): number {
    return this.vocab.length;
  }

  tokenToId(token: string): number | undefined {
    return this.model.tokenToId.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.vocab[id];
  }

  get unkId(): number {
    return this.model.unkId;
  }

  get clsId(): number {
    return this.tokenToId(this.spec.specialTokens.cls)!;
  }

  get sepId(): number {
    return this.tokenToId(this.spec.specialTokens.sep)!;
  }

  get padId(): number | null {
    const pad = this.spec.specialTokens.pad;
    return pad === null ? null : (this.tokenToId(pad) ?? null);
  }

  get maskId(): number | null {
    const mask = this.spec.specialTokens.mask;
    return mask === null ? null : (this.tokenToId(mask) ?? null);
  }

  /** The text after the normalizer (pure TypeScript). */
  normalize(text: string): string {
    return normalizeText(text, this.spec.normalizer);
  }

  /** Encodes one text or a pair (pure TypeScript, synchronous). */
  encode(text: string, pair?: string, options: EncodeOptions = {}): Encoding {
    let first = this.encodeSequence(text);
    let second = pair === undefined ? undefined : this.encodeSequence(pair);
    if (options.maxLength !== undefined && options.truncation !== false) {
      [first, second] = truncateSequences(first, second, options.maxLength - (second ? 3 : 2), options.maxLength);
    }
    return addSpecialTokens({ first, second, clsId: this.clsId, sepId: this.sepId, vocab: this.vocab });
  }

  /** Token strings of a text, without [CLS]/[SEP]. */
  tokenize(text: string): string[] {
    return this.encodeSequence(text).ids.map((id) => this.vocab[id]);
  }

  /** Each pre-tokenized word with its pieces (added tokens are left out). */
  splitWords(text: string): TokenizedWord[] {
    const words: TokenizedWord[] = [];
    this.forEachSegment(text, (segment, base) => {
      const aligned = normalizeAligned(segment, this.spec.normalizer);
      for (const span of bertPreTokenize(aligned.chars)) {
        const pieces = wordPieceSplit(this.model, aligned.chars, span.start, span.end);
        words.push({
          word: aligned.chars.slice(span.start, span.end).join(''),
          start: base + aligned.starts[span.start],
          end: base + aligned.ends[span.end - 1],
          pieces: pieces.map((piece) => this.vocab[piece.id]),
        });
      }
    });
    return words;
  }

  /** Encodes many texts (or pairs) with Hugging Face `tokenizers` (or, with engine 'typescript', with `encode`). */
  async encodeBatch(texts: string[] | Array<[string, string]>, options: EncodeOptions = {}): Promise<Encoding[]> {
    if (options.engine === 'typescript') {
      return (texts as Array<string | [string, string]>).map((text) => (typeof text === 'string' ? this.encode(text, undefined, options) : this.encode(text[0], text[1], options)));
    }
    const maxLength = options.maxLength !== undefined && options.truncation !== false ? options.maxLength : 0;
    const rust = this.rustTokenizer(maxLength);
    if (texts.length === 0) return [];
    if (typeof texts[0] === 'string') {
      const singles = texts as string[];
      const encodings = await rust.encodeBatch(singles);
      return encodings.map((encoding, i) => fromRustEncoding(encoding, [singles[i]]));
    }
    const pairs = texts as Array<[string, string]>;
    const encodings = await Promise.all(pairs.map(([a, b]) => rust.encode(a, b)));
    return encodings.map((encoding, i) => fromRustEncoding(encoding, pairs[i]));
  }

  /** The HF `tokenizers` instance (loaded once per truncation length). */
  rustTokenizer(maxLength = 0): RustTokenizer {
    let rust = this.rustByMaxLength.get(maxLength);
    if (!rust) {
      rust = RustTokenizer.fromString(this.tokenizerJson);
      rust.disablePadding();
      if (maxLength > 0) rust.setTruncation(maxLength);
      else rust.disableTruncation();
      this.rustByMaxLength.set(maxLength, rust);
    }
    return rust;
  }

  private forEachSegment(text: string, onText: (segment: string, base: number) => void, onAdded?: (token: string, start: number, end: number) => void): void {
    let cursor = 0;
    if (this.addedTokenPattern) {
      this.addedTokenPattern.lastIndex = 0;
      for (const match of text.matchAll(this.addedTokenPattern)) {
        if (match.index > cursor) onText(text.slice(cursor, match.index), cursor);
        onAdded?.(match[0], match.index, match.index + match[0].length);
        cursor = match.index + match[0].length;
      }
    }
    if (cursor < text.length) onText(text.slice(cursor), cursor);
  }

  private encodeSequence(text: string): SequenceTokens {
    const sequence: SequenceTokens = { ids: [], offsets: [], wordIds: [] };
    let word = 0;
    this.forEachSegment(
      text,
      (segment, base) => {
        const aligned = normalizeAligned(segment, this.spec.normalizer);
        for (const span of bertPreTokenize(aligned.chars)) {
          for (const piece of wordPieceSplit(this.model, aligned.chars, span.start, span.end)) {
            sequence.ids.push(piece.id);
            sequence.offsets.push([base + aligned.starts[piece.start], base + aligned.ends[piece.end - 1]]);
            sequence.wordIds.push(word);
          }
          word++;
        }
      },
      (token, start, end) => {
        sequence.ids.push(this.tokenToId(token)!);
        sequence.offsets.push([start, end]);
        sequence.wordIds.push(word++);
      },
    );
    return sequence;
  }
}
