"""Cross-check ``moviattn.faithfulness`` against ferret 0.4.2's own evaluator classes on the shipped sentiment classifiers.

ferret does not install beside the project (it pins transformers < 5, numpy < 2, captum < 0.8, datasets < 3);
its evaluator modules are imported from the unpacked wheel under stub parent packages (``ferret/__init__``
imports its benchmark, which needs seaborn), and given a helper that maps an item's text (its word
positions) to the classifier's two-class logits. Words are removed, not masked, as the project does::

    pip download ferret-xai==0.4.2 --no-deps -d /tmp/ferret && unzip -q /tmp/ferret/*.whl -d /tmp/ferret/src
    python benchmarks/ferret_crosscheck.py /tmp/ferret/src 20

Prints, per classifier and measure, the largest per-item difference between the two implementations.
"""
import importlib
import sys
import time
import types
from pathlib import Path

import numpy as np
import torch

FERRET_SRC, N = Path(sys.argv[1]), int(sys.argv[2])
for name, path in [("ferret", FERRET_SRC / "ferret"), ("ferret.explainers", FERRET_SRC / "ferret" / "explainers")]:
    stub = types.ModuleType(name)
    stub.__path__ = [str(path)]
    sys.modules[name] = stub
fm = importlib.import_module("ferret.evaluators.faithfulness_measures")  # noqa: E402 (after the stub packages)
from ferret.explainers.explanation import Explanation  # noqa: E402 (after the stub packages)

from moviattn.faithfulness import ERASER_FRACTIONS, faithfulness  # noqa: E402 (after the stub packages)
from moviattn.sentiment.artifacts import VOCAB_FILE, WEIGHTS_DIR, read_model  # noqa: E402 (after the stub packages)
from moviattn.sentiment.data import DEFAULT_DATA_DIR, Vocab, load_split  # noqa: E402 (after the stub packages)
from moviattn.sentiment.explain import EXPLAINERS, MODEL_EXPLAINERS, batch_importance  # noqa: E402 (after the stub packages)
from moviattn.sentiment.pipeline import SEED  # noqa: E402 (after the stub packages)
from moviattn.sentiment.training import TrainConfig, encode_all, predict_proba  # noqa: E402 (after the stub packages)

vocab = Vocab.load(Path(WEIGHTS_DIR) / VOCAB_FILE)
test = load_split(Path(DEFAULT_DATA_DIR) / "test.tsv")
seqs = [np.asarray(s) for s in encode_all(vocab, test.tokens[: 3 * N], TrainConfig(seed=SEED).max_tokens) if len(s) >= 2][:N]

class Tok:
    cls_token, mask_token_id = None, None
    def decode(self, ids):
        return " ".join(str(int(i)) for i in ids)
class Helper:
    def __init__(self, model):
        self.model, self.tokenizer = model, Tok()
    def _tokenize(self, text):
        ids = torch.tensor([[int(t) for t in text.split()]])
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids)}
    def _forward(self, texts, output_hidden_states=False):
        texts = [texts] if isinstance(texts, str) else texts
        p = predict_proba(self.model, [self.item[[int(t) for t in x.split()]] for x in texts])
        return None, torch.log(torch.tensor(np.stack([1 - p, p], 1)))
def evaluator(cls, model):
    e = object.__new__(cls)
    e.helper = Helper(model)
    return e
args = dict(remove_first_last=False, only_pos=True, removal_args={"remove_tokens": True, "based_on": "perc", "thresholds": list(ERASER_FRACTIONS)})
for name, method in MODEL_EXPLAINERS.items():
    model = read_model(name, len(vocab), WEIGHTS_DIR)
    probs, importance = batch_importance(model, EXPLAINERS[method], seqs)
    targets = (probs >= 0.5).astype(int)
    def target_probability(requests):
        p = predict_proba(model, [seqs[i][k] for i, k in requests])
        return np.where(targets[[i for i, _ in requests]] == 1, p, 1 - p)
    started = time.perf_counter()
    ours = faithfulness(importance, target_probability)
    t_ours = time.perf_counter() - started
    started = time.perf_counter()
    theirs = {short: [] for short in ("aopc_compr", "aopc_suff", "taucorr_loo")}
    for cls in (fm.AOPC_Comprehensiveness_Evaluation, fm.AOPC_Sufficiency_Evaluation, fm.TauLOO_Evaluation):
        e = evaluator(cls, model)
        for s, imp, t in zip(seqs, importance, targets):
            e.helper.item = s  # an item's text is its word positions; the helper reads the words' rows
            text = " ".join(str(i) for i in range(len(s)))
            theirs[cls.SHORT_NAME].append(e.compute_evaluation(Explanation(text, text.split(), np.asarray(imp), method, int(t)), target=int(t), **args).score)
    t_theirs = time.perf_counter() - started
    for m in theirs:
        a = np.array([getattr(f, m) for f in ours])
        b = np.array(theirs[m], dtype=float)
        ok = ~(np.isnan(a) | np.isnan(b))
        print(f"{method} {m}: items {len(a)}, both defined {ok.sum()}, NaN mismatches {(np.isnan(a) != np.isnan(b)).sum()}, "
              f"max |ours - ferret| {np.abs(a[ok] - b[ok]).max():.2e}, means {a[ok].mean():.4f} / {b[ok].mean():.4f}")
    print(f"{method}: ours {t_ours:.1f} s, ferret {t_theirs:.1f} s", flush=True)
