import type { BertSizes } from '@koenbert/bert';
import { initBackend } from '@koenbert/tensor-utils';
import type { CliContext } from './cli-context';
import type { RunConfig } from './run-config';
import type { RunUnit } from './run-plan';
import { limitsOf, plannedDistillStep, plannedEvalStep, planStep, refuseOversizedStep, sizesOf } from './step-memory';

/**
 * `koenbert run`, before its first stage: every training stage still to run (distill, eval) is checked against the
 * backend, so a step that cannot fit is refused before merge-vocab and init-embeddings spend their minutes. Models not
 * made yet (the student, the distilled model) are estimated from the Korean teacher's sizes with the two vocabularies
 * together (the merged vocabulary is at most that). Sizes that cannot be read skip the check; each stage checks again.
 */
export async function preflightRun(p: { ctx: CliContext; config: RunConfig; units: RunUnit[] }): Promise<void> {
  const pending = p.units.filter((unit) => unit.state !== 'done' && (unit.kind === 'distill' || unit.kind === 'eval'));
  if (pending.length === 0) return;
  const choice = await initBackend({ logger: (line) => p.ctx.io.stderr.write(`${line}\n`) });
  const limits = await limitsOf(choice);
  const student = await studentSizes(p.config);
  for (const unit of pending) {
    const step =
      unit.kind === 'distill'
        ? await planStep(() => plannedDistillStep(unit.config, (key) => `distill.${key}`, student))
        : unit.kind === 'eval'
          ? await planStep(() => plannedEvalStep(unit.config, (key) => `eval.options.${key}`, student))
          : undefined;
    refuseOversizedStep({ step, limits, io: p.ctx.io });
  }
}

/** The student as init-embeddings will make it: the Korean teacher with room for every English token. */
async function studentSizes(config: RunConfig): Promise<BertSizes | undefined> {
  try {
    const [korean, english] = await Promise.all([sizesOf(config.korean, {}), sizesOf(config.english, {})]);
    return { ...korean, vocab_size: korean.vocab_size + english.vocab_size };
  } catch {
    return undefined;
  }
}
