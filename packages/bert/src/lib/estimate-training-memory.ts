import type { BertConfig } from './bert-config';
import { bertParamShapes } from './bert-param-shapes';
import type { BertTask } from './bert-task';

/** The sizes the estimate reads from a config.json (nothing else: no weights needed). */
export type BertSizes = Pick<
  BertConfig,
  'vocab_size' | 'hidden_size' | 'num_hidden_layers' | 'num_attention_heads' | 'intermediate_size' | 'max_position_embeddings' | 'type_vocab_size'
> &
  Partial<Pick<BertConfig, 'hidden_dropout_prob' | 'attention_probs_dropout_prob'>>;

export interface TrainingMemoryParams {
  /** The model that is trained (its weights, gradients and AdamW moments live through the step). */
  model: BertSizes;
  task: BertTask;
  /** Labels of a classification head (default 2). */
  numLabels?: number;
  /** Sequences per micro-batch (one forward and backward pass). */
  batchSize: number;
  /** Tokens per sequence, [CLS] and [SEP] included. */
  seqLength: number;
  /** Micro-batches per optimizer step (default 1); above 1 a second gradient map holds the running sum. */
  gradAccumulation?: number;
  /** Dropout while training (default: the config's dropout probabilities are above 0). */
  dropout?: boolean;
  /** Frozen models run for inference only (distillation teachers): weights, one forward pass at a time, no gradients. */
  teachers?: BertSizes[];
  /** Distillation: relation heads of the MiniLMv2 loss (adds the B·R·T² relation maps). */
  relationHeads?: number;
  /** masked-lm: share of the tokens the MLM decoder runs on (pretrain-mlm decodes masked positions only; default 0.15). */
  mlmPositionsShare?: number;
}

export interface TrainingMemoryEstimate {
  /** Parameters of the trained model, and of all teachers together. */
  params: number;
  teacherParams: number;
  /** Bytes, float32 throughout. */
  bytes: {
    /** 4·P. */
    weights: number;
    /** 4·P, doubled with gradient accumulation (the running sum). */
    gradients: number;
    /** AdamW's first and second moments: 8·P. */
    optimizer: number;
    /** 4·ΣP_teacher. */
    teachers: number;
    /**
     * What the step holds at its peak beyond the above: the tape's activations and their gradients, relation maps (or,
     * when larger, the clipped copy of the gradients, or a teacher's forward pass).
     */
    activations: number;
    /** The step's peak: weights + optimizer + teachers + the largest of (backward pass, optimizer update, teacher pass). */
    total: number;
  };
  /** The largest single tensor (WebGPU refuses a buffer above its adapter's limits). */
  largestTensor: { what: string; bytes: number };
}

/**
 * Tensors (in floats per token, per layer) the forward pass leaves on tfjs's tape, counted from bert-encoder.ts with
 * the fused wasm GELU and LayerNorm kernels, and calibrated against measured tfjs peaks (tools/bench/calibrate-step-
 * memory.mjs; packages/bert/README.md): every intermediate tensor of the forward pass stays alive until tf.grads ends.
 */
export const ACTIVATION_COEFFICIENTS = {
  /** Per layer, × N·H (N = batch·length): Q/K/V (matmul, bias, head transpose), context, two dense + residual + LayerNorm. */
  hidden: 19,
  /** Per layer, × N·H more with dropout (tf.dropout keeps its uniform draw, mask and output: 5 per dropout, 2 dropouts). */
  hiddenDropout: 10,
  /** Per layer, × N·F: intermediate matmul, bias, GELU. */
  ffn: 3,
  /** Per layer, × B·A·T²: scores, scaled, masked, softmax. */
  attention: 4,
  /** Per layer, × B·A·T² more with attention dropout. */
  attentionDropout: 5,
  /** Embeddings, × N·H: gather, two adds, LayerNorm (+5 with dropout). */
  embeddings: 4,
  /** Student relation maps per relation type, × B·R·T² (product, bias, log-softmax; the KL's gradient is custom). */
  relation: 2.5,
  /** MLM decoder, × M·V (M decoded positions): logits, bias, log-softmax, loss. */
  mlmLogits: 4,
  /**
   * The backward pass holds about half as much again (measured 1.4–1.6× the forward's count on the wasm heap): tfjs
   * frees intermediate gradients only when tf.grads ends, but koenbert's fused kernels keep few of them.
   */
  backwardFactor: 1.5,
} as const;

const F32 = 4;

function paramCount(config: BertSizes, task: BertTask, numLabels: number): number {
  let total = 0;
  for (const shape of bertParamShapes({ config: config as BertConfig, task, numLabels }).values()) total += shape.reduce((a, b) => a * b, 1);
  return total;
}

/** Floats the forward pass of `layers` encoder layers (plus embeddings) creates for one batch. */
function encoderForwardFloats(config: BertSizes, batch: number, length: number, layers: number, dropout: boolean): number {
  const c = ACTIVATION_COEFFICIENTS;
  const tokens = batch * length;
  const nh = tokens * config.hidden_size;
  const nf = tokens * config.intermediate_size;
  const maps = batch * config.num_attention_heads * length * length;
  const perLayer = (c.hidden + (dropout ? c.hiddenDropout : 0)) * nh + c.ffn * nf + (c.attention + (dropout ? c.attentionDropout : 0)) * maps;
  return (c.embeddings + (dropout ? 5 : 0)) * nh + layers * perLayer;
}

/**
 * What one training step needs, from config sizes only (no weights). The formula, in float32 bytes, with P the trained
 * model's parameters, N = B·T tokens of a micro-batch, H hidden, F FFN, A heads, L layers:
 *
 *   static      = 4P (weights) + 8P (AdamW m, v) + 4·ΣP_teacher
 *   forward     = 4·[(4 + 5d)·N·H + L·((19 + 10d)·N·H + 3·N·F + (4 + 5d)·B·A·T²)]     (d = 1 with dropout)
 *                 + distillation: 4·3·2.5·B·R·T² (student relation maps, R relation heads)
 *                 + masked-lm:    4·4·M·V      (M decoded positions)
 *   backward    = 1.5 × forward + 4P gradients (+4P running sum with accumulation) + teachers' relation maps 4·3·B·R·T²
 *   update      = 4P gradients (or their running sum) + 4P clipped copy
 *   teacherPass = one teacher's inference forward (no dropout)
 *   total       = static + max(backward, update, teacherPass)
 *
 * tfjs keeps every intermediate tensor of the forward pass and every intermediate gradient until tf.grads ends, so the
 * backward pass adds to the forward's activations instead of replacing them (packages/distill/README.md, "Speed and
 * memory"); measured on the wasm heap the sum is 1.5× the forward's count, not 2× (koenbert's fused kernels).
 */
export function estimateTrainingMemory(params: TrainingMemoryParams): TrainingMemoryEstimate {
  const { model, task, batchSize: b, seqLength: t } = params;
  const c = ACTIVATION_COEFFICIENTS;
  const numLabels = params.numLabels ?? 2;
  const accumulation = params.gradAccumulation ?? 1;
  const dropout = params.dropout ?? ((model.hidden_dropout_prob ?? 0.1) > 0 || (model.attention_probs_dropout_prob ?? 0.1) > 0);
  const teachers = params.teachers ?? [];
  const p = paramCount(model, task, numLabels);
  const teacherParams = teachers.reduce((sum, teacher) => sum + paramCount(teacher, 'base', 2), 0);

  const weights = F32 * p;
  const gradients = F32 * p * (accumulation > 1 ? 2 : 1);
  const optimizer = 2 * F32 * p;
  const teacherBytes = F32 * teacherParams;

  const relationMaps = params.relationHeads ? b * params.relationHeads * t * t : 0;
  const decoded = task === 'masked-lm' ? Math.ceil((params.mlmPositionsShare ?? 0.15) * b * t) : 0;
  let forward = encoderForwardFloats(model, b, t, model.num_hidden_layers, dropout) + 3 * c.relation * relationMaps + c.mlmLogits * decoded * model.vocab_size;
  if (task === 'token-classification') forward += 4 * b * t * numLabels;
  const backward = F32 * (c.backwardFactor * forward + 3 * relationMaps) + gradients;
  // after tf.grads: the (summed) gradients and their clipped copy
  const update = 2 * F32 * p;
  const teacherPass = Math.max(0, ...teachers.map((teacher) => F32 * encoderForwardFloats(teacher, b, t, teacher.num_hidden_layers, false)));
  const activations = Math.max(backward, update, teacherPass) - gradients;
  const total = weights + optimizer + teacherBytes + gradients + activations;

  const candidates: Array<{ what: string; bytes: number }> = [
    { what: `word embeddings ${model.vocab_size} × ${model.hidden_size}`, bytes: F32 * model.vocab_size * model.hidden_size },
    ...teachers.map((teacher) => ({ what: `teacher word embeddings ${teacher.vocab_size} × ${teacher.hidden_size}`, bytes: F32 * teacher.vocab_size * teacher.hidden_size })),
    { what: `attention maps ${b} × ${model.num_attention_heads} × ${t} × ${t}`, bytes: F32 * b * model.num_attention_heads * t * t },
    { what: `feed-forward activations ${b} × ${t} × ${model.intermediate_size}`, bytes: F32 * b * t * model.intermediate_size },
  ];
  if (relationMaps > 0) candidates.push({ what: `relation maps ${b} × ${params.relationHeads} × ${t} × ${t}`, bytes: F32 * relationMaps });
  if (decoded > 0) candidates.push({ what: `MLM logits ${decoded} × ${model.vocab_size}`, bytes: F32 * decoded * model.vocab_size });
  const largestTensor = candidates.reduce((a, x) => (x.bytes > a.bytes ? x : a));

  return {
    params: p,
    teacherParams,
    bytes: { weights, gradients, optimizer, teachers: teacherBytes, activations, total },
    largestTensor,
  };
}
