import { existsSync } from 'node:fs';
import path from 'node:path';
import { distillConfigSchema, DISTILL_PRESETS, parseDistillConfig, type DistillConfig, type DistillPreset } from '@koenbert/distill';
import { InitEmbeddingsConfigSchema, INIT_REPORT_FILE, type InitEmbeddingsConfig } from '@koenbert/embed-init';
import { EvalConfigSchema, resultFile, type EvalConfig, type TaskName } from '@koenbert/eval-klue-glue';
import { isKoenbertError, KoenbertError, resolveConfig } from '@koenbert/tensor-utils';
import { MERGE_MAP_FILE, MergeVocabsConfigSchema, splitSourceColumn, type MergeVocabsConfig } from '@koenbert/tokenizer-merge';
import { fingerprintInput } from './run-fingerprint';
import { describeChanges, readRunRecord, recordDigest, RUN_RECORD_FILE, RUN_RECORD_FORMAT, RUN_RECORD_SUFFIX, type RunRecord } from './run-record';
import { flattenKeys, RUN_MODELS, type RunConfig } from './run-config';

/** The folders `run` writes below the work folder (`name`: the distilled model's folder). */
export function runLayout(output: string, name = 'koenbert') {
  return {
    tokenizer: path.join(output, 'merged-tokenizer'),
    init: path.join(output, 'student-init'),
    student: path.join(output, name),
    eval: path.join(output, 'eval'),
    report: path.join(output, 'report'),
    log: path.join(output, 'koenbert-run.jsonl'),
  };
}

interface UnitBase {
  /** What the status lines and koenbert-run.jsonl call it: merge-vocab, init-embeddings, distill, eval <model> <task>, report. */
  id: string;
  record: RunRecord;
  digest: string;
  recordFile: string;
  /** The folder or file the unit writes. */
  output: string;
  /**
   * new: nothing there; done: finished and made from this config and these inputs; started: a distill run with
   * checkpoints made from them (it resumes); changed: there, but made from something else (or unrecorded).
   */
  state: 'new' | 'done' | 'started' | 'changed';
  /** For a changed unit: its own changed keys and inputs (empty when only an upstream unit changed). */
  changes: string[];
}

export type RunUnit =
  | (UnitBase & { kind: 'merge-vocab'; config: MergeVocabsConfig })
  | (UnitBase & { kind: 'init-embeddings'; config: InitEmbeddingsConfig })
  | (UnitBase & { kind: 'distill'; config: DistillConfig })
  | (UnitBase & { kind: 'eval'; config: EvalConfig; model: string; task: TaskName })
  | (UnitBase & { kind: 'report'; files: string[] });

/** Config keys that do not change what a unit makes: paths inside the work folder (inputs name those by digest), Hub access. */
const IGNORED_KEYS: Record<string, string[]> = {
  'merge-vocab': ['output', 'overwrite', 'offline', 'cacheDir', 'hubUrl'],
  'init-embeddings': ['tokenizer', 'output', 'overwrite', 'offline', 'cacheDir', 'hubUrl'],
  distill: ['student', 'output', 'resume', 'overwrite', 'hub'],
  eval: ['outputDir', 'offline', 'cacheDir', 'hubUrl'],
};

function recordConfig(kind: string, config: Record<string, unknown>, drop: string[] = []): Record<string, unknown> {
  const ignored = new Set([...(IGNORED_KEYS[kind] ?? []), ...drop]);
  return JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(config).filter(([key]) => !ignored.has(key))))) as Record<string, unknown>;
}

/** Where the shipped configs' local teachers come from, for the message when they are missing. */
const BUILDERS: Array<{ under: string; command: string }> = [
  { under: 'runs/teachers', command: 'node tools/build-teachers.mjs (after npm run build; MLM-pretrains both teachers, about 1.5 h on two idle cores)' },
  { under: 'runs/ci-tiny-teachers', command: 'node tools/make-tiny-teachers.mjs (random tiny teachers with the real tokenizers, seconds)' },
];

export interface PlanParams {
  config: RunConfig;
  /** The config file (named in every error). */
  file: string;
}

/**
 * Everything `koenbert run` will do, decided before the first stage starts: every stage section and every eval
 * task's options resolved by the stage's own schema (an error names the file and the key), every local input
 * checked, and per unit its record (effective config + input fingerprints) compared with the one beside its output.
 */
export async function planRun(params: PlanParams): Promise<RunUnit[]> {
  const { config, file } = params;
  const out = runLayout(config.output, config.name);
  const offline = config.offline ? { offline: true } : {};
  const label = (section: string) => `${file}: ${section}`;
  const missing = (key: string, source: string): never => {
    const builder = BUILDERS.find((b) => path.normalize(source).startsWith(path.normalize(b.under)));
    throw new KoenbertError({
      code: 'INPUT_NOT_FOUND',
      file,
      message: `${key}: ${source} not found${builder ? `; build it with: ${builder.command}` : ''}`,
    });
  };
  const model = async (key: string, source: string, revision?: string): Promise<string> =>
    (await fingerprintInput({ source, kind: 'model', revision })) ?? missing(key, source);
  const texts = async (key: string, sources: string[], into: Record<string, string>): Promise<void> => {
    for (const source of sources) into[source] = (await fingerprintInput({ source, kind: 'text' })) ?? missing(key, splitSourceColumn(source).file);
  };

  // ---- configs, all resolved before anything runs
  const merge = await resolveConfig({
    schema: MergeVocabsConfigSchema,
    overrides: { korean: config.koreanTokenizer ?? config.korean, english: config.englishTokenizer ?? config.english, output: out.tokenizer, ...offline, ...config.mergeVocab },
    overridesLabel: label('mergeVocab'),
  });
  const init = await resolveConfig({
    schema: InitEmbeddingsConfigSchema,
    overrides: { korean: config.korean, english: config.english, tokenizer: out.tokenizer, output: out.init, ...offline, ...config.initEmbeddings },
    overridesLabel: label('initEmbeddings'),
  });
  const distill = await resolveRunDistill({ config, out, label: label('distill'), file });
  const models = config.eval.models ?? [...RUN_MODELS, config.name];
  const modelPaths: Record<string, string> = { 'teacher-ko': config.korean, 'teacher-en': config.english, 'merged-init': out.init, [config.name]: out.student };
  const evals: Array<{ model: string; task: TaskName; config: EvalConfig }> = [];
  for (const name of models) {
    for (const task of config.eval.tasks) {
      const evalConfig = await resolveConfig({
        schema: EvalConfigSchema,
        overrides: { ...offline, ...config.eval.options, ...config.eval.taskOptions[task], model: modelPaths[name], modelName: name, task, outputDir: out.eval },
        overridesLabel: label(config.eval.taskOptions[task] ? `eval.options, eval.taskOptions.${task}` : 'eval.options'),
      });
      evals.push({ model: name, task, config: evalConfig });
    }
  }

  // ---- records, upstream first (a downstream unit names its upstream's output by the upstream's digest)
  const units: RunUnit[] = [];
  const unitRecord = (unit: string, kind: string, cfg: Record<string, unknown>, inputs: Record<string, string>, drop?: string[]): { record: RunRecord; digest: string } => {
    const record: RunRecord = { format: RUN_RECORD_FORMAT, unit, config: recordConfig(kind, cfg, drop), inputs };
    return { record, digest: recordDigest(record) };
  };

  const mergeInputs: Record<string, string> = {
    [merge.korean]: await model('korean', merge.korean, merge.revision),
    [merge.english]: await model('english', merge.english, merge.revision),
  };
  await texts('mergeVocab.koreanText', merge.koreanText, mergeInputs);
  await texts('mergeVocab.englishText', merge.englishText, mergeInputs);
  const mergeUnit = unitRecord('merge-vocab', 'merge-vocab', merge, mergeInputs);
  units.push(await withState({ kind: 'merge-vocab', id: 'merge-vocab', config: merge, output: out.tokenizer, recordFile: path.join(out.tokenizer, RUN_RECORD_FILE), finished: existsSync(path.join(out.tokenizer, MERGE_MAP_FILE)), configPrefix: 'mergeVocab.', ...mergeUnit }));

  const initInputs: Record<string, string> = {
    [init.korean]: await model('korean', init.korean, init.revision),
    [init.english]: await model('english', init.english, init.revision),
    'merged-tokenizer': `run:${mergeUnit.digest}`,
  };
  const initUnit = unitRecord('init-embeddings', 'init-embeddings', init, initInputs);
  units.push(await withState({ kind: 'init-embeddings', id: 'init-embeddings', config: init, output: out.init, recordFile: path.join(out.init, RUN_RECORD_FILE), finished: existsSync(path.join(out.init, INIT_REPORT_FILE)), configPrefix: 'initEmbeddings.', ...initUnit }));

  const distillInputs: Record<string, string> = { 'student-init': `run:${initUnit.digest}` };
  for (const lang of ['ko', 'en'] as const) {
    const teacher = distill.teachers[lang];
    distillInputs[teacher.model] = await model(`distill.teachers.${lang}.model`, teacher.model);
    if (teacher.tokenizer) distillInputs[teacher.tokenizer] = await model(`distill.teachers.${lang}.tokenizer`, teacher.tokenizer);
  }
  for (const part of ['ko', 'en', 'mixed'] as const) await texts(`distill.data.${part}`, distill.data[part], distillInputs);
  const distillUnit = unitRecord('distill', 'distill', distill, distillInputs);
  const distillState = stateOfDistill(out.student);
  units.push(
    await withState({ kind: 'distill', id: 'distill', config: distill, output: out.student, recordFile: path.join(out.student, RUN_RECORD_FILE), finished: distillState !== 'new', started: distillState === 'started', configPrefix: 'distill.', ...distillUnit }),
  );

  const modelInput: Record<string, string> = {
    'teacher-ko': await model('korean', config.korean),
    'teacher-en': await model('english', config.english),
    'merged-init': `run:${initUnit.digest}`,
    [config.name]: `run:${distillUnit.digest}`,
  };
  const evalDigests: string[] = [];
  const files: string[] = [];
  for (const item of evals) {
    const target = resultFile({ outputDir: out.eval, model: item.model, task: item.task });
    files.push(target);
    const inputs: Record<string, string> = { [item.model]: modelInput[item.model] };
    for (const key of ['trainFile', 'devFile'] as const) if (item.config[key]) await texts(`eval.options.${key}`, [item.config[key]!], inputs);
    const internal = item.model === 'merged-init' || item.model === config.name;
    const unit = unitRecord(`eval ${item.model} ${item.task}`, 'eval', item.config, inputs, internal ? ['model'] : []);
    evalDigests.push(unit.digest);
    const taskKeys = new Set(Object.keys(config.eval.taskOptions[item.task] ?? {}));
    units.push(
      await withState({
        kind: 'eval',
        id: `eval ${item.model} ${item.task}`,
        config: item.config,
        model: item.model,
        task: item.task,
        output: target,
        recordFile: target.replace(/\.json$/, RUN_RECORD_SUFFIX),
        finished: existsSync(target),
        configPrefix: (key) => (taskKeys.has(key.split('.')[0]) ? `eval.taskOptions.${item.task}.` : 'eval.options.'),
        ...unit,
      }),
    );
  }

  const reportUnit = unitRecord('report', 'report', { files: files.map((f) => path.relative(config.output, f)) }, Object.fromEntries(evalDigests.map((d, i) => [`result ${i}`, `run:${d}`])));
  const report = await withState({ kind: 'report', id: 'report', files, output: out.report, recordFile: path.join(out.report, RUN_RECORD_FILE), finished: existsSync(path.join(out.report, 'report.md')) && existsSync(path.join(out.report, 'report.html')), configPrefix: '', ...reportUnit });
  // The report is cheap and only gathers results: rewritten whenever they change or any of them is made now, never a
  // reason to stop.
  if (report.state === 'changed' || units.some((unit) => unit.kind === 'eval' && unit.state !== 'done')) report.state = 'new';
  units.push(report);
  return units;
}

type Pending<U> = U extends RunUnit ? Omit<U, 'state' | 'changes'> & { finished: boolean; started?: boolean; configPrefix: string | ((key: string) => string) } : never;

async function withState(params: Pending<RunUnit>): Promise<RunUnit> {
  const { finished, started, configPrefix, ...unit } = params;
  if (!finished) return { ...unit, state: 'new', changes: [] } as RunUnit;
  const recorded = await readRunRecord(unit.recordFile);
  if (recorded && recordDigest(recorded) === unit.digest) return { ...unit, state: started ? 'started' : 'done', changes: [] } as RunUnit;
  const changes = recorded
    ? describeChanges({ recorded, planned: unit.record, configPrefix })
    : [`${unit.id}: no record of what ${unit.output} was made from`];
  return { ...unit, state: 'changed', changes } as RunUnit;
}

/** A finished distill run has its loss curve (written last); a started one has checkpoints to resume from. */
function stateOfDistill(dir: string): 'done' | 'started' | 'new' {
  if (existsSync(path.join(dir, 'loss-curve.svg')) && existsSync(path.join(dir, 'model.safetensors'))) return 'done';
  return existsSync(path.join(dir, 'checkpoints', 'latest.json')) ? 'started' : 'new';
}

/** The distill section under its preset's schema, errors labelled with the file and section (not "command line"). */
async function resolveRunDistill(p: { config: RunConfig; out: ReturnType<typeof runLayout>; label: string; file: string }): Promise<DistillConfig> {
  const { config, out } = p;
  const defaults = { student: out.init, output: out.student, teachers: { ko: { model: config.korean }, en: { model: config.english } }, hub: config.offline ? { offline: true } : {} };
  const overrides = { ...flattenKeys(defaults), ...flattenKeys(config.distill) };
  const preset = (config.distill as { preset?: unknown }).preset;
  const schema = distillConfigSchema(DISTILL_PRESETS.includes(preset as DistillPreset) ? (preset as DistillPreset) : 'default');
  const resolved = await resolveConfig({ schema, overrides, overridesLabel: p.label });
  try {
    return parseDistillConfig(resolved);
  } catch (error) {
    throw isKoenbertError(error) ? new KoenbertError({ code: error.code, message: `${p.label}: ${error.message}`, cause: error }) : error;
  }
}
