"""Prints the token-id fixtures used by ClipTokenizerTest.

  cd models/kiln-tiny/train && /usr/bin/python3 ../../../render-job/src/test/resources/reference/tokenizer_reference.py ../tokenizer
"""
import json
import os
import sys

sys.path.insert(0, os.getcwd())
import tokenizer as tok  # models/kiln-tiny/train/tokenizer.py

directory = sys.argv[1]
vocab = json.load(open(os.path.join(directory, "vocab.json")))
merges = [tuple(line.split()) for line in open(os.path.join(directory, "merges.txt")).read().splitlines()[1:] if line]
t = tok.ClipTokenizer(vocab, merges)
prompts = [
    "a large red circle on a blue background",
    "A  Photo of Kiln's 2 REDDISH squares!",
    "",
    "  multiple\t\nwhitespace\u3000and\x1cseps  ",
    "unicode: caf\u00e9 na\u00efve \u017ftra\u00dfe \u0131i \u212a \u65e5\u672c \U0001f3a8",
    "it's they're we've i'm you'll he'd don't 42x",
    "<|startoftext|>hello<|endoftext|>",
    "red " * 100,
]
for p in prompts:
    ids = t.encode(p)
    end = ids.index(t.eos) + 1
    print(json.dumps(p), json.dumps(ids[:end]), len(ids))
