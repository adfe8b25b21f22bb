#!/usr/bin/env python3
"""Golden values for KLUE's official NER and STS scoring in @koenbert/eval-klue-glue
(packages/eval-klue-glue/test/fixtures/klue-metrics-golden.json, read by test/klue-metrics-golden.test.ts).

Rerun from the repository root (needs ../shared/data for the real KLUE dev labels):
    /usr/bin/python3 tools/golden/make-klue-metrics-golden.py

Written from the definitions, independently of the TypeScript code, with Python 3 and numpy only (the versions are
written into the file); scipy, scikit-learn and seqeval are not installed here, so what they compute is spelt out:
- KLUE NER (KLUE-baseline klue_ner_entity_macro_f1 / klue_ner_char_macro_f1): the sentences' characters without
  whitespace (str.isspace), all sentences joined into one sequence;
  * entities with seqeval's strict IOB2 semantics: an entity is B-X followed by the longest run of I-X; an I-X that
    does not continue an entity of type X belongs to no entity; an entity is correct when type, start and end match;
  * entity macro F1: F1 of each entity type in gold or predictions (0 where precision + recall is 0), averaged
    (seqeval f1_score(average='macro')); entity micro F1 over all entities (seqeval's default);
  * character macro F1: per tag id in range(13) (O included) F1 = 2PR / (P + R) with an undefined ratio set to 1
    (scikit-learn f1_score(labels=range(13), average='macro', zero_division=1)), averaged.
- KLUE STS: Pearson r of gold real-label and predicted scores (numpy.corrcoef, float64); F1 of the paraphrase class
  with predictions binarised at score >= 3.0 against labels.binary-label.
Predictions are model-like: the real dev gold with seeded errors (numpy.random.default_rng), plus edge cases.
"""
import json
import os
import platform
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(os.path.dirname(ROOT), 'shared', 'data')
OUT = os.path.join(ROOT, 'packages', 'eval-klue-glue', 'test', 'fixtures', 'klue-metrics-golden.json')
NER_LABELS = ['B-DT', 'I-DT', 'B-LC', 'I-LC', 'B-OG', 'I-OG', 'B-PS', 'I-PS', 'B-QT', 'I-QT', 'B-TI', 'I-TI', 'O']
TYPES = ['DT', 'LC', 'OG', 'PS', 'QT', 'TI']
O = NER_LABELS.index('O')


def read_ner(path, count):
    sentences = []
    chars, tags = [], []
    with open(path, encoding='utf-8') as f:
        for line in f.read().split('\n'):
            if line.startswith('##') or line == '':
                if chars:
                    sentences.append((chars, tags))
                    chars, tags = [], []
                    if len(sentences) == count:
                        break
                continue
            char, tag = line.split('\t')
            chars.append(char)
            tags.append(NER_LABELS.index(tag))
    if chars and len(sentences) < count:
        sentences.append((chars, tags))
    return sentences


# ---- scoring, from the definitions -------------------------------------------------------------------------

def entities(tags):
    """Strict IOB2 spans (type, start, end) of one tag-name sequence."""
    spans = []
    current = None
    for i, tag in enumerate(tags):
        prefix, kind = (tag[0], tag[2:]) if tag != 'O' else ('O', '')
        if current is not None and prefix == 'I' and kind == current[0]:
            current[2] = i + 1
            continue
        if current is not None:
            spans.append(tuple(current))
        current = [kind, i, i + 1] if prefix == 'B' else None
    if current is not None:
        spans.append(tuple(current))
    return spans


def prf(tp, n_pred, n_gold):
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return (2 * p * r / (p + r)) if p + r else 0.0


def klue_ner(chars, gold, pred):
    flat_gold, flat_pred = [], []
    for c, g, p in zip(chars, gold, pred):
        for ch, gt, pt in zip(c, g, p):
            if ch.isspace():
                continue
            flat_gold.append(gt)
            flat_pred.append(pt)
    gold_spans = set(entities([NER_LABELS[t] for t in flat_gold]))
    pred_spans = set(entities([NER_LABELS[t] for t in flat_pred]))
    kinds = sorted({s[0] for s in gold_spans} | {s[0] for s in pred_spans})
    per_type = []
    for kind in kinds:
        g = {s for s in gold_spans if s[0] == kind}
        p = {s for s in pred_spans if s[0] == kind}
        per_type.append(prf(len(g & p), len(p), len(g)))
    macro = float(np.mean(per_type)) if per_type else 0.0
    micro = prf(len(gold_spans & pred_spans), len(pred_spans), len(gold_spans))
    g = np.array(flat_gold)
    p = np.array(flat_pred)
    f1s = []
    for label in range(len(NER_LABELS)):
        tp = int(np.sum((g == label) & (p == label)))
        n_pred = int(np.sum(p == label))
        n_gold = int(np.sum(g == label))
        precision = tp / n_pred if n_pred else 1.0
        recall = tp / n_gold if n_gold else 1.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return {'entity_macro_f1': macro, 'entity_f1': micro, 'char_macro_f1': float(np.mean(f1s))}


def klue_sts(gold_real, gold_binary, pred):
    x = np.array(gold_real, dtype=np.float64)
    y = np.array(pred, dtype=np.float64)
    pearson = float(np.corrcoef(x, y)[0, 1])
    b = np.array(gold_binary)
    pb = (y >= 3.0).astype(int)
    tp = int(np.sum((b == 1) & (pb == 1)))
    fp = int(np.sum((b == 0) & (pb == 1)))
    fn = int(np.sum((b == 1) & (pb == 0)))
    f1 = 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else 0.0
    return {'pearson': pearson, 'f1': f1}


# ---- model-like predictions --------------------------------------------------------------------------------

def perturb_ner(rng, sentences, rate):
    """Gold tags with entity-level errors: wrong type, shifted end, dropped entity, spurious entity, stray I-."""
    out = []
    for chars, tags in sentences:
        pred = list(tags)
        names = [NER_LABELS[t] for t in tags]
        for kind, start, end in entities(names):
            u = rng.random()
            if u < rate * 0.3:
                new = TYPES[int(rng.integers(len(TYPES)))]
                pred[start] = NER_LABELS.index('B-' + new)
                for i in range(start + 1, end):
                    pred[i] = NER_LABELS.index('I-' + new)
            elif u < rate * 0.6 and end - start > 1:
                pred[end - 1] = O
            elif u < rate * 0.8:
                for i in range(start, end):
                    pred[i] = O
        for i in range(len(pred)):
            if pred[i] == O and rng.random() < rate * 0.02:
                kind = TYPES[int(rng.integers(len(TYPES)))]
                prefix = 'I-' if rng.random() < 0.3 else 'B-'
                pred[i] = NER_LABELS.index(prefix + kind)
        out.append(pred)
    return out


def edge_ner():
    """Hand-made sentences: an entity broken by a space, a stray I- at a sentence start continuing the previous
    sentence's entity once sentences are joined, tags on spaces, a type only predicted."""
    def sent(text, tags):
        chars = list(text)
        assert len(chars) == len(tags)
        return chars, [NER_LABELS.index(t) for t in tags]
    s1 = sent('김 철수 씨', ['B-PS', 'I-PS', 'I-PS', 'I-PS', 'O', 'O'])
    s2 = sent('서울 시청', ['B-LC', 'I-LC', 'O', 'B-OG', 'I-OG'])
    s3 = sent('오늘 3시', ['B-DT', 'I-DT', 'O', 'B-TI', 'I-TI'])
    gold = [s1, s2, s3]
    preds = [
        # the space in "김 철수" predicted O: without spaces the entity is whole and correct
        [[NER_LABELS.index(t) for t in ['B-PS', 'O', 'I-PS', 'I-PS', 'O', 'O']],
         s2[1], s3[1]],
        # s1 ends in O, but s2's first tag is a stray I-OG after "씨" (O): no entity; s3 starts with I-TI after s2's OG
        [s1[1],
         [NER_LABELS.index(t) for t in ['I-OG', 'I-OG', 'O', 'B-OG', 'I-OG']],
         [NER_LABELS.index(t) for t in ['I-OG', 'I-DT', 'O', 'B-QT', 'I-QT']]],
        # everything O
        [[O] * len(s[0]) for s in gold],
    ]
    return gold, preds


def main():
    rng = np.random.default_rng(20261204)
    cases = []
    ner = read_ner(os.path.join(DATA, 'klue', 'ner', 'klue-ner-v1.1_dev.tsv'), 300)
    chars = [c for c, _ in ner]
    gold = [t for _, t in ner]
    for name, pred in [
        ('KLUE NER dev (300 sentences), perfect', gold),
        ('KLUE NER dev (300 sentences), light errors', perturb_ner(rng, ner, 0.2)),
        ('KLUE NER dev (300 sentences), heavy errors', perturb_ner(rng, ner, 0.8)),
    ]:
        cases.append({'name': name, 'task': 'klue-ner', 'chars': [''.join(c) for c in chars], 'gold': gold, 'predicted': pred,
                      'expected': klue_ner(chars, gold, pred)})
    edge_gold, edge_preds = edge_ner()
    for i, pred in enumerate(edge_preds):
        ec = [c for c, _ in edge_gold]
        eg = [t for _, t in edge_gold]
        cases.append({'name': f'hand-made sentences, prediction {i + 1}', 'task': 'klue-ner', 'chars': [''.join(c) for c in ec], 'gold': eg,
                      'predicted': pred, 'expected': klue_ner(ec, eg, pred)})

    with open(os.path.join(DATA, 'klue', 'sts', 'klue-sts-v1.1_dev.json'), encoding='utf-8') as f:
        sts = json.load(f)
    real = [item['labels']['real-label'] for item in sts]
    binary = [item['labels']['binary-label'] for item in sts]
    for name, noise in [('KLUE STS dev, close predictions', 0.5), ('KLUE STS dev, noisy predictions', 1.5)]:
        pred = np.clip(np.array(real) + rng.normal(0, noise, len(real)), 0, 5)
        pred[:10] = 3.0  # exactly at the threshold: a paraphrase
        pred = [float(v) for v in pred]
        cases.append({'name': name, 'task': 'klue-sts', 'gold': real, 'goldBinary': binary, 'predicted': pred,
                      'expected': klue_sts(real, binary, pred)})

    golden = {
        'generator': 'tools/golden/make-klue-metrics-golden.py',
        'versions': {'python': platform.python_version(), 'numpy': np.__version__},
        'cases': cases,
    }
    with open(OUT, 'w', encoding='utf-8') as f:
        json.dump(golden, f, ensure_ascii=False, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {OUT}: {len(cases)} cases', file=sys.stderr)


if __name__ == '__main__':
    main()
