"""Stable Diffusion's networks in plain torch (no diffusers, no transformers): the UNet2DConditionModel,
CLIP text transformer and AutoencoderKL decoder of diffusers/transformers, restated module by module
with the same shapes, so that a random-weight export has the real architecture and cost.

Used by make_sd_shaped.py (export) and reference.py (the torch reference loop).
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

SD15_UNET = dict(channels=(320, 640, 1280, 1280), layers=2, cross_dim=768, heads=(8, 8, 8, 8), linear_proj=False)
# SD 2.1 / SD-Turbo: attention_head_dim [5, 10, 20, 20] (diffusers counts heads there), linear projections.
SD21_UNET = dict(channels=(320, 640, 1280, 1280), layers=2, cross_dim=1024, heads=(5, 10, 20, 20), linear_proj=True)
CLIP_L = dict(vocab=49408, positions=77, width=768, layers=12, heads=12, mlp=3072, act="quick_gelu")
OPEN_CLIP_H_23 = dict(vocab=49408, positions=77, width=1024, layers=23, heads=16, mlp=4096, act="gelu")
SD_VAE = dict(channels=(128, 256, 512, 512), layers=2, latent=4)


# ---------------------------------------------------------------- UNet2DConditionModel


def timestep_embedding(t, dim):
    """diffusers get_timestep_embedding with flip_sin_to_cos=True, downscale_freq_shift=0."""
    half = dim // 2
    exponent = -math.log(10000) * torch.arange(0, half, dtype=torch.float32) / half
    emb = t[:, None].float() * torch.exp(exponent)[None, :]
    emb = torch.cat([torch.sin(emb), torch.cos(emb)], dim=-1)
    return torch.cat([emb[:, half:], emb[:, :half]], dim=-1)


class Resnet(nn.Module):
    def __init__(self, cin, cout, temb=None, eps=1e-5):
        super().__init__()
        self.norm1 = nn.GroupNorm(32, cin, eps=eps)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb, cout) if temb else None
        self.norm2 = nn.GroupNorm(32, cout, eps=eps)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb=None):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.time_emb_proj is not None:
            h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        if self.conv_shortcut is not None:
            x = self.conv_shortcut(x)
        return x + h


class Attention(nn.Module):
    def __init__(self, dim, heads, context_dim=None, bias=False):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.to_q = nn.Linear(dim, dim, bias=bias)
        self.to_k = nn.Linear(context_dim or dim, dim, bias=bias)
        self.to_v = nn.Linear(context_dim or dim, dim, bias=bias)
        self.to_out = nn.ModuleList([nn.Linear(dim, dim)])

    def forward(self, x, context=None):
        context = x if context is None else context
        b, n, c = x.shape
        m = context.shape[1]
        h = self.heads
        q = self.to_q(x).reshape(b, n, h, c // h).transpose(1, 2)
        k = self.to_k(context).reshape(b, m, h, c // h).transpose(1, 2)
        v = self.to_v(context).reshape(b, m, h, c // h).transpose(1, 2)
        a = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * self.scale, dim=-1)
        out = torch.matmul(a, v).transpose(1, 2).reshape(b, n, c)
        return self.to_out[0](out)


class GEGLU(nn.Module):
    def __init__(self, dim, inner):
        super().__init__()
        self.proj = nn.Linear(dim, inner * 2)

    def forward(self, x):
        hidden, gate = self.proj(x).chunk(2, dim=-1)
        return hidden * F.gelu(gate)


class FeedForward(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.net = nn.ModuleList([GEGLU(dim, dim * 4), nn.Identity(), nn.Linear(dim * 4, dim)])

    def forward(self, x):
        for m in self.net:
            x = m(x)
        return x


class BasicTransformerBlock(nn.Module):
    def __init__(self, dim, heads, context_dim):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn1 = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.attn2 = Attention(dim, heads, context_dim)
        self.norm3 = nn.LayerNorm(dim)
        self.ff = FeedForward(dim)

    def forward(self, x, context):
        x = self.attn1(self.norm1(x)) + x
        x = self.attn2(self.norm2(x), context) + x
        return self.ff(self.norm3(x)) + x


class Transformer2D(nn.Module):
    def __init__(self, dim, heads, context_dim, linear_proj):
        super().__init__()
        self.linear_proj = linear_proj
        self.norm = nn.GroupNorm(32, dim, eps=1e-6)
        self.proj_in = nn.Linear(dim, dim) if linear_proj else nn.Conv2d(dim, dim, 1)
        self.transformer_blocks = nn.ModuleList([BasicTransformerBlock(dim, heads, context_dim)])
        self.proj_out = nn.Linear(dim, dim) if linear_proj else nn.Conv2d(dim, dim, 1)

    def forward(self, x, context):
        b, c, h, w = x.shape
        res = x
        x = self.norm(x)
        if self.linear_proj:
            x = self.proj_in(x.permute(0, 2, 3, 1).reshape(b, h * w, c))
        else:
            x = self.proj_in(x).permute(0, 2, 3, 1).reshape(b, h * w, c)
        for block in self.transformer_blocks:
            x = block(x, context)
        if self.linear_proj:
            x = self.proj_out(x).reshape(b, h, w, c).permute(0, 3, 1, 2)
        else:
            x = self.proj_out(x.reshape(b, h, w, c).permute(0, 3, 1, 2))
        return x + res


class Downsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, stride=2, padding=1)

    def forward(self, x):
        return self.conv(x)


class Upsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class DownBlock(nn.Module):
    def __init__(self, cin, cout, temb, layers, heads, cross_dim, attn, down, linear_proj):
        super().__init__()
        self.resnets = nn.ModuleList([Resnet(cin if i == 0 else cout, cout, temb) for i in range(layers)])
        self.attentions = nn.ModuleList(
            [Transformer2D(cout, heads, cross_dim, linear_proj) for _ in range(layers)]) if attn else None
        self.downsamplers = nn.ModuleList([Downsample(cout)]) if down else None

    def forward(self, x, temb, context):
        skips = []
        for i, resnet in enumerate(self.resnets):
            x = resnet(x, temb)
            if self.attentions is not None:
                x = self.attentions[i](x, context)
            skips.append(x)
        if self.downsamplers is not None:
            x = self.downsamplers[0](x)
            skips.append(x)
        return x, skips


class UpBlock(nn.Module):
    def __init__(self, cin, cout, prev, temb, layers, heads, cross_dim, attn, up, linear_proj):
        super().__init__()
        n = layers + 1
        self.resnets = nn.ModuleList([
            Resnet((prev if i == 0 else cout) + (cin if i == n - 1 else cout), cout, temb) for i in range(n)])
        self.attentions = nn.ModuleList(
            [Transformer2D(cout, heads, cross_dim, linear_proj) for _ in range(n)]) if attn else None
        self.upsamplers = nn.ModuleList([Upsample(cout)]) if up else None

    def forward(self, x, skips, temb, context):
        for i, resnet in enumerate(self.resnets):
            x = resnet(torch.cat([x, skips.pop()], dim=1), temb)
            if self.attentions is not None:
                x = self.attentions[i](x, context)
        if self.upsamplers is not None:
            x = self.upsamplers[0](x)
        return x


class MidBlock(nn.Module):
    def __init__(self, c, temb, heads, cross_dim, linear_proj):
        super().__init__()
        self.resnets = nn.ModuleList([Resnet(c, c, temb), Resnet(c, c, temb)])
        self.attentions = nn.ModuleList([Transformer2D(c, heads, cross_dim, linear_proj)])

    def forward(self, x, temb, context):
        x = self.resnets[0](x, temb)
        x = self.attentions[0](x, context)
        return self.resnets[1](x, temb)


class UNet(nn.Module):
    """UNet2DConditionModel: CrossAttnDownBlock2D x3 + DownBlock2D, UNetMidBlock2DCrossAttn,
    UpBlock2D + CrossAttnUpBlock2D x3. Takes timestep as a scalar or a [B] tensor, int or float,
    as diffusers does (a scalar is broadcast to the batch)."""

    def __init__(self, channels, layers, cross_dim, heads, linear_proj, in_channels=4):
        super().__init__()
        temb = channels[0] * 4
        self.block_channels = channels
        self.conv_in = nn.Conv2d(in_channels, channels[0], 3, padding=1)
        self.time_embedding = nn.ModuleDict(dict(linear_1=nn.Linear(channels[0], temb), linear_2=nn.Linear(temb, temb)))
        n = len(channels)
        self.down_blocks = nn.ModuleList()
        cout = channels[0]
        for i in range(n):
            cin, cout = cout, channels[i]
            self.down_blocks.append(DownBlock(cin, cout, temb, layers, heads[i], cross_dim, attn=i < n - 1,
                                              down=i < n - 1, linear_proj=linear_proj))
        self.mid_block = MidBlock(channels[-1], temb, heads[-1], cross_dim, linear_proj)
        rev = list(reversed(channels))
        rev_heads = list(reversed(heads))
        self.up_blocks = nn.ModuleList()
        cout = rev[0]
        for i in range(n):
            prev, cout, cin = cout, rev[i], rev[min(i + 1, n - 1)]
            self.up_blocks.append(UpBlock(cin, cout, prev, temb, layers, rev_heads[i], cross_dim, attn=i > 0,
                                          up=i < n - 1, linear_proj=linear_proj))
        self.conv_norm_out = nn.GroupNorm(32, channels[0], eps=1e-5)
        self.conv_out = nn.Conv2d(channels[0], in_channels, 3, padding=1)

    def forward(self, sample, timestep, encoder_hidden_states):
        if timestep.dim() == 0:
            timestep = timestep[None]
        timestep = timestep.expand(sample.shape[0])
        t = timestep_embedding(timestep, self.block_channels[0])
        temb = self.time_embedding["linear_2"](F.silu(self.time_embedding["linear_1"](t)))
        x = self.conv_in(sample)
        skips = [x]
        for block in self.down_blocks:
            x, s = block(x, temb, encoder_hidden_states)
            skips += s
        x = self.mid_block(x, temb, encoder_hidden_states)
        for block in self.up_blocks:
            x = block(x, skips, temb, encoder_hidden_states)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


# ---------------------------------------------------------------- CLIP text transformer


class ClipAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q_proj = nn.Linear(width, width)
        self.k_proj = nn.Linear(width, width)
        self.v_proj = nn.Linear(width, width)
        self.out_proj = nn.Linear(width, width)

    def forward(self, x, mask):
        b, n, c = x.shape
        h = self.heads
        scale = (c // h) ** -0.5
        q = (self.q_proj(x) * scale).reshape(b, n, h, c // h).transpose(1, 2)
        k = self.k_proj(x).reshape(b, n, h, c // h).transpose(1, 2)
        v = self.v_proj(x).reshape(b, n, h, c // h).transpose(1, 2)
        a = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) + mask, dim=-1)
        return self.out_proj(torch.matmul(a, v).transpose(1, 2).reshape(b, n, c))


class ClipLayer(nn.Module):
    def __init__(self, width, heads, mlp, act):
        super().__init__()
        self.act = act
        self.layer_norm1 = nn.LayerNorm(width)
        self.self_attn = ClipAttention(width, heads)
        self.layer_norm2 = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, mlp)
        self.fc2 = nn.Linear(mlp, width)

    def forward(self, x, mask):
        x = x + self.self_attn(self.layer_norm1(x), mask)
        h = self.fc1(self.layer_norm2(x))
        h = h * torch.sigmoid(1.702 * h) if self.act == "quick_gelu" else F.gelu(h)
        return x + self.fc2(h)


class ClipText(nn.Module):
    """transformers' CLIPTextModel: returns (last_hidden_state, pooler_output), the pooled row being
    the one at the highest token id (the end-of-text token), as CLIPTextTransformer does for
    eos_token_id == 2 configs such as SD's."""

    def __init__(self, vocab, positions, width, layers, heads, mlp, act):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, width)
        self.position_embedding = nn.Embedding(positions, width)
        self.layers = nn.ModuleList([ClipLayer(width, heads, mlp, act) for _ in range(layers)])
        self.final_layer_norm = nn.LayerNorm(width)
        self.register_buffer("position_ids", torch.arange(positions)[None, :], persistent=False)
        self.register_buffer("causal_mask", torch.full((positions, positions), float("-inf")).triu(1),
                             persistent=False)

    def forward(self, input_ids):
        n = input_ids.shape[1]
        x = self.token_embedding(input_ids) + self.position_embedding(self.position_ids[:, :n])
        mask = self.causal_mask[:n, :n]
        for layer in self.layers:
            x = layer(x, mask)
        x = self.final_layer_norm(x)
        pooled = x[torch.arange(x.shape[0]), input_ids.to(torch.int64).argmax(dim=-1)]
        return x, pooled


# ---------------------------------------------------------------- AutoencoderKL decoder


class VaeAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.group_norm = nn.GroupNorm(32, c, eps=1e-6)
        self.to_q = nn.Linear(c, c)
        self.to_k = nn.Linear(c, c)
        self.to_v = nn.Linear(c, c)
        self.to_out = nn.ModuleList([nn.Linear(c, c)])

    def forward(self, x):
        b, c, h, w = x.shape
        res = x
        x = self.group_norm(x).reshape(b, c, h * w).transpose(1, 2)
        q, k, v = self.to_q(x), self.to_k(x), self.to_v(x)
        a = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * c ** -0.5, dim=-1)
        x = self.to_out[0](torch.matmul(a, v))
        return x.transpose(1, 2).reshape(b, c, h, w) + res


class VaeDecoder(nn.Module):
    """AutoencoderKL.decode (post_quant_conv + Decoder), as optimum exports vae_decoder: takes the
    unscaled latents, returns the image in about [-1, 1]."""

    def __init__(self, channels, layers, latent):
        super().__init__()
        rev = list(reversed(channels))
        self.post_quant_conv = nn.Conv2d(latent, latent, 1)
        self.conv_in = nn.Conv2d(latent, rev[0], 3, padding=1)
        self.mid_resnets = nn.ModuleList([Resnet(rev[0], rev[0], eps=1e-6), Resnet(rev[0], rev[0], eps=1e-6)])
        self.mid_attention = VaeAttention(rev[0])
        self.up_blocks = nn.ModuleList()
        cout = rev[0]
        for i, c in enumerate(rev):
            cin, cout = cout, c
            block = nn.Module()
            block.resnets = nn.ModuleList(
                [Resnet(cin if j == 0 else cout, cout, eps=1e-6) for j in range(layers + 1)])
            block.upsamplers = nn.ModuleList([Upsample(cout)]) if i < len(rev) - 1 else None
            self.up_blocks.append(block)
        self.conv_norm_out = nn.GroupNorm(32, channels[0], eps=1e-6)
        self.conv_out = nn.Conv2d(channels[0], 3, 3, padding=1)

    def forward(self, latent_sample):
        x = self.conv_in(self.post_quant_conv(latent_sample))
        x = self.mid_resnets[1](self.mid_attention(self.mid_resnets[0](x)))
        for block in self.up_blocks:
            for resnet in block.resnets:
                x = resnet(x)
            if block.upsamplers is not None:
                x = block.upsamplers[0](x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


# ---------------------------------------------------------------- variants


VARIANTS = {
    "sd15": dict(unet=SD15_UNET, text=CLIP_L, vae=SD_VAE, scheduler="pndm", fp16=False, timestep="int64-batch"),
    "sd15-fp16": dict(unet=SD15_UNET, text=CLIP_L, vae=SD_VAE, scheduler="pndm", fp16=True, timestep="float-scalar"),
    "sd-turbo": dict(unet=SD21_UNET, text=OPEN_CLIP_H_23, vae=SD_VAE, scheduler="euler-trailing", fp16=False,
                     timestep="float-scalar"),
}


def build(variant, seed):
    """The three networks of a variant with random weights drawn from `seed`, in eval mode, fp32.
    make_sd_shaped.py then rescales each conv_out (see calibrate) before saving."""
    cfg = VARIANTS[variant]
    torch.manual_seed(seed)
    text = ClipText(**cfg["text"]).eval()
    unet = UNet(**cfg["unet"]).eval()
    vae = VaeDecoder(**cfg["vae"]).eval()
    return text, unet, vae
