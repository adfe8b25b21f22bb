"""PyTorch side of tools/bench/bench-base-size.mjs: transformers' BertForSequenceClassification (random weights, fp32,
dropout 0.1) trained with AdamW and global-norm clipping on one fixed batch of random ids, the sizes given as JSON in
argv[1] ({vocab_size, hidden_size, num_hidden_layers, num_attention_heads, intermediate_size, batch, seq, warmup, steps,
threads}). Prints one JSON line: torch and transformers versions, threads, seconds of each timed step, peak RSS (MB)."""
import json
import resource
import sys
import time

import torch
import transformers

args = json.loads(sys.argv[1])
torch.set_num_threads(args["threads"])
torch.manual_seed(0)
config = transformers.BertConfig(
    vocab_size=args["vocab_size"],
    hidden_size=args["hidden_size"],
    num_hidden_layers=args["num_hidden_layers"],
    num_attention_heads=args["num_attention_heads"],
    intermediate_size=args["intermediate_size"],
    num_labels=2,
)
model = transformers.BertForSequenceClassification(config).train()
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.01)
batch, seq = args["batch"], args["seq"]
ids = torch.randint(5, args["vocab_size"], (batch, seq))
labels = torch.arange(batch) % 2
times = []
for step in range(args["warmup"] + args["steps"]):
    start = time.perf_counter()
    loss = model(input_ids=ids, attention_mask=torch.ones_like(ids), labels=labels).loss
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    if step >= args["warmup"]:
        times.append(time.perf_counter() - start)
print(json.dumps({
    "torch": torch.__version__,
    "transformers": transformers.__version__,
    "threads": torch.get_num_threads(),
    "stepSeconds": times,
    "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
