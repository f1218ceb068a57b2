"""Trains kiln-tiny and exports it in the diffusers ONNX layout.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 train.py --out .. --vae-steps 4000 --unet-minutes 38

Stages: procedural dataset -> tokenizer -> VAE -> cached latents -> text encoder + UNet
(EMA, 10% caption dropout) -> ONNX export -> a sample grid and a held-out adherence
estimate under train/out/. --smoke runs every stage in about a minute with tiny budgets.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

import ddim
import nets
import scenes
import tokenizer as tok

SIDE = 64
SCALE_DOWN = 8


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def to_tensor(images):
    return torch.from_numpy(images).permute(0, 3, 1, 2).float() / 127.5 - 1.0


def lr_at(step, progress, base, warmup=200):
    """Linear warm-up, then cosine decay over the wall-clock budget (progress in [0, 1]).

    The schedule follows elapsed time, not an up-front step estimate: on a shared machine the
    step rate changes during a run, and a step-based schedule would end too early or too late.
    """
    if step < warmup:
        return base * (step + 1) / warmup
    return base * 0.5 * (1 + np.cos(np.pi * min(1.0, progress)))


def train_vae(images, minutes, batch, rng, max_steps=None):
    enc, dec = nets.VaeEncoder(), nets.VaeDecoder()
    params = list(enc.parameters()) + list(dec.parameters())
    opt = torch.optim.Adam(params, lr=2e-3)
    deadline = time.time() + minutes * 60
    step = 0
    start = time.time()
    while (step < max_steps) if max_steps else (time.time() < deadline):
        idx = rng.integers(0, len(images), batch)
        x = to_tensor(images[idx])
        mean, logvar = enc(x)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * logvar)
        recon = dec(z)
        rec = F.mse_loss(recon, x)
        kl = 0.5 * torch.mean(mean ** 2 + logvar.exp() - 1 - logvar)
        loss = rec + 1e-5 * kl
        progress = step / max_steps if max_steps else (time.time() - start) / (minutes * 60)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, progress, 2e-3, warmup=100)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 200 == 0:
            log(f"vae step {step} rec {rec.item():.5f} kl {kl.item():.2f}")
        step += 1
    log(f"vae done after {step} steps")
    return enc.eval(), dec.eval(), step


@torch.no_grad()
def encode_all(enc, images, batch=256):
    return torch.cat([enc(to_tensor(images[i:i + batch]))[0] for i in range(0, len(images), batch)])


def train_unet(latents, captions, tokenizer, minutes, batch, rng):
    text = nets.TextEncoder(len(tokenizer.encoder))
    unet = nets.UNet(context_dim=64)
    ema_text, ema_unet = nets.TextEncoder(len(tokenizer.encoder)), nets.UNet(context_dim=64)
    ema_text.load_state_dict(text.state_dict())
    ema_unet.load_state_dict(unet.state_dict())
    params = list(text.parameters()) + list(unet.parameters())
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
    ids = torch.tensor([tokenizer.encode(c) for c in captions], dtype=torch.int32)
    empty = torch.tensor(tokenizer.encode(""), dtype=torch.int32)
    ac = ddim.alphas_cumprod()
    deadline = time.time() + minutes * 60
    step, start, running = 0, time.time(), None
    while time.time() < deadline:
        idx = torch.from_numpy(rng.integers(0, len(latents), batch))
        x0 = latents[idx]
        cond_ids = ids[idx].clone()
        drop = torch.from_numpy(rng.random(batch) < 0.1)
        cond_ids[drop] = empty
        t = torch.from_numpy(rng.integers(0, ddim.TRAIN_STEPS, batch))
        noise = torch.randn_like(x0)
        a = ac[t].reshape(-1, 1, 1, 1)
        xt = a.sqrt() * x0 + (1 - a).sqrt() * noise
        pred = unet(xt, t.float(), text(cond_ids))
        loss = F.mse_loss(pred, noise)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, (time.time() - start) / (minutes * 60), 1e-3)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        decay = min(0.999, (1 + step) / (10 + step))
        with torch.no_grad():
            for ema, live in ((ema_text, text), (ema_unet, unet)):
                for pe, pl in zip(ema.parameters(), live.parameters()):
                    pe.mul_(decay).add_(pl, alpha=1 - decay)
        running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
        if step % 200 == 0:
            log(f"unet step {step} loss {running:.4f} lr {opt.param_groups[0]['lr']:.2e}")
        step += 1
    log(f"unet done after {step} steps")
    return ema_text.eval(), ema_unet.eval(), step


def export(out, text, unet, dec, tokenizer, merges, scaling_factor, meta):
    tokenizer.save(os.path.join(out, "tokenizer"), merges)
    for sub in ("text_encoder", "unet", "vae_decoder", "scheduler"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    opset = 14
    ids = torch.tensor([tokenizer.encode("a red circle")] * 2, dtype=torch.int32)
    torch.onnx.export(text, (ids,), os.path.join(out, "text_encoder", "model.onnx"), opset_version=opset,
                      input_names=["input_ids"], output_names=["last_hidden_state"],
                      dynamic_axes={"input_ids": {0: "batch"}, "last_hidden_state": {0: "batch"}})
    lat = torch.randn(2, 4, 8, 8)
    ctx = text(ids)
    torch.onnx.export(unet, (lat, torch.tensor([500.0, 500.0]), ctx), os.path.join(out, "unet", "model.onnx"),
                      opset_version=opset, input_names=["sample", "timestep", "encoder_hidden_states"],
                      output_names=["out_sample"],
                      dynamic_axes={"sample": {0: "batch", 2: "height", 3: "width"}, "timestep": {0: "steps"},
                                    "encoder_hidden_states": {0: "batch"},
                                    "out_sample": {0: "batch", 2: "height", 3: "width"}})
    torch.onnx.export(dec, (lat,), os.path.join(out, "vae_decoder", "model.onnx"), opset_version=opset,
                      input_names=["latent_sample"], output_names=["sample"],
                      dynamic_axes={"latent_sample": {0: "batch", 2: "height", 3: "width"},
                                    "sample": {0: "batch", 2: "height", 3: "width"}})
    dump = lambda path, obj: json.dump(obj, open(os.path.join(out, path), "w"), indent=2)
    dump("model_index.json", {
        "_class_name": "OnnxStableDiffusionPipeline", "_diffusers_version": "0.30.0",
        "text_encoder": ["diffusers", "OnnxRuntimeModel"], "tokenizer": ["transformers", "CLIPTokenizer"],
        "unet": ["diffusers", "OnnxRuntimeModel"], "vae_decoder": ["diffusers", "OnnxRuntimeModel"],
        "scheduler": ["diffusers", "DDIMScheduler"], "safety_checker": [None, None], "feature_extractor": [None, None],
        "requires_safety_checker": False})
    dump("scheduler/scheduler_config.json", {
        "_class_name": "DDIMScheduler", "num_train_timesteps": ddim.TRAIN_STEPS, "beta_start": ddim.BETA_START,
        "beta_end": ddim.BETA_END, "beta_schedule": "scaled_linear", "prediction_type": "epsilon",
        "set_alpha_to_one": False, "steps_offset": 1, "timestep_spacing": "leading", "clip_sample": False})
    dump("vae_decoder/config.json", {"latent_channels": 4, "scaling_factor": scaling_factor,
                                      "sample_size": SIDE, "out_channels": 3})
    dump("unet/config.json", {"in_channels": 4, "out_channels": 4, "sample_size": SIDE // SCALE_DOWN,
                               "cross_attention_dim": 64, "block_out_channels": [32, 64]})
    dump("text_encoder/config.json", {"hidden_size": 64, "num_hidden_layers": 1, "max_position_embeddings": 77,
                                       "vocab_size": len(tokenizer.encoder)})
    dump("train/out/meta.json", meta)


def classify(img):
    """The procedural colour/shape classifier (documented in MODEL_CARD.md; Java has the same)."""
    px = img.reshape(-1, 3).astype(np.float32)
    corners = np.concatenate([img[:4, :4], img[:4, -4:], img[-4:, :4], img[-4:, -4:]]).reshape(-1, 3).astype(np.float32)
    bg = np.median(corners, axis=0)
    names = list(scenes.COLOURS)
    palette = np.array([scenes.COLOURS[n] for n in names], dtype=np.float32)
    nearest = np.argmin(((px[:, None, :] - palette[None]) ** 2).sum(-1), axis=1)
    bg_idx = int(np.argmin(((palette - bg) ** 2).sum(-1)))
    fg = (nearest != bg_idx) & (np.abs(px - bg).sum(-1) > 60)
    if fg.sum() < 12:
        return None, None
    colour = names[int(np.bincount(nearest[fg], minlength=len(names)).argmax())]
    mask = fg.reshape(img.shape[:2])
    ys, xs = np.nonzero(mask)
    h, w = ys.max() - ys.min() + 1, xs.max() - xs.min() + 1
    fill = mask.sum() / float(h * w)
    # triangle ~0.5, circle ~0.785, square ~1.0
    shape = "triangle" if fill < 0.64 else ("circle" if fill < 0.89 else "square")
    return colour, shape


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="..")
    ap.add_argument("--images", type=int, default=40000)
    ap.add_argument("--vae-minutes", type=float, default=8)
    ap.add_argument("--vae-steps", type=int, default=None,
                    help="train the VAE for this many steps instead of --vae-minutes (steady quality on a busy machine)")
    ap.add_argument("--unet-minutes", type=float, default=40)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()
    if args.smoke:
        args.images, args.vae_minutes, args.unet_minutes = 512, 0.3, 0.3
    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    os.makedirs(os.path.join(args.out, "train", "out"), exist_ok=True)
    t0 = time.time()

    images, captions = scenes.make_dataset(args.images, SIDE, args.seed)
    log(f"dataset: {len(images)} scenes, e.g. {captions[0]!r}")
    vocab, merges = tok.learn(tok.corpus())
    tokenizer = tok.ClipTokenizer(vocab, merges)

    enc, dec, vae_steps = train_vae(images, args.vae_minutes, 32, rng, args.vae_steps)
    latents = encode_all(enc, images)
    scaling_factor = float(1.0 / latents.std())
    log(f"latent std {latents.std():.4f}, scaling_factor {scaling_factor:.5f}")
    latents = latents * scaling_factor
    t_vae = time.time() - t0

    text, unet, unet_steps = train_unet(latents, captions, tokenizer, args.unet_minutes, 64, rng)
    t_total = time.time() - t0

    meta = {"images": len(images), "vae_steps": vae_steps, "unet_steps": unet_steps, "vae_seconds": round(t_vae),
            "total_seconds": round(t_total), "scaling_factor": scaling_factor,
            "params": {"vae_decoder": nets.count(dec), "vae_encoder": nets.count(enc),
                       "text_encoder": nets.count(text), "unet": nets.count(unet)}}
    torch.save({"text_encoder": text.state_dict(), "unet": unet.state_dict(), "vae_decoder": dec.state_dict(),
                "vae_encoder": enc.state_dict(),
                "vocab_size": len(vocab), "scaling_factor": scaling_factor},
               os.path.join(args.out, "train", "kiln-tiny.pt"))
    export(args.out, text, unet, dec, tokenizer, merges, scaling_factor, meta)
    log(f"exported to {args.out}: {json.dumps(meta)}")

    prompts = scenes.held_out_prompts()
    gen = torch.Generator().manual_seed(7)
    lat = torch.randn(len(prompts), 4, SIDE // SCALE_DOWN, SIDE // SCALE_DOWN, generator=gen)
    imgs = ddim.generate(text, unet, dec, tokenizer, prompts, lat, scaling_factor, steps=20, guidance=3.0)
    arr = (imgs.permute(0, 2, 3, 1).numpy() * 255).round().astype(np.uint8)
    hits = 0
    for p, a in zip(prompts, arr):
        colour, shape = classify(a)
        hits += int(colour is not None and colour in p.split() and shape in p.split())
    log(f"held-out colour+shape adherence (python, DDIM 20, guidance 3): {hits}/{len(prompts)}")
    grid = np.concatenate([np.concatenate(list(arr[i:i + 8]), axis=1) for i in range(0, 64, 8)], axis=0)
    try:
        from PIL import Image
        Image.fromarray(grid).save(os.path.join(args.out, "train", "out", "held-out-grid.png"))
    except ImportError:
        np.save(os.path.join(args.out, "train", "out", "held-out-grid.npy"), grid)


if __name__ == "__main__":
    main()
