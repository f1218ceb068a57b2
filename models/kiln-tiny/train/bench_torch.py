"""Times kiln-tiny's eager PyTorch sampler (ddim.generate) at several batch sizes, for bench/engine.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 models/kiln-tiny/train/bench_torch.py [--checkpoint PATH]

Loads train/kiln-tiny.pt (written when train.py finishes: state dicts 'text_encoder', 'unet',
'vae_decoder' plus 'vocab_size' and 'scaling_factor'), builds the nets from nets.py and runs
ddim.generate (DDIM, classifier-free guidance) after one warm-up batch. Prints one line per batch:

  batch=<B> images_per_s=<X> seconds=<S> images=<N>

Exit code 3 when the checkpoint is missing. --random-weights times freshly initialised nets
instead (speed does not depend on the weights), to try the script before training ends.
"""
import argparse
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import ddim  # noqa: E402
import nets  # noqa: E402
import tokenizer as tok  # noqa: E402

PROMPT = "a large red circle on a blue background"


def load_tokenizer(directory):
    with open(os.path.join(directory, "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    with open(os.path.join(directory, "merges.txt"), encoding="utf-8") as f:
        merges = [tuple(line.split()) for line in f.read().splitlines()[1:] if line]
    return tok.ClipTokenizer(vocab, merges)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", default=os.path.join(HERE, "kiln-tiny.pt"))
    ap.add_argument("--tokenizer", default=os.path.join(HERE, "..", "tokenizer"))
    ap.add_argument("--batches", default="1,4,8")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--guidance", type=float, default=3.0)
    ap.add_argument("--images", type=int, default=16, help="images per batch size (rounded up to whole batches)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--random-weights", action="store_true")
    args = ap.parse_args()

    tokenizer = load_tokenizer(args.tokenizer)
    if args.random_weights:
        ckpt = {"vocab_size": len(tokenizer.encoder), "scaling_factor": 1.0}
    elif not os.path.isfile(args.checkpoint):
        print(f"checkpoint {args.checkpoint} not found (train.py writes it when training finishes)", file=sys.stderr)
        sys.exit(3)
    else:
        ckpt = torch.load(args.checkpoint, map_location="cpu")

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    text = nets.TextEncoder(ckpt["vocab_size"])
    unet = nets.UNet(context_dim=64)
    decoder = nets.VaeDecoder()
    if not args.random_weights:
        text.load_state_dict(ckpt["text_encoder"])
        unet.load_state_dict(ckpt["unet"])
        decoder.load_state_dict(ckpt["vae_decoder"])
    for net in (text, unet, decoder):
        net.eval()

    def run(batch):
        latents = torch.randn(batch, nets.LATENT_CHANNELS, 8, 8)
        ddim.generate(text, unet, decoder, tokenizer, [PROMPT] * batch, latents, ckpt["scaling_factor"],
                      steps=args.steps, guidance=args.guidance)

    batches = [int(b) for b in args.batches.split(",")]
    run(max(batches))  # warm-up
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.steps} steps, guidance {args.guidance}"
          + (", random weights" if args.random_weights else ""), flush=True)
    for batch in batches:
        rounds = max(1, -(-args.images // batch))
        start = time.perf_counter()
        for _ in range(rounds):
            run(batch)
        seconds = time.perf_counter() - start
        print(f"batch={batch} images_per_s={rounds * batch / seconds:.3f} seconds={seconds:.3f} images={rounds * batch}",
              flush=True)


if __name__ == "__main__":
    main()
