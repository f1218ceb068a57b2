#!/usr/bin/python3
"""Converts nsfwjs's MobileNetV2 (a TensorFlow.js layers model) to ONNX.

Reads the dump written by parity/dump_tfjs.js (Keras topology, weights dequantised by tfjs,
reference outputs of nsfwjs), rebuilds the network in PyTorch by walking the Keras layer list,
checks it against the reference outputs, and exports ONNX:

  input          float32 [N, 224, 224, 3]  NHWC, RGB in [0, 1] (pixels / 255, already resized)
  probabilities  float32 [N, 5]            softmax, classes Drawing, Hentai, Neutral, Porn, Sexy

Usage: /usr/bin/python3 convert.py <dump-dir> [model.onnx]
"""

import hashlib
import json
import math
import os
import sys
import warnings

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402
from torch.onnx import symbolic_helper  # noqa: E402

IMAGE_SIZE = 224
OPSET = 13
# float32 round-off between TFJS's CPU kernels and PyTorch's; a wrong layer is off by >1e-2.
TOLERANCE = 1e-5


def keras_same_padding(size, kernel, stride, dilation):
  """(before, after) padding of Keras/TF "same": the extra pixel, if any, goes after."""
  out = math.ceil(size / stride)
  total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
  return total // 2, total - total // 2


class KerasConv(nn.Module):
  """Conv2D / DepthwiseConv2D with Keras padding semantics, on NCHW tensors."""

  def __init__(self, conv, padding):
    super().__init__()
    self.conv = conv
    self.same = padding == "same"

  def forward(self, x):
    if self.same:
      pads = []
      # F.pad lists the last dimension first: (left, right, top, bottom); axis 1 is width, 0 height.
      for axis in (1, 0):
        pads += keras_same_padding(x.shape[2 + axis], self.conv.kernel_size[axis], self.conv.stride[axis],
                                   self.conv.dilation[axis])
      left, right, top, bottom = pads
      if left == right and top == bottom:
        # symmetric: let the Conv node pad, rather than a separate Pad node
        c = self.conv
        return F.conv2d(x, c.weight, c.bias, c.stride, (top, left), c.dilation, c.groups)
      x = F.pad(x, pads)
    return self.conv(x)


class Sum(nn.Module):
  def forward(self, *xs):
    out = xs[0]
    for x in xs[1:]:
      out = out + x
    return out


class FlattenChannelsLast(nn.Module):
  """Keras Flatten on channels_last data: flattens in (H, W, C) order."""

  def forward(self, x):
    return torch.flatten(x.permute(0, 2, 3, 1), 1)


class Activation(nn.Module):
  def __init__(self, name):
    super().__init__()
    if name not in ("linear", "relu", "softmax"):
      raise ValueError(f"unsupported activation {name}")
    self.name = name

  def forward(self, x):
    if self.name == "relu":
      return F.relu(x)
    if self.name == "softmax":
      return F.softmax(x, dim=-1)
    return x


class ReLU(nn.Module):
  def __init__(self, config):
    super().__init__()
    if config.get("negative_slope", 0) != 0 or config.get("threshold", 0) != 0:
      raise ValueError(f"unsupported ReLU config {config}")
    self.max_value = config.get("max_value")

  def forward(self, x):
    if self.max_value is None:
      return F.relu(x)
    return torch.clamp(x, 0.0, float(self.max_value))


class KerasGraph(nn.Module):
  """A Keras functional model as a module: NHWC input, NCHW inside, the Keras output out."""

  def __init__(self, topology, weights):
    super().__init__()
    config = topology["model_config"]["config"]
    self.order = []
    self.inputs = {}
    self.layers = nn.ModuleDict()
    self.weight_names = set()
    self.used_weights = set()
    channels = {}
    for layer in config["layers"]:
      name, kind, cfg = layer["name"], layer["class_name"], layer["config"]
      if cfg.get("data_format", "channels_last") != "channels_last":
        raise ValueError(f"{name}: only channels_last is supported")
      nodes = layer["inbound_nodes"]
      if len(nodes) > 1:
        raise ValueError(f"{name}: shared layers are not supported")
      sources = [n[0] for n in nodes[0]] if nodes else []
      if kind == "InputLayer":
        shape = cfg["batch_input_shape"]
        if shape[1:] != [IMAGE_SIZE, IMAGE_SIZE, 3]:
          raise ValueError(f"unexpected input shape {shape}")
        channels[name] = shape[-1]
        self.input_name = name
        continue
      c_in = channels[sources[0]]
      module, c_out = self._build(name, kind, cfg, c_in, weights)
      self.layers[name] = module
      self.order.append(name)
      self.inputs[name] = sources
      channels[name] = c_out
    outputs = config["output_layers"]
    if len(outputs) != 1:
      raise ValueError("expected one output")
    self.output_name = outputs[0][0]
    unused = set(weights) - self.used_weights
    if unused:
      raise ValueError(f"weights not used by any layer: {sorted(unused)}")

  def _take(self, weights, key):
    self.used_weights.add(key)
    return torch.from_numpy(weights[key].copy())

  def _build(self, name, kind, cfg, c_in, weights):
    if kind == "ZeroPadding2D":
      (top, bottom), (left, right) = cfg["padding"]
      return nn.ZeroPad2d((left, right, top, bottom)), c_in
    if kind in ("Conv2D", "DepthwiseConv2D"):
      kh, kw = cfg["kernel_size"]
      if cfg["padding"] not in ("same", "valid"):
        raise ValueError(f"{name}: padding {cfg['padding']}")
      if kind == "Conv2D":
        c_out, groups = cfg["filters"], 1
        # Keras [kh, kw, in, out] -> PyTorch [out, in, kh, kw]
        kernel = self._take(weights, f"{name}/kernel").permute(3, 2, 0, 1)
      else:
        mult = cfg["depth_multiplier"]
        c_out, groups = c_in * mult, c_in
        # Keras [kh, kw, in, mult] -> PyTorch [in * mult, 1, kh, kw]; output channel i * mult + m.
        kernel = self._take(weights, f"{name}/depthwise_kernel").permute(2, 3, 0, 1).reshape(c_out, 1, kh, kw)
      conv = nn.Conv2d(c_in, c_out, (kh, kw), stride=tuple(cfg["strides"]), dilation=tuple(cfg["dilation_rate"]),
                       groups=groups, bias=cfg["use_bias"])
      conv.weight.data.copy_(kernel)
      if cfg["use_bias"]:
        conv.bias.data.copy_(self._take(weights, f"{name}/bias"))
      modules = [KerasConv(conv, cfg["padding"])]
      if cfg["activation"] != "linear":
        modules.append(Activation(cfg["activation"]))
      return nn.Sequential(*modules), c_out
    if kind == "BatchNormalization":
      if cfg["axis"] not in (-1, 3):
        raise ValueError(f"{name}: axis {cfg['axis']}")
      bn = nn.BatchNorm2d(c_in, eps=cfg["epsilon"], affine=True)
      bn.weight.data.copy_(self._take(weights, f"{name}/gamma") if cfg["scale"] else torch.ones(c_in))
      bn.bias.data.copy_(self._take(weights, f"{name}/beta") if cfg["center"] else torch.zeros(c_in))
      bn.running_mean.copy_(self._take(weights, f"{name}/moving_mean"))
      bn.running_var.copy_(self._take(weights, f"{name}/moving_variance"))
      return bn, c_in
    if kind == "ReLU":
      return ReLU(cfg), c_in
    if kind == "Add":
      return Sum(), c_in
    if kind == "AveragePooling2D":
      if cfg["padding"] != "valid":
        raise ValueError(f"{name}: only valid average pooling is supported")
      return nn.AvgPool2d(tuple(cfg["pool_size"]), stride=tuple(cfg["strides"])), c_in
    if kind == "Flatten":
      return FlattenChannelsLast(), None
    if kind == "Dropout":
      return nn.Identity(), c_in
    if kind == "Dense":
      kernel = self._take(weights, f"{name}/kernel")  # Keras [in, out]
      linear = nn.Linear(kernel.shape[0], kernel.shape[1], bias=cfg["use_bias"])
      linear.weight.data.copy_(kernel.t())
      if cfg["use_bias"]:
        linear.bias.data.copy_(self._take(weights, f"{name}/bias"))
      return nn.Sequential(linear, Activation(cfg["activation"])), cfg["units"]
    raise ValueError(f"{name}: unsupported layer {kind}")

  def forward(self, x):
    values = {self.input_name: x.permute(0, 3, 1, 2)}
    for name in self.order:
      values[name] = self.layers[name](*[values[s] for s in self.inputs[name]])
    return values[self.output_name]


def load_weights(dump):
  with open(os.path.join(dump, "weights.json")) as f:
    index = json.load(f)
  flat = np.fromfile(os.path.join(dump, "weights.bin"), dtype="<f4")
  weights = {}
  for entry in index:
    size = int(np.prod(entry["shape"]))
    weights[entry["name"]] = flat[entry["offset"]:entry["offset"] + size].reshape(entry["shape"])
  return weights


def check_against_reference(model, dump):
  with open(os.path.join(dump, "reference.json")) as f:
    reference = json.load(f)
  worst = 0.0
  for case in reference:
    x = torch.tensor(case["input"], dtype=torch.float32).reshape(1, IMAGE_SIZE, IMAGE_SIZE, 3)
    with torch.no_grad():
      y = model(x).numpy()[0]
    diff = float(np.max(np.abs(y - np.array(case["output"], dtype=np.float32))))
    print(f"torch vs nsfwjs: max abs diff {diff:.3g}  nsfwjs {np.round(case['output'], 5).tolist()}")
    worst = max(worst, diff)
  if worst > TOLERANCE:
    raise SystemExit(f"PyTorch rebuild differs from nsfwjs by {worst}; expected <= {TOLERANCE}")


def _static_pad(g, x, pad, value):
  pad = symbolic_helper._get_const(pad, "is", "pad")
  rank = symbolic_helper._get_tensor_rank(x)
  if rank is None:
    raise ValueError("Pad needs an input of known rank")
  begins, ends = [0] * rank, [0] * rank
  # PyTorch lists (begin, end) pairs from the last dimension backwards; ONNX all begins, then all ends.
  for i in range(len(pad) // 2):
    begins[rank - 1 - i], ends[rank - 1 - i] = pad[2 * i], pad[2 * i + 1]
  fill = 0.0 if symbolic_helper._is_none(value) else symbolic_helper._get_const(value, "f", "value")
  return g.op("Pad", x, g.op("Constant", value_t=torch.tensor(begins + ends, dtype=torch.int64)),
              g.op("Constant", value_t=torch.tensor(fill, dtype=torch.float32)), mode_s="constant")


def pad_symbolic(g, x, pad, mode, value):
  """aten::pad with static zero pads as one ONNX Pad whose pads are a constant.

  PyTorch 1.13's own symbolic computes the pads at run time from a Slice/Concat subgraph that its
  constant folding leaves in the graph.
  """
  if symbolic_helper._maybe_get_const(mode, "s") != "constant":
    raise ValueError("only constant padding is supported")
  return _static_pad(g, x, pad, value)


def constant_pad_symbolic(g, x, pad, value):
  return _static_pad(g, x, pad, value)


def main():
  if len(sys.argv) not in (2, 3):
    raise SystemExit(__doc__)
  torch.set_num_threads(1)
  dump = sys.argv[1]
  out = sys.argv[2] if len(sys.argv) == 3 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.onnx")
  with open(os.path.join(dump, "topology.json")) as f:
    topology = json.load(f)
  model = KerasGraph(topology, load_weights(dump)).eval()
  check_against_reference(model, dump)

  dummy = torch.zeros(1, IMAGE_SIZE, IMAGE_SIZE, 3)
  # The tracer warns that the "same" padding sizes become constants; they are, since only the
  # batch dimension is dynamic.
  warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
  torch.onnx.register_custom_op_symbolic("aten::pad", pad_symbolic, OPSET)
  torch.onnx.register_custom_op_symbolic("aten::constant_pad_nd", constant_pad_symbolic, OPSET)
  torch.onnx.export(model, (dummy,), out, opset_version=OPSET, input_names=["input"],
                    output_names=["probabilities"],
                    dynamic_axes={"input": {0: "batch"}, "probabilities": {0: "batch"}},
                    do_constant_folding=True)
  onnx_model = onnx.load(out)
  onnx_model.producer_name = "kiln nsfw-mobilenet-v2 convert.py"
  onnx_model.doc_string = ("nsfwjs 4.4.0 MobileNetV2 (MIT, Infinite Red). input: float32 NHWC [N,224,224,3], "
                           "RGB/255 in [0,1]; probabilities: softmax over Drawing, Hentai, Neutral, Porn, Sexy")
  onnx.checker.check_model(onnx_model)
  onnx.save(onnx_model, out)
  with open(out, "rb") as f:
    data = f.read()
  print(f"wrote {out}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
  main()
