import { readTokenizerDir, type TokenizerDir } from './io/read-tokenizer-dir';
import { resolveTokenizerDir, type TokenizerHubOptions } from './io/resolve-tokenizer-dir';
import { WordPieceTokenizer } from './word-piece-tokenizer';

/** Reads a tokenizer folder or Hub id into its parts (spec, original tokenizer.json text, format). */
export async function loadTokenizerDir(dirOrHubId: string, hub: TokenizerHubOptions = {}): Promise<TokenizerDir> {
  return readTokenizerDir(await resolveTokenizerDir(dirOrHubId, hub));
}

/**
 * Loads a BERT WordPiece tokenizer from an HF folder or Hub id: tokenizer.json, or vocab.txt with
 * tokenizer_config.json. The tokenizer.json text is handed to HF `tokenizers` unchanged.
 */
export async function loadWordPieceTokenizer(dirOrHubId: string, hub: TokenizerHubOptions = {}): Promise<WordPieceTokenizer> {
  const loaded = await loadTokenizerDir(dirOrHubId, hub);
  return new WordPieceTokenizer({ spec: loaded.spec, tokenizerJson: loaded.tokenizerJson });
}
