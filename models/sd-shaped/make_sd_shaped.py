"""Writes Stable-Diffusion-shaped models with random weights in the diffusers/optimum ONNX layout.

  /usr/bin/python3 models/sd-shaped/make_sd_shaped.py [--out target/sd-shaped] [--variants sd15,sd15-fp16,sd-turbo]

Needs Debian's python3-torch (1.13) and python3-onnx (1.12). Writes <out>/<variant>/ with
model_index.json, tokenizer/, text_encoder/model.onnx, unet/model.onnx (+ model.onnx_data when over
2 GB, as optimum writes it), vae_decoder/model.onnx, scheduler/scheduler_config.json, the config.json
files the engine reads, and weights.pt (the fp32 state dicts the export came from, for reference.py).
A variant whose directory already has a complete export is skipped. See README.md for the signatures.
"""
import argparse
import json
import os
import shutil
import sys
import time

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sd_nets  # noqa: E402

SEED = 1605
OPSET = 14  # optimum's DEFAULT_ONNX_OPSET for CLIP text, UNet and VAE configs
HERE = os.path.dirname(os.path.abspath(__file__))
TINY_TOKENIZER = os.path.join(HERE, "..", "kiln-tiny", "tokenizer")

# SD 1.5's scheduler/scheduler_config.json (runwayml/stable-diffusion-v1-5), diffusers defaults spelled out.
SD15_SCHEDULER = {
    "_class_name": "PNDMScheduler", "num_train_timesteps": 1000, "beta_start": 0.00085, "beta_end": 0.012,
    "beta_schedule": "scaled_linear", "trained_betas": None, "set_alpha_to_one": False, "skip_prk_steps": True,
    "steps_offset": 1, "clip_sample": False, "prediction_type": "epsilon", "timestep_spacing": "leading"}
# stabilityai/sd-turbo's scheduler/scheduler_config.json.
TURBO_SCHEDULER = {
    "_class_name": "EulerDiscreteScheduler", "num_train_timesteps": 1000, "beta_start": 0.00085, "beta_end": 0.012,
    "beta_schedule": "scaled_linear", "trained_betas": None, "set_alpha_to_one": False, "skip_prk_steps": True,
    "steps_offset": 1, "clip_sample": False, "prediction_type": "epsilon", "timestep_spacing": "trailing",
    "interpolation_type": "linear", "use_karras_sigmas": False}


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


@torch.no_grad()
def calibrate(unet, vae, cross_dim):
    """Random weights give outputs of arbitrary scale; rescale each conv_out so the UNet predicts noise of
    about unit variance and the decoder images of spread about 0.5 around 0, so that decoded images are
    not saturated and their comparison means something."""
    g = torch.Generator().manual_seed(SEED + 1)
    out = unet(torch.randn(1, 4, 16, 16, generator=g), torch.tensor([500]), torch.randn(1, 77, cross_dim, generator=g))
    unet.conv_out.weight /= out.std()
    unet.conv_out.bias /= out.std()
    img = vae(torch.randn(1, 4, 16, 16, generator=g) / 0.18215)
    vae.conv_out.weight *= 0.5 / img.std()
    vae.conv_out.bias *= 0.5 / img.std()
    vae.conv_out.bias -= vae(torch.randn(1, 4, 16, 16, generator=g) / 0.18215).mean(dim=(0, 2, 3))


def export(module, args, path, inputs, outputs, axes):
    """torch.onnx.export as optimum calls it, then optimum's external-data step: over 2 GB, torch writes
    one file per tensor; optimum (exporters/onnx/convert.py, export_pytorch) reloads and saves all
    tensors to one `model.onnx_data` file beside `model.onnx`."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = os.path.join(os.path.dirname(path), "tmp-export")
    os.makedirs(tmp, exist_ok=True)
    tmp_path = os.path.join(tmp, "model.onnx")
    torch.onnx.export(module, args, tmp_path, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                      opset_version=OPSET, do_constant_folding=True)
    model = onnx.load(tmp_path, load_external_data=True)
    save(model, path)
    shutil.rmtree(tmp)


def save(model, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    big = sum(t.ByteSize() if not t.raw_data else len(t.raw_data) for t in model.graph.initializer) > 2_000_000_000
    for f in (path, path + "_data"):
        if os.path.exists(f):
            os.remove(f)
    if big:
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=os.path.basename(path) + "_data", size_threshold=1024)
    else:
        onnx.save_model(model, path)


def to_fp16(src, dst):
    """The fp32 graph as optimum's --dtype fp16 export leaves it: weights, graph inputs and outputs in
    float16. torch 1.13 cannot run half-precision ops on the CPU, so tracing in fp16 (what optimum does,
    on CUDA) is impossible here; this converts the traced fp32 graph instead: float initializers,
    Constant values, Cast(to=float) and graph IO become float16. Two exceptions mirror what a half
    precision trace of diffusers' code gives: Resize's roi/scales stay float32 (the operator requires
    it), and the sinusoidal timestep embedding (diffusers computes it with `timesteps.float()` and casts
    to the sample dtype after) stays float32 up to the first MatMul/Gemm, behind a Cast to float16."""
    model = onnx.load(src, load_external_data=True)
    g = model.graph
    producers = {o: n for n in g.node for o in n.output}
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    keep_fp32 = set()  # tensor names that stay float32
    for n in g.node:
        if n.op_type == "Resize":
            keep_fp32.update(n.input[1:3])
    # the timestep path: everything reachable from `timestep` before a weighted MatMul/Gemm
    fp32_nodes = set()
    initializers = {t.name for t in g.initializer}
    if any(i.name == "timestep" for i in g.input):
        frontier = list(consumers.get("timestep", []))
        while frontier:
            n = frontier.pop()
            if id(n) in fp32_nodes or n.op_type in ("MatMul", "Gemm"):
                continue
            fp32_nodes.add(id(n))
            for i in n.input:
                p = producers.get(i)
                if i in initializers:
                    keep_fp32.add(i)
                elif p is not None and p.op_type == "Constant":
                    keep_fp32.add(i)
            for o in n.output:
                keep_fp32.add(o)
                frontier.extend(consumers.get(o, []))
    for t in g.initializer:
        if t.data_type == TensorProto.FLOAT and t.name not in keep_fp32:
            t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float16), t.name))
    new_nodes = []
    for n in g.node:
        if n.op_type == "Constant" and n.output[0] not in keep_fp32:
            for a in n.attribute:
                if a.name == "value" and a.t.data_type == TensorProto.FLOAT:
                    a.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(a.t).astype(np.float16)))
        if n.op_type == "ConstantOfShape" and id(n) not in fp32_nodes:
            for a in n.attribute:
                if a.name == "value" and a.t.data_type == TensorProto.FLOAT:
                    a.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(a.t).astype(np.float16)))
        if n.op_type == "Cast" and id(n) not in fp32_nodes:
            for a in n.attribute:
                if a.name == "to" and a.i == TensorProto.FLOAT:
                    a.i = TensorProto.FLOAT16
        if id(n) not in fp32_nodes:
            for k, i in enumerate(n.input):
                p = producers.get(i)
                if p is not None and id(p) in fp32_nodes and not (n.op_type == "Resize" and k > 0):
                    cast = i + "_to_fp16"
                    if cast not in producers:
                        new_nodes.append(helper.make_node("Cast", [i], [cast], to=TensorProto.FLOAT16, name=cast))
                        producers[cast] = new_nodes[-1]
                    n.input[k] = cast
        new_nodes.append(n)
    del g.node[:]
    g.node.extend(new_nodes)
    for v in list(g.input) + list(g.output):
        if v.type.tensor_type.elem_type == TensorProto.FLOAT:
            v.type.tensor_type.elem_type = TensorProto.FLOAT16
    del g.value_info[:]
    # the graph is in topological order except for inserted casts placed before their consumer: fine
    save(model, dst)


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def make(variant, out_root):
    cfg = sd_nets.VARIANTS[variant]
    out = os.path.join(out_root, variant)
    done = os.path.join(out, ".complete")
    if os.path.exists(done):
        log(f"{variant}: {out} is complete, skipped")
        return
    start = time.time()
    os.makedirs(out, exist_ok=True)
    text, unet, vae = sd_nets.build(variant, SEED)
    cross = cfg["unet"]["cross_dim"]
    calibrate(unet, vae, cross)
    torch.save({"text_encoder": text.state_dict(), "unet": unet.state_dict(), "vae_decoder": vae.state_dict()},
               os.path.join(out, "weights.pt"))
    log(f"{variant}: built and calibrated in {time.time() - start:.0f} s")
    fp16 = cfg["fp16"]
    stage = os.path.join(out, "fp32-stage") if fp16 else out

    t0 = time.time()
    ids = torch.zeros(2, 77, dtype=torch.int64)
    ids[:, -1] = 49407
    export(text, (ids,), os.path.join(stage, "text_encoder", "model.onnx"), ["input_ids"],
           ["last_hidden_state", "pooler_output"],
           {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "last_hidden_state": {0: "batch_size", 1: "sequence_length"}, "pooler_output": {0: "batch_size"}})
    log(f"{variant}: text_encoder exported in {time.time() - t0:.0f} s")

    t0 = time.time()
    if cfg["timestep"] == "int64-batch":  # optimum 1.4 .. 1.23: int64 [steps]
        timestep = torch.tensor([500, 500], dtype=torch.int64)
        t_axes = {0: "steps"}
    else:  # optimum >= 1.24: a float scalar
        timestep = torch.tensor(500.0)
        t_axes = {}
    export(unet, (torch.randn(2, 4, 8, 8), timestep, torch.randn(2, 77, cross)),
           os.path.join(stage, "unet", "model.onnx"), ["sample", "timestep", "encoder_hidden_states"], ["out_sample"],
           {"sample": {0: "batch_size", 2: "height", 3: "width"}, "timestep": t_axes,
            "encoder_hidden_states": {0: "batch_size", 1: "sequence_length"},
            "out_sample": {0: "batch_size", 2: "height", 3: "width"}})
    log(f"{variant}: unet exported in {time.time() - t0:.0f} s")

    t0 = time.time()
    export(vae, (torch.randn(2, 4, 8, 8),), os.path.join(stage, "vae_decoder", "model.onnx"), ["latent_sample"],
           ["sample"], {"latent_sample": {0: "batch_size", 2: "latent_height", 3: "latent_width"},
                        "sample": {0: "batch_size", 2: "latent_height * 8", 3: "latent_width * 8"}})
    log(f"{variant}: vae_decoder exported in {time.time() - t0:.0f} s")

    if fp16:
        t0 = time.time()
        for part in ("text_encoder", "unet", "vae_decoder"):
            to_fp16(os.path.join(stage, part, "model.onnx"), os.path.join(out, part, "model.onnx"))
        shutil.rmtree(stage)
        log(f"{variant}: converted to float16 in {time.time() - t0:.0f} s")

    shutil.copytree(TINY_TOKENIZER, os.path.join(out, "tokenizer"), dirs_exist_ok=True)
    write_json(os.path.join(out, "scheduler", "scheduler_config.json"),
               SD15_SCHEDULER if cfg["scheduler"] == "pndm" else TURBO_SCHEDULER)
    u = cfg["unet"]
    write_json(os.path.join(out, "unet", "config.json"), {
        "_class_name": "UNet2DConditionModel", "block_out_channels": list(u["channels"]),
        "layers_per_block": u["layers"], "cross_attention_dim": u["cross_dim"], "attention_head_dim": list(u["heads"]),
        "use_linear_projection": u["linear_proj"], "norm_num_groups": 32, "in_channels": 4, "out_channels": 4,
        "sample_size": 64})
    v = cfg["vae"]
    write_json(os.path.join(out, "vae_decoder", "config.json"), {
        "_class_name": "AutoencoderKL", "block_out_channels": list(v["channels"]), "layers_per_block": v["layers"],
        "latent_channels": v["latent"], "norm_num_groups": 32, "scaling_factor": 0.18215, "sample_size": 512})
    t = cfg["text"]
    write_json(os.path.join(out, "text_encoder", "config.json"), {
        "architectures": ["CLIPTextModel"], "vocab_size": t["vocab"], "max_position_embeddings": t["positions"],
        "hidden_size": t["width"], "num_hidden_layers": t["layers"], "num_attention_heads": t["heads"],
        "intermediate_size": t["mlp"], "hidden_act": t["act"]})
    write_json(os.path.join(out, "model_index.json"), {
        "_class_name": "OnnxStableDiffusionPipeline", "_diffusers_version": "0.30.0",
        "text_encoder": ["diffusers", "OnnxRuntimeModel"], "tokenizer": ["transformers", "CLIPTokenizer"],
        "unet": ["diffusers", "OnnxRuntimeModel"], "vae_decoder": ["diffusers", "OnnxRuntimeModel"],
        "scheduler": ["diffusers", "PNDMScheduler" if cfg["scheduler"] == "pndm" else "EulerDiscreteScheduler"],
        "safety_checker": [None, None], "feature_extractor": [None, None], "requires_safety_checker": False,
        "kiln_sd_shaped": {"variant": variant, "seed": SEED, "random_weights": True}})
    elapsed = time.time() - start
    with open(done, "w") as f:
        f.write(f"{elapsed:.0f}\n")
    log(f"{variant}: done in {elapsed:.0f} s -> {out}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="target/sd-shaped")
    p.add_argument("--variants", default="sd15,sd15-fp16,sd-turbo")
    a = p.parse_args()
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    for v in a.variants.split(","):
        if v not in sd_nets.VARIANTS:
            p.error(f"unknown variant {v}; expected one of {', '.join(sd_nets.VARIANTS)}")
    for v in a.variants.split(","):
        make(v, a.out)


if __name__ == "__main__":
    main()
