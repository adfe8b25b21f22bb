import * as tf from '@tensorflow/tfjs';
import { KoenbertError } from '@koenbert/tensor-utils';

/** Query, key and value projections of one layer, [batch, seq, hidden], before the per-head split. */
export interface QkvTensors {
  query: tf.Tensor3D;
  key: tf.Tensor3D;
  value: tf.Tensor3D;
}

export type RelationType = 'qq' | 'kk' | 'vv';
export const RELATION_TYPES: readonly RelationType[] = ['qq', 'kk', 'vv'];

export interface RelationWeights {
  qq: number;
  kk: number;
  vv: number;
}

export interface RelationLoss {
  /** Σ over Q-Q, K-K, V-V of weight × KL. */
  total: tf.Scalar;
  /** The unweighted KL of each relation type. */
  perRelation: Record<RelationType, tf.Scalar>;
}

/** Added to the scores of padded keys: exp() of it is exactly 0 in float32, and it stays finite. */
const MASKED_SCORE = -1e9;

/** [b, s, H] → [b·R, s, H/R]: concatenated heads split again into R relation heads. */
function splitRelationHeads(x: tf.Tensor3D, numRelationHeads: number): tf.Tensor3D {
  const [batch, seq, hidden] = x.shape;
  const headSize = hidden / numRelationHeads;
  const heads = tf.transpose(tf.reshape(x, [batch, seq, numRelationHeads, headSize]), [0, 2, 1, 3]);
  return tf.reshape(heads, [batch * numRelationHeads, seq, headSize]);
}

/** 1/(√d_r·T): the scale of X·Xᵀ. */
function relationScale(x: tf.Tensor3D, temperature: number): number {
  return 1 / (Math.sqrt(x.shape[2]) * temperature);
}

/** log softmax(X·Xᵀ·scale + keyBias) over keys, [b·R, s, s], for relation heads X [b·R, s, d_r]. */
function relationLogProbs(heads: tf.Tensor3D, scale: number, keyBias: tf.Tensor3D): tf.Tensor3D {
  return tf.logSoftmax(tf.add(tf.matMul(tf.mul(heads, scale) as tf.Tensor3D, heads, false, true), keyBias)) as tf.Tensor3D;
}

/** The mask in the layouts the loss needs (R rows per sequence). */
interface RelationMask {
  /** [b·R, 1, s]: 0 for real keys, MASKED_SCORE for padded ones. */
  keyBias: tf.Tensor3D;
  /** [b·R, s, 1]: 1 / (R · valid queries in the batch) for real queries, 0 for padded ones. */
  queryWeight: tf.Tensor3D;
}

function relationMask(attentionMask: tf.Tensor2D, numRelationHeads: number): RelationMask {
  return tf.tidy(() => {
    const [batch, seq] = attentionMask.shape;
    const mask = tf.cast(attentionMask, 'float32');
    const headMask = tf.reshape(tf.tile(tf.expandDims(mask, 1), [1, numRelationHeads, 1]), [batch * numRelationHeads, seq]);
    const keyBias = tf.mul(tf.sub(1, tf.expandDims(headMask, 1)), MASKED_SCORE) as tf.Tensor3D;
    const queryWeight = tf.div(tf.expandDims(headMask, 2), tf.mul(tf.sum(mask), numRelationHeads)) as tf.Tensor3D;
    return { keyBias, queryWeight };
  });
}

/**
 * KL(teacher ‖ student) of one relation type given the teacher's log-relations, with an analytic gradient:
 * for student scores S and P_s = softmax(S), ∂KL/∂S = (P_s − P_t) · queryWeight (masked keys have P_s = P_t = 0),
 * and S = c·X·Xᵀ gives ∂KL/∂X = c·(∂S + ∂Sᵀ)·X. Only log P_s ([b·R, s, s]) is kept for the backward pass, instead
 * of every intermediate of the log-softmax — a relation step of MiniLM size fits the 4 GB wasm heap this way.
 */
function relationKl(params: { studentHeads: tf.Tensor3D; teacherLogProbs: tf.Tensor3D; mask: RelationMask; scale: number }): tf.Scalar {
  const { teacherLogProbs, mask, scale } = params;
  const kl = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const heads = args[0] as tf.Tensor3D;
    const save = args[1] as tf.GradSaveFunc;
    const studentLogProbs = relationLogProbs(heads, scale, mask.keyBias);
    // everything the backward pass reads is saved: the caller's tidy disposes the closure tensors before it runs
    save([heads, studentLogProbs, teacherLogProbs, mask.queryWeight]);
    const perKey = tf.mul(tf.exp(teacherLogProbs), tf.sub(teacherLogProbs, studentLogProbs));
    const value = tf.sum(tf.mul(perKey, mask.queryWeight)) as tf.Scalar;
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedHeads, savedLogProbs, savedTeacher, queryWeight] = saved as tf.Tensor3D[];
      const dScores = tf.mul(tf.mul(tf.sub(tf.exp(savedLogProbs), tf.exp(savedTeacher)), queryWeight), dy) as tf.Tensor3D;
      return tf.mul(tf.add(tf.matMul(dScores, savedHeads), tf.matMul(dScores, savedHeads, true, false)), scale);
    };
    return { value, gradFunc };
  });
  return kl(params.studentHeads) as tf.Scalar;
}

/** The teacher's log-relations of Q-Q, K-K and V-V, [b·R, s, s] each; compute them outside a gradient tape. */
export interface TeacherRelations {
  qq: tf.Tensor3D;
  kk: tf.Tensor3D;
  vv: tf.Tensor3D;
}

/**
 * log softmax(X·Xᵀ/(√d_r·T)) of the teacher's Q, K and V over unpadded keys (the teacher half of the loss). Computing
 * it once outside `tf.variableGrads` keeps its intermediates off the gradient tape; the caller disposes the result.
 */
export function teacherRelations(params: { teacher: QkvTensors; attentionMask: tf.Tensor2D; numRelationHeads: number; temperature?: number }): TeacherRelations {
  const temperature = params.temperature ?? 1;
  return tf.tidy(() => {
    const { keyBias } = relationMask(params.attentionMask, params.numRelationHeads);
    const one = (x: tf.Tensor3D) => {
      const heads = splitRelationHeads(x, params.numRelationHeads);
      return relationLogProbs(heads, relationScale(heads, temperature), keyBias);
    };
    return { qq: one(params.teacher.query), kk: one(params.teacher.key), vv: one(params.teacher.value) };
  });
}

function checkShapes(params: { teacher: QkvTensors; student: QkvTensors; attentionMask: tf.Tensor2D; numRelationHeads: number }): void {
  const { numRelationHeads } = params;
  const [batch, seq] = params.attentionMask.shape;
  for (const [who, qkv] of [['teacher', params.teacher], ['student', params.student]] as const) {
    for (const type of ['query', 'key', 'value'] as const) {
      const [b, s, hidden] = qkv[type].shape;
      if (b !== batch || s !== seq) {
        throw new KoenbertError({
          code: 'RELATION_SHAPE',
          message: `${who} ${type} is [${qkv[type].shape}] but the attention mask is [${batch}, ${seq}]`,
        });
      }
      if (hidden % numRelationHeads !== 0) {
        throw new KoenbertError({
          code: 'RELATION_HEADS',
          message: `${who} hidden size ${hidden} does not split into ${numRelationHeads} relation heads (choose a divisor of ${hidden})`,
        });
      }
    }
  }
}

/**
 * MiniLMv2 multi-head self-attention relation loss (Wang et al. 2021, arXiv:2012.15828).
 *
 * Each of Q, K, V ([batch, seq, hidden], heads concatenated) is split into R relation heads of size
 * d_r = hidden / R; the relation of a head is softmax(X·Xᵀ / (√d_r · T)) over the key axis with padded
 * keys masked out. The loss of a relation type is KL(teacher ‖ student) summed over keys and averaged
 * over relation heads and valid (unpadded) query positions of the whole batch; the total is the
 * weighted sum over Q-Q, K-K and V-V. Teacher and student may differ in hidden size. Gradients flow
 * to the student only when the teacher tensors are constants (computed outside the gradient tape).
 */
export function minilmV2RelationLoss(params: {
  /** The teacher's Q/K/V, or their relations from `teacherRelations` (same mask, R and temperature). */
  teacher: QkvTensors | TeacherRelations;
  student: QkvTensors;
  /** [batch, seq], 1 for real tokens and 0 for padding. */
  attentionMask: tf.Tensor2D;
  numRelationHeads: number;
  weights?: RelationWeights;
  temperature?: number;
}): RelationLoss {
  const { numRelationHeads, attentionMask } = params;
  const precomputed = 'qq' in params.teacher;
  checkShapes({ teacher: precomputed ? params.student : (params.teacher as QkvTensors), student: params.student, attentionMask, numRelationHeads });
  if (precomputed) {
    const [batch, seq] = attentionMask.shape;
    const expected = [batch * numRelationHeads, seq, seq].join(', ');
    for (const type of RELATION_TYPES) {
      const shape = (params.teacher as TeacherRelations)[type].shape.join(', ');
      if (shape !== expected) {
        throw new KoenbertError({ code: 'RELATION_SHAPE', message: `teacher ${type} relations are [${shape}], expected [${expected}] (b·R, s, s)` });
      }
    }
  }
  const weights = params.weights ?? { qq: 1, kk: 1, vv: 1 };
  const temperature = params.temperature ?? 1;
  if (!(temperature > 0)) {
    throw new KoenbertError({ code: 'RELATION_TEMPERATURE', message: `temperature must be > 0, got ${temperature}` });
  }
  return tf.tidy(() => {
    const mask = relationMask(attentionMask, numRelationHeads);
    const teacher = precomputed
      ? (params.teacher as TeacherRelations)
      : teacherRelations({ teacher: params.teacher as QkvTensors, attentionMask, numRelationHeads, temperature });
    const kl = (type: RelationType, x: tf.Tensor3D): tf.Scalar => {
      const heads = splitRelationHeads(x, numRelationHeads);
      return relationKl({ studentHeads: heads, teacherLogProbs: teacher[type], mask, scale: relationScale(heads, temperature) });
    };
    const perRelation = { qq: kl('qq', params.student.query), kk: kl('kk', params.student.key), vv: kl('vv', params.student.value) };
    const total = tf.addN(RELATION_TYPES.map((type) => tf.mul(perRelation[type], weights[type]))) as tf.Scalar;
    return { total, perRelation };
  });
}
