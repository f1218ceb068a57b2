"""The noise schedule and a DDIM sampler with classifier-free guidance, in eager PyTorch.

This is the loop a Python user would write over kiln-tiny's weights; bench/ times it
against Kiln's Java engine.
"""
import numpy as np
import torch

TRAIN_STEPS = 1000
BETA_START, BETA_END = 0.00085, 0.012


def alphas_cumprod():
    betas = torch.linspace(BETA_START ** 0.5, BETA_END ** 0.5, TRAIN_STEPS, dtype=torch.float64) ** 2
    return torch.cumprod(1.0 - betas, dim=0).float()


def ddim_timesteps(steps, offset=1):
    """'leading' spacing with steps_offset, as diffusers' DDIMScheduler does."""
    ratio = TRAIN_STEPS // steps
    return (np.arange(0, steps) * ratio).round()[::-1].astype(np.int64) + offset


@torch.no_grad()
def generate(text_encoder, unet, decoder, tokenizer, prompts, latents, scaling_factor, steps=20, guidance=3.0):
    """latents: [B,4,h,w] standard normal. Returns images as float [B,3,H,W] in [0,1]."""
    ac = alphas_cumprod()
    ids = torch.tensor([tokenizer.encode(p) for p in prompts], dtype=torch.int32)
    cond = text_encoder(ids)
    use_cfg = guidance > 1.0
    if use_cfg:
        uncond = text_encoder(torch.tensor([tokenizer.encode("")] * len(prompts), dtype=torch.int32))
        context = torch.cat([uncond, cond])
    else:
        context = cond
    ratio = TRAIN_STEPS // steps
    x = latents
    for t in ddim_timesteps(steps):
        model_in = torch.cat([x, x]) if use_cfg else x
        tt = torch.full((model_in.shape[0],), float(t))
        eps = unet(model_in, tt, context)
        if use_cfg:
            eu, ec = eps.chunk(2)
            eps = eu + guidance * (ec - eu)
        prev = t - ratio
        a_t = ac[t]
        a_prev = ac[prev] if prev >= 0 else ac[0]  # set_alpha_to_one = false
        x0 = (x - (1 - a_t).sqrt() * eps) / a_t.sqrt()
        x = a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * eps
    img = decoder(x / scaling_factor)
    return (img / 2 + 0.5).clamp(0, 1)
