"""The torch reference loop for the SD-shaped exports: same weights, tokenizer, scheduler and noise as
the Java engine, writing the VAE decoder's output as raw little-endian float32.

  /usr/bin/python3 models/sd-shaped/reference.py --model target/sd-shaped/sd15 --out ref.f32 \
      --steps 2 --guidance 7.5 --size 256 --seeds 1,2 --prompts "a red circle|a blue square"

Substitute for running the ONNX files: onnxruntime is not installable here (no PyPI), so this runs the
torch modules of sd_nets.py on weights.pt, the state dicts the ONNX files were exported from. For the
fp16 variant, torch 1.13 has no half-precision CPU kernels, so the reference computes in float32 on the
float16-rounded weights and rounds every graph input and output to float16 as the fp16 graphs' IO does.

Writes <out> ([n, 3, size, size] float32, the decoder's `sample`, unclamped) and <out>.noise (the
initial latents [n, 4, size/8, size/8] before scaling by init_noise_sigma).
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "kiln-tiny", "train"))
import sd_nets  # noqa: E402
from tokenizer import ClipTokenizer  # noqa: E402

MASK64 = (1 << 64) - 1


def java_noise(seed, count):
    """dev.kiln.render.engine.internal.NoiseGenerator: java.util.SplittableRandom(seed) (SplitMix64 with
    the golden gamma, nextDouble = (nextLong >>> 11) * 2^-53), Box-Muller pairs r cos, r sin with
    r = sqrt(-2 ln(1 - u1)), theta = 2 pi u2, rounded to float32."""
    n = count + (count & 1)
    gamma = 0x9E3779B97F4A7C15
    seeds = (np.arange(1, n + 1, dtype=np.uint64) * np.uint64(gamma) + np.uint64(seed & MASK64))
    z = seeds
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    u = (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    u1, u2 = u[0::2], u[1::2]
    r = np.sqrt(-2.0 * np.log(1.0 - u1))
    theta = 2.0 * math.pi * u2
    out = np.empty(n, dtype=np.float64)
    out[0::2] = r * np.cos(theta)
    out[1::2] = r * np.sin(theta)
    return out[:count].astype(np.float32)


# ---------------------------------------------------------------- schedulers (diffusers v0.30)


def alphas_cumprod(cfg):
    T = cfg["num_train_timesteps"]
    if cfg["beta_schedule"] == "linear":
        betas = torch.linspace(cfg["beta_start"], cfg["beta_end"], T, dtype=torch.float32)
    else:
        betas = torch.linspace(cfg["beta_start"] ** 0.5, cfg["beta_end"] ** 0.5, T, dtype=torch.float32) ** 2
    return torch.cumprod(1.0 - betas, dim=0)


class Pndm:
    """PNDMScheduler with skip_prk_steps (PLMS), epsilon prediction."""

    def __init__(self, cfg, n):
        T = cfg["num_train_timesteps"]
        self.ac = alphas_cumprod(cfg)
        self.final = torch.tensor(1.0) if cfg["set_alpha_to_one"] else self.ac[0]
        self.ratio = T // n
        base = (np.arange(0, n) * self.ratio).round() + cfg["steps_offset"]
        self.timesteps = np.concatenate([base[:-1], base[-2:-1], base[-1:]])[::-1].copy().astype(np.int64).tolist()
        self.init_noise_sigma = 1.0
        self.ets, self.counter, self.cur_sample = [], 0, None

    def scale(self, x, i):
        return x

    def step(self, m, i, x):
        t = self.timesteps[i]
        prev = t - self.ratio
        if self.counter != 1:
            self.ets = self.ets[-3:]
            self.ets.append(m)
        else:
            prev = t
            t = t + self.ratio
        ets = self.ets
        if len(ets) == 1 and self.counter == 0:
            self.cur_sample = x
        elif len(ets) == 1 and self.counter == 1:
            m = (m + ets[-1]) / 2
            x = self.cur_sample
            self.cur_sample = None
        elif len(ets) == 2:
            m = (3 * ets[-1] - ets[-2]) / 2
        elif len(ets) == 3:
            m = (23 * ets[-1] - 16 * ets[-2] + 5 * ets[-3]) / 12
        else:
            m = (1 / 24) * (55 * ets[-1] - 59 * ets[-2] + 37 * ets[-3] - 9 * ets[-4])
        a_t = self.ac[t]
        a_prev = self.ac[prev] if prev >= 0 else self.final
        b_t, b_prev = 1 - a_t, 1 - a_prev
        coeff = (a_prev / a_t) ** 0.5
        denom = a_t * b_prev ** 0.5 + (a_t * b_t * a_prev) ** 0.5
        self.counter += 1
        return coeff * x - (a_prev - a_t) * m / denom


class EulerDiscrete:
    """EulerDiscreteScheduler, s_churn 0, linear sigma interpolation, epsilon prediction."""

    def __init__(self, cfg, n):
        T = cfg["num_train_timesteps"]
        ac = alphas_cumprod(cfg)
        sp = cfg["timestep_spacing"]
        if sp == "linspace":
            ts = np.linspace(0, T - 1, n, dtype=np.float32)[::-1].copy()
        elif sp == "leading":
            ts = (np.arange(0, n) * (T // n)).round()[::-1].copy().astype(np.float32) + cfg["steps_offset"]
        else:
            ts = (np.arange(T, 0, -T / n)).round().copy().astype(np.float32) - 1
        sig = np.array(((1 - ac) / ac) ** 0.5)
        sig = np.interp(ts, np.arange(0, len(sig)), sig)
        self.sigmas = torch.from_numpy(np.concatenate([sig, [0.0]]).astype(np.float32))
        self.timesteps = ts.tolist()
        mx = self.sigmas.max()
        self.init_noise_sigma = float(mx if sp in ("linspace", "trailing") else (mx ** 2 + 1) ** 0.5)

    def scale(self, x, i):
        return x / ((self.sigmas[i] ** 2 + 1) ** 0.5)

    def step(self, m, i, x):
        sigma = self.sigmas[i]
        x0 = x - sigma * m
        d = (x - x0) / sigma
        return x + d * (self.sigmas[i + 1] - sigma)


class EulerAncestral(EulerDiscrete):
    """EulerAncestralDiscreteScheduler, epsilon prediction; noise at every step."""

    def uses_noise(self, i):
        return True

    def step(self, m, i, x, noise=None):
        sigma_from, sigma_to = self.sigmas[i], self.sigmas[i + 1]
        sigma_up = (sigma_to ** 2 * (sigma_from ** 2 - sigma_to ** 2) / sigma_from ** 2) ** 0.5
        sigma_down = (sigma_to ** 2 - sigma_up ** 2) ** 0.5
        x0 = x - sigma_from * m
        return x + (x - x0) / sigma_from * (sigma_down - sigma_from) + noise * sigma_up


class Lcm:
    """LCMScheduler, epsilon prediction, strength 1; noise before every step but the last."""

    def __init__(self, cfg, n):
        T = cfg["num_train_timesteps"]
        self.ac = alphas_cumprod(cfg)
        self.final = torch.tensor(1.0) if cfg.get("set_alpha_to_one", True) else self.ac[0]
        orig = cfg.get("original_inference_steps", 50)
        origin = (np.asarray(list(range(1, orig + 1))) * (T // orig) - 1)[::-1].copy()
        idx = np.floor(np.linspace(0, len(origin), num=n, endpoint=False)).astype(np.int64)
        self.timesteps = origin[idx].tolist()
        self.scaling = cfg.get("timestep_scaling", 10.0)
        self.init_noise_sigma = 1.0

    def scale(self, x, i):
        return x

    def uses_noise(self, i):
        return i != len(self.timesteps) - 1

    def step(self, m, i, x, noise=None):
        t = self.timesteps[i]
        prev = self.timesteps[i + 1] if i + 1 < len(self.timesteps) else t
        a_t = self.ac[t]
        a_prev = self.ac[prev] if prev >= 0 else self.final
        st = t * self.scaling
        c_skip = 0.25 / (st ** 2 + 0.25)
        c_out = st / (st ** 2 + 0.25) ** 0.5
        denoised = c_out * ((x - (1 - a_t).sqrt() * m) / a_t.sqrt()) + c_skip * x
        return a_prev.sqrt() * denoised + (1 - a_prev).sqrt() * noise if self.uses_noise(i) else denoised


SCHEDULERS = {"PNDMScheduler": Pndm, "EulerDiscreteScheduler": EulerDiscrete,
              "EulerAncestralDiscreteScheduler": EulerAncestral, "LCMScheduler": Lcm}


# ---------------------------------------------------------------- loop


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--steps", type=int, default=1)
    p.add_argument("--guidance", type=float, default=7.5)
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--seeds", default="1,2")
    p.add_argument("--prompts", default="a red circle|a blue square")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--scheduler", help="replace the config's _class_name, as EngineOptions.optScheduler does")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    start = time.time()

    index = json.load(open(os.path.join(a.model, "model_index.json")))
    variant = index["kiln_sd_shaped"]["variant"]
    fp16 = sd_nets.VARIANTS[variant]["fp16"]
    # weights.pt overwrites every parameter: skip the random initialisation (a minute for 1e9 parameters)
    saved = {f: getattr(torch.nn.init, f) for f in ("kaiming_uniform_", "uniform_", "normal_")}
    for f in saved:
        setattr(torch.nn.init, f, lambda t, *args, **kwargs: t)
    try:
        text, unet, vae = sd_nets.build(variant, 0)
    finally:
        for f, fn in saved.items():
            setattr(torch.nn.init, f, fn)
    weights = torch.load(os.path.join(a.model, "weights.pt"))
    for module, key in ((text, "text_encoder"), (unet, "unet"), (vae, "vae_decoder")):
        state = weights[key]
        if fp16:
            state = {k: v.half().float() if v.is_floating_point() else v for k, v in state.items()}
        module.load_state_dict(state)
    io = (lambda x: x.half().float()) if fp16 else (lambda x: x)

    vocab = json.load(open(os.path.join(a.model, "tokenizer", "vocab.json")))
    merges = [tuple(line.split()) for line in open(os.path.join(a.model, "tokenizer", "merges.txt"))
              if line.strip() and not line.startswith("#version")]
    tok = ClipTokenizer(vocab, merges)
    seeds = [int(s) for s in a.seeds.split(",")]
    prompts = a.prompts.split("|")
    n = len(seeds)
    prompts = (prompts * n)[:n]
    guided = a.guidance > 1
    texts = ([""] * n if guided else []) + prompts
    cfg = json.load(open(os.path.join(a.model, "scheduler", "scheduler_config.json")))
    if a.scheduler:
        cfg["_class_name"] = a.scheduler
    sched = SCHEDULERS[cfg["_class_name"]](cfg, a.steps)
    uses_noise = getattr(sched, "uses_noise", lambda i: False)
    timestep_int = sd_nets.VARIANTS[variant]["timestep"] == "int64-batch"

    lh = a.size // 8
    with torch.no_grad():
        ids = torch.tensor([tok.encode(t) for t in texts], dtype=torch.int64)
        context = io(text(ids)[0])
        plane = 4 * lh * lh
        # NoiseGenerator.Stream: the initial latents, then plane more values per noisy step, per image
        draws = 1 + sum(1 for i in range(len(sched.timesteps)) if uses_noise(i))
        streams = np.stack([java_noise(s, plane * draws).reshape(draws, 4, lh, lh) for s in seeds])
        noise = streams[:, 0]
        used = 1
        x = torch.from_numpy(noise.copy()) * sched.init_noise_sigma
        for i, t in enumerate(sched.timesteps):
            xin = sched.scale(x, i)
            rows = torch.cat([xin, xin]) if guided else xin
            if timestep_int:
                ts = torch.full((rows.shape[0],), int(t), dtype=torch.int64)
            else:
                ts = io(torch.tensor(float(t)))
            out = io(unet(io(rows), ts, context))
            if guided:
                g = torch.tensor(a.guidance)
                out = out[:n] + g * (out[n:] - out[:n])
            if uses_noise(i):
                x = sched.step(out, i, x, torch.from_numpy(streams[:, used].copy()))
                used += 1
            else:
                x = sched.step(out, i, x)
        image = io(vae(io(x / 0.18215)))
    image.numpy().astype("<f4").tofile(a.out)
    noise.astype("<f4").tofile(a.out + ".noise")
    print(f"reference {variant}: {n} images {a.size}x{a.size}, {a.steps} steps ({len(sched.timesteps)} UNet calls), "
          f"guidance {a.guidance}, in {time.time() - start:.1f} s -> {a.out}", flush=True)


if __name__ == "__main__":
    main()
