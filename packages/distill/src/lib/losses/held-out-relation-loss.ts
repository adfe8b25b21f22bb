import * as tf from '@tensorflow/tfjs';
import type { BertModel } from '@koenbert/bert';
import { KoenbertError } from '@koenbert/tensor-utils';
import { encodeAligned, type MergeMap, type TeacherLanguage, type WordPieceTokenizer } from '@koenbert/tokenizer-merge';
import { padAlignedBatch } from '../data/pad-aligned-batch';
import { minilmV2RelationLoss, RELATION_TYPES, type RelationType } from './minilm-v2';

export interface HeldOutRelationLoss {
  /** Σ over Q-Q, K-K, V-V of the KL(teacher ‖ student), averaged over every real query position of every line. */
  loss: number;
  perRelation: Record<RelationType, number>;
  sequences: number;
  /** Real (unpadded) token positions the average runs over. */
  tokens: number;
}

/**
 * The MiniLMv2 relation loss of a student against a teacher on text neither trained on — one line per sequence,
 * tokenized by the teacher with the aligned merged ids for the student (`encodeAligned`), no dropout. The loss of a
 * batch is a mean over its real query positions, so batches are combined weighted by their token counts: the result
 * does not depend on the batch size. It measures directly how far the student's relations are from one teacher's
 * (English gained, Korean forgotten).
 */
export function heldOutRelationLoss(params: {
  student: BertModel;
  teacher: BertModel;
  merged: MergeMap;
  teacherTokenizer: WordPieceTokenizer;
  lang: TeacherLanguage;
  lines: readonly string[];
  maxLength: number;
  relationHeads: number;
  /** 0-based layers whose Q/K/V are compared. */
  teacherLayer: number;
  studentLayer: number;
  temperature?: number;
  batchSize?: number;
}): HeldOutRelationLoss {
  const lines = params.lines.filter((line) => line.trim().length > 0);
  if (lines.length === 0) throw new KoenbertError({ code: 'EMPTY_INPUT', message: `no non-empty ${params.lang} lines to measure the relation loss on` });
  const batchSize = params.batchSize ?? 32;
  // padded positions are masked out of the relations; the ids there only have to be valid
  const padIds = { teacher: params.teacherTokenizer.padId ?? 0, student: Number(params.student.config.pad_token_id ?? 0) };
  const sums: Record<RelationType, number> = { qq: 0, kk: 0, vv: 0 };
  let tokens = 0;
  for (let start = 0; start < lines.length; start += batchSize) {
    const sequences = lines
      .slice(start, start + batchSize)
      .map((text) => encodeAligned({ text, lang: params.lang, merged: params.merged, teacher: params.teacherTokenizer, maxLength: params.maxLength }));
    const batch = padAlignedBatch({ lang: params.lang, sequences, padIds });
    const perRelation = tf.tidy(() => {
      const shape: [number, number] = [batch.batchSize, batch.seqLength];
      const attentionMask = tf.tensor2d(batch.attentionMask, shape, 'int32');
      const qkvOf = (model: BertModel, ids: Int32Array, layer: number) => {
        const { query, key, value } = model.forward({ inputIds: tf.tensor2d(ids, shape, 'int32'), attentionMask, outputQkvLayers: [layer] }).qkv![0];
        return { query, key, value };
      };
      const relation = minilmV2RelationLoss({
        teacher: qkvOf(params.teacher, batch.teacherIds, params.teacherLayer),
        student: qkvOf(params.student, batch.studentIds, params.studentLayer),
        attentionMask,
        numRelationHeads: params.relationHeads,
        temperature: params.temperature,
      });
      return tf.stack(RELATION_TYPES.map((type) => relation.perRelation[type]));
    });
    const values = perRelation.dataSync();
    perRelation.dispose();
    RELATION_TYPES.forEach((type, i) => {
      sums[type] += values[i] * batch.tokens;
    });
    tokens += batch.tokens;
  }
  const perRelation = Object.fromEntries(RELATION_TYPES.map((type) => [type, sums[type] / tokens])) as Record<RelationType, number>;
  return { loss: perRelation.qq + perRelation.kk + perRelation.vv, perRelation, sequences: lines.length, tokens };
}
