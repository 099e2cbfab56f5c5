#!/usr/bin/env python3
"""An independent forward pass of an OpenVINO IR in NumPy (float64), to check the project's
IR -> ONNX converter: it reads the .xml/.bin itself and implements each operator directly
(no ONNX, no shared code with models/derive/openvino_ir_to_onnx.py).

usage: openvino_ir_reference.py <model.xml> <model.bin> <inputs.f32> <outputs.f32>
inputs.f32: float32 little-endian [N, C, H, W] matching the IR input (N may be > 1)
outputs.f32: written as float32 [N, ...] in the order of the IR's single Result
"""
import sys
import xml.etree.ElementTree as ET

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

DT = {"f16": np.float16, "f32": np.float32, "i64": np.int64, "i32": np.int32}


def nums(s):
    return [int(v) for v in s.replace(" ", "").split(",") if v]


def pad2d(x, begin, end, value=0.0):
    return np.pad(x, ((0, 0), (0, 0), (begin[0], end[0]), (begin[1], end[1])), constant_values=value)


def windows(x, kernel, strides, dilations):
    kh, kw = kernel
    dh, dw = dilations
    span = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)
    v = sliding_window_view(x, span, axis=(2, 3))  # N C OH' OW' span_h span_w
    return v[:, :, ::strides[0], ::strides[1], ::dh, ::dw]


def conv(x, w, groups, data):
    x = pad2d(x, nums(data["pads_begin"]), nums(data["pads_end"]))
    o, cg, kh, kw = w.shape
    win = windows(x, (kh, kw), nums(data["strides"]), nums(data["dilations"]))
    n, c, oh, ow = win.shape[:4]
    win = win.reshape(n, groups, c // groups, oh, ow, kh, kw)
    wg = w.reshape(groups, o // groups, cg, kh, kw)
    y = np.einsum("ngchwij,gocij->ngohw", win, wg, optimize=True)
    return y.reshape(n, o, oh, ow)


def avg_pool(x, data):
    k, s = nums(data["kernel"]), nums(data["strides"])
    b, e = nums(data["pads_begin"]), nums(data["pads_end"])
    if data.get("rounding_type", "floor") != "floor":
        raise SystemExit("reference: only floor rounding")
    total = windows(pad2d(x, b, e), k, s, (1, 1)).sum(axis=(-1, -2))
    if data.get("exclude-pad") == "true":
        ones = np.ones((1, 1) + x.shape[2:])
        count = windows(pad2d(ones, b, e), k, s, (1, 1)).sum(axis=(-1, -2))
    else:
        count = k[0] * k[1]
    return total / count


def run(xml_path, bin_path, x):
    root = ET.parse(xml_path).getroot()
    blob = open(bin_path, "rb").read()
    layers = {l.get("id"): l for l in root.find("layers")}
    feeds = {}
    for e in root.find("edges"):
        feeds.setdefault(e.get("to-layer"), []).append(
            (int(e.get("to-port")), e.get("from-layer"), e.get("from-port")))
    values = {}

    def value(lid):
        if lid in values:
            return values[lid]
        layer = layers[lid]
        kind = layer.get("type")
        data = layer.find("data")
        data = {} if data is None else data.attrib
        args = [value(f) for _, f, _ in sorted(feeds.get(lid, []))]
        if kind == "Parameter":
            r = x.astype(np.float64)
        elif kind == "Const":
            off, size = int(data["offset"]), int(data["size"])
            r = np.frombuffer(blob[off:off + size], DT[data["element_type"]]).reshape(nums(data["shape"]))
        elif kind == "Convert":
            r = args[0].astype(np.float64)
        elif kind == "Convolution":
            r = conv(args[0], args[1], 1, data)
        elif kind == "GroupConvolution":
            g, og, cg, kh, kw = args[1].shape
            r = conv(args[0], args[1].reshape(g * og, cg, kh, kw), g, data)
        elif kind == "Add":
            r = args[0] + args[1]
        elif kind == "Multiply":
            r = args[0] * args[1]
        elif kind == "PReLU":
            slope = args[1].reshape(-1)
            slope = slope.reshape(1, -1, 1, 1) if slope.size > 1 else slope
            r = np.where(args[0] >= 0, args[0], args[0] * slope)
        elif kind == "Sigmoid":
            r = 1.0 / (1.0 + np.exp(-args[0]))
        elif kind == "AvgPool":
            r = avg_pool(args[0], data)
        elif kind == "Result":
            r = args[0]
        else:
            raise SystemExit(f"reference: operator {kind} not implemented")
        values[lid] = r
        return r

    results = [lid for lid, l in layers.items() if l.get("type") == "Result"]
    if len(results) != 1:
        raise SystemExit("reference: expected one Result")
    return value(results[0])


def main(xml_path, bin_path, in_path, out_path):
    root = ET.parse(xml_path).getroot()
    param = next(l for l in root.find("layers") if l.get("type") == "Parameter")
    chw = nums(param.find("data").get("shape"))[1:]
    x = np.fromfile(in_path, dtype="<f4").reshape([-1] + chw)
    y = run(xml_path, bin_path, x)
    y.astype("<f4").tofile(out_path)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
