"""``moviattn aspects ...``: learn (the inventory), inventory, profile, converse, evaluate.

Registered by the main CLI with ``aspects.cli.register(subparsers)``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from ..paths import default_data_dir, nsmc_source, shared_data, write_atomically
from .inventory import INVENTORY_FILE, LearnConfig

METRICS_FILE = Path(__file__).resolve().parent / "metrics.json"


def _evaluation_data() -> str:
    """The labelled reviews are of the 40 NSMC movies: ``../shared/data/nsmc`` where present, else the fetched set."""
    folder = shared_data("nsmc")
    return str(folder) if folder else "nsmc"


def _open(name: str):
    from ..fetch import open_data

    dataset, notice = open_data(name)
    if notice:
        print(f"note: {notice}")
    return dataset


def _learn(args: argparse.Namespace) -> None:
    from ..sentiment.artifacts import shipped_target2vec3
    from .corpus import sampled_corpus
    from .inventory import learn_inventory

    began = time.perf_counter()
    docs = sampled_corpus(Path(args.data), args.sample)
    inventory = learn_inventory(docs, shipped_target2vec3(), LearnConfig(aspects=args.aspects, seed=args.seed))
    inventory.save(Path(args.out))
    print(f"{args.out}: {len(inventory.aspects)} aspects from {len(docs):,} reviews ({time.perf_counter() - began:.0f} s)")
    _print_inventory(inventory)


def _print_inventory(inventory) -> None:
    print("| aspect | evaluated | words (times evaluated) |\n|---|---|---|")
    for a in inventory.aspects:
        print(f"| {a.name} | {a.total} | {', '.join(f'{w} ({c})' for w, c in zip(a.words, a.counts))} |")


def _inventory(args: argparse.Namespace) -> None:
    from .inventory import Inventory

    _print_inventory(Inventory.load(Path(args.path)))


def _profile(args: argparse.Namespace) -> None:
    from .conversation import AspectChat
    from .profiles import dataset_profiles

    dataset = _open(args.data)
    chat = AspectChat(dataset, dataset_profiles(dataset))
    found = [args.movie] if args.movie in dataset.movies else chat.find_movies(args.movie)
    if not found:
        raise ValueError(f"no movie {args.movie!r} in {dataset.source}")
    profile = chat.profiles[found[0]]
    print(f"{chat.titles[found[0]]} [{found[0]}]: {profile.reviews} reviews")
    print("| aspect | share (95 % CI) | positive (95 % CI) | quote |\n|---|---|---|---|")
    for s in profile.talked_about(None, args.k):
        quote = s.quote()
        print(f"| {s.aspect} | {s.share:.2f} ({s.share_interval[0]:.2f}-{s.share_interval[1]:.2f}) | "
              f"{s.positivity:.2f} ({s.positivity_interval[0]:.2f}-{s.positivity_interval[1]:.2f}) | {quote.text if quote else ''} |")
    if args.attention:
        _print_attention(dataset, found[0], profile, args)


def _print_attention(dataset, movie_id: str, profile, args: argparse.Namespace) -> None:
    """Seed 000 §7.4: the explorer's aggregate of the movie (computed, or read from the result cache), per aspect."""
    from ..explorer import Explorer, ResultCache
    from ..models import load_model
    from .profiles import attention_link

    movie = dataset.movie(movie_id)
    aggregate = Explorer(load_model(args.model), ResultCache()).movie_aggregate(movie, dataset.reviews_of(movie_id))
    print("\n| aspect (praising reviews) | info fields they look at more (lift) | items (lift) |\n|---|---|---|")
    for s in profile.talked_about("positive", args.k):
        link = attention_link(aggregate, s.aspect, s.review_ids.get("positive", ()))
        if link:
            fields = ", ".join(f"{f} {lift:.2f}" for f, _, lift in link.fields)
            items = ", ".join(f"{text} ({f}) {lift:.2f}" for text, f, lift in link.items)
            print(f"| {s.aspect} ({link.reviews}) | {fields} | {items} |")


def _converse(args: argparse.Namespace) -> None:
    from .conversation import AspectChat, DialogueState
    from .profiles import dataset_profiles

    dataset = _open(args.data)
    chat = AspectChat(dataset, dataset_profiles(dataset))
    state = DialogueState()
    for message in args.messages:
        turn = chat.respond(state, message)
        state = turn.state
        print(f"you> {message}")
        print(f"bot> {turn.reply}\n")


def _evaluate(args: argparse.Namespace) -> None:
    from .labelled import evaluate_labelled
    from .profiles import dataset_profiles
    from .simulate import simulate

    dataset = _open(args.data)
    results: dict[str, object] = {}
    began = time.perf_counter()
    results["labelled"] = evaluate_labelled(dataset, args.split)
    results["labelled"]["seconds"] = time.perf_counter() - began
    for name, pool in _pools(args, dataset).items():
        began = time.perf_counter()
        profiles = dataset_profiles(pool)
        profiled = time.perf_counter() - began
        results[name] = simulate(profiles, args.users, args.seed)
        results[name]["n"]["profile seconds"] = profiled
    text = json.dumps(results, ensure_ascii=False, indent=1, default=float)
    print(format_report(results))
    if args.out:
        write_atomically(Path(args.out), text + "\n")
        print(f"wrote {args.out}")


def _pools(args: argparse.Namespace, dataset) -> dict:
    """The movie pools the simulated users are run on: the dataset's titled movies, and release movies on request."""
    pools = {"simulated (the dataset's movies)": dataset}
    if args.release:
        from ..data import Dataset
        from .release import release_movies

        extra = release_movies(args.source or nsmc_source() or "", args.release, set(dataset.movies))
        pools[f"simulated (+{len(extra.movies)} release movies)"] = Dataset({**dataset.movies, **extra.movies},
                                                                          {**dataset.reviews, **extra.reviews}, "release")
    return pools


def format_report(results: dict) -> str:
    """Markdown tables of ``evaluate``'s results."""
    lines = [f"labelled set ({results['labelled']['n']['reviews']} reviews, {results['labelled']['n']['gold pairs']} labelled pairs):",
             "| method | P | R | F1 | polarity acc. | end-to-end F1 |", "|---|---|---|---|---|---|"]
    for method, row in results["labelled"].items():
        if method in ("n", "seconds"):
            continue
        cells = [f"{row[m]['value']:.3f} ({row[m]['low']:.2f}-{row[m]['high']:.2f})"
                 for m in ("precision", "recall", "f1", "polarity_accuracy", "end_to_end_f1")]
        lines.append(f"| {method} | {' | '.join(cells)} |")
    for name, table in results.items():
        if not name.startswith("simulated"):
            continue
        n = table["n"]
        lines += ["", f"{name}: {n['users']} users, {n['movies']} movies (random order success@5 {n['random order success@5']:.3f})",
                  "| method | success@1 | success@3 | success@5 | mean turns | s |", "|---|---|---|---|---|---|"]
        for method, row in table.items():
            if method == "n":
                continue
            cells = [f"{row[k]['value']:.3f} ({row[k]['interval'][0]:.2f}-{row[k]['interval'][1]:.2f})"
                     for k in ("success@1", "success@3", "success@5", "mean turns")]
            lines.append(f"| {method} | {' | '.join(cells)} | {row['seconds']:.2f} |")
    return "\n".join(lines)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``aspects`` command and its sub-commands to a parent CLI."""
    from ..sentiment.data import DEFAULT_DATA_DIR
    from .corpus import DEFAULT_SAMPLE

    parser = subparsers.add_parser("aspects", help="which part? aspects of reviews, movie profiles, the seed-003 conversation")
    commands = parser.add_subparsers(dest="aspects_command", required=True)

    learn = commands.add_parser("learn", help="learn the aspect inventory from NSMC (rewrites inventory.json)")
    learn.add_argument("--data", default=str(DEFAULT_DATA_DIR), help="the sentiment corpus folder (train.tsv, neutral_train.tsv)")
    learn.add_argument("--sample", type=int, default=DEFAULT_SAMPLE, help="reviews sampled by hash")
    learn.add_argument("--aspects", type=int, default=LearnConfig.aspects, help="k-means groups (small ones are dropped)")
    learn.add_argument("--seed", type=int, default=LearnConfig.seed)
    learn.add_argument("--out", default=str(INVENTORY_FILE))
    learn.set_defaults(run=_learn)

    inventory = commands.add_parser("inventory", help="print the inventory as a table")
    inventory.add_argument("--path", default=str(INVENTORY_FILE))
    inventory.set_defaults(run=_inventory)

    profile = commands.add_parser("profile", help="a movie's aspects: share and positivity with 95 %% intervals")
    profile.add_argument("movie", help="movie id or title")
    profile.add_argument("--data", default=default_data_dir(), help="dataset folder, 'sample' or 'nsmc'")
    profile.add_argument("-k", type=int, default=8)
    profile.add_argument("--attention", action="store_true", help="also what each aspect's praising reviews look at in the movie's info (runs the encoder once; cached)")
    profile.add_argument("--model", default="offline", help="encoder for --attention")
    profile.set_defaults(run=_profile)

    converse = commands.add_parser("converse", help="the conversation, one message per turn, printed turn by turn")
    converse.add_argument("messages", nargs="+", help='e.g. "레옹은 지루했어" "1" "배우 말고 스토리"')
    converse.add_argument("--data", default=default_data_dir(), help="dataset folder, 'sample' or 'nsmc'")
    converse.set_defaults(run=_converse)

    evaluate = commands.add_parser("evaluate", help="labelled-set scores and simulated critiquing users")
    evaluate.add_argument("--data", default=_evaluation_data(), help="the NSMC set of the labelled reviews")
    evaluate.add_argument("--split", default="test", choices=["dev", "test"])
    evaluate.add_argument("--users", type=int, default=400)
    evaluate.add_argument("--seed", type=int, default=13)
    evaluate.add_argument("--release", type=int, default=0, help="also simulate over this many NSMC release movies with >= 100 reviews")
    evaluate.add_argument("--source", default=None, help="local copy of e9t/nsmc (default: $MOVIATTN_NSMC_SOURCE)")
    evaluate.add_argument("--out", default=None, help=f"write the results as JSON (the docs' numbers: {METRICS_FILE.name})")
    evaluate.set_defaults(run=_evaluate)
