"""A CLIP-style byte-level BPE tokenizer: learned here, written as vocab.json + merges.txt.

The encoding follows openai/CLIP's simple_tokenizer: lowercase, whitespace cleanup, the
same pre-tokenising regex, byte-to-unicode mapping, and '</w>' marking a word's end.
The Java tokenizer in render-job implements the same algorithm and is tested against it.
"""
import collections
import json
import os
import re

BOS, EOS = "<|startoftext|>", "<|endoftext|>"
MAX_LENGTH = 77
PATTERN = re.compile(r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[a-zA-Z]+|[0-9]|[^\sa-zA-Z0-9]+""",
                     re.IGNORECASE)


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


BYTE_ENCODER = bytes_to_unicode()


def words_of(text):
    text = re.sub(r"\s+", " ", text).strip().lower()
    return ["".join(BYTE_ENCODER[b] for b in tok.encode("utf-8")) for tok in PATTERN.findall(text)]


def learn(corpus_texts):
    """Learns merges until every corpus word is one token."""
    counts = collections.Counter(w for t in corpus_texts for w in words_of(t))
    words = {w: tuple(w[:-1]) + (w[-1] + "</w>",) for w in counts}
    merges = []
    while True:
        pairs = collections.Counter()
        for w, symbols in words.items():
            for a, b in zip(symbols, symbols[1:]):
                pairs[(a, b)] += counts[w]
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(best)
        for w, symbols in words.items():
            out, i = [], 0
            while i < len(symbols):
                if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
                    out.append(symbols[i] + symbols[i + 1])
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            words[w] = tuple(out)
    vocab = list(BYTE_ENCODER.values())
    vocab += [v + "</w>" for v in vocab]
    vocab += ["".join(m) for m in merges]
    vocab += [BOS, EOS]
    return {tok: i for i, tok in enumerate(vocab)}, merges


class ClipTokenizer:
    def __init__(self, vocab, merges):
        self.encoder = vocab
        self.ranks = {tuple(m): i for i, m in enumerate(merges)}
        self.bos, self.eos = vocab[BOS], vocab[EOS]
        self.pad = self.eos

    def bpe(self, word):
        symbols = list(word[:-1]) + [word[-1] + "</w>"]
        while len(symbols) > 1:
            pairs = [(self.ranks.get((a, b), float("inf")), i) for i, (a, b) in enumerate(zip(symbols, symbols[1:]))]
            rank, i = min(pairs)
            if rank == float("inf"):
                break
            first, second = symbols[i], symbols[i + 1]
            out, j = [], 0
            while j < len(symbols):
                if j + 1 < len(symbols) and symbols[j] == first and symbols[j + 1] == second:
                    out.append(first + second)
                    j += 2
                else:
                    out.append(symbols[j])
                    j += 1
            symbols = out
        return symbols

    def encode(self, text):
        ids = [self.bos]
        for w in words_of(text):
            ids += [self.encoder[s] for s in self.bpe(w)]
        ids = ids[: MAX_LENGTH - 1] + [self.eos]
        return ids + [self.pad] * (MAX_LENGTH - len(ids))

    def save(self, directory, merges):
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "vocab.json"), "w") as f:
            json.dump(self.encoder, f, ensure_ascii=False, indent=0)
        with open(os.path.join(directory, "merges.txt"), "w") as f:
            f.write("#version: 0.2\n")
            for a, b in merges:
                f.write(f"{a} {b}\n")
        config = {
            "tokenizer_class": "CLIPTokenizer",
            "model_max_length": MAX_LENGTH,
            "bos_token": BOS,
            "eos_token": EOS,
            "unk_token": EOS,
            "pad_token": EOS,
            "do_lower_case": True,
        }
        with open(os.path.join(directory, "tokenizer_config.json"), "w") as f:
            json.dump(config, f, indent=2)
        with open(os.path.join(directory, "special_tokens_map.json"), "w") as f:
            json.dump({k: config[k] for k in ("bos_token", "eos_token", "unk_token", "pad_token")}, f, indent=2)


def corpus():
    """Caption words weighted by use, plus common prompt words so other prompts tokenise sensibly."""
    import scenes
    texts = [scenes.caption(s, c, sh, b, p) for s in scenes.SIZES for c in scenes.COLOURS for sh in scenes.SHAPES
             for b in scenes.COLOURS for p in list(scenes.POSITIONS) + [None]]
    texts += ["studio photo of the product with soft light, high quality, detailed render",
              "a photo of a cat and a dog in the park at sunset, 4k, blurry, ugly"]
    return texts


if __name__ == "__main__":
    vocab, merges = learn(corpus())
    tok = ClipTokenizer(vocab, merges)
    print(len(vocab), "tokens,", len(merges), "merges")
    for t in ["a large red circle on a blue background", "A  Photo of Kiln's 2 REDDISH squares!"]:
        ids = tok.encode(t)
        print(t, "->", ids[: ids.index(tok.eos) + 1])
