import { copyFileSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend, readSafetensors, writeSafetensors } from '@koenbert/tensor-utils';
import { BertModel } from '@koenbert/bert';
import { evaluate, evaluateIter, type EvaluateEvent } from '../src/lib/evaluate';
import type { TaskName } from '../src/lib/tasks/task-registry';
import { describeIfSharedData, SHARED_DATA } from './shared-data';

// Issues 15/16 through `evaluate`: a checkpoint whose task head has another shape is evaluated with a fresh head
// (and says so); a folder whose weights are not the model its config describes is refused before anything is scored.
const TINY = path.join(SHARED_DATA, 'models/tiny-random-bert');

describeIfSharedData(['klue', 'models/tiny-random-bert'], 'evaluate with checkpoints that are not a plain encoder', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
  });

  it.each(['klue-ynat', 'klue-sts', 'klue-nli', 'klue-ner'] as TaskName[])(
    'tiny-random-bert (a 2-class classifier) on %s: the head is replaced by a fresh one, with an event and a note',
    async (task) => {
      const events: EvaluateEvent[] = [];
      for await (const event of evaluateIter({ model: TINY, task, dataDir: SHARED_DATA, cv: 2, limit: 8, epochs: 1, batchSize: 4, maxLength: 24 })) events.push(event);
      const replaced = events.filter((e): e is Extract<EvaluateEvent, { type: 'head-replaced' }> => e.type === 'head-replaced');
      expect(replaced).toHaveLength(2); // once per fold
      expect(replaced[0].tensors.map((t) => t.name)).toEqual(['classifier.weight', 'classifier.bias']);
      expect(replaced[0].tensors[0].checkpointShape).toEqual([2, 32]);
      const result = (events[events.length - 1] as Extract<EvaluateEvent, { type: 'result' }>).result;
      expect(result.notes!.some((note) => note.includes('classifier.weight [2, 32]') && note.includes('replaced by a fresh one'))).toBe(true);
    },
  );

  it.each([
    ['a layer’s query weight is missing', 'CHECKPOINT_INCOMPLETE', (t: Map<string, unknown>) => t.delete('bert.encoder.layer.3.attention.self.query.weight')],
    ['a weight is NaN', 'WEIGHTS_NOT_FINITE', (t: Map<string, any>) => {
      const record = t.get('bert.embeddings.LayerNorm.weight');
      t.set('bert.embeddings.LayerNorm.weight', { ...record, data: Float32Array.from(record.data as Float32Array, (v, i) => (i === 0 ? Number.NaN : v)) });
    }],
  ])('%s: evaluate fails with one line, writes nothing', async (_name, code, damage) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'eval-damaged-'));
    const model = await BertModel.fromPretrained(TINY, { task: 'sequence-classification' });
    await model.savePretrained(dir);
    model.dispose();
    for (const file of ['vocab.txt', 'tokenizer.json']) if (existsSync(path.join(TINY, file))) copyFileSync(path.join(TINY, file), path.join(dir, file));
    const { tensors } = await readSafetensors(path.join(dir, 'model.safetensors'));
    damage(tensors);
    await writeSafetensors(path.join(dir, 'model.safetensors'), tensors, { format: 'pt' });
    const outputDir = mkdtempSync(path.join(os.tmpdir(), 'eval-damaged-out-'));
    const error = (await evaluate({ model: dir, task: 'klue-nli', dataDir: SHARED_DATA, cv: 2, limit: 8, epochs: 1, outputDir }).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error & { code: string };
    expect(error.code).toBe(code);
    expect(error.message.startsWith(path.join(dir, 'model.safetensors'))).toBe(true);
    expect(error.message).not.toContain('\n');
    expect(readdirSync(outputDir)).toEqual([]);
  });
});
