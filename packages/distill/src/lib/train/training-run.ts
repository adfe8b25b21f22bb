import { performance } from 'node:perf_hooks';
import { describeNonFinite, etaSeconds, firstStepEvent, KoenbertError, type FirstStepEvent, type JsonlLogger, type ProgressEvent } from '@koenbert/tensor-utils';
import { CheckpointCursor, type CheckpointEvent } from './checkpoint-cursor';
import { onStopSignals } from './stop-signals';

/** What a config cannot carry: a stop signal, process signal handling, a Hub token, a fetch for tests. */
export interface TrainerOptions {
  /** Stop (checkpoint, then return) at the next step boundary once aborted. */
  signal?: AbortSignal;
  /** Also stop that way on SIGINT/SIGTERM (a second signal kills as usual). Default true. */
  handleProcessSignals?: boolean;
  hubToken?: string;
  fetch?: typeof fetch;
}

/** The events distillIter and pretrainMlmIter both yield around their own. */
export type TrainingRunEvent =
  | ProgressEvent
  | FirstStepEvent
  | CheckpointEvent
  | { type: 'stopped'; step: number; reason: string; checkpoint: string }
  | { type: 'non-finite'; step: number; loss: number; gradNorm: number; lastCheckpoint?: string };

/** What the step events of both trainers carry besides their own loss details. */
export interface StepProgress {
  /** Steps completed (1 … totalSteps). */
  step: number;
  totalSteps: number;
  lr: number;
  /** The global gradient norm before clipping. */
  gradNorm: number;
  tokens: number;
  tokensPerSecond: number;
  elapsedSeconds: number;
  etaSeconds?: number;
}

/** How long the step just done took, for its event and log line. */
export interface StepTiming {
  elapsedSeconds: number;
  tokensPerSecond: number;
  etaSeconds?: number;
  /** After the first step this process ran: the event that says what the whole run takes at that speed. */
  firstStep?: FirstStepEvent;
}

/**
 * The bookkeeping a resumable trainer does around each optimizer step, the same for distillation and MLM pretraining:
 * stop at a step boundary on an AbortSignal or SIGINT/SIGTERM with a 'stop' checkpoint, interval and final
 * checkpoints, step timing and the first-step estimate, the overlong-lines log, and the non-finite stop. The trainer
 * keeps its data, its loss and its own events; create this after its 'start' event (the signal handlers are
 * installed then) and `close()` it in `finally`.
 */
export class TrainingRun {
  readonly checkpoints: CheckpointCursor;
  private stopReason?: string;
  private readonly removeSignalHandlers: () => void = () => undefined;
  private started?: number;
  private stepStarted = 0;
  private readonly overlongLogged = new Map<string, number>();

  constructor(
    private readonly params: {
      stage: string;
      logger: JsonlLogger;
      /** Writes a checkpoint of the current state; returns its folder. */
      writeCheckpoint: () => Promise<string>;
      /** Steps done when the run starts (those of the checkpoint resumed from, else 0). */
      step: number;
      /** The checkpoint resumed from, if any (it counts as the latest). */
      resumedFrom?: string;
      totalSteps: number;
      checkpointEvery: number;
      options: Pick<TrainerOptions, 'signal' | 'handleProcessSignals'>;
    },
  ) {
    this.checkpoints = new CheckpointCursor(params.writeCheckpoint, params.resumedFrom ? { dir: params.resumedFrom, step: params.step } : undefined);
    if (params.options.handleProcessSignals ?? true) {
      this.removeSignalHandlers = onStopSignals((name) => {
        this.stopReason = name;
      });
    }
  }

  /** At a step boundary, once a stop was asked for: a 'stop' checkpoint, the log line and 'stopped'; returns true then. */
  async *stopIfAsked(step: number): AsyncGenerator<TrainingRunEvent, boolean> {
    if (this.params.options.signal?.aborted) this.stopReason ??= 'abort';
    if (!this.stopReason) return false;
    const saved = await this.checkpoints.save(step, 'stop');
    if (saved) yield saved;
    this.params.logger.log({ event: 'stopped', step, reason: this.stopReason });
    yield { type: 'stopped', step, reason: this.stopReason, checkpoint: this.checkpoints.last! };
    return true;
  }

  /** Starts a step's clock (the first step's start is the run's). */
  beginStep(): void {
    this.stepStarted = performance.now();
    this.started ??= this.stepStarted;
  }

  /** The timing of the step that made `step` steps done, `tokens` of text long. */
  endStep(params: { step: number; tokens: number }): StepTiming {
    const { step, tokens } = params;
    const { step: startStep, totalSteps, stage } = this.params;
    const now = performance.now();
    const seconds = (now - this.stepStarted) / 1000;
    const elapsedSeconds = (now - this.started!) / 1000;
    return {
      elapsedSeconds,
      tokensPerSecond: tokens / seconds,
      etaSeconds: etaSeconds({ step: step - startStep, total: totalSteps - startStep, elapsedSeconds }),
      firstStep: step === startStep + 1 ? firstStepEvent({ stage, seconds, steps: totalSteps - startStep }) : undefined,
    };
  }

  /**
   * Logs the corpus lines over data.maxLineBytes met so far in this process (split in .txt, skipped in JSONL, TSV,
   * parquet) whenever there are more of them; counted per `lang` where the trainer reads several streams.
   */
  logOverlong(params: { step: number; overlong: { split: number; skipped: number }; maxLineBytes: number; lang?: string }): void {
    const { step, overlong, maxLineBytes, lang } = params;
    const count = overlong.split + overlong.skipped;
    if (count <= (this.overlongLogged.get(lang ?? '') ?? 0)) return;
    this.overlongLogged.set(lang ?? '', count);
    this.params.logger.log({ event: 'overlong-lines', step, lang, ...overlong, maxLineBytes });
  }

  /** The interval checkpoint every `checkpointEvery` steps, and the final one. */
  async *checkpointIfDue(step: number): AsyncGenerator<CheckpointEvent, void> {
    const { checkpointEvery, totalSteps } = this.params;
    if (step % checkpointEvery !== 0 && step !== totalSteps) return;
    const saved = await this.checkpoints.save(step, step === totalSteps ? 'final' : 'interval');
    if (saved) yield saved;
  }

  /**
   * A step applyTrainingStep refused (`step`: the one that failed, 1-based): its log line and 'non-finite' event, then
   * NON_FINITE_LOSS naming the step and the last good checkpoint. Nothing was updated, so that checkpoint is sound.
   */
  async *nonFinite(params: { step: number; loss: number; gradNorm: number; lang?: string }): AsyncGenerator<TrainingRunEvent, never> {
    const { step, loss, gradNorm, lang } = params;
    const lastCheckpoint = this.checkpoints.last;
    this.params.logger.log({ event: 'non-finite', step, lang, loss, gradNorm });
    yield { type: 'non-finite', step, loss, gradNorm, lastCheckpoint };
    const where = lang ? `step ${step} (${lang})` : `step ${step}`;
    const last = lastCheckpoint ? `The last good checkpoint is ${lastCheckpoint}` : 'No checkpoint was written yet';
    throw new KoenbertError({
      code: 'NON_FINITE_LOSS',
      message: `${describeNonFinite({ loss, gradNorm })} at ${where}; stopped without updating. ${last} — lower optim.lr or check the data, then resume.`,
    });
  }

  /** Removes the SIGINT/SIGTERM handlers. */
  close(): void {
    this.removeSignalHandlers();
  }
}
