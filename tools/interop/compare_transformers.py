"""transformers' side of the interop check (tools/interop/check-transformers.mjs runs it in the pinned venv).

usage: compare_transformers.py <forward-dir> [<forward-dir> ...]

Each <forward-dir> holds koenbert.json and the float32 outputs that tools/interop/koenbert-forward.mjs wrote for one
model folder. For each, this loads the folder with transformers' Auto classes exactly as a user would
(AutoTokenizer, AutoModel, AutoModelForMaskedLM / AutoModelForSequenceClassification by the folder's task), tokenizes
the same inputs, runs the forward pass on koenbert's ids and prints one JSON object per folder on stdout.
"""

import json
import os
import sys
import warnings

import numpy as np
import torch
import transformers
from transformers import (
    AutoConfig,
    AutoModel,
    AutoModelForMaskedLM,
    AutoModelForSequenceClassification,
    AutoModelForTokenClassification,
    AutoTokenizer,
    PreTrainedTokenizerFast,
)

TOLERANCE = 1e-4
MODEL_CLASS = {
    "base": AutoModel,
    "masked-lm": AutoModelForMaskedLM,
    "sequence-classification": AutoModelForSequenceClassification,
    "token-classification": AutoModelForTokenClassification,
}
ARCHITECTURE = {
    "base": "BertModel",
    "masked-lm": "BertForMaskedLM",
    "sequence-classification": "BertForSequenceClassification",
    "token-classification": "BertForTokenClassification",
}


def read_floats(forward_dir, name, shape):
    data = np.fromfile(os.path.join(forward_dir, name), dtype="<f4")
    return data.reshape(shape)


def compare_ids(tokenizer, inputs, expected, max_length):
    """Ids (and token type ids) of each input against koenbert's; returns a dict with the first mismatches."""
    mismatches = []
    for index, item in enumerate(inputs):
        args = (item["text"],) if item.get("pair") is None else (item["text"], item["pair"])
        enc = tokenizer(*args, truncation=True, max_length=max_length)
        ids = list(enc["input_ids"])
        want = expected[index]
        want_ids = want["ids"] if isinstance(want, dict) else want
        bad = ids != want_ids
        if isinstance(want, dict) and "token_type_ids" in enc and list(enc["token_type_ids"]) != want["typeIds"]:
            bad = True
        if bad:
            mismatches.append(
                {
                    "input": index,
                    "text": item["text"][:80],
                    "transformers": tokenizer.convert_ids_to_tokens(ids)[:40],
                    "koenbert": tokenizer.convert_ids_to_tokens(want_ids)[:40],
                }
            )
    return {"class": type(tokenizer).__name__, "inputs": len(inputs), "equal": len(inputs) - len(mismatches), "mismatches": mismatches[:3]}


def claims_slow(folder):
    """A folder claims a slow (Python) tokenizer when it has vocab.txt and tokenizer_config.json names BertTokenizer."""
    config_file = os.path.join(folder, "tokenizer_config.json")
    if not os.path.exists(os.path.join(folder, "vocab.txt")) or not os.path.exists(config_file):
        return False
    with open(config_file, encoding="utf-8") as handle:
        return json.load(handle).get("tokenizer_class") in ("BertTokenizer", None)


def load_slow(folder):
    """The pure-Python tokenizer: transformers 5 keeps it as <Class>Legacy (its BertTokenizer is the Rust one and
    use_fast=False no longer changes that); transformers 4 gives it for use_fast=False."""
    with open(os.path.join(folder, "tokenizer_config.json"), encoding="utf-8") as handle:
        name = json.load(handle).get("tokenizer_class") or "BertTokenizer"
    legacy = getattr(transformers, f"{name}Legacy", None)
    if legacy is not None:
        return legacy.from_pretrained(folder)
    return AutoTokenizer.from_pretrained(folder, use_fast=False)


def check_tokenizers(folder, data):
    inputs, max_length = data["inputs"], data["maxLength"]
    result = {}
    fast = AutoTokenizer.from_pretrained(folder)
    result["auto"] = compare_ids(fast, inputs, data["encodings"], max_length)
    result["auto"]["is_fast"] = bool(getattr(fast, "is_fast", False))
    result["rust_vs_typescript"] = {
        "equal": sum(1 for a, b in zip(data["rustIds"], data["encodings"]) if a == b["ids"]),
        "inputs": len(inputs),
    }
    if claims_slow(folder):
        try:
            slow = load_slow(folder)
            entry = compare_ids(slow, inputs, data["encodings"], max_length)
            entry["is_fast"] = bool(getattr(slow, "is_fast", False))
            result["slow"] = entry
        except Exception as error:  # noqa: BLE001 - reported, not hidden
            result["slow"] = {"error": f"{type(error).__name__}: {error}"[:400]}
    for file, entry in data.get("languageFiles", {}).items():
        if "ids" not in entry:
            result[file] = entry
            continue
        tokenizer = PreTrainedTokenizerFast(tokenizer_file=os.path.join(folder, file))
        result[file] = compare_ids(tokenizer, inputs, entry["ids"], max_length)
    return result


def tokenizers_ok(result):
    for name, entry in result.items():
        if name == "rust_vs_typescript":
            if entry["equal"] != entry["inputs"]:
                return False
        elif "skipped" in entry:
            continue
        elif "error" in entry or entry["equal"] != entry["inputs"]:
            return False
    return True


def max_diff(a, b, mask=None):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return {"error": f"shape {list(a.shape)} (transformers) vs {list(b.shape)} (koenbert)"}
    if mask is not None:
        a, b = a[mask], b[mask]
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def run_model(folder, data, forward_dir, task, auto_class):
    """Loads the folder with one Auto class and compares its outputs with koenbert's."""
    kwargs = {"num_labels": data["numLabels"]} if task in ("sequence-classification", "token-classification") else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model, info = auto_class.from_pretrained(folder, output_loading_info=True, **kwargs)
    model.eval()
    ids = torch.tensor(data["batch"]["inputIds"], dtype=torch.long)
    mask = torch.tensor(data["batch"]["attentionMask"], dtype=torch.long)
    types = torch.tensor(data["batch"]["tokenTypeIds"], dtype=torch.long)
    with torch.no_grad():
        out = model(input_ids=ids, attention_mask=mask, token_type_ids=types, output_hidden_states=True)
    valid = mask.numpy().astype(bool)
    shapes = data["outputs"]
    last = out.hidden_states[-1].numpy() if getattr(out, "hidden_states", None) is not None else out.last_hidden_state.numpy()
    diffs = {"last_hidden_state": max_diff(last, read_floats(forward_dir, "last_hidden_state.f32", shapes["lastHiddenState"]), valid)}
    if task == "base" and "pooledOutput" in shapes:
        diffs["pooler_output"] = max_diff(out.pooler_output.numpy(), read_floats(forward_dir, "pooled_output.f32", shapes["pooledOutput"]))
    if task == "sequence-classification":
        diffs["logits"] = max_diff(out.logits.numpy(), read_floats(forward_dir, "logits.f32", shapes["logits"]))
    if task == "token-classification":
        diffs["logits"] = max_diff(out.logits.numpy(), read_floats(forward_dir, "logits.f32", shapes["logits"]), valid)
    if task == "masked-lm" and data["logitPositions"]:
        flat = out.logits.numpy().reshape(-1, out.logits.shape[-1])[data["logitPositions"]]
        diffs["logits"] = max_diff(flat, read_floats(forward_dir, "logits.f32", shapes["logits"]))
    loading = {key: sorted(value) for key, value in info.items() if value and key != "error_msgs"}
    if info.get("error_msgs"):
        loading["error_msgs"] = [str(message)[:300] for message in info["error_msgs"]]
    return {"class": type(model).__name__, "loading": loading, "max_abs_diff": diffs}


def model_ok(entry, own_class):
    if "error" in entry:
        return False
    if any(isinstance(value, dict) or value > TOLERANCE for value in entry["max_abs_diff"].values()):
        return False
    # the folder's own class must load every tensor it has and miss none
    return not (own_class and (entry["loading"].get("missing_keys") or entry["loading"].get("mismatched_keys") or entry["loading"].get("error_msgs")))


def check(forward_dir):
    with open(os.path.join(forward_dir, "koenbert.json"), encoding="utf-8") as handle:
        data = json.load(handle)
    folder, task = data["dir"], data["task"]
    result = {"folder": folder, "task": task}
    if task is None:  # a tokenizer folder
        try:
            result["tokenizers"] = check_tokenizers(folder, data)
            result["ok"] = tokenizers_ok(result["tokenizers"])
        except Exception as error:  # noqa: BLE001
            result["tokenizers"] = {"error": f"{type(error).__name__}: {error}"[:400]}
            result["ok"] = False
        return result
    config = AutoConfig.from_pretrained(folder)
    result["config"] = {"class": type(config).__name__, "architectures": config.architectures}
    ok = config.architectures == [ARCHITECTURE[task]]
    try:
        result["tokenizers"] = check_tokenizers(folder, data)
        ok = ok and tokenizers_ok(result["tokenizers"])
    except Exception as error:  # noqa: BLE001
        result["tokenizers"] = {"error": f"{type(error).__name__}: {error}"[:400]}
        ok = False
    result["models"] = {}
    # the folder's own class, and AutoModel (the encoder alone) for head classes, as users load both
    for name, own in [(task, True)] + ([("base", False)] if task != "base" else []):
        try:
            entry = run_model(folder, data, forward_dir, name if own else "base", MODEL_CLASS[name])
        except Exception as error:  # noqa: BLE001
            entry = {"error": f"{type(error).__name__}: {error}"[:400]}
        entry["ok"] = model_ok(entry, own)
        ok = ok and entry["ok"]
        result["models"][MODEL_CLASS[name].__name__] = entry
    result["ok"] = bool(ok)
    return result


def main():
    torch.set_num_threads(int(os.environ.get("KOENBERT_INTEROP_TORCH_THREADS", "1")))
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    versions = {"transformers": transformers.__version__, "torch": torch.__version__, "numpy": np.__version__}
    try:
        import tokenizers
        import safetensors

        versions.update(tokenizers=tokenizers.__version__, safetensors=safetensors.__version__)
    except ImportError:
        pass
    print(json.dumps({"versions": versions}), flush=True)
    for forward_dir in sys.argv[1:]:
        print(json.dumps(check(forward_dir), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
