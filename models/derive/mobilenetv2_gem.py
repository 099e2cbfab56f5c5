#!/usr/bin/env python3
"""Derive the MobileNetV2 appearance embedder from the ONNX Model Zoo int8 classifier.

The upstream graph is QDQ-free "QLinear" int8 (QLinearConv, QLinearAdd, a quantised global
average pool and classifier). We rebuild it as a float graph:
  * every QLinearConv becomes a float Conv whose weights are the int8 weights dequantised
    per output channel, stored as int8 + scale in the file (Cast and Mul of initializers,
    which ONNX Runtime folds into plain fp32 weights when the session is created), so the
    download stays the int8 size while inference runs the faster fp32 kernels;
  * a conv whose quantised output range starts at zero (zero point 0) had a ReLU6 folded into
    that range: it gets Clip(0, 255 * scale) back; other convs are linear bottlenecks;
  * QLinearAdd becomes Add; the classifier is dropped;
  * the last 1280-channel 7x7 map is pooled with generalised-mean pooling (GeM, p = 3), the
    instance-retrieval practice, giving output "embedding" [N, 1280].

Deterministic: same input file and onnx version -> same bytes.
usage: mobilenetv2_gem.py <mobilenetv2-12-int8.onnx> <out.onnx>
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from onnx_writer import write_model

GEM_P = 3.0
GEM_EPS = 1e-6


def main(src, dst):
    model = onnx.load(src)
    graph = model.graph
    init = {t.name: numpy_helper.to_array(t) for t in graph.initializer}

    nodes, inits = [], []
    # float name of every quantised tensor we have rebuilt: "<q name>" -> float tensor name
    float_of = {}

    def const(name, array):
        inits.append(numpy_helper.from_array(array, name))
        return name

    last_conv_out = None
    for node in graph.node:
        op = node.op_type
        if op == "QuantizeLinear" and node.input[0] == "input":
            float_of[node.output[0]] = "input"
        elif op == "QLinearConv":
            x, _, _, w, w_scale, w_zp, y_scale, y_zp = node.input[:8]
            bias = node.input[8] if len(node.input) > 8 else None
            x_scale = float(init[node.input[1]])
            wq = init[w]
            ws = init[w_scale].astype(np.float32).reshape(-1)
            wz = init[w_zp].astype(np.int32).reshape(-1)
            base = node.output[0].replace("_quantized", "")
            out_ch = wq.shape[0]
            shape = (out_ch,) + (1,) * (wq.ndim - 1)
            w_int = const(base + "_w_int8", wq.astype(np.int8))
            nodes.append(helper.make_node("Cast", [w_int], [base + "_w_i2f"], to=TensorProto.FLOAT))
            w_in = base + "_w_i2f"
            if np.any(wz != 0):
                z = const(base + "_w_zp", wz.astype(np.float32).reshape(shape))
                nodes.append(helper.make_node("Sub", [w_in, z], [base + "_w_centred"]))
                w_in = base + "_w_centred"
            s = const(base + "_w_scale", ws.reshape(shape))
            nodes.append(helper.make_node("Mul", [w_in, s], [base + "_w"]))
            conv_inputs = [float_of[x], base + "_w"]
            if bias:
                b = (init[bias].astype(np.float64) * x_scale * ws.astype(np.float64)).astype(np.float32)
                conv_inputs.append(const(base + "_b", b))
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            conv_out = base + "_conv"
            nodes.append(helper.make_node("Conv", conv_inputs, [conv_out], name=base, **attrs))
            out = conv_out
            if int(init[y_zp]) == 0:  # ReLU6 folded into the quantised range
                hi = np.float32(255.0 * float(init[y_scale]))
                lo_n = const(base + "_clip_lo", np.array(0.0, np.float32))
                hi_n = const(base + "_clip_hi", np.array(hi, np.float32))
                nodes.append(helper.make_node("Clip", [conv_out, lo_n, hi_n], [base + "_act"]))
                out = base + "_act"
            float_of[node.output[0]] = out
            last_conv_out = out
        elif op == "QLinearAdd":
            a, b = node.input[0], node.input[3]
            out = node.output[0].replace("_quantized", "") + "_add"
            nodes.append(helper.make_node("Add", [float_of[a], float_of[b]], [out]))
            float_of[node.output[0]] = out
        elif op == "QLinearGlobalAveragePool":
            break  # the pooled classifier head is replaced below
        else:
            raise SystemExit(f"unexpected operator {op} before the pooling layer")

    if last_conv_out is None:
        raise SystemExit("no QLinearConv found: not the expected MobileNetV2 int8 graph")

    # GeM: (mean over H, W of max(x, eps)^p)^(1/p)
    eps = const("gem_eps", np.array(GEM_EPS, np.float32))
    p = const("gem_p", np.array(GEM_P, np.float32))
    inv_p = const("gem_inv_p", np.array(1.0 / GEM_P, np.float32))
    nodes += [
        helper.make_node("Max", [last_conv_out, eps], ["gem_clamped"]),
        helper.make_node("Pow", ["gem_clamped", p], ["gem_pow"]),
        helper.make_node("ReduceMean", ["gem_pow"], ["gem_mean"], axes=[2, 3], keepdims=0),
        helper.make_node("Pow", ["gem_mean", inv_p], ["embedding"]),
    ]
    inp = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 224, 224])
    out = helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", 1280])
    write_model(helper.make_graph(nodes, "mobilenetv2_gem", [inp], [out], inits), 12, dst)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
