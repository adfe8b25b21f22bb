"""What Python `transformers` does with a koenbert merged tokenizer folder, on real Korean, English and mixed text.

Checks, line by line, against HF `tokenizers` (Rust) loading the folder's files directly:
  - AutoTokenizer.from_pretrained(folder) (and use_fast=False) gives tokenizer.json's ids;
  - PreTrainedTokenizerFast(tokenizer_file=tokenizer-ko.json / tokenizer-en.json) gives those files' ids;
and counts the lines where BertTokenizer.from_pretrained(folder) — which builds its own normaliser from vocab.txt and
tokenizer_config.json — differs (expected: most Korean lines, since it lowercases and splits Hangul into jamo).

Run here (2026-12-04) with transformers 5.25.0 and tokenizers 0.23.3 (pip, no PyTorch needed):
  python3 -m venv /tmp/tfv && /tmp/tfv/bin/pip install transformers tokenizers
  npm run koenbert -- merge-vocab --korean ../shared/data/tokenizers/kcelectra-base \
      --english ../shared/data/tokenizers/bert-base-uncased --output /tmp/ko-en-tokenizer
  /tmp/tfv/bin/python tools/golden/check-merged-tokenizer-transformers.py /tmp/ko-en-tokenizer ../shared/data
Exits 1 when AutoTokenizer or a per-language file disagrees with `tokenizers` on any line.
"""
import csv
import sys
from pathlib import Path

import tokenizers
import transformers
from tokenizers import Tokenizer
from transformers import AutoTokenizer, BertTokenizer, PreTrainedTokenizerFast

folder, data = Path(sys.argv[1]), Path(sys.argv[2])


def lines(path, limit=1500, column=None):
    out = []
    with open(path, encoding="utf-8") as handle:
        if column is None:
            out = [line.strip() for line in handle if line.strip()]
        else:
            out = [row[column].strip() for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE) if row.get(column)]
    step = max(1, len(out) // limit)
    return out[::step][:limit]


korean = lines(data / "text/parallel/korean-english-park.dev.ko") + lines(data / "kor-nlu/korsts-dev.tsv", column="sentence1")
english = lines(data / "text/parallel/korean-english-park.dev.en") + lines(data / "glue/sst2/dev.tsv", column="sentence")
mixed = [f"{k} {e}" for k, e in zip(lines(data / "text/parallel/jhe-koen-dev.ko"), lines(data / "text/parallel/jhe-koen-dev.en"))]
texts = {"Korean": korean, "English": english, "mixed": mixed}

special = dict(unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]", pad_token="[PAD]", mask_token="[MASK]")
checks = [
    ("AutoTokenizer", AutoTokenizer.from_pretrained(folder), "tokenizer.json", True),
    ("AutoTokenizer use_fast=False", AutoTokenizer.from_pretrained(folder, use_fast=False), "tokenizer.json", True),
    ("PreTrainedTokenizerFast tokenizer-ko.json", PreTrainedTokenizerFast(tokenizer_file=str(folder / "tokenizer-ko.json"), **special), "tokenizer-ko.json", True),
    ("PreTrainedTokenizerFast tokenizer-en.json", PreTrainedTokenizerFast(tokenizer_file=str(folder / "tokenizer-en.json"), **special), "tokenizer-en.json", True),
    ("BertTokenizer (vocab.txt)", BertTokenizer.from_pretrained(folder), "tokenizer.json", False),
]
print(f"transformers {transformers.__version__}, tokenizers {tokenizers.__version__}; {folder}")
print(f"{'loaded as':60} {'vs':18} " + " ".join(f"{name} ({len(t)})".rjust(18) for name, t in texts.items()))
failed = False
for label, tokenizer, file, must_agree in checks:
    rust = Tokenizer.from_file(str(folder / file))
    cells = []
    for batch in texts.values():
        same = sum(tokenizer(text)["input_ids"] == rust.encode(text).ids for text in batch)
        cells.append(f"{same}/{len(batch)}".rjust(18))
        failed |= must_agree and same != len(batch)
    print(f"{label + ' → ' + type(tokenizer).__name__:60} {file:18} " + " ".join(cells))
sys.exit(1 if failed else 0)
