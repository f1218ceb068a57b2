"""kiln-tiny's three networks, in the shapes and tensor names of a Stable Diffusion export.

Attention is written out by hand (torch 1.13 has no fused attention to export), and every
reshape takes sizes from the tensor itself so batch and spatial axes stay dynamic in ONNX.
"""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

LATENT_CHANNELS = 4


def norm(channels):
    return nn.GroupNorm(8, channels)


class VaeResBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.n1, self.c1 = norm(cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.n2, self.c2 = norm(cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x):
        h = self.c1(F.silu(self.n1(x)))
        h = self.c2(F.silu(self.n2(h)))
        return self.skip(x) + h


class VaeEncoder(nn.Module):
    """64x64x3 in [-1, 1] -> mean and log-variance of 8x8x4 latents."""

    def __init__(self, ch=(16, 32, 64)):
        super().__init__()
        layers = [nn.Conv2d(3, ch[0], 3, padding=1)]
        cin = ch[0]
        for c in ch:
            layers += [VaeResBlock(cin, c), nn.Conv2d(c, c, 3, stride=2, padding=1)]
            cin = c
        layers += [VaeResBlock(cin, cin), norm(cin), nn.SiLU(), nn.Conv2d(cin, 2 * LATENT_CHANNELS, 3, padding=1)]
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        mean, logvar = self.net(x).chunk(2, dim=1)
        return mean, logvar.clamp(-30, 20)


class VaeDecoder(nn.Module):
    """latent_sample (unscaled) -> sample in [-1, 1], 8x the spatial size."""

    def __init__(self, ch=(64, 32, 16)):
        super().__init__()
        layers = [nn.Conv2d(LATENT_CHANNELS, ch[0], 3, padding=1), VaeResBlock(ch[0], ch[0])]
        cin = ch[0]
        for c in ch:
            layers += [nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(cin, c, 3, padding=1), VaeResBlock(c, c)]
            cin = c
        layers += [norm(cin), nn.SiLU(), nn.Conv2d(cin, 3, 3, padding=1)]
        self.net = nn.Sequential(*layers)

    def forward(self, latent_sample):
        return self.net(latent_sample)


class Attention(nn.Module):
    def __init__(self, dim, context_dim=None, heads=4):
        super().__init__()
        context_dim = context_dim or dim
        self.heads = heads
        self.q = nn.Linear(dim, dim, bias=False)
        self.k = nn.Linear(context_dim, dim, bias=False)
        self.v = nn.Linear(context_dim, dim, bias=False)
        self.o = nn.Linear(dim, dim)

    def split(self, t):
        b, n, d = t.shape
        return t.reshape(b, n, self.heads, d // self.heads).transpose(1, 2)

    def forward(self, x, context=None):
        context = x if context is None else context
        q, k, v = self.split(self.q(x)), self.split(self.k(context)), self.split(self.v(context))
        scale = 1.0 / math.sqrt(q.shape[-1])
        weights = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * scale, dim=-1)
        out = torch.matmul(weights, v).transpose(1, 2)
        return self.o(out.reshape(x.shape))


class TransformerBlock(nn.Module):
    def __init__(self, dim, context_dim=None):
        super().__init__()
        self.ln1, self.attn1 = nn.LayerNorm(dim), Attention(dim)
        self.cross = context_dim is not None
        if self.cross:
            self.ln2, self.attn2 = nn.LayerNorm(dim), Attention(dim, context_dim)
        self.ln3 = nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x, context=None):
        x = x + self.attn1(self.ln1(x))
        if self.cross:
            x = x + self.attn2(self.ln2(x), context)
        return x + self.ff(self.ln3(x))


class TextEncoder(nn.Module):
    """input_ids [B, 77] (int32, as SD exports take them) -> last_hidden_state [B, 77, width]."""

    def __init__(self, vocab_size, width=64, layers=1, max_length=77):
        super().__init__()
        self.token = nn.Embedding(vocab_size, width)
        self.position = nn.Parameter(torch.zeros(max_length, width))
        nn.init.normal_(self.position, std=0.01)
        self.blocks = nn.ModuleList([TransformerBlock(width) for _ in range(layers)])
        self.final = nn.LayerNorm(width)

    def forward(self, input_ids):
        x = self.token(input_ids.long()) + self.position
        for block in self.blocks:
            x = block(x)
        return self.final(x)


class UNetResBlock(nn.Module):
    def __init__(self, cin, cout, temb):
        super().__init__()
        self.n1, self.c1 = norm(cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.t = nn.Linear(temb, cout)
        self.n2, self.c2 = norm(cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, emb):
        h = self.c1(F.silu(self.n1(x)))
        h = h + self.t(F.silu(emb))[:, :, None, None]
        h = self.c2(F.silu(self.n2(h)))
        return self.skip(x) + h


class SpatialTransformer(nn.Module):
    def __init__(self, channels, context_dim):
        super().__init__()
        self.norm = norm(channels)
        self.proj_in = nn.Conv2d(channels, channels, 1)
        self.block = TransformerBlock(channels, context_dim)
        self.proj_out = nn.Conv2d(channels, channels, 1)

    def forward(self, x, context):
        h = self.proj_in(self.norm(x))
        tokens = h.flatten(2).transpose(1, 2)
        tokens = self.block(tokens, context)
        h = tokens.transpose(1, 2).reshape(x.shape)
        return x + self.proj_out(h)


def timestep_embedding(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    args = t.float().reshape(-1, 1) * freqs.reshape(1, -1)
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)


class UNet(nn.Module):
    """sample [B,4,h,w], timestep [B] or [1], encoder_hidden_states [B,77,ctx] -> out_sample [B,4,h,w]."""

    def __init__(self, context_dim=64, ch=(32, 64)):
        super().__init__()
        c1, c2 = ch
        self.temb_dim = 4 * c1
        self.time = nn.Sequential(nn.Linear(c1, self.temb_dim), nn.SiLU(), nn.Linear(self.temb_dim, self.temb_dim))
        self.conv_in = nn.Conv2d(LATENT_CHANNELS, c1, 3, padding=1)
        self.down1 = UNetResBlock(c1, c1, self.temb_dim)
        self.down1_attn = SpatialTransformer(c1, context_dim)
        self.downsample = nn.Conv2d(c1, c1, 3, stride=2, padding=1)
        self.down2 = UNetResBlock(c1, c2, self.temb_dim)
        self.down2_attn = SpatialTransformer(c2, context_dim)
        self.mid1 = UNetResBlock(c2, c2, self.temb_dim)
        self.mid_attn = SpatialTransformer(c2, context_dim)
        self.mid2 = UNetResBlock(c2, c2, self.temb_dim)
        self.up2 = UNetResBlock(c2 + c2, c2, self.temb_dim)
        self.up2_attn = SpatialTransformer(c2, context_dim)
        self.upsample = nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(c2, c2, 3, padding=1))
        self.up1 = UNetResBlock(c2 + c1, c1, self.temb_dim)
        self.up1_attn = SpatialTransformer(c1, context_dim)
        self.out = nn.Sequential(norm(c1), nn.SiLU(), nn.Conv2d(c1, LATENT_CHANNELS, 3, padding=1))
        self.base = c1

    def forward(self, sample, timestep, encoder_hidden_states):
        emb = self.time(timestep_embedding(timestep, self.base))
        ctx = encoder_hidden_states
        h0 = self.conv_in(sample)
        h1 = self.down1_attn(self.down1(h0, emb), ctx)
        h2 = self.down2_attn(self.down2(self.downsample(h1), emb), ctx)
        m = self.mid2(self.mid_attn(self.mid1(h2, emb), ctx), emb)
        u2 = self.up2_attn(self.up2(torch.cat([m, h2], dim=1), emb), ctx)
        u1 = self.up1_attn(self.up1(torch.cat([self.upsample(u2), h1], dim=1), emb), ctx)
        return self.out(u1)


def count(module):
    return sum(p.numel() for p in module.parameters())
