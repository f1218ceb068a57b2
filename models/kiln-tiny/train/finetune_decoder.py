"""Fine-tunes kiln-tiny's VAE decoder alone, with the encoder frozen, and re-exports it.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 finetune_decoder.py --model .. --minutes 12

The encoder is not touched, so the latent space, the scaling factor and the UNet stay valid:
only the decoding of latents into pixels gets sharper. Prints how often the procedural
classifier (train.classify) reads the right colour and shape from decoded ground-truth scenes of
the held-out prompts, before and after; that is the ceiling the VAE puts on the adherence check.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

import nets
import scenes
import train


def held_out_scenes(rng, per_prompt=4):
    """Drawn ground truth for every held-out prompt, at random sizes and positions."""
    images, prompts = [], []
    for (shape, colour, background) in [t for t in scenes.all_triples() if scenes.is_held_out(*t)]:
        for size, (lo, hi) in scenes.SIZES.items():
            for _ in range(per_prompt):
                r = rng.uniform(lo, hi)
                px, py = scenes.POSITIONS[list(scenes.POSITIONS)[rng.integers(len(scenes.POSITIONS))]]
                cx = float(np.clip(px + rng.uniform(-0.04, 0.04), r, 1 - r))
                cy = float(np.clip(py + rng.uniform(-0.04, 0.04), r, 1 - r))
                images.append(scenes.draw(shape, colour, background, r, cx, cy, train.SIDE))
                prompts.append(scenes.caption(size, colour, shape, background))
    return np.stack(images), prompts


@torch.no_grad()
def reconstruction_adherence(enc, dec, images, prompts):
    recon = dec(enc(train.to_tensor(images))[0])
    arr = ((recon.clamp(-1, 1) + 1) * 127.5).permute(0, 2, 3, 1).round().numpy().astype(np.uint8)
    hits = 0
    for p, a in zip(prompts, arr):
        colour, shape = train.classify(a)
        hits += int(colour is not None and colour in p.split() and shape in p.split())
    return hits, len(prompts), float(F.mse_loss(recon, train.to_tensor(images)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="..", help="the kiln-tiny directory (reads and rewrites train/kiln-tiny.pt)")
    ap.add_argument("--minutes", type=float, default=12)
    ap.add_argument("--images", type=int, default=40000)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--seed", type=int, default=4321)
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    ckpt_path = os.path.join(args.model, "train", "kiln-tiny.pt")
    ckpt = torch.load(ckpt_path)
    if "vae_encoder" not in ckpt:
        raise SystemExit(f"{ckpt_path} has no vae_encoder; retrain with train.py, which saves it")
    enc, dec = nets.VaeEncoder(), nets.VaeDecoder()
    enc.load_state_dict(ckpt["vae_encoder"])
    dec.load_state_dict(ckpt["vae_decoder"])
    enc.eval()
    for p in enc.parameters():
        p.requires_grad_(False)

    images, _ = scenes.make_dataset(args.images, train.SIDE, 1234)
    check_images, check_prompts = held_out_scenes(np.random.default_rng(99))
    before = reconstruction_adherence(enc, dec.eval(), check_images, check_prompts)
    train.log(f"before: held-out reconstructions read right {before[0]}/{before[1]}, mse {before[2]:.5f}")

    dec.train()
    opt = torch.optim.Adam(dec.parameters(), lr=args.lr)
    start, step = time.time(), 0
    while time.time() - start < args.minutes * 60:
        x = train.to_tensor(images[rng.integers(0, len(images), 32)])
        with torch.no_grad():
            mean, logvar = enc(x)
            z = mean + torch.randn_like(mean) * torch.exp(0.5 * logvar)
        recon = dec(z)
        # L1 on top of MSE: it does not forgive a softened edge as MSE does.
        loss = F.mse_loss(recon, x) + 0.5 * F.l1_loss(recon, x)
        for g in opt.param_groups:
            g["lr"] = train.lr_at(step, (time.time() - start) / (args.minutes * 60), args.lr, warmup=50)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 500 == 0:
            train.log(f"decoder step {step} loss {loss.item():.5f}")
        step += 1
    dec.eval()
    after = reconstruction_adherence(enc, dec, check_images, check_prompts)
    train.log(f"after {step} steps: held-out reconstructions read right {after[0]}/{after[1]}, mse {after[2]:.5f}")

    ckpt["vae_decoder"] = dec.state_dict()
    torch.save(ckpt, ckpt_path)
    lat = torch.randn(2, 4, 8, 8)
    torch.onnx.export(dec, (lat,), os.path.join(args.model, "vae_decoder", "model.onnx"), opset_version=14,
                      input_names=["latent_sample"], output_names=["sample"],
                      dynamic_axes={"latent_sample": {0: "batch", 2: "height", 3: "width"},
                                    "sample": {0: "batch", 2: "height", 3: "width"}})
    meta_path = os.path.join(args.model, "train", "out", "meta.json")
    meta = json.load(open(meta_path)) if os.path.exists(meta_path) else {}
    meta["decoder_finetune"] = {"steps": step, "minutes": args.minutes, "lr": args.lr,
                                "held_out_reconstructions_before": before[:2], "after": after[:2],
                                "mse_before": before[2], "mse_after": after[2]}
    json.dump(meta, open(meta_path, "w"), indent=2)
    train.log(f"exported {args.model}/vae_decoder/model.onnx")


if __name__ == "__main__":
    main()
