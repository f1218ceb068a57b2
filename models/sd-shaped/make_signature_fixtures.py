"""Writes the tiny ONNX fixtures of render-job's SdSignatureTest: diffusers layouts whose graphs have the
signatures of optimum's SD exports (see README.md) but compute a few cheap operations, so that a unit
test can load and run them in milliseconds.

  /usr/bin/python3 models/sd-shaped/make_signature_fixtures.py   # needs only python3-onnx

Writes render-job/src/test/resources/sd-signatures/:
  fp16/   input_ids int64 [batch, sequence] -> last_hidden_state float16, pooler_output float16;
          unet: sample float16, timestep int64 [steps], encoder_hidden_states float16 -> out_sample float16;
          vae_decoder: latent_sample float16 -> sample float16
  fp32/   the same graphs in float32 with a float32 scalar timestep
  bad/    single graphs with a wrong element type, to replace one file of fp16/ in a test
"""
import json
import os
import shutil

import numpy as np
import onnx
from onnx import TensorProto as TP
from onnx import helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.join(HERE, "..", "..")
OUT = os.path.join(REPO, "render-job", "src", "test", "resources", "sd-signatures")
WIDTH = 8


def model(nodes, inputs, outputs, inits):
    g = helper.make_graph(nodes, "sd-signature", inputs, outputs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 14)], producer_name="kiln-sd-signature-fixture")
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def text_encoder(ft, ids_type=TP.INT64):
    np_ft = np.float16 if ft == TP.FLOAT16 else np.float32
    w = numpy_helper.from_array((np.arange(1, WIDTH + 1, dtype=np.float32) / 700).astype(np_ft).reshape(1, 1, WIDTH), "w")
    nodes = [
        helper.make_node("Cast", ["input_ids"], ["ids_f"], to=ft),
        helper.make_node("Unsqueeze", ["ids_f", "axis2"], ["ids_3"]),
        helper.make_node("Mul", ["ids_3", "w"], ["last_hidden_state"]),
        helper.make_node("ReduceMean", ["last_hidden_state"], ["pooler_output"], axes=[1], keepdims=0),
    ]
    inits = [w, numpy_helper.from_array(np.array([2], dtype=np.int64), "axis2")]
    return model(nodes, [helper.make_tensor_value_info("input_ids", ids_type, ["batch_size", "sequence_length"])],
                 [helper.make_tensor_value_info("last_hidden_state", ft, ["batch_size", "sequence_length", WIDTH]),
                  helper.make_tensor_value_info("pooler_output", ft, ["batch_size", WIDTH])], inits)


def unet(ft, timestep_type, timestep_shape, sample_type=None):
    """out_sample = 0.9 * sample + (timestep / 1000 + mean(encoder_hidden_states of the row)) / 200: a noise
    prediction that leaves images neither constant nor saturated."""
    st = sample_type or ft
    np_ft = np.float16 if ft == TP.FLOAT16 else np.float32
    nodes = [
        helper.make_node("Cast", ["sample"], ["sample_f"], to=ft),
        helper.make_node("Mul", ["sample_f", "half"], ["scaled"]),
        helper.make_node("Cast", ["timestep"], ["t_f"], to=ft),
        helper.make_node("Div", ["t_f", "thousand"], ["t_s"]),
        helper.make_node("Reshape", ["t_s", "t_shape"], ["t_4"]),
        helper.make_node("ReduceMean", ["encoder_hidden_states"], ["ctx"], axes=[1, 2], keepdims=1),
        helper.make_node("Unsqueeze", ["ctx", "axis3"], ["ctx_4"]),
        helper.make_node("Add", ["t_4", "ctx_4"], ["cond"]),
        helper.make_node("Div", ["cond", "two_hundred"], ["cond_s"]),
        helper.make_node("Add", ["scaled", "cond_s"], ["out_sample"]),
    ]
    inits = [numpy_helper.from_array(np.array(0.9, dtype=np_ft), "half"),
             numpy_helper.from_array(np.array(200, dtype=np_ft), "two_hundred"),
             numpy_helper.from_array(np.array(1000, dtype=np_ft), "thousand"),
             numpy_helper.from_array(np.array([-1, 1, 1, 1], dtype=np.int64), "t_shape"),
             numpy_helper.from_array(np.array([3], dtype=np.int64), "axis3")]
    return model(nodes, [
        helper.make_tensor_value_info("sample", st, ["batch_size", 4, "height", "width"]),
        helper.make_tensor_value_info("timestep", timestep_type, timestep_shape),
        helper.make_tensor_value_info("encoder_hidden_states", ft, ["batch_size", "sequence_length", WIDTH])],
        [helper.make_tensor_value_info("out_sample", ft, ["batch_size", 4, "height", "width"])], inits)


def vae_decoder(ft):
    """sample = tanh(first three latent channels, upsampled 8x by nearest neighbour)."""
    np_ft = np.float16 if ft == TP.FLOAT16 else np.float32
    nodes = [
        helper.make_node("Slice", ["latent_sample", "starts", "ends", "axes"], ["rgb"]),
        helper.make_node("Mul", ["rgb", "gain"], ["rgb_g"]),
        helper.make_node("Resize", ["rgb_g", "", "scales"], ["big"], mode="nearest"),
        helper.make_node("Tanh", ["big"], ["sample"]),
    ]
    inits = [numpy_helper.from_array(np.array([0], dtype=np.int64), "starts"),
             numpy_helper.from_array(np.array([3], dtype=np.int64), "ends"),
             numpy_helper.from_array(np.array([1], dtype=np.int64), "axes"),
             numpy_helper.from_array(np.array(0.18215, dtype=np_ft), "gain"),
             numpy_helper.from_array(np.array([1, 1, 8, 8], dtype=np.float32), "scales")]
    return model(nodes, [helper.make_tensor_value_info("latent_sample", ft, ["batch_size", 4, "h", "w"])],
                 [helper.make_tensor_value_info("sample", ft, ["batch_size", 3, "h8", "w8"])], inits)


def layout(name, ft, timestep_type, timestep_shape):
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    for part in ("text_encoder", "unet", "vae_decoder", "scheduler"):
        os.makedirs(os.path.join(d, part))
    onnx.save(text_encoder(ft), os.path.join(d, "text_encoder", "model.onnx"))
    onnx.save(unet(ft, timestep_type, timestep_shape), os.path.join(d, "unet", "model.onnx"))
    onnx.save(vae_decoder(ft), os.path.join(d, "vae_decoder", "model.onnx"))
    shutil.copytree(os.path.join(REPO, "models", "kiln-tiny", "tokenizer"), os.path.join(d, "tokenizer"))
    with open(os.path.join(d, "scheduler", "scheduler_config.json"), "w") as f:
        json.dump({"_class_name": "EulerDiscreteScheduler", "num_train_timesteps": 1000, "beta_start": 0.00085,
                   "beta_end": 0.012, "beta_schedule": "scaled_linear", "prediction_type": "epsilon",
                   "steps_offset": 1, "timestep_spacing": "trailing"}, f, indent=2)
    with open(os.path.join(d, "model_index.json"), "w") as f:
        json.dump({"_class_name": "OnnxStableDiffusionPipeline", "kiln_fixture": "sd-signature"}, f, indent=2)


def main():
    layout("fp16", TP.FLOAT16, TP.INT64, ["steps"])
    layout("fp32", TP.FLOAT, TP.FLOAT, [])
    bad = os.path.join(OUT, "bad")
    shutil.rmtree(bad, ignore_errors=True)
    os.makedirs(bad)
    onnx.save(text_encoder(TP.FLOAT16, ids_type=TP.FLOAT), os.path.join(bad, "text_encoder_float_ids.onnx"))
    onnx.save(unet(TP.FLOAT16, TP.INT64, ["steps"], sample_type=TP.INT32), os.path.join(bad, "unet_int32_sample.onnx"))
    for root, _, files in os.walk(OUT):
        for f in files:
            size = os.path.getsize(os.path.join(root, f))
            assert size < 200_000, f"{f} is {size} bytes"
    print("wrote", OUT)


if __name__ == "__main__":
    main()
