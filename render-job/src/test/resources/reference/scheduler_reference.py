"""Reference values for SchedulersTest: diffusers' DDIMScheduler, EulerDiscreteScheduler and
PNDMScheduler (v0.30 formulas, eta=0, s_churn=0), restated in torch/numpy because diffusers is not
installed here. Every line below mirrors the corresponding line of diffusers' set_timesteps/step.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 render-job/src/test/resources/reference/scheduler_reference.py
"""
import numpy as np
import torch


def betas(cfg):
    T = cfg["num_train_timesteps"]
    if cfg["beta_schedule"] == "linear":
        return torch.linspace(cfg["beta_start"], cfg["beta_end"], T, dtype=torch.float32)
    return torch.linspace(cfg["beta_start"] ** 0.5, cfg["beta_end"] ** 0.5, T, dtype=torch.float32) ** 2


def cumprod(cfg):
    return torch.cumprod(1.0 - betas(cfg), dim=0)


def ddim(cfg, n, sample, out):
    T = cfg["num_train_timesteps"]
    ac = cumprod(cfg)
    final = torch.tensor(1.0) if cfg["set_alpha_to_one"] else ac[0]
    sp = cfg["timestep_spacing"]
    if sp == "linspace":
        ts = np.linspace(0, T - 1, n).round()[::-1].copy().astype(np.int64)
    elif sp == "leading":
        ts = (np.arange(0, n) * (T // n)).round()[::-1].copy().astype(np.int64) + cfg["steps_offset"]
    else:
        ts = np.round(np.arange(T, 0, -T / n)).astype(np.int64) - 1
    results = []
    for i in (0, len(ts) - 1):
        t = int(ts[i])
        prev = t - T // n
        a_t = ac[t]
        a_prev = ac[prev] if prev >= 0 else final
        b_t = 1 - a_t
        s, m = torch.tensor(sample), torch.tensor(out)
        pt = cfg["prediction_type"]
        if pt == "epsilon":
            x0 = (s - b_t ** 0.5 * m) / a_t ** 0.5
            eps = m
        elif pt == "sample":
            x0 = m
            eps = (s - a_t ** 0.5 * x0) / b_t ** 0.5
        else:
            x0 = a_t ** 0.5 * s - b_t ** 0.5 * m
            eps = a_t ** 0.5 * m + b_t ** 0.5 * s
        prev_sample = a_prev ** 0.5 * x0 + (1 - a_prev) ** 0.5 * eps
        results.append((i, prev_sample.tolist()))
    return ts.tolist(), results


def euler(cfg, n, sample, out):
    T = cfg["num_train_timesteps"]
    ac = cumprod(cfg)
    sp = cfg["timestep_spacing"]
    if sp == "linspace":
        ts = np.linspace(0, T - 1, n, dtype=np.float32)[::-1].copy()
    elif sp == "leading":
        ts = (np.arange(0, n) * (T // n)).round()[::-1].copy().astype(np.float32) + cfg["steps_offset"]
    else:
        ts = (np.arange(T, 0, -T / n)).round().copy().astype(np.float32) - 1
    sig = np.array(((1 - ac) / ac) ** 0.5)
    sig = np.interp(ts, np.arange(0, len(sig)), sig)
    sig = torch.from_numpy(np.concatenate([sig, [0.0]]).astype(np.float32))
    mx = sig.max()
    init = mx if sp in ("linspace", "trailing") else (mx ** 2 + 1) ** 0.5
    results = []
    for i in (0, len(ts) - 1):
        s, m = torch.tensor(sample), torch.tensor(out)
        sigma = sig[i]
        scaled = s / ((sigma ** 2 + 1) ** 0.5)
        pt = cfg["prediction_type"]
        if pt == "epsilon":
            x0 = s - sigma * m
        elif pt == "v_prediction":
            x0 = m * (-sigma / (sigma ** 2 + 1) ** 0.5) + (s / (sigma ** 2 + 1))
        else:
            x0 = m
        d = (s - x0) / sigma
        prev_sample = s + d * (sig[i + 1] - sigma)
        results.append((i, scaled.tolist(), prev_sample.tolist()))
    return ts.tolist(), sig.tolist(), float(init), results


def pndm(cfg, n, samples, outs):
    """PLMS with skip_prk_steps; feeds outs[k] as the model output at call k and chains samples."""
    T = cfg["num_train_timesteps"]
    ac = cumprod(cfg)
    final = torch.tensor(1.0) if cfg["set_alpha_to_one"] else ac[0]
    base = (np.arange(0, n) * (T // n)).round() + cfg["steps_offset"]
    plms = np.concatenate([base[:-1], base[-2:-1], base[-1:]])[::-1].copy().astype(np.int64)
    ets, counter, cur_sample = [], 0, None
    x = torch.tensor(samples)
    trace = []
    for k, t in enumerate(plms.tolist()):
        m = torch.tensor(outs[k % len(outs)])
        prev = t - T // n
        if counter != 1:
            ets = ets[-3:]
            ets.append(m)
        else:
            prev = t
            t = t + T // n
        if len(ets) == 1 and counter == 0:
            cur_sample = x
        elif len(ets) == 1 and counter == 1:
            m = (m + ets[-1]) / 2
            x = cur_sample
            cur_sample = None
        elif len(ets) == 2:
            m = (3 * ets[-1] - ets[-2]) / 2
        elif len(ets) == 3:
            m = (23 * ets[-1] - 16 * ets[-2] + 5 * ets[-3]) / 12
        else:
            m = (1 / 24) * (55 * ets[-1] - 59 * ets[-2] + 37 * ets[-3] - 9 * ets[-4])
        a_t = ac[t]
        a_prev = ac[prev] if prev >= 0 else final
        b_t, b_prev = 1 - a_t, 1 - a_prev
        if cfg["prediction_type"] == "v_prediction":
            m = a_t ** 0.5 * m + b_t ** 0.5 * x
        coeff = (a_prev / a_t) ** 0.5
        denom = a_t * b_prev ** 0.5 + (a_t * b_t * a_prev) ** 0.5
        x = coeff * x - (a_prev - a_t) * m / denom
        counter += 1
        trace.append(x.tolist())
    return plms.tolist(), trace


SD = dict(num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
          prediction_type="epsilon", set_alpha_to_one=False, steps_offset=1, timestep_spacing="leading")
SAMPLE, OUT = [0.5, -1.0, 2.0], [0.1, 0.2, -0.3]
torch.set_printoptions(precision=8)
np.set_printoptions(precision=8)

print("alphas_cumprod scaled_linear [0,1,500,999]", [cumprod(SD)[i].item() for i in (0, 1, 500, 999)])
lin = dict(SD, beta_schedule="linear", beta_start=0.0001, beta_end=0.02)
print("alphas_cumprod linear(1e-4,0.02) [0,1,500,999]", [cumprod(lin)[i].item() for i in (0, 1, 500, 999)])

print("ddim kiln leading 20", ddim(SD, 20, SAMPLE, OUT))
print("ddim trailing v linear alpha1 7", ddim(dict(lin, timestep_spacing="trailing", prediction_type="v_prediction",
                                                    set_alpha_to_one=True), 7, SAMPLE, OUT))
print("ddim linspace sample 7", ddim(dict(SD, timestep_spacing="linspace", prediction_type="sample"), 7, SAMPLE, OUT))
print("ddim trailing 3 steps", ddim(dict(SD, timestep_spacing="trailing"), 3, SAMPLE, OUT)[0])

print("euler leading eps 20", euler(SD, 20, SAMPLE, OUT))
print("euler trailing v 4", euler(dict(SD, timestep_spacing="trailing", prediction_type="v_prediction"), 4, SAMPLE, OUT))
print("euler linspace eps 7", euler(dict(SD, timestep_spacing="linspace"), 7, SAMPLE, OUT))

print("pndm leading eps 5", pndm(SD, 5, SAMPLE, [OUT, [-0.2, 0.05, 0.4], [0.3, -0.1, 0.0]]))


def euler_ancestral(cfg, n, sample, outs, noises):
    """EulerAncestralDiscreteScheduler.step (v0.30) chained over all n steps; outs[k]/noises[k] are the
    model output and the randn_tensor noise at step k. Timesteps and sigmas are EulerDiscrete's."""
    ts, sig, init, _ = euler(cfg, n, sample, outs[0])
    sig = torch.tensor(sig)
    x = torch.tensor(sample)
    trace = []
    for i in range(n):
        m = torch.tensor(outs[i % len(outs)])
        sigma = sig[i]
        scaled = x / ((sigma ** 2 + 1) ** 0.5)
        if cfg["prediction_type"] == "epsilon":
            x0 = x - sigma * m
        else:
            x0 = m * (-sigma / (sigma ** 2 + 1) ** 0.5) + (x / (sigma ** 2 + 1))
        sigma_from, sigma_to = sig[i], sig[i + 1]
        sigma_up = (sigma_to ** 2 * (sigma_from ** 2 - sigma_to ** 2) / sigma_from ** 2) ** 0.5
        sigma_down = (sigma_to ** 2 - sigma_up ** 2) ** 0.5
        derivative = (x - x0) / sigma
        dt = sigma_down - sigma
        x = x + derivative * dt
        x = x + torch.tensor(noises[i]) * sigma_up
        trace.append((scaled.tolist(), x.tolist()))
    return ts, init, trace


def lcm(cfg, n, sample, outs, noises):
    """LCMScheduler.set_timesteps/step (v0.30, strength 1) chained over all n steps."""
    T = cfg["num_train_timesteps"]
    ac = cumprod(cfg)
    final = torch.tensor(1.0) if cfg["set_alpha_to_one"] else ac[0]
    orig = cfg["original_inference_steps"]
    k = T // orig
    origin = np.asarray(list(range(1, orig + 1))) * k - 1
    origin = origin[::-1].copy()
    idx = np.floor(np.linspace(0, len(origin), num=n, endpoint=False)).astype(np.int64)
    ts = origin[idx]
    x = torch.tensor(sample)
    trace = []
    for i in range(n):
        t = int(ts[i])
        prev = int(ts[i + 1]) if i + 1 < len(ts) else t
        a_t = ac[t]
        a_prev = ac[prev] if prev >= 0 else final
        b_t, b_prev = 1 - a_t, 1 - a_prev
        scaled_t = t * cfg["timestep_scaling"]
        c_skip = 0.5 ** 2 / (scaled_t ** 2 + 0.5 ** 2)
        c_out = scaled_t / (scaled_t ** 2 + 0.5 ** 2) ** 0.5
        m = torch.tensor(outs[i % len(outs)])
        pt = cfg["prediction_type"]
        if pt == "epsilon":
            x0 = (x - b_t.sqrt() * m) / a_t.sqrt()
        elif pt == "sample":
            x0 = m
        else:
            x0 = a_t.sqrt() * x - b_t.sqrt() * m
        denoised = c_out * x0 + c_skip * x
        if i != n - 1:
            x = a_prev.sqrt() * denoised + b_prev.sqrt() * torch.tensor(noises[i])
        else:
            x = denoised
        trace.append(x.tolist())
    return ts.tolist(), trace


OUTS = [OUT, [-0.2, 0.05, 0.4], [0.3, -0.1, 0.0], [0.05, 0.15, -0.25]]
NOISES = [[1.0, -0.5, 0.25], [-1.5, 0.75, 0.1], [0.2, 0.3, -0.4], [0.9, -0.8, 0.7]]
print("euler_a trailing eps 4", euler_ancestral(dict(SD, timestep_spacing="trailing"), 4, SAMPLE, OUTS, NOISES))
print("euler_a leading v 3", euler_ancestral(dict(SD, prediction_type="v_prediction"), 3, SAMPLE, OUTS, NOISES))
LCM = dict(SD, set_alpha_to_one=True, original_inference_steps=50, timestep_scaling=10.0)
print("lcm eps 4", lcm(LCM, 4, SAMPLE, OUTS, NOISES))
print("lcm eps 1", lcm(LCM, 1, SAMPLE, OUTS, NOISES))
print("lcm timesteps 3 / 8", lcm(LCM, 3, SAMPLE, OUTS, NOISES)[0], lcm(LCM, 8, SAMPLE, OUTS, NOISES * 2)[0])
