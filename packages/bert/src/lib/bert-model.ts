import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { KoenbertError, SeededRng, writeSafetensors, type HubOptions, type TensorRecord } from '@koenbert/tensor-utils';
import { parseBertConfig, readBertConfig, writeBertConfig, type BertConfig } from './bert-config';
import { bertEmbeddings, bertEncoder, bertPooler } from './bert-encoder';
import { DropoutStream } from './bert-layers';
import { bertParamShapes } from './bert-param-shapes';
import { ARCHITECTURE, BERT_TASKS, encoderPrefix, hasClassifier, hasPooler, type BertTask } from './bert-task';
import { classifierHead, maskedLmHead } from './heads';
import { initialParamValue, normalValues } from './init-bert-params';
import { mapCheckpoint, type LoadReport } from './map-checkpoint';
import { readCheckpoint } from './read-checkpoint';
import { checkPretrainedWeights } from './pretrained-checks';
import { dropMismatchedHead } from './pretrained-head-mismatch';

export interface BertForwardParams {
  /** Token ids [batch, seq], int32. */
  inputIds: tf.Tensor2D;
  /** 1 = attend, 0 = padding; [batch, seq]. Default: all ones. */
  attentionMask?: tf.Tensor2D;
  /** Segment ids [batch, seq], int32. Default: all zeros. */
  tokenTypeIds?: tf.Tensor2D;
  /** Dropout on (as torch's `model.train()`). Default false. */
  training?: boolean;
  /** Seed of this call's dropout masks (same seed → same masks). Default: the model's own stream, advanced per call. */
  seed?: number;
  /** Also return the embeddings output and every layer's output. */
  outputHiddenStates?: boolean;
  /** 0-based layers whose query/key/value projections to return (MiniLMv2 relations). */
  outputQkvLayers?: number[];
  /**
   * masked-lm only: flat positions (row × seq + column, int32 [m]) at which to compute the MLM logits, which are
   * then [m, vocab] — the decoder runs on the masked tokens only. Default: every position ([batch, seq, vocab]).
   */
  logitPositions?: tf.Tensor1D;
}

export interface BertOutput {
  lastHiddenState: tf.Tensor3D;
  /** dense + tanh on [CLS]; only for tasks with a pooler ('base', 'sequence-classification'). */
  pooledOutput?: tf.Tensor2D;
  /** num_hidden_layers + 1 tensors: the embeddings output, then each layer's (the last one is `lastHiddenState`). */
  hiddenStates?: tf.Tensor3D[];
  /** Per requested layer, [batch, seq, hidden] before the head split (bias included). */
  qkv?: Array<{ layer: number; query: tf.Tensor3D; key: tf.Tensor3D; value: tf.Tensor3D }>;
  /** masked-lm: [batch, seq, vocab]; sequence-classification: [batch, numLabels]; token-classification: [batch, seq, numLabels]. */
  logits?: tf.Tensor;
}

const DEFAULT_NUM_LABELS = 2;

let modelCounter = 0;
let variableCounter = 0;

/**
 * BERT (Devlin et al. 2019) as transformers implements it — post-LN encoder, exact-erf GELU, absolute positions,
 * token types — with the MLM, sequence-classification and token-classification heads. Parameters are tf.Variables
 * keyed by transformers' state-dict names, Linear weights [out, in] as torch stores them.
 */
export class BertModel {
  readonly task: BertTask;
  /** Number of classifier outputs (sequence/token classification; 1 = regression); 0 for the other tasks. */
  readonly numLabels: number;
  /** transformers' names for this task's class → variables (in state-dict order). Resizing replaces entries in place. */
  readonly params = new Map<string, tf.Variable>();
  /** Set by `fromPretrained`: which weights were missing (and initialised), unexpected (ignored) or renamed. */
  loadReport?: LoadReport;
  private currentConfig: BertConfig;
  private readonly id = ++modelCounter;
  private readonly initRng: SeededRng;
  private readonly dropoutRng: SeededRng;

  private constructor(params: { config: BertConfig; task: BertTask; numLabels: number; values: Map<string, Float32Array>; seed: number }) {
    this.currentConfig = params.config;
    this.task = params.task;
    this.numLabels = hasClassifier(params.task) ? params.numLabels : 0;
    const rng = new SeededRng(params.seed);
    this.initRng = rng.fork('init');
    this.dropoutRng = rng.fork('dropout');
    for (const [name, shape] of bertParamShapes({ config: this.config, task: this.task, numLabels: this.numLabels })) {
      const values = params.values.get(name) ?? initialParamValue({ name, shape, config: this.config, rng: this.initRng });
      this.params.set(name, this.newVariable(name, values, shape));
    }
  }

  get config(): BertConfig {
    return this.currentConfig;
  }

  /** A freshly initialised model (transformers' `_init_weights`, drawn from `seed`, default 0). */
  static create(params: { config: BertConfig; task: BertTask; numLabels?: number; seed?: number }): BertModel {
    const task = checkTask(params.task);
    const { config, numLabels } = withLabels({ config: parseBertConfig(params.config), task, numLabels: params.numLabels });
    return new BertModel({ config, task, numLabels, values: new Map(), seed: params.seed ?? 0 });
  }

  /**
   * Loads config.json and model.safetensors / pytorch_model.bin (optionally sharded) from a folder or a Hub repo.
   * Accepts checkpoints of any BERT class (with or without the `bert.` prefix, legacy gamma/beta names). Strict: the
   * weights must be exactly the encoder config.json describes, finite (see `checkPretrainedWeights`); only task heads
   * (and a pooler absent as a whole) the checkpoint lacks are initialised (seeded by `seed`, default 0) and listed in
   * `loadReport.missing`. `ignoreMismatchedSizes` (transformers' option, task head only): a classifier of another
   * size is replaced by a fresh one and listed in `loadReport.mismatched` instead of being an error.
   */
  static async fromPretrained(
    dirOrHubId: string,
    params: { task: BertTask; numLabels?: number; seed?: number; ignoreMismatchedSizes?: boolean } & HubOptions,
  ): Promise<BertModel> {
    const { task: requestedTask, numLabels: requestedLabels, seed, ignoreMismatchedSizes, ...hub } = params;
    const task = checkTask(requestedTask);
    const checkpoint = await readCheckpoint({ repoOrPath: dirOrHubId, ...hub });
    const { config, numLabels } = withLabels({ config: await readBertConfig(checkpoint.dir), task, numLabels: requestedLabels });
    const shapes = bertParamShapes({ config, task, numLabels });
    const { tensors, mismatched } = ignoreMismatchedSizes ? dropMismatchedHead({ tensors: checkpoint.tensors, shapes }) : { tensors: checkpoint.tensors, mismatched: [] };
    const configFile = path.join(checkpoint.dir, 'config.json');
    const { values, report } = mapCheckpoint({
      tensors,
      shapes,
      task,
      file: checkpoint.file,
      sourceOf: checkpoint.sourceOf,
      shapeOrigin: (name) => (name.startsWith('classifier.') ? `numLabels = ${numLabels}` : configFile),
    });
    checkPretrainedWeights({ report, values, checkpointNames: checkpoint.tensors.keys(), config, configFile });
    if (mismatched.length > 0) report.mismatched = mismatched;
    const model = new BertModel({ config, task, numLabels, values, seed: seed ?? 0 });
    model.loadReport = report;
    return model;
  }

  /**
   * Writes config.json (architectures set for the task) and model.safetensors with transformers' names, each file
   * atomically; other files in `dir` (a tokenizer) are left alone. The tied MLM decoder is not stored (transformers
   * drops tied copies from safetensors too and re-ties on load).
   */
  async savePretrained(dir: string): Promise<void> {
    const records = new Map<string, TensorRecord>();
    for (const [name, variable] of this.params) {
      records.set(name, { dtype: 'F32', shape: [...variable.shape], data: Float32Array.from(await variable.data<'float32'>()) });
    }
    await writeSafetensors(path.join(dir, 'model.safetensors'), records, { format: 'pt' });
    await writeBertConfig(dir, { ...this.config, architectures: [ARCHITECTURE[this.task]] });
  }

  /** All parameters (every one is trained; nothing is frozen). */
  trainableParams(): Map<string, tf.Variable> {
    return new Map(this.params);
  }

  /**
   * Loss and its gradient for every trainable parameter, keyed by parameter name (parameters the loss does not
   * reach are left out). `lossFn` runs the forward pass; the caller disposes `loss` and the gradients.
   */
  valueAndGrads(lossFn: () => tf.Scalar): { loss: tf.Scalar; grads: Map<string, tf.Tensor> } {
    const trainable = this.trainableParams();
    const nameOf = new Map([...trainable].map(([name, variable]) => [variable.name, name]));
    const { value, grads } = tf.variableGrads(lossFn, [...trainable.values()]);
    const named = new Map<string, tf.Tensor>();
    for (const [variableName, grad] of Object.entries(grads)) named.set(nameOf.get(variableName) as string, grad);
    return { loss: value, grads: named };
  }

  forward(params: BertForwardParams): BertOutput {
    const { inputIds, attentionMask, tokenTypeIds } = params;
    const config = this.config;
    const qkvLayers = params.outputQkvLayers ?? [];
    this.checkInputs({ inputIds, attentionMask, tokenTypeIds, qkvLayers });
    const training = params.training ?? false;
    const dropout = new DropoutStream({ training, seed: params.seed ?? (training ? this.dropoutRng.nextUint32() : 0) });
    const prefix = encoderPrefix(this.task);
    const param = (name: string) => this.param(name);
    const encoderParam = (name: string) => this.param(`${prefix}${name}`);

    return tf.tidy(() => {
      const mask = attentionMask ?? tf.onesLike(inputIds);
      const embeddings = bertEmbeddings({ param: encoderParam, config, inputIds, tokenTypeIds, dropout });
      const encoded = bertEncoder({
        param: encoderParam,
        config,
        embeddings,
        attentionMask: mask,
        dropout,
        outputHiddenStates: params.outputHiddenStates ?? false,
        outputQkvLayers: qkvLayers,
      });
      const output: BertOutput = { ...encoded };
      if (!output.hiddenStates) delete output.hiddenStates;
      if (!output.qkv) delete output.qkv;
      if (hasPooler(this.task)) output.pooledOutput = bertPooler({ param: encoderParam, hidden: encoded.lastHiddenState });
      if (this.task === 'masked-lm') {
        const last = encoded.lastHiddenState;
        const hidden = params.logitPositions
          ? (tf.expandDims(tf.gather(tf.reshape(last, [-1, config.hidden_size]), params.logitPositions), 0) as tf.Tensor3D)
          : last;
        const logits = maskedLmHead({ param, config, hidden, wordEmbeddings: encoderParam('embeddings.word_embeddings.weight') });
        output.logits = params.logitPositions ? tf.squeeze(logits, [0]) : logits;
      } else if (this.task === 'sequence-classification') {
        output.logits = classifierHead({ param, config, features: output.pooledOutput as tf.Tensor2D, dropout });
      } else if (this.task === 'token-classification') {
        output.logits = classifierHead({ param, config, features: encoded.lastHiddenState, dropout });
      }
      return output as unknown as tf.TensorContainer;
    }) as unknown as BertOutput;
  }

  /**
   * Grows (or shrinks) the vocabulary: word embeddings keep their first min(old, new) rows; added rows are
   * `newRows` ((newVocabSize − old) × hidden, row-major) or normal(0, initializer_range) draws. The tied MLM decoder
   * follows automatically; cls.predictions.bias gets 0 for the new entries. config.vocab_size is updated.
   */
  resizeTokenEmbeddings(newVocabSize: number, newRows?: Float32Array): void {
    const config = this.config;
    const oldSize = config.vocab_size;
    const h = config.hidden_size;
    if (!Number.isInteger(newVocabSize) || newVocabSize < 1) {
      throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: `resizeTokenEmbeddings: newVocabSize must be a positive integer, got ${newVocabSize}` });
    }
    const added = Math.max(0, newVocabSize - oldSize);
    if (newRows && newRows.length !== added * h) {
      throw new KoenbertError({
        code: 'INVALID_ARGUMENT',
        message: `resizeTokenEmbeddings: newRows has ${newRows.length} values; ${added} new rows × hidden ${h} = ${added * h} expected`,
      });
    }
    const nextConfig = parseBertConfig({ ...config, vocab_size: newVocabSize });
    const embeddingName = `${encoderPrefix(this.task)}embeddings.word_embeddings.weight`;
    const kept = Math.min(oldSize, newVocabSize);
    const embedding = new Float32Array(newVocabSize * h);
    embedding.set((this.param(embeddingName).dataSync() as Float32Array).subarray(0, kept * h));
    embedding.set(newRows ?? normalValues({ rng: this.initRng, length: added * h, std: config.initializer_range }), kept * h);
    this.replaceVariable(embeddingName, embedding, [newVocabSize, h]);
    if (this.params.has('cls.predictions.bias')) {
      const bias = new Float32Array(newVocabSize);
      bias.set((this.param('cls.predictions.bias').dataSync() as Float32Array).subarray(0, kept));
      this.replaceVariable('cls.predictions.bias', bias, [newVocabSize]);
    }
    this.currentConfig = nextConfig;
  }

  dispose(): void {
    for (const variable of this.params.values()) variable.dispose();
    this.params.clear();
  }

  private param(name: string): tf.Variable {
    const variable = this.params.get(name);
    if (!variable) throw new KoenbertError({ code: 'INTERNAL', message: `BertModel (${this.task}) has no parameter "${name}"` });
    return variable;
  }

  private newVariable(name: string, values: Float32Array, shape: number[]): tf.Variable {
    const initial = tf.tensor(values, shape, 'float32');
    // tfjs variable names are global: prefix with a per-model id so several models can coexist.
    const variable = tf.variable(initial, true, `bert${this.id}/${name}/${++variableCounter}`);
    initial.dispose();
    return variable;
  }

  private replaceVariable(name: string, values: Float32Array, shape: number[]): void {
    const replaced = this.newVariable(name, values, shape);
    this.param(name).dispose();
    this.params.set(name, replaced);
  }

  private checkInputs(params: { inputIds: tf.Tensor; attentionMask?: tf.Tensor; tokenTypeIds?: tf.Tensor; qkvLayers: number[] }): void {
    const { inputIds, attentionMask, tokenTypeIds, qkvLayers } = params;
    const config = this.config;
    const fail = (message: string): never => {
      throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: `BertModel.forward: ${message}` });
    };
    if (inputIds.rank !== 2 || inputIds.dtype !== 'int32') fail(`inputIds must be an int32 [batch, seq] tensor, got ${inputIds.dtype} [${inputIds.shape}]`);
    const [batch, seq] = inputIds.shape;
    for (const [label, tensor] of [['attentionMask', attentionMask], ['tokenTypeIds', tokenTypeIds]] as const) {
      if (tensor && (tensor.rank !== 2 || tensor.shape[0] !== batch || tensor.shape[1] !== seq)) {
        fail(`${label} has shape [${tensor.shape}], inputIds [${inputIds.shape}]`);
      }
    }
    if (tokenTypeIds && tokenTypeIds.dtype !== 'int32') fail(`tokenTypeIds must be int32, got ${tokenTypeIds.dtype}`);
    if (seq > config.max_position_embeddings) fail(`sequence length ${seq} exceeds max_position_embeddings (${config.max_position_embeddings})`);
    checkIdRange({ tensor: inputIds, size: config.vocab_size, label: 'input id', limit: 'vocab_size', fail });
    if (tokenTypeIds) checkIdRange({ tensor: tokenTypeIds, size: config.type_vocab_size, label: 'token type id', limit: 'type_vocab_size', fail });
    for (const layer of qkvLayers) {
      if (!Number.isInteger(layer) || layer < 0 || layer >= config.num_hidden_layers) {
        fail(`outputQkvLayers: ${layer} is not a layer index in [0, ${config.num_hidden_layers - 1}]`);
      }
    }
  }
}

/** Ids outside the embedding table would read garbage on wasm: check them (a cheap synchronous read). */
function checkIdRange(params: { tensor: tf.Tensor; size: number; label: string; limit: string; fail: (message: string) => never }): void {
  const ids = params.tensor.dataSync() as Int32Array;
  for (const id of ids) {
    if (id < 0 || id >= params.size) params.fail(`${params.label} ${id} is outside [0, ${params.size}) (${params.limit})`);
  }
}

function checkTask(task: BertTask): BertTask {
  if (!BERT_TASKS.includes(task)) {
    throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: `unknown BERT task ${JSON.stringify(task)} (allowed: ${BERT_TASKS.join(', ')})` });
  }
  return task;
}

/** Labels a config declares (id2label, else num_labels), or undefined. */
function configLabelCount(config: BertConfig): number | undefined {
  const id2label = config.id2label;
  if (id2label && typeof id2label === 'object') return Object.keys(id2label).length;
  return typeof config.num_labels === 'number' ? config.num_labels : undefined;
}

/**
 * The classifier size for a task (requested, else the config's, else 2) and a config whose id2label/label2id
 * agree with it, as transformers writes them (LABEL_0, LABEL_1, …) when the count changed.
 */
function withLabels(params: { config: BertConfig; task: BertTask; numLabels?: number }): { config: BertConfig; numLabels: number } {
  const { config, task } = params;
  if (!hasClassifier(task)) return { config, numLabels: 0 };
  const declared = configLabelCount(config);
  const numLabels = params.numLabels ?? declared ?? DEFAULT_NUM_LABELS;
  if (!Number.isInteger(numLabels) || numLabels < 1) {
    throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: `numLabels must be a positive integer, got ${numLabels}` });
  }
  if (declared === numLabels && config.id2label) return { config, numLabels };
  const id2label = Object.fromEntries(Array.from({ length: numLabels }, (_, i) => [String(i), `LABEL_${i}`]));
  const label2id = Object.fromEntries(Array.from({ length: numLabels }, (_, i) => [`LABEL_${i}`, i]));
  const { num_labels: _dropped, ...rest } = config;
  return { config: { ...rest, id2label, label2id } as BertConfig, numLabels };
}
