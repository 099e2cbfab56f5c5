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
sys.setrecursionlimit(20000)  # value() recurses along the graph: ~600 layers deep for 0277


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


def max_pool(x, data):
    """MaxPool-1/8 with explicit pads: padded positions never win (filled with -inf)."""
    k, s = nums(data["kernel"]), nums(data["strides"])
    d = nums(data.get("dilations", "1,1"))
    if data.get("rounding_type", "floor") != "floor" or data.get("auto_pad", "explicit") != "explicit":
        raise SystemExit("reference: MaxPool with floor rounding and explicit pads only")
    padded = pad2d(x, nums(data["pads_begin"]), nums(data["pads_end"]), -np.inf)
    return windows(padded, k, s, d).max(axis=(-1, -2))


def mvn6(x, axes, data):
    """MVN-6: mean and variance over `axes`; eps inside or outside the square root."""
    axes = tuple(int(a) % x.ndim for a in np.reshape(axes, -1))
    centred = x - x.mean(axis=axes, keepdims=True)
    if data["normalize_variance"] != "true":
        return centred
    variance = (centred ** 2).mean(axis=axes, keepdims=True)
    eps = float(data["eps"])
    if data["eps_mode"].upper() == "INSIDE_SQRT":
        return centred / np.sqrt(variance + eps)
    if data["eps_mode"].upper() == "OUTSIDE_SQRT":
        return centred / (np.sqrt(variance) + eps)
    raise SystemExit(f"reference: MVN eps_mode {data['eps_mode']}")


def reshape(x, shape, special_zero):
    """Reshape-1: with special_zero a 0 copies the input's dimension at that index."""
    target = [int(v) for v in np.reshape(shape, -1)]
    if special_zero:
        target = [x.shape[i] if v == 0 else v for i, v in enumerate(target)]
    return x.reshape(target)


def matmul(a, b, data):
    """MatMul-1: the transpose flags swap the last two axes of an operand of rank >= 2."""
    if data.get("transpose_a") == "true" and a.ndim >= 2:
        a = np.swapaxes(a, -1, -2)
    if data.get("transpose_b") == "true" and b.ndim >= 2:
        b = np.swapaxes(b, -1, -2)
    return np.matmul(a, b)


def gather(x, indices, axis, data):
    """Gather-8 with batch_dims 0: np.take along `axis`; negative indices count from the end."""
    if int(data.get("batch_dims", "0")) != 0:
        raise SystemExit("reference: Gather with batch_dims")
    axis = int(np.reshape(axis, -1)[0]) % x.ndim
    indices = np.asarray(indices, np.int64)
    return np.take(x, np.where(indices < 0, indices + x.shape[axis], indices), axis=axis)


def run(xml_path, bin_path, x):
    root = ET.parse(xml_path).getroot()
    blob = open(bin_path, "rb").read()
    layers = {l.get("id"): l for l in root.find("layers")}
    feeds = {}
    for e in root.find("edges"):
        feeds.setdefault(e.get("to-layer"), []).append(
            (int(e.get("to-port")), e.get("from-layer"), e.get("from-port")))
    values = {}

    def value(lid, port=None):
        layer = layers[lid]
        # every layer here has one output that others read; MaxPool's second (indices) is unused
        if port is not None and layer.find("output") is not None and port != layer.find("output")[0].get("id"):
            raise SystemExit(f"reference: layer {lid} is read at its output port {port}")
        if lid in values:
            return values[lid]
        kind = layer.get("type")
        data = layer.find("data")
        data = {} if data is None else data.attrib
        args = [value(f, port) for _, f, port in sorted(feeds.get(lid, []))]
        if kind == "Parameter":
            r = x.astype(np.float64)
        elif kind == "Const":
            off, size = int(data["offset"]), int(data["size"])
            r = np.frombuffer(blob[off:off + size], DT[data["element_type"]]).reshape(nums(data["shape"]))
        elif kind == "Convert":
            dest = data["destination_type"]
            r = args[0].astype(np.float64 if dest.startswith("f") else DT[dest])
        elif kind == "Convolution":
            r = conv(args[0], args[1], 1, data)
        elif kind == "GroupConvolution":
            g, og, cg, kh, kw = args[1].shape
            r = conv(args[0], args[1].reshape(g * og, cg, kh, kw), g, data)
        elif kind == "Add":
            r = args[0] + args[1]
        elif kind == "Subtract":
            r = args[0] - args[1]
        elif kind == "Multiply":
            r = args[0] * args[1]
        elif kind == "ReLU":
            r = np.maximum(args[0], 0.0)
        elif kind == "MaxPool":
            r = max_pool(args[0], data)
        elif kind == "MVN":
            if layer.get("version") != "opset6":
                raise SystemExit("reference: MVN of opset6 only")
            r = mvn6(args[0], args[1], data)
        elif kind == "ReduceMean":
            axes = tuple(int(a) % args[0].ndim for a in np.reshape(args[1], -1))
            r = args[0].mean(axis=axes, keepdims=data.get("keep_dims") == "true")
        elif kind == "MatMul":
            r = matmul(args[0], args[1], data)
        elif kind == "Reshape":
            r = reshape(args[0], args[1], data.get("special_zero") == "true")
        elif kind == "ShapeOf":
            r = np.array(args[0].shape, DT[data.get("output_type", "i64")])
        elif kind == "Gather":
            r = gather(args[0], args[1], args[2], data)
        elif kind == "Concat":
            r = np.concatenate(args, axis=int(data["axis"]))
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
