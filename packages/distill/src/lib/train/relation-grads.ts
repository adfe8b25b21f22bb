import * as tf from '@tensorflow/tfjs';
import type { BertModel } from '@koenbert/bert';
import type { TokenBatch } from '../data/language-batches';
import { minilmV2RelationLoss, teacherRelations, type RelationType, type RelationWeights, type TeacherRelations } from '../losses/minilm-v2';

export interface MicroBatchResult {
  /** Relation loss of this micro-batch (Σ weighted relation types, before the language weight and accumulation). */
  loss: number;
  perRelation: Record<RelationType, number>;
  /** Gradients of `scale × loss` by parameter name (parameters the loss does not reach are absent); caller disposes. */
  grads: Map<string, tf.Tensor>;
}

/**
 * One micro-batch of MiniLMv2 distillation: the teacher's Q/K/V of `teacherLayer` (inference, no gradient, in
 * tf.tidy), then the student's relation loss against them and its gradients. Leaves no tensors but `grads`.
 */
export function relationGrads(params: {
  batch: TokenBatch;
  teacher: BertModel;
  student: BertModel;
  /** 0-based layer indices. */
  teacherLayer: number;
  studentLayer: number;
  relationHeads: number;
  weights: RelationWeights;
  temperature: number;
  /** Multiplies the loss before differentiation (language weight / accumulation steps). */
  scale: number;
  /** Student dropout on, with this call's mask seed; undefined = no dropout. */
  dropoutSeed?: number;
}): MicroBatchResult {
  const { batch } = params;
  const shape: [number, number] = [batch.batchSize, batch.seqLength];
  const attentionMask = tf.tensor2d(batch.attentionMask, shape, 'int32');
  // the teacher half (forward pass and relations) runs before, and outside, the student's gradient tape
  const teacher = tf.tidy(() => {
    const inputIds = tf.tensor2d(batch.teacherIds, shape, 'int32');
    const out = params.teacher.forward({ inputIds, attentionMask, outputQkvLayers: [params.teacherLayer] });
    const { query, key, value } = out.qkv![0];
    const relations = teacherRelations({ teacher: { query, key, value }, attentionMask, numRelationHeads: params.relationHeads, temperature: params.temperature });
    return { qq: relations.qq, kk: relations.kk, vv: relations.vv };
  }) as TeacherRelations;
  const studentIds = tf.tensor2d(batch.studentIds, shape, 'int32');
  let perRelation: Record<RelationType, tf.Scalar> | undefined;
  const { loss, grads } = params.student.valueAndGrads(() => {
    const out = params.student.forward({
      inputIds: studentIds,
      attentionMask,
      training: params.dropoutSeed !== undefined,
      seed: params.dropoutSeed,
      outputQkvLayers: [params.studentLayer],
    });
    const { query, key, value } = out.qkv![0];
    const relation = minilmV2RelationLoss({
      teacher,
      student: { query, key, value },
      attentionMask,
      numRelationHeads: params.relationHeads,
      weights: params.weights,
      temperature: params.temperature,
    });
    perRelation = { qq: tf.keep(relation.perRelation.qq), kk: tf.keep(relation.perRelation.kk), vv: tf.keep(relation.perRelation.vv) };
    return tf.mul(relation.total, params.scale) as tf.Scalar;
  });
  const values = { qq: perRelation!.qq.dataSync()[0], kk: perRelation!.kk.dataSync()[0], vv: perRelation!.vv.dataSync()[0] };
  tf.dispose([loss, attentionMask, studentIds, teacher.qq, teacher.kk, teacher.vv, perRelation!.qq, perRelation!.kk, perRelation!.vv]);
  const total = params.weights.qq * values.qq + params.weights.kk * values.kk + params.weights.vv * values.vv;
  return { loss: total, perRelation: values, grads };
}
