import * as tf from '@tensorflow/tfjs';
import { KoenbertError, SeededRng } from '@koenbert/tensor-utils';
import { columnMeans, gatherRows, type Matrix } from '../matrix';
import { checkPairs } from './ridge';

export interface MlpOptions {
  /** Hidden units of the one hidden layer (ReLU). */
  hidden: number;
  maxEpochs: number;
  batchSize: number;
  learningRate: number;
  /** Stop after this many epochs without a better validation loss; the best weights are kept. */
  patience: number;
  /** Share of the training pairs held out for early stopping. */
  validationFraction: number;
}

export const DEFAULT_MLP_OPTIONS: MlpOptions = { hidden: 512, maxEpochs: 100, batchSize: 128, learningRate: 1e-3, patience: 5, validationFraction: 0.1 };

/** A trained MLP: y = μy + σy·(relu(((x − μx)/σx)·W₁ + b₁)·W₂ + b₂); weights row-major [in, out]. */
export interface MlpModel {
  inputDim: number;
  outputDim: number;
  hidden: number;
  meanX: Float32Array;
  scaleX: number;
  meanY: Float32Array;
  scaleY: number;
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

export type MlpEvent = { type: 'mlp-epoch'; epoch: number; trainLoss: number; validationLoss: number; best: boolean };

/**
 * A small MLP from English to Korean embeddings, trained with Adam on the mean squared error of
 * standardised embeddings (centred, divided by one overall standard deviation). Weights are drawn
 * from `seed` (He-uniform for the ReLU layer, Glorot-uniform for the output), batches are shuffled
 * from the same seed, and training stops early on a held-out share of the pairs.
 */
export async function* fitMlpIter(params: { x: Matrix; y: Matrix; options?: Partial<MlpOptions>; seed: number }): AsyncGenerator<MlpEvent, MlpModel> {
  const { x, y } = params;
  checkPairs(x, y);
  const options = { ...DEFAULT_MLP_OPTIONS, ...params.options };
  const rng = new SeededRng(params.seed);
  const order = Array.from({ length: x.rows }, (_, i) => i);
  rng.fork('split').shuffleInPlace(order);
  const validationCount = Math.max(1, Math.round(x.rows * options.validationFraction));
  if (x.rows - validationCount < 1) {
    throw new KoenbertError({ code: 'TOO_FEW_PAIRS', message: `mlp needs at least 2 pairs (one to train, one to stop early), got ${x.rows}` });
  }
  const validationIds = order.slice(0, validationCount);
  const trainIds = order.slice(validationCount);

  const meanX = Float32Array.from(columnMeans(gatherRows({ source: x, ids: trainIds })));
  const meanY = Float32Array.from(columnMeans(gatherRows({ source: y, ids: trainIds })));
  const scaleX = overallStd(x, trainIds, meanX);
  const scaleY = overallStd(y, trainIds, meanY);
  const standardise = (m: Matrix, ids: number[], mean: Float32Array, scale: number): tf.Tensor2D => {
    const rows = gatherRows({ source: m, ids });
    const data = new Float32Array(rows.data.length);
    for (let i = 0; i < rows.rows; i++) for (let j = 0; j < rows.cols; j++) data[i * rows.cols + j] = (rows.data[i * rows.cols + j] - mean[j]) / scale;
    return tf.tensor2d(data, [rows.rows, rows.cols]);
  };
  const xTrain = standardise(x, trainIds, meanX, scaleX);
  const yTrain = standardise(y, trainIds, meanY, scaleY);
  const xVal = standardise(x, validationIds, meanX, scaleX);
  const yVal = standardise(y, validationIds, meanY, scaleY);

  const initRng = rng.fork('init');
  const d = x.cols;
  const e = y.cols;
  const h = options.hidden;
  const uniform = (count: number, limit: number) => Float32Array.from({ length: count }, () => (2 * initRng.nextFloat() - 1) * limit);
  // Created inside tidy so the initial-value tensors are released (the variables are kept).
  const [w1, b1, w2, b2] = tf.tidy(() => [
    tf.variable(tf.tensor2d(uniform(d * h, Math.sqrt(6 / d)), [d, h])),
    tf.variable(tf.zeros([h])),
    tf.variable(tf.tensor2d(uniform(h * e, Math.sqrt(6 / (h + e))), [h, e])),
    tf.variable(tf.zeros([e])),
  ]);
  const variables = [w1, b1, w2, b2];
  const predict = (input: tf.Tensor2D): tf.Tensor2D => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(input, w1), b1)), w2), b2);
  const optimizer = tf.train.adam(options.learningRate);
  const shuffleRng = rng.fork('shuffle');

  let best = { loss: Infinity, values: variables.map((v) => v.dataSync().slice() as Float32Array) };
  let sinceBest = 0;
  try {
    for (let epoch = 1; epoch <= options.maxEpochs; epoch++) {
      const batchOrder = Array.from({ length: trainIds.length }, (_, i) => i);
      shuffleRng.shuffleInPlace(batchOrder);
      let trainSum = 0;
      for (let start = 0; start < batchOrder.length; start += options.batchSize) {
        const count = Math.min(options.batchSize, batchOrder.length - start);
        // The batch is gathered outside the gradient (no gradient of gather is needed or registered on wasm).
        const [xb, yb] = tf.tidy(() => {
          const indices = tf.tensor1d(batchOrder.slice(start, start + count), 'int32');
          return [tf.gather(xTrain, indices), tf.gather(yTrain, indices)];
        });
        const loss = optimizer.minimize(() => tf.mean(tf.squaredDifference(predict(xb), yb)) as tf.Scalar, true, variables);
        trainSum += (await loss!.data())[0] * count;
        tf.dispose([loss!, xb, yb]);
      }
      const validationTensor = tf.tidy(() => tf.mean(tf.squaredDifference(predict(xVal), yVal)));
      const validationLoss = (await validationTensor.data())[0];
      validationTensor.dispose();
      const improved = validationLoss < best.loss;
      if (improved) {
        best = { loss: validationLoss, values: variables.map((v) => v.dataSync().slice() as Float32Array) };
        sinceBest = 0;
      } else {
        sinceBest++;
      }
      yield { type: 'mlp-epoch', epoch, trainLoss: trainSum / trainIds.length, validationLoss, best: improved };
      if (!Number.isFinite(validationLoss)) {
        throw new KoenbertError({ code: 'TRAINING_DIVERGED', message: `mlp: validation loss is ${validationLoss} at epoch ${epoch}; lower mlp.learningRate` });
      }
      if (sinceBest >= options.patience) break;
    }
  } finally {
    tf.dispose([xTrain, yTrain, xVal, yVal, ...variables]);
    optimizer.dispose();
  }
  const [bw1, bb1, bw2, bb2] = best.values;
  return { inputDim: d, outputDim: e, hidden: h, meanX, scaleX, meanY, scaleY, w1: bw1, b1: bb1, w2: bw2, b2: bb2 };
}

/** Runs a trained MLP on every row of x. */
export function applyMlp(params: { model: MlpModel; x: Matrix }): Matrix {
  const { model, x } = params;
  if (x.cols !== model.inputDim) {
    throw new KoenbertError({ code: 'DIMENSION_MISMATCH', message: `mlp expects ${model.inputDim} input columns, got ${x.cols}` });
  }
  const out = tf.tidy(() => {
    const input = tf.div(tf.sub(tf.tensor2d(x.data, [x.rows, x.cols]), tf.tensor1d(model.meanX)), model.scaleX);
    const hidden = tf.relu(tf.add(tf.matMul(input, tf.tensor2d(model.w1, [model.inputDim, model.hidden])), tf.tensor1d(model.b1)));
    const y = tf.add(tf.matMul(hidden, tf.tensor2d(model.w2, [model.hidden, model.outputDim])), tf.tensor1d(model.b2));
    return tf.add(tf.mul(y, model.scaleY), tf.tensor1d(model.meanY));
  });
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return { rows: x.rows, cols: model.outputDim, data };
}

function overallStd(m: Matrix, ids: number[], mean: Float32Array): number {
  let sum = 0;
  for (const id of ids) for (let j = 0; j < m.cols; j++) sum += (m.data[id * m.cols + j] - mean[j]) ** 2;
  const std = Math.sqrt(sum / Math.max(1, ids.length * m.cols));
  return std > 0 ? std : 1;
}
