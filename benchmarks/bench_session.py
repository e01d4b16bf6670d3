"""Speed (and accuracy) of our GRU4Rec / SASRec against RecBole 1.2.1 on ML-100K, leave-one-out.

Prints one table: training events/s and seconds per epoch, full-ranking evaluation users/s, and
validation / test Recall@20 and MRR@20. Bounded: ``--epochs`` epochs for each side (default 2),
so the whole run takes a few minutes; ``--recbole-epochs 0`` skips RecBole.

    python benchmarks/bench_session.py                     # ours only if RecBole's venv is absent
    python benchmarks/bench_session.py --make-venv         # create /tmp/recbole-venv first (pip)
    python benchmarks/bench_session.py --epochs 1 --recbole-epochs 1 --threads 0   # torch's default threads
    python benchmarks/bench_session.py --models sasrec --epochs 0 --recbole-epochs 300 --recbole-resume /tmp/recbole_ckpt

``--recbole-resume DIR`` continues each RecBole model from its newest checkpoint in DIR (RecBole saves
the best validation epoch so far): the model, optimizer, best score and patience count come back,
the epochs after that best are run again, and the shuffle order restarts from the seed (RecBole
re-seeds its loader's generator and does not save the global RNG), so a resumed run is not the
uninterrupted run epoch for epoch, only the same training continued; the curve printed starts at
the resumed epoch. ``--epochs 0`` skips our side; ``--recbole-epochs N`` is RecBole's own epoch
limit, so with ``--recbole-resume`` an N at or below the checkpoint's epoch (0) trains nothing and only
tests the checkpoint (a run stopped by hand).

RecBole runs in its own virtual environment (never the project's), on the same cached atomic files
(``python -m moviattn sessions fetch ml-100k --wheel ...``) and the same protocol (rating ≥ 3,
10-core, leave-one-out ordered by time, full ranking). Its metrics do not exclude seen items and
break ties by index, so the "ours" columns here use ``exclude_seen=False`` too (still with
conservative ties, which can only lower ours). The worker mode (``--recbole-worker``) is what runs
inside that environment; it imports only RecBole.

Both sides run with ``--threads 1`` by default: on a loaded 2-core machine two torch threads spin
against each other (a GRU4Rec step went from 4.6 ms on one thread to 156 ms on two), and RecBole at
its default two threads did not finish one GRU4Rec epoch in 28 minutes there.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VENV = Path("/tmp/recbole-venv")
VENV_PACKAGES = ["torch==2.13.0", "numpy<2", "pandas<3", "recbole==1.2.1"]


class BudgetSpent(Exception):
    """Raised after the epoch that used up ``--budget-minutes``."""


def recbole_worker(
    model: str, data_path: str, epochs: int, stopping_step: int, seed: int, threads: int, budget_minutes: float = 0, resume: str = ""
) -> dict:
    """Train and test RecBole's ``model``; runs inside the RecBole venv. Returns timings and metrics.

    With ``budget_minutes`` no epoch starts after that much training time; the best validation
    checkpoint so far is then tested, and ``stopped_by`` says whether early stopping, the epoch
    limit or the budget ended training. ``resume`` (a checkpoint file) continues training from it.
    """
    import torch

    if threads:
        torch.set_num_threads(threads)

    original_load = torch.load
    torch.load = lambda *a, **k: original_load(*a, **{**k, "weights_only": False})
    from recbole.config import Config
    from recbole.data import create_dataset, data_preparation
    from recbole.utils import get_model, get_trainer, init_seed

    config = Config(
        model=model,
        dataset="ml-100k",
        config_dict={
            "data_path": data_path,
            "load_col": {"inter": ["user_id", "item_id", "rating", "timestamp"]},
            "val_interval": {"rating": "[3,inf)"},
            "user_inter_num_interval": "[10,inf)",
            "item_inter_num_interval": "[10,inf)",
            "eval_args": {"split": {"LS": "valid_and_test"}, "order": "TO", "mode": "full", "group_by": "user"},
            "train_neg_sample_args": None,
            "loss_type": "CE",
            "metrics": ["Recall", "MRR", "NDCG", "Hit"],
            "topk": [10, 20],
            "valid_metric": "MRR@20",
            "epochs": epochs,
            "stopping_step": stopping_step,
            "seed": seed,
            "reproducibility": True,
            "use_gpu": False,
            "device": "cpu",
            "show_progress": False,
            "checkpoint_dir": "/tmp/recbole_ckpt",
            "save_dataset": False,
            "save_dataloaders": False,
        },
    )
    init_seed(config["seed"], config["reproducibility"])
    dataset = create_dataset(config)
    train, valid, test = data_preparation(config, dataset)
    net = get_model(config["model"])(config, train.dataset).to(config["device"])
    trainer = get_trainer(config["MODEL_TYPE"], config["model"])(config, net)
    if resume:
        trainer.resume_checkpoint(resume)  # new bests overwrite this file
    first_epoch, resumed_best = trainer.start_epoch, float(trainer.best_valid_score)
    spent = {"train": [], "valid": []}

    def timed(method, key):
        def run(*args, **kwargs):
            start = time.perf_counter()
            result = method(*args, **kwargs)
            spent[key].append(time.perf_counter() - start)
            return result

        return run

    trainer._train_epoch = timed(trainer._train_epoch, "train")
    trainer._valid_epoch = timed(trainer._valid_epoch, "valid")
    curve: list[float] = []

    def after_epoch(epoch: int, valid_score: float) -> None:
        curve.append(float(valid_score))
        print(json.dumps({"epoch": epoch, "valid_mrr@20": valid_score, "train_s": spent["train"][-1]}), file=sys.stderr, flush=True)
        if budget_minutes and sum(spent["train"]) + sum(spent["valid"]) > 60 * budget_minutes:
            raise BudgetSpent

    if first_epoch >= epochs:  # a resumed checkpoint, tested only (fit would re-save it as epoch -1)
        best_valid, stopped_by = resumed_best, "nothing: the checkpoint was tested, not trained"
    else:
        try:
            best_valid, _ = trainer.fit(train, valid, saved=True, show_progress=False, callback_fn=after_epoch)
            stopped_by = "epoch limit" if first_epoch + len(curve) == epochs else "early stopping"
        except BudgetSpent:
            best_valid, stopped_by = trainer.best_valid_score, "time budget"
    start = time.perf_counter()
    result = trainer.evaluate(test, load_best_model=True, show_progress=False)
    test_seconds = time.perf_counter() - start
    train_events = int(len(train.dataset))  # one training sample per target (prefix augmentation)
    # the first epoch with the best score, as RecBole keeps it; the checkpoint's own epoch if none beat it
    best_epoch = first_epoch + curve.index(max(curve)) if curve and max(curve) > resumed_best else first_epoch - 1
    return {
        "model": f"RecBole {model}",
        "epochs": len(spent["train"]),
        "seconds_per_epoch": sum(spent["train"]) / max(1, len(spent["train"])),
        "train_seconds": sum(spent["train"]),
        "train_samples": train_events,
        "eval_seconds": test_seconds,
        "eval_users": int(test.dataset.user_num - 1),
        "valid_mrr@20": float(best_valid),
        "valid_curve": curve,
        "first_epoch": first_epoch,
        "best_epoch": best_epoch,
        "stopped_by": stopped_by,
        "test": {key: float(value) for key, value in result.items()},
    }


def newest_checkpoint(folder: str, model: str) -> str:
    """The newest ``{model}-*.pth`` RecBole saved in ``folder``; exits with a message if there is none."""
    found = sorted(Path(folder).glob(f"{model}-*.pth"), key=lambda path: path.stat().st_mtime)
    if not found:
        raise SystemExit(f"no RecBole {model} checkpoint ({model}-*.pth) in {folder}")
    return str(found[-1])


def run_recbole(
    model: str, epochs: int, seed: int, stopping_step: int = 10, threads: int = 1, budget_minutes: float = 0, resume: str = ""
) -> dict | None:
    """Run ``recbole_worker`` in the RecBole venv; ``None`` (with a note) where the venv is missing."""
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"[RecBole skipped: no {python}; rerun with --make-venv]", file=sys.stderr)
        return None
    from moviattn.recommend.session.fetch import dataset_dir

    command = [str(python), str(Path(__file__).resolve()), "--recbole-worker", model, "--data-path", str(dataset_dir("ml-100k").parent),
               "--recbole-epochs", str(epochs), "--seed", str(seed), "--stopping-step", str(stopping_step), "--threads", str(threads), "--budget-minutes", str(budget_minutes), "--recbole-resume", resume]  # fmt: skip
    # RecBole writes log/ and log_tensorboard/ into its working directory: keep them out of the project
    work = Path(tempfile.gettempdir()) / "recbole_runs"
    work.mkdir(exist_ok=True)
    # its log and the per-epoch progress lines go straight to our stderr; the result is stdout's last line
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, cwd=work, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if done.returncode:
        raise SystemExit(f"RecBole {model} failed (its error is above)")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_ours(model: str, epochs: int, seed: int, threads: int = 1) -> dict:
    """Train our ``model`` for ``epochs`` epochs (no early stopping) and evaluate as RecBole does."""
    from moviattn.recommend.session.evaluation import evaluate
    from moviattn.recommend.session.models import create
    from moviattn.recommend.session.pipeline import CHOSEN, prepare

    split, _ = prepare("ml-100k")
    recommender = create(model, **{**CHOSEN.get(model, {}), "epochs": epochs, "patience": epochs, "seed": seed, "threads": threads or 2})
    start = time.perf_counter()
    recommender.fit(split)
    train_seconds = time.perf_counter() - start
    start = time.perf_counter()
    test = evaluate(recommender, split.test, exclude_seen=False)
    eval_seconds = time.perf_counter() - start
    valid = evaluate(recommender, split.valid, exclude_seen=False)
    return {
        "model": f"ours {model}",
        "epochs": epochs,
        "seconds_per_epoch": recommender.history.train_seconds / max(1, len(recommender.history.losses)),
        "train_seconds": train_seconds,
        "train_samples": split.train_events() - len(split.train),
        "eval_seconds": eval_seconds,
        "eval_users": len(split.test),
        "valid_mrr@20": valid["mrr@20"],
        "test": test,
    }


def table(rows: list[dict]) -> str:
    head = f"{'model':<18} {'epochs':>6} {'s/epoch':>8} {'train ev/s':>11} {'eval users/s':>12} {'val MRR@20':>10} {'test R@20':>9} {'test MRR@20':>11}"
    lines = [head, "-" * len(head)]
    for r in rows:
        speed = f"{r['train_samples'] / r['seconds_per_epoch']:>11,.0f}" if r["seconds_per_epoch"] else f"{'–':>11}"
        lines.append(
            f"{r['model']:<18} {r['epochs']:>6} {r['seconds_per_epoch']:>8.2f} {speed} "
            f"{r['eval_users'] / r['eval_seconds']:>12,.0f} {r['valid_mrr@20']:>10.4f} {r['test']['recall@20']:>9.4f} {r['test']['mrr@20']:>11.4f}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2, help="epochs for our models")
    parser.add_argument("--recbole-epochs", type=int, default=2, help="epochs for RecBole's (0: skip RecBole; with --recbole-resume: its epoch limit, 0 tests the checkpoint only)")
    parser.add_argument("--models", default="gru4rec,sasrec")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--stopping-step", type=int, default=10)
    parser.add_argument("--budget-minutes", type=float, default=0, help="RecBole: start no epoch after this much time (0: none)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads for both sides (0: RecBole's default; ours 2)")
    parser.add_argument("--recbole-resume", default="", metavar="DIR", help="continue RecBole from its newest checkpoints in DIR")
    parser.add_argument("--make-venv", action="store_true", help=f"create {VENV} with {' '.join(VENV_PACKAGES)}")
    parser.add_argument("--recbole-worker", metavar="MODEL", help=argparse.SUPPRESS)
    parser.add_argument("--data-path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.recbole_worker:
        result = recbole_worker(
            args.recbole_worker, args.data_path, args.recbole_epochs, args.stopping_step, args.seed, args.threads, args.budget_minutes, args.recbole_resume
        )
        print(json.dumps(result))
        return
    if args.make_venv and not VENV.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", *VENV_PACKAGES], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "setuptools<70"], check=True)  # RecBole needs pkg_resources
    rows = []
    for model in args.models.split(","):
        rows.extend([run_ours(model, args.epochs, args.seed, args.threads)] if args.epochs else [])
        if args.recbole_epochs or args.recbole_resume:
            name = {"gru4rec": "GRU4Rec", "sasrec": "SASRec"}[model]
            resume = newest_checkpoint(args.recbole_resume, name) if args.recbole_resume else ""
            recbole = run_recbole(name, args.recbole_epochs, args.seed, args.stopping_step, args.threads, args.budget_minutes, resume)
            rows.extend([recbole] if recbole else [])
    print(
        f"ML-100K leave-one-out, full ranking, seen items not excluded; {os.cpu_count()} CPUs; torch threads per side: {args.threads or 'default'}"
    )
    print(table(rows))
    for r in rows:
        if "stopped_by" in r:
            curve = ", ".join(f"{v:.4f}" for v in r["valid_curve"])
            print(
                f"{r['model']}: {r['epochs']} epochs from epoch {r['first_epoch']}, best {r['best_epoch']}, stopped by {r['stopped_by']}; "
                f"valid MRR@20 per epoch: {curve}; test: {', '.join(f'{key} {value:.4f}' for key, value in r['test'].items())}"
            )


if __name__ == "__main__":
    main()
