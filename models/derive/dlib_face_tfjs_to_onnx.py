#!/usr/bin/env python3
"""Rebuild dlib's ResNet face recognition network (dlib_face_recognition_resnet_model_v1, as
shipped in TF.js form by the npm package @vladmandic/face-api: a weights manifest + one .bin)
as an ONNX graph.

The graph is written from face-api's FaceRecognitionNet (src/faceRecognitionNet/*.ts):
  x - mean RGB (122.782, 117.001, 104.298), / 255
  conv 7x7 /2 valid + bias, scale layer (x * w + b), ReLU; max pool 3x3 /2 valid
  residual blocks (conv-scale-ReLU, conv-scale, + input, ReLU) 3 x 32, 4 x 64, 3 x 128, 4 x 256;
  the first of each width (and a final one) is a "down" block: 3x3 /2 valid convolution, and the
  shortcut is a 2x2 /2 average pool, zero-padded to the new channel count (and the main path
  zero-padded by one row and column where the two sizes differ)
  global average pool, x fc [256, 128] -> the 128-d descriptor (not normalised).
TF.js tensors are NHWC with HWIO filters; the ONNX graph is NCHW with OIHW filters, the
permutation done here on the stored integers, so nothing is rounded twice by the conversion.

Weights stay uint8 as face-api stores them; each is dequantised in the graph exactly as TF.js
does (q * scale + min, float32), and ONNX Runtime folds that into fp32 initializers when the
session is created, so the file stays the size of the TF.js weights.

usage: dlib_face_tfjs_to_onnx.py <face_recognition_model-weights_manifest.json> <face_recognition_model.bin> <out.onnx>
"""
import json
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from onnx_writer import write_model

INPUT_SIZE = 150
MEAN_RGB = [122.782, 117.001, 104.298]
# (block name, down-sampling?) in the order of FaceRecognitionNet.forwardInput
BLOCKS = ([("conv32_1", False), ("conv32_2", False), ("conv32_3", False),
           ("conv64_down", True), ("conv64_1", False), ("conv64_2", False), ("conv64_3", False),
           ("conv128_down", True), ("conv128_1", False), ("conv128_2", False),
           ("conv256_down", True), ("conv256_1", False), ("conv256_2", False),
           ("conv256_down_out", True)])
STORED = {"uint8": np.uint8, "uint16": np.uint16, "float32": np.float32}


def read_weights(manifest_path, bin_path):
    """name -> (stored array in its TF.js shape, quantization dict or None)."""
    with open(manifest_path) as f:
        groups = json.load(f)
    with open(bin_path, "rb") as f:
        blob = f.read()
    if len(groups) != 1 or len(groups[0]["paths"]) != 1:
        raise SystemExit(f"{manifest_path}: expected one weights group in one file")
    weights, offset = {}, 0
    for w in groups[0]["weights"]:
        q = w.get("quantization")
        if w["dtype"] != "float32" or (q and q["dtype"] not in ("uint8", "uint16")):
            raise SystemExit(f"{manifest_path}: weight {w['name']} has an unsupported dtype")
        dtype = STORED[q["dtype"] if q else "float32"]
        count = int(np.prod(w["shape"]))
        end = offset + count * np.dtype(dtype).itemsize
        weights[w["name"]] = (np.frombuffer(blob[offset:end], dtype).reshape(w["shape"]), q)
        offset = end
    if offset != len(blob):
        raise SystemExit(f"{bin_path}: {len(blob)} bytes, the manifest describes {offset}")
    return weights


class Graph:
    def __init__(self, weights):
        self.weights, self.nodes, self.inits, self.count = weights, [], [], 0

    def name(self, hint):
        self.count += 1
        return f"{hint}_{self.count}"

    def const(self, name, array):
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(self, op, inputs, hint, **attrs):
        out = self.name(hint)
        self.nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def weight(self, key, layout=None, shape=None):
        """A weight as a float32 tensor name; permuted/reshaped while still stored integers."""
        stored, q = self.weights[key]
        if layout is not None:
            stored = stored.transpose(layout)
        if shape is not None:
            stored = stored.reshape(shape)
        raw = self.const(key, stored)
        if q is None:
            return raw
        f = self.node("Cast", [raw], key + "/float", to=TensorProto.FLOAT)
        scaled = self.node("Mul", [f, self.const(key + "/scale", np.array(q["scale"], np.float32))], key + "/scaled")
        return self.node("Add", [scaled, self.const(key + "/min", np.array(q["min"], np.float32))], key + "/value")

    def conv(self, x, prefix, stride, relu, same):
        """convLayer: conv2d + bias, scale layer, optional ReLU (TF 'same' = 1 for 3x3 /1)."""
        filters = self.weight(f"{prefix}/conv/filters", layout=(3, 2, 0, 1))
        k = self.weights[f"{prefix}/conv/filters"][0].shape[0]
        if same and stride != 1:
            raise SystemExit(f"{prefix}: 'same' padding is only written for stride 1")
        pad = (k - 1) // 2 if same else 0
        y = self.node("Conv", [x, filters, self.weight(f"{prefix}/conv/bias")], prefix,
                      kernel_shape=[k, k], strides=[stride, stride], pads=[pad] * 4)
        channels = [-1, 1, 1]
        y = self.node("Mul", [y, self.weight(f"{prefix}/scale/weights", shape=channels)], prefix + "/scale")
        y = self.node("Add", [y, self.weight(f"{prefix}/scale/biases", shape=channels)], prefix + "/shift")
        return self.node("Relu", [y], prefix + "/relu") if relu else y

    def pad(self, x, pads, hint):
        return self.node("Pad", [x, self.const(self.name(hint + "/pads"), np.array(pads, np.int64))], hint)


def out_size(size, kernel, stride):
    return (size - kernel) // stride + 1


def convert(manifest_path, bin_path, out_path):
    weights = read_weights(manifest_path, bin_path)
    g = Graph(weights)
    mean = g.const("mean_rgb", np.array(MEAN_RGB, np.float32).reshape(1, 3, 1, 1))
    # the input is RGB 0..255 like face-api's; normalised inside the graph as TF.js does (a Div)
    x = g.node("Div", [g.node("Sub", ["input", mean], "centred"), g.const("v255", np.array(255, np.float32))], "normalised")
    x = g.conv(x, "conv32_down", 2, True, False)
    size = out_size(INPUT_SIZE, 7, 2)
    x = g.node("MaxPool", [x], "pool", kernel_shape=[3, 3], strides=[2, 2])
    size = out_size(size, 3, 2)
    channels = 32
    for block, down in BLOCKS:
        if not down:
            y = g.conv(x, f"{block}/conv1", 1, True, True)
            y = g.conv(y, f"{block}/conv2", 1, False, True)
            x = g.node("Relu", [g.node("Add", [y, x], block + "/sum")], block + "/relu")
            continue
        width = weights[f"{block}/conv1/conv/filters"][0].shape[3]
        y = g.conv(x, f"{block}/conv1", 2, True, False)
        y = g.conv(y, f"{block}/conv2", 1, False, True)
        conv_size, pool_size = out_size(size, 3, 2), out_size(size, 2, 2)
        if conv_size != pool_size:  # face-api appends one zero row and one zero column
            if pool_size != conv_size + 1:
                raise SystemExit(f"{block}: sizes {conv_size} and {pool_size} do not fit face-api's rule")
            y = g.pad(y, [0, 0, 0, 0, 0, 0, 1, 1], block + "/pad_hw")
        shortcut = g.node("AveragePool", [x], block + "/pool", kernel_shape=[2, 2], strides=[2, 2])
        if width != channels:  # zero channels after the pooled ones
            shortcut = g.pad(shortcut, [0, 0, 0, 0, 0, width - channels, 0, 0], block + "/pad_c")
        x = g.node("Relu", [g.node("Add", [shortcut, y], block + "/sum")], block + "/relu")
        size, channels = pool_size, width
    pooled = g.node("ReduceMean", [x], "global_mean", axes=[2, 3], keepdims=0)
    g.nodes.append(helper.make_node("MatMul", [pooled, g.weight("fc")], ["descriptor"]))
    graph = helper.make_graph(
        g.nodes, "dlib_face_resnet",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, INPUT_SIZE, INPUT_SIZE])],
        [helper.make_tensor_value_info("descriptor", TensorProto.FLOAT, ["batch", 128])],
        g.inits)
    write_model(graph, 13, out_path)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    convert(*sys.argv[1:])
