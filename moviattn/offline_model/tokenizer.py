"""The tokenizer: XLM-R style SentencePiece unigram, as a fast tokenizer with offsets, from a checkpoint's
pieces, scores and per-code-point normalisation map."""

from __future__ import annotations

import struct

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import PreTrainedTokenizerFast

from ..errors import ModelLoadError
from .checkpoint import E5Checkpoint

_METASPACE = "\u2581"


def _precompiled_charsmap(mapping: dict[int, str]) -> bytes:
    """Encode a code point -> string map in SentencePiece's precompiled-charsmap format.

    ``tokenizers.normalizers.Precompiled`` reads a u32 byte size, a darts-clone
    double-array trie over the UTF-8 keys (leaf values are byte offsets) and the
    NUL-terminated replacement strings.  The trie is built here with a greedy
    first-fit placement; every node's 256 possible children stay inside the
    array because the lookup does not bounds-check.
    """
    strings = bytearray()
    trie: dict = {}
    for cp in sorted(mapping):
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[0] = len(strings)  # label 0 = the leaf value slot
        strings += mapping[cp].encode("utf-8") + b"\0"

    units = [0] * 256
    used = bytearray(256)
    used[0] = 1
    first_free = 1
    stack = [(trie, 0)]
    while stack:
        node, pos = stack.pop()
        labels = sorted(set(node) | {0})  # slot base^0 is always reserved: keeps bases unique
        while used[first_free]:
            first_free += 1
        base = first_free
        while True:
            if (base | 0xFF) >= len(units):
                grow = (base | 0xFF) + 1 - len(units)
                units.extend([0] * grow)
                used.extend(bytes(grow))
            if not any(used[base ^ c] for c in labels):
                break
            base += 1
        units[pos] |= (pos ^ base) << 10  # offset field (no extension bit needed below 2**21)
        for c in labels:
            used[base ^ c] = 1
            if c == 0:
                if 0 in node:
                    units[base] = (1 << 31) | node[0]
            else:
                units[base ^ c] = c | ((1 << 8) if 0 in node[c] else 0)  # label | has_leaf
                stack.append((node[c], base ^ c))
    if len(units) >= 1 << 21:
        raise ModelLoadError("normalisation map too large for the precompiled charsmap")
    trie_bytes = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie_bytes)) + trie_bytes + bytes(strings)


def build_tokenizer(ckpt: E5Checkpoint) -> PreTrainedTokenizerFast:
    """Build the XLM-R style SentencePiece-unigram fast tokenizer (with offsets) from ``ckpt``.

    Normalisation applies the checkpoint's per-code-point map (as ``e5.c`` does)
    through a ``Precompiled`` normaliser, collapses runs of spaces and prepends a
    space unless the text already starts with one; the ``Metaspace``
    pre-tokenizer then turns spaces into "▁" and splits words.  Offsets point
    into the original text: word-initial pieces include the preceding space
    (``"▁2"`` -> ``" 2"``), a lone "▁" spans the space it replaces, or is the
    empty span ``(0, 0)`` when it is the prepended one at the start of the text.
    """
    vocab = list(zip(ckpt.pieces, ckpt.scores.astype(float).tolist()))
    tok = Tokenizer(models.Unigram(vocab, unk_id=ckpt.unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(_precompiled_charsmap(ckpt.normalization)),
            normalizers.Replace(Regex(" {2,}"), " "),
            # Prepend the word-start space here rather than in Metaspace: an inserted
            # empty match gets an empty (n, n) offset, whereas Metaspace's prepend
            # copies the first character's span onto a lone "▁" token.
            normalizers.Replace(Regex(r"\A(?=[^ ])"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="never", split=True)
    tok.decoder = decoders.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True)
    bos, eos = ckpt.pieces[ckpt.bos_id], ckpt.pieces[ckpt.eos_id]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ckpt.bos_id), (eos, ckpt.eos_id)],
    )
    special = {
        "bos_token": bos,
        "eos_token": eos,
        "cls_token": bos,
        "sep_token": eos,
        "pad_token": ckpt.pieces[ckpt.pad_id],
        "unk_token": ckpt.pieces[ckpt.unk_id],
    }
    added = [AddedToken(t, special=True) for t in dict.fromkeys(special.values())]
    if "<mask>" in ckpt.pieces:  # XLM-R's mask token eats the space before it
        special["mask_token"] = "<mask>"
        added.append(AddedToken("<mask>", lstrip=True, special=True))
    tok.add_special_tokens(added)
    return PreTrainedTokenizerFast(tokenizer_object=tok, model_max_length=ckpt.max_positions, **special)
