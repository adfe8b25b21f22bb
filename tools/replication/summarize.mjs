// replication.json, replication.md and SVG charts from the committed cells (pure: reads files, returns text).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { getTask } from '@koenbert/eval-klue-glue';
import { benchmarkOf, GLUE_TASKS, INSTRUMENTS, KLUE_TASKS, MODELS, RELATION_MODELS, TASKS } from './protocol.mjs';

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const pct = (v) => (Number.isFinite(v) ? (100 * v).toFixed(1) : '–');

/** Every committed cell record, and the majority-class rows derived from the fine-tuning results' baselines. */
export function collectCells(cellsDir) {
  const cells = [];
  for (const instrument of INSTRUMENTS) {
    const dir = path.join(cellsDir, instrument);
    if (!existsSync(dir)) continue;
    for (const model of readdirSync(dir)) {
      for (const file of readdirSync(path.join(dir, model))) {
        if (file.endsWith('.json')) cells.push(readJson(path.join(dir, model, file)));
      }
    }
  }
  const majority = new Map();
  for (const cell of cells) {
    const value = cell.majorityBaseline?.[cell.metric];
    const key = `${cell.instrument}/${cell.task}`;
    if (value !== undefined && !majority.has(key)) majority.set(key, { model: 'majority', task: cell.task, instrument: cell.instrument, metric: cell.metric, values: [value], mean: value, std: 0 });
  }
  return [...cells, ...majority.values()];
}

export function collectRelationLoss(cellsDir) {
  const dir = path.join(cellsDir, 'relation-loss');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => readJson(path.join(dir, f)))
    .map((r) => ({ model: r.model, language: r.language, value: r.loss, perRelation: r.perRelation, tokens: r.tokens }));
}

function find(cells, model, task, instrument) {
  return cells.find((c) => c.model === model && c.task === task && c.instrument === instrument);
}

/** Mean of the primary metric over a benchmark's four tasks (×100), or undefined while a cell is missing. */
export function benchmarkAverage(cells, model, tasks, instrument) {
  const values = tasks.map((task) => find(cells, model, task, instrument)?.mean);
  return values.every((v) => Number.isFinite(v)) ? (100 * values.reduce((a, b) => a + b, 0)) / values.length : undefined;
}

function verdict(condition, inputs) {
  if (inputs.some((v) => v === undefined)) return 'pending';
  return condition ? 'met' : 'missed';
}

/** The issue's goals, each met / missed / pending (a cell it needs is not measured yet), with the numbers. */
export function goals(cells, relation) {
  const avg = (model, tasks, instrument) => benchmarkAverage(cells, model, tasks, instrument);
  const out = [];
  for (const instrument of INSTRUMENTS) {
    for (const [teacher, tasks, lang] of [['teacher-ko', KLUE_TASKS, 'KLUE'], ['teacher-en', GLUE_TASKS, 'GLUE']]) {
      const t = avg(teacher, tasks, instrument);
      const r = avg('random-init', tasks, instrument);
      out.push({ goal: `${teacher} beats random-init by ≥ 5 points on the ${lang} average (${instrument})`, value: t !== undefined && r !== undefined ? `${t.toFixed(1)} vs ${r.toFixed(1)}` : '', status: verdict(t - r >= 5, [t, r]) });
    }
  }
  const [sk, tk, sg, tg] = [avg('koenbert-small', KLUE_TASKS, 'finetune'), avg('teacher-ko', KLUE_TASKS, 'finetune'), avg('koenbert-small', GLUE_TASKS, 'finetune'), avg('teacher-en', GLUE_TASKS, 'finetune')];
  out.push({ goal: 'koenbert-small ≥ 99 % of teacher-ko on the KLUE average (fine-tuning)', value: sk !== undefined && tk !== undefined ? `${((100 * sk) / tk).toFixed(1)} %` : '', status: verdict(sk >= 0.99 * tk, [sk, tk]) });
  out.push({ goal: 'koenbert-small ≥ 95 % of teacher-en on the GLUE average (fine-tuning)', value: sg !== undefined && tg !== undefined ? `${((100 * sg) / tg).toFixed(1)} %` : '', status: verdict(sg >= 0.95 * tg, [sg, tg]) });
  const eo = avg('english-only', KLUE_TASKS, 'finetune');
  out.push({ goal: 'English-only distillation below the dual-teacher run on KLUE (fine-tuning)', value: eo !== undefined && sk !== undefined ? `${eo.toFixed(1)} vs ${sk.toFixed(1)}` : '', status: verdict(eo < sk, [eo, sk]) });
  const rl = (model) => relation.find((r) => r.model === model && r.language === 'ko')?.value;
  out.push({ goal: 'English-only forgets more Korean: higher Korean relation loss than the dual-teacher run', value: rl('english-only') !== undefined && rl('koenbert-small') !== undefined ? `${rl('english-only').toFixed(4)} vs ${rl('koenbert-small').toFixed(4)}` : '', status: verdict(rl('english-only') > rl('koenbert-small'), [rl('english-only'), rl('koenbert-small')]) });
  const zs = find(cells, 'koenbert-small', 'korsts-zero-shot', 'finetune')?.mean;
  const zt = find(cells, 'teacher-ko', 'korsts-zero-shot', 'finetune')?.mean;
  out.push({ goal: 'zero-shot KorSTS: koenbert-small above the Korean teacher', value: zs !== undefined && zt !== undefined ? `${pct(zs)} vs ${pct(zt)}` : '', status: verdict(zs > zt, [zs, zt]) });
  return out;
}

export function replicationJson({ cells, relation, teachers, protocol, totals }) {
  return {
    format: 'koenbert-replication/1',
    teachers,
    protocol,
    cells: cells.map(({ model, task, instrument, metric, values, mean, std }) => ({ model, task, instrument, metric, values, mean, std })),
    relationLoss: relation.map(({ model, language, value }) => ({ model, language, value })),
    goals: goals(cells, relation),
    progress: totals,
  };
}

function table(cells, instrument) {
  const header = ['model', ...TASKS.map((t) => t.replace('korsts-zero-shot', 'KorSTS 0-shot')), 'KLUE avg', 'GLUE avg'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const model of MODELS) {
    const row = TASKS.map((task) => {
      const c = find(cells, model, task, instrument);
      if (!c) return '·';
      return c.values.length > 1 ? `${pct(c.mean)} ± ${pct(c.std)}` : pct(c.mean);
    });
    const k = benchmarkAverage(cells, model, KLUE_TASKS, instrument);
    const g = benchmarkAverage(cells, model, GLUE_TASKS, instrument);
    lines.push(`| ${[model, ...row, k === undefined ? '·' : k.toFixed(1), g === undefined ? '·' : g.toFixed(1)].join(' | ')} |`);
  }
  return lines;
}

export function replicationMarkdown({ cells, relation, teachers, protocol, totals }) {
  const metricOf = (task) => getTask(task === 'korsts-zero-shot' ? 'glue-stsb' : task).primaryMetric;
  const lines = [
    '# koenbert scaled-down replication',
    '',
    `Made by \`node tools/replicate-small.mjs\` from the committed cells in docs/replication/cells (one JSON per model × task × instrument). Cells measured: ${totals.done} of ${totals.total}; \`·\` = not measured yet.`,
    '',
    '## Teachers',
    '',
    '| teacher | params | vocab | steps | tokens | held-out perplexity | hours |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...['ko', 'en'].map((lang) => {
      const t = teachers[lang];
      return t ? `| ${lang} | ${t.params.toLocaleString('en-US')} | ${t.vocabSize.toLocaleString('en-US')} | ${t.steps} | ${(t.tokens / 1e6).toFixed(1)} M | ${t.heldOutPerplexity?.toFixed(1) ?? '–'} | ${(t.seconds / 3600).toFixed(1)} |` : `| ${lang} | not built yet | | | | | |`;
    }),
    '',
    ...['ko', 'en'].filter((lang) => teachers[lang]?.heldOutCurve?.length).map((lang) => `Held-out perplexity of the ${lang} teacher by step: ${teachers[lang].heldOutCurve.map((p) => `${p.step}: ${Math.round(p.perplexity).toLocaleString('en-US')}`).join(', ')}.`),
    '',
    'teacher-en-minilm: sentence-transformers/all-MiniLM-L6-v2 (pretrained, H 384, L 6, 22.7 M parameters; `node tools/teachers/fetch-minilm-teacher.mjs`), a real English teacher beside the self-trained one; koenbert-minilm is the recipe with it as the English teacher.',
    '',
    `Protocol: ${protocol.summary}`,
    '',
    `Primary metrics (×100, mean ± sample std over ${protocol.seeds} seeds): ${TASKS.map((t) => `${t} ${metricOf(t)}`).join(', ')}.`,
    '',
  ];
  for (const instrument of INSTRUMENTS) {
    lines.push(`## ${instrument === 'finetune' ? 'Fine-tuning' : 'Linear probes (frozen last layer, ridge read-out)'}`, '', ...table(cells, instrument), '');
  }
  lines.push('## Held-out relation loss (MiniLMv2 Q-Q + K-K + V-V KL against each teacher, parallel-corpus dev sentences)', '', '| model | English (vs teacher-en) | Korean (vs teacher-ko) |', '|---|---:|---:|');
  for (const model of RELATION_MODELS) {
    const v = (language) => relation.find((r) => r.model === model && r.language === language)?.value;
    lines.push(`| ${model} | ${v('en')?.toFixed(4) ?? '·'} | ${v('ko')?.toFixed(4) ?? '·'} |`);
  }
  lines.push('', 'koenbert-minilm is measured against its own English teacher, all-MiniLM-L6-v2 (H 384), so its English value is not on the same scale as the others\'.');
  lines.push('', '## Goals', '', '| goal | measured | status |', '|---|---|---|');
  for (const g of goals(cells, relation)) lines.push(`| ${g.goal} | ${g.value || '·'} | ${g.status} |`);
  lines.push('', '## Cost on this machine (one wasm thread per cell, two lanes)', '', '| instrument | cells | hours |', '|---|---:|---:|');
  for (const instrument of INSTRUMENTS) {
    const own = cells.filter((c) => c.instrument === instrument && c.model !== 'majority');
    lines.push(`| ${instrument} | ${own.length} | ${(own.reduce((s, c) => s + (c.seconds ?? 0), 0) / 3600).toFixed(1)} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Grouped horizontal bars: KLUE and GLUE averages per model, one chart per instrument. */
export function averagesSvg(cells, instrument) {
  const rows = MODELS.map((model) => ({ model, klue: benchmarkAverage(cells, model, KLUE_TASKS, instrument), glue: benchmarkAverage(cells, model, GLUE_TASKS, instrument) }));
  const barH = 12;
  const rowH = 2 * barH + 10;
  const left = 120;
  const width = 520;
  const scale = (v) => ((width - left - 50) * v) / 100;
  const height = 40 + rows.length * rowH;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="${left}" y="14">${instrument}: KLUE average (blue) and GLUE average (orange), ×100</text>`,
  ];
  rows.forEach((r, i) => {
    const y = 26 + i * rowH;
    parts.push(`<text x="${left - 6}" y="${y + barH + 4}" text-anchor="end">${r.model}</text>`);
    for (const [j, key, colour] of [[0, 'klue', '#3b6fb6'], [1, 'glue', '#e08a2c']]) {
      const v = r[key];
      const yy = y + j * barH;
      if (v === undefined) parts.push(`<text x="${left + 2}" y="${yy + barH - 2}" fill="#999">not measured</text>`);
      else parts.push(`<rect x="${left}" y="${yy}" width="${Math.max(0, scale(v)).toFixed(1)}" height="${barH - 2}" fill="${colour}"/><text x="${left + Math.max(0, scale(v)) + 4}" y="${yy + barH - 2}">${v.toFixed(1)}</text>`);
    }
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

export { benchmarkOf };
