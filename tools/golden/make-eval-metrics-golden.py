#!/usr/bin/env python3
"""Golden values for @koenbert/eval-klue-glue's metrics (packages/eval-klue-glue/test/fixtures/metrics-golden.json).

Rerun from the repository root (needs ../shared/data for the real KLUE/GLUE labels):
    /usr/bin/python3 tools/golden/make-eval-metrics-golden.py

Made with Debian 12's python3 3.11, numpy, scipy 1.10 and scikit-learn 1.2.1
(`apt-get install python3-sklearn`); the exact versions are written into the file.
- accuracy, F1 (binary), macro F1, KLUE character-level macro F1: sklearn.metrics
- Pearson r: scipy.stats.pearsonr; Spearman rho (average ranks for ties): scipy.stats.spearmanr
- entity F1 (seqeval strict IOB2, micro and macro): seqeval is not installable here, so its strict-mode
  semantics are written out below (an entity is B-X plus the longest run of I-X; a stray I-X is nothing;
  per-type scores over the union of gold and predicted types; 0 where a ratio is undefined).
Predictions are realistic: real gold labels from the dev files with model-like errors (seeded numpy).
"""
import json
import os
import platform
import sys

import numpy as np
import scipy
import scipy.stats
import sklearn
from sklearn.metrics import accuracy_score, f1_score

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(os.path.dirname(ROOT), 'shared', 'data')
OUT = os.path.join(ROOT, 'packages', 'eval-klue-glue', 'test', 'fixtures', 'metrics-golden.json')
NER_LABELS = ['B-DT', 'I-DT', 'B-LC', 'I-LC', 'B-OG', 'I-OG', 'B-PS', 'I-PS', 'B-QT', 'I-QT', 'B-TI', 'I-TI', 'O']
YNAT_LABELS = ['IT과학', '경제', '사회', '생활문화', '세계', '스포츠', '정치']
rng = np.random.default_rng(20261128)
cases = []


def add(name, metric, gold, predicted, expected, **extra):
    cases.append({'name': name, 'metric': metric, 'gold': gold, 'predicted': predicted, 'expected': expected, **extra})


def noisy_classes(gold, num_classes, keep, favourite=None):
    """Model-like predictions: correct with probability `keep`, else a random class (or a favourite one)."""
    out = []
    for g in gold:
        if rng.random() < keep:
            out.append(int(g))
        elif favourite is not None and rng.random() < 0.5:
            out.append(int(favourite))
        else:
            out.append(int(rng.integers(num_classes)))
    return out


# --- classification -------------------------------------------------------------------------------
with open(os.path.join(DATA, 'klue/ynat/ynat-v1.1_dev.json'), encoding='utf-8') as f:
    ynat_gold = [YNAT_LABELS.index(item['label']) for item in json.load(f)[:400]]
ynat_pred = noisy_classes(ynat_gold, 7, 0.7, favourite=2)
add('ynat-like macro F1', 'macro_f1', ynat_gold, ynat_pred, f1_score(ynat_gold, ynat_pred, average='macro'))
add('ynat-like accuracy', 'accuracy', ynat_gold, ynat_pred, accuracy_score(ynat_gold, ynat_pred))
never_predicted = [p if p != 6 else 2 for p in ynat_pred]  # class 6 never predicted
add('macro F1, a class never predicted', 'macro_f1', ynat_gold, never_predicted, f1_score(ynat_gold, never_predicted, average='macro', zero_division=0))
gold_without_5 = [g if g != 5 else 4 for g in ynat_gold]  # class 5 predicted but never gold
add('macro F1, a predicted class absent from gold', 'macro_f1', gold_without_5, ynat_pred, f1_score(gold_without_5, ynat_pred, average='macro', zero_division=0))
labels7 = list(range(7))
only3 = [g for g in ynat_gold if g in (0, 1, 2)][:60]
only3_pred = noisy_classes(only3, 3, 0.6)
add('macro F1 over a fixed label list with absent classes (zero_division=1)', 'macro_f1', only3, only3_pred,
    f1_score(only3, only3_pred, labels=labels7, average='macro', zero_division=1), labels=labels7, zeroDivision=1)
add('macro F1 over a fixed label list with absent classes (zero_division=0)', 'macro_f1', only3, only3_pred,
    f1_score(only3, only3_pred, labels=labels7, average='macro', zero_division=0), labels=labels7, zeroDivision=0)

with open(os.path.join(DATA, 'klue/nli/klue-nli-v1.1_dev.json'), encoding='utf-8') as f:
    nli_gold = [['entailment', 'neutral', 'contradiction'].index(item['gold_label']) for item in json.load(f)[:500]]
nli_pred = noisy_classes(nli_gold, 3, 0.55, favourite=0)
add('nli-like accuracy', 'accuracy', nli_gold, nli_pred, accuracy_score(nli_gold, nli_pred))

with open(os.path.join(DATA, 'glue/mrpc/dev.tsv'), encoding='utf-8-sig') as f:
    mrpc_gold = [int(line.split('\t')[0]) for line in f.read().splitlines()[1:]]
mrpc_pred = noisy_classes(mrpc_gold, 2, 0.75, favourite=1)
add('mrpc-like binary F1', 'binary_f1', mrpc_gold, mrpc_pred, f1_score(mrpc_gold, mrpc_pred))
add('mrpc-like accuracy', 'accuracy', mrpc_gold, mrpc_pred, accuracy_score(mrpc_gold, mrpc_pred))
all_negative = [0] * len(mrpc_gold)
add('binary F1, no positive predicted (majority-class baseline)', 'binary_f1', mrpc_gold, all_negative, f1_score(mrpc_gold, all_negative, zero_division=0))
add('binary F1, all positive (MRPC majority class)', 'binary_f1', mrpc_gold, [1] * len(mrpc_gold), f1_score(mrpc_gold, [1] * len(mrpc_gold)))
add('binary F1, no positives anywhere', 'binary_f1', [0, 0, 0], [0, 0, 0], f1_score([0, 0, 0], [0, 0, 0], zero_division=0))

# --- regression ------------------------------------------------------------------------------------
with open(os.path.join(DATA, 'klue/sts/klue-sts-v1.1_dev.json'), encoding='utf-8') as f:
    sts_gold = [float(item['labels']['label']) for item in json.load(f)]
sts_pred = [float(v) for v in np.round(np.clip(np.array(sts_gold) * 0.8 + 0.5 + rng.normal(0, 0.8, len(sts_gold)), 0, 5), 1)]
add('klue-sts-like Pearson (gold and predictions with many ties)', 'pearson', sts_gold, sts_pred, scipy.stats.pearsonr(sts_gold, sts_pred)[0])
add('klue-sts-like Spearman (ties, average ranks)', 'spearman', sts_gold, sts_pred, scipy.stats.spearmanr(sts_gold, sts_pred)[0])
with open(os.path.join(DATA, 'glue/stsb/dev.tsv'), encoding='utf-8') as f:
    stsb_gold = [float(line.split('\t')[-1]) for line in f.read().splitlines()[1:]][:600]
stsb_pred = [float(v) for v in np.clip(np.array(stsb_gold) + rng.normal(0, 1.0, len(stsb_gold)), 0, 5)]
add('stsb-like Spearman (ties in gold only)', 'spearman', stsb_gold, stsb_pred, scipy.stats.spearmanr(stsb_gold, stsb_pred)[0])
add('stsb-like Pearson', 'pearson', stsb_gold, stsb_pred, scipy.stats.pearsonr(stsb_gold, stsb_pred)[0])
coarse = [float(round(v)) for v in stsb_pred]
add('Spearman, predictions in 6 tie blocks', 'spearman', stsb_gold, coarse, scipy.stats.spearmanr(stsb_gold, coarse)[0])
add('Spearman, small hand case', 'spearman', [1, 2, 2, 3, 4, 4, 4, 5], [2, 1, 3, 3, 5, 4, 4, 4], scipy.stats.spearmanr([1, 2, 2, 3, 4, 4, 4, 5], [2, 1, 3, 3, 5, 4, 4, 4])[0])


# --- NER -------------------------------------------------------------------------------------------
def strict_entities(tags):
    """seqeval strict IOB2: B-X followed by the longest run of I-X; anything else starts nothing."""
    found = []
    i = 0
    while i < len(tags):
        tag = tags[i]
        if tag.startswith('B-'):
            kind = tag[2:]
            j = i + 1
            while j < len(tags) and tags[j] == 'I-' + kind:
                j += 1
            found.append((kind, i, j))
            i = j
        else:
            i += 1
    return found


def safe_div(a, b):
    return a / b if b else 0.0


def seqeval_strict(gold_sentences, pred_sentences):
    gold = set()
    pred = set()
    for s, (g, p) in enumerate(zip(gold_sentences, pred_sentences)):
        gold |= {(s,) + e for e in strict_entities(g)}
        pred |= {(s,) + e for e in strict_entities(p)}
    def scores(g, p):
        tp = len(g & p)
        precision = safe_div(tp, len(p))
        recall = safe_div(tp, len(g))
        return precision, recall, safe_div(2 * precision * recall, precision + recall)
    precision, recall, f1 = scores(gold, pred)
    kinds = sorted({e[1] for e in gold} | {e[1] for e in pred})
    per_type = [scores({e for e in gold if e[1] == k}, {e for e in pred if e[1] == k})[2] for k in kinds]
    macro = float(np.mean(per_type)) if per_type else 0.0
    return {'precision': precision, 'recall': recall, 'f1': f1, 'macroF1': macro}


def read_ner(path, limit):
    sentences, current = [], []
    with open(path, encoding='utf-8') as f:
        for line in f.read().split('\n'):
            if line.startswith('##'):
                continue
            if line == '':
                if current:
                    sentences.append(current)
                current = []
                if len(sentences) == limit:
                    break
                continue
            current.append(line.split('\t')[1])
    return sentences


def corrupt(tags):
    """Model-like NER errors: drop an entity, change a type, move a boundary, add a spurious or stray-I entity."""
    tags = list(tags)
    for kind, start, end in strict_entities(tags):
        r = rng.random()
        if r < 0.12:
            for k in range(start, end):
                tags[k] = 'O'
        elif r < 0.22:
            other = rng.choice(['PS', 'LC', 'OG', 'DT', 'TI', 'QT'])
            tags[start] = 'B-' + other
            for k in range(start + 1, end):
                tags[k] = 'I-' + other
        elif r < 0.32 and end < len(tags):
            tags[end] = 'I-' + kind
        elif r < 0.40 and end - start > 1:
            tags[end - 1] = 'O'
        elif r < 0.45:
            tags[start] = 'I-' + kind  # stray I: the entity is lost in strict mode
    if rng.random() < 0.3 and len(tags) > 3:
        k = int(rng.integers(len(tags) - 2))
        if tags[k] == 'O' and tags[k + 1] == 'O':
            tags[k], tags[k + 1] = 'B-QT', 'I-QT'
    return tags


ner_gold = read_ner(os.path.join(DATA, 'klue/ner/klue-ner-v1.1_dev.tsv'), 60)
ner_pred = [corrupt(s) for s in ner_gold]
ner_pred[3] = ['O'] * len(ner_gold[3])  # a sentence with no predicted entities
ner_gold_empty = [['O'] * len(s) for s in ner_gold[:5]]


def ner_case(name, gold, pred):
    add(name, 'entity', gold, pred, seqeval_strict(gold, pred))
    gi = [NER_LABELS.index(t) for s in gold for t in s]
    pi = [NER_LABELS.index(t) for s in pred for t in s]
    add(name + ' (KLUE character macro F1)', 'char_macro_f1', [[NER_LABELS.index(t) for t in s] for s in gold],
        [[NER_LABELS.index(t) for t in s] for s in pred],
        f1_score(gi, pi, labels=list(range(len(NER_LABELS))), average='macro', zero_division=1), numLabels=len(NER_LABELS))


ner_case('klue-ner dev, 60 sentences, model-like errors', ner_gold, ner_pred)
ner_case('no gold entities, some predicted', ner_gold_empty, ner_pred[:5])
ner_case('gold entities, nothing predicted', ner_gold[:5], ner_gold_empty)
ner_case('no entities anywhere', ner_gold_empty, ner_gold_empty)
ner_case('perfect predictions', ner_gold[:10], ner_gold[:10])
ner_case('hand cases: stray I, type switch inside, adjacent B', [
    ['B-PS', 'I-PS', 'O', 'B-LC', 'B-LC', 'I-LC'],
    ['O', 'O', 'O'],
    ['B-DT', 'I-DT', 'I-DT', 'O', 'B-TI'],
], [
    ['I-PS', 'I-PS', 'O', 'B-LC', 'B-LC', 'I-LC'],
    ['B-OG', 'O', 'I-OG'],
    ['B-DT', 'I-TI', 'I-DT', 'O', 'B-TI'],
])

versions = {'python': platform.python_version(), 'numpy': np.__version__, 'scipy': scipy.__version__, 'sklearn': sklearn.__version__}
with open(OUT, 'w', encoding='utf-8') as f:
    json.dump({'generatedBy': 'tools/golden/make-eval-metrics-golden.py', 'versions': versions, 'cases': cases}, f, ensure_ascii=False)
    f.write('\n')
print(f'wrote {len(cases)} cases to {os.path.relpath(OUT, ROOT)} ({os.path.getsize(OUT)} bytes) with {versions}', file=sys.stderr)
