#!/usr/bin/env python3
"""Convert an OpenVINO IR (v11 .xml + .bin) into ONNX, for the small operator set of the
Open Model Zoo re-identification models the project serves (face-reidentification-retail-0095,
person-reidentification-retail-0277).

Constants keep their stored element type (fp16 for the FP16 IR) and the IR's own Convert
nodes become Cast nodes, which ONNX Runtime folds into fp32 initializers when the session
is created: the file stays the size of the IR while inference runs in fp32, exactly as
OpenVINO's CPU plugin decompresses the same weights. The batch dimension is made symbolic
("batch") so several aligned faces can run in one call.

Operators: Parameter, Result, Const, Convert, Convolution, GroupConvolution, Add, Subtract,
Multiply, PReLU, Sigmoid, AvgPool, MaxPool, Clamp, ReLU, ReduceMean, MVN (opset6), MatMul,
Reshape, ShapeOf, Gather, Concat. Anything else, or an attribute value outside what is handled
(auto_pad other than explicit, MVN of opset2, Gather with batch_dims), is an error.

MVN is written out as ReduceMean / Sub / Mul / ReduceMean / Add eps / Sqrt / Div rather than
ONNX MeanVarianceNormalization, because that operator has no eps input (ONNX Runtime adds its
own tiny constant outside the square root) while OpenVINO's eps_mode puts eps inside or
outside the square root; the decomposition reproduces either exactly.

usage: openvino_ir_to_onnx.py <model.xml> <model.bin> <out.onnx>
"""
import sys
import xml.etree.ElementTree as ET

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from onnx_writer import write_model

IR_DTYPES = {"f16": np.float16, "f32": np.float32, "i64": np.int64, "i32": np.int32,
             "u8": np.uint8, "i8": np.int8}
ONNX_DTYPES = {"f16": TensorProto.FLOAT16, "f32": TensorProto.FLOAT, "i64": TensorProto.INT64,
               "i32": TensorProto.INT32, "u8": TensorProto.UINT8, "i8": TensorProto.INT8}


def ints(text):
    return [int(v) for v in text.replace(" ", "").split(",") if v != ""]


def read_ir(xml_path, bin_path):
    """Layers by id, edges (to_layer, to_port) -> (from_layer, from_port), weights blob."""
    root = ET.parse(xml_path).getroot()
    if root.tag != "net":
        raise SystemExit(f"{xml_path}: not an OpenVINO IR")
    layers = {l.get("id"): l for l in root.find("layers")}
    edges = {}
    for e in root.find("edges"):
        edges[(e.get("to-layer"), e.get("to-port"))] = (e.get("from-layer"), e.get("from-port"))
    with open(bin_path, "rb") as f:
        blob = f.read()
    return layers, edges, blob


def port_ids(layer, kind):
    section = layer.find(kind)
    return [] if section is None else [p.get("id") for p in section]


def port_dims(layer, kind, index=0):
    return [int(d.text) for d in layer.find(kind)[index].findall("dim")]


def topological(layers, edges):
    deps = {lid: set() for lid in layers}
    for (to_l, _), (from_l, _) in edges.items():
        deps[to_l].add(from_l)
    order, done = [], set()

    def visit(lid, stack=()):
        if lid in done:
            return
        if lid in stack:
            raise SystemExit("the IR graph has a cycle")
        for d in sorted(deps[lid], key=int):
            visit(d, stack + (lid,))
        done.add(lid)
        order.append(lid)

    for lid in sorted(layers, key=int):
        visit(lid)
    return order


def convert(xml_path, bin_path, out_path):
    layers, edges, blob = read_ir(xml_path, bin_path)
    nodes, inits, inputs, outputs = [], [], [], []
    name_of = {}  # (layer id, output port id) -> ONNX tensor name

    def tensor_name(lid, port):
        layer = layers[lid]
        for p in layer.find("output"):
            if p.get("id") == port and p.get("names"):
                return p.get("names").split(",")[0]
        return f"{layer.get('name')}:{port}"

    def ins(lid):
        return [name_of[edges[(lid, p)]] for p in port_ids(layers[lid], "input")]

    def const_value(lid, port_index):
        """The numpy value feeding an input port, when it is a Const (possibly via Convert)."""
        src, _ = edges[(lid, port_ids(layers[lid], "input")[port_index])]
        layer = layers[src]
        if layer.get("type") == "Convert":
            src, _ = edges[(src, port_ids(layer, "input")[0])]
            layer = layers[src]
        if layer.get("type") != "Const":
            raise SystemExit(f"layer {lid}: expected a constant input")
        return const_array(layer)

    def const_array(layer):
        d = layer.find("data")
        et = d.get("element_type")
        shape = ints(d.get("shape")) if d.get("shape") else []
        off, size = int(d.get("offset")), int(d.get("size"))
        return np.frombuffer(blob[off:off + size], dtype=IR_DTYPES[et]).reshape(shape)

    def const_or_none(lid, port_index):
        """The constant feeding a port as a flat list, or [] when it is computed."""
        try:
            return const_value(lid, port_index).reshape(-1).tolist()
        except SystemExit:
            return []

    def edges_from(lid, port):
        return [k for k, v in edges.items() if v == (lid, port)]

    def add_mvn(lid, layer, data, out):
        """OpenVINO MVN-6: (x - mean) / sqrt(var + eps) or / (sqrt(var) + eps), over the axes of
        its second input; mean and variance are ReduceMeans, the variance of x - mean."""
        if layer.get("version") != "opset6":
            raise SystemExit(f"layer {lid}: MVN {layer.get('version')} is not supported (opset6 only)")
        x = ins(lid)[0]
        axes = const_value(lid, 1).astype(np.int64).reshape(-1).tolist()
        mean, centred = out + "/mean", out + "/centred"
        nodes.append(helper.make_node("ReduceMean", [x], [mean], axes=axes, keepdims=1))
        nodes.append(helper.make_node("Sub", [x, mean], [centred]))
        if data.get("normalize_variance") != "true":
            nodes[-1].output[0] = out
            return
        square, var, std = out + "/square", out + "/variance", out + "/std"
        eps = add_const(out + "/eps", np.array(float(data.get("eps")), np.float32))
        nodes.append(helper.make_node("Mul", [centred, centred], [square]))
        nodes.append(helper.make_node("ReduceMean", [square], [var], axes=axes, keepdims=1))
        mode = data.get("eps_mode")
        if mode == "INSIDE_SQRT":
            nodes.append(helper.make_node("Add", [var, eps], [var + "+eps"]))
            nodes.append(helper.make_node("Sqrt", [var + "+eps"], [std]))
        elif mode == "OUTSIDE_SQRT":
            nodes.append(helper.make_node("Sqrt", [var], [std + "-eps"]))
            nodes.append(helper.make_node("Add", [std + "-eps", eps], [std]))
        else:
            raise SystemExit(f"layer {lid}: MVN eps_mode {mode} is not supported")
        nodes.append(helper.make_node("Div", [centred, std], [out]))

    def add_const(name, array):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    for lid in topological(layers, edges):
        layer = layers[lid]
        kind = layer.get("type")
        data = layer.find("data")
        outs = port_ids(layer, "output")
        out = tensor_name(lid, outs[0]) if outs else None
        if out is not None:
            name_of[(lid, outs[0])] = out

        if kind == "Parameter":
            dims = port_dims(layer, "output")
            et = data.get("element_type")
            inputs.append(helper.make_tensor_value_info(out, ONNX_DTYPES[et], ["batch"] + dims[1:]))
        elif kind == "Result":
            src = ins(lid)[0]
            dims = port_dims(layer, "input")
            outputs.append(helper.make_tensor_value_info(src, TensorProto.FLOAT, ["batch"] + dims[1:]))
        elif kind == "Const":
            add_const(out, const_array(layer))
        elif kind == "Convert":
            et = data.get("destination_type")
            nodes.append(helper.make_node("Cast", ins(lid), [out], to=ONNX_DTYPES[et]))
        elif kind in ("Convolution", "GroupConvolution"):
            if data.get("auto_pad", "explicit") not in ("explicit", "notset"):
                raise SystemExit(f"layer {lid}: auto_pad {data.get('auto_pad')} is not supported")
            x, w = ins(lid)
            w_dims = port_dims(layer, "input", 1)
            attrs = dict(strides=ints(data.get("strides")), dilations=ints(data.get("dilations")),
                         pads=ints(data.get("pads_begin")) + ints(data.get("pads_end")),
                         kernel_shape=w_dims[-2:])
            if kind == "GroupConvolution":
                groups = w_dims[0]
                shape = [w_dims[0] * w_dims[1]] + w_dims[2:]
                shape_name = add_const(out + "/weights_shape", np.array(shape, np.int64))
                nodes.append(helper.make_node("Reshape", [w, shape_name], [out + "/weights"]))
                w = out + "/weights"
                attrs["group"] = groups
            nodes.append(helper.make_node("Conv", [x, w], [out], name=layer.get("name"), **attrs))
        elif kind in ("Add", "Subtract", "Multiply"):
            if data is not None and data.get("auto_broadcast", "numpy") != "numpy":
                raise SystemExit(f"layer {lid}: only numpy broadcasting is supported")
            onnx_op = {"Add": "Add", "Subtract": "Sub", "Multiply": "Mul"}[kind]
            nodes.append(helper.make_node(onnx_op, ins(lid), [out]))
        elif kind == "PReLU":
            x, slope = ins(lid)
            n = int(np.prod(port_dims(layer, "input", 1)))
            if n > 1:  # per-channel slope [C] must broadcast over N, C, H, W as [C, 1, 1]
                shape_name = add_const(out + "/slope_shape", np.array([n, 1, 1], np.int64))
                nodes.append(helper.make_node("Reshape", [slope, shape_name], [out + "/slope"]))
                slope = out + "/slope"
            nodes.append(helper.make_node("PRelu", [x, slope], [out]))
        elif kind == "Sigmoid":
            nodes.append(helper.make_node("Sigmoid", ins(lid), [out]))
        elif kind == "ReLU":
            nodes.append(helper.make_node("Relu", ins(lid), [out]))
        elif kind == "Clamp":
            lo = add_const(out + "/min", np.array(float(data.get("min")), np.float32))
            hi = add_const(out + "/max", np.array(float(data.get("max")), np.float32))
            nodes.append(helper.make_node("Clip", [ins(lid)[0], lo, hi], [out]))
        elif kind == "AvgPool":
            if data.get("auto_pad", "explicit") not in ("explicit", "notset"):
                raise SystemExit(f"layer {lid}: auto_pad {data.get('auto_pad')} is not supported")
            nodes.append(helper.make_node(
                "AveragePool", ins(lid), [out], kernel_shape=ints(data.get("kernel")),
                strides=ints(data.get("strides")),
                pads=ints(data.get("pads_begin")) + ints(data.get("pads_end")),
                count_include_pad=0 if data.get("exclude-pad") == "true" else 1,
                ceil_mode=1 if data.get("rounding_type") == "ceil" else 0))
        elif kind == "ReduceMean":
            axes = const_value(lid, 1).astype(np.int64).reshape(-1).tolist()
            nodes.append(helper.make_node("ReduceMean", [ins(lid)[0]], [out], axes=axes,
                                          keepdims=1 if data.get("keep_dims") == "true" else 0))
        elif kind == "Reshape":
            # ONNX Reshape (allowzero 0) copies the input dimension where the shape says 0,
            # which is OpenVINO's special_zero=true; without it a 0 would mean an empty axis.
            x, shape = ins(lid)
            if data.get("special_zero") != "true" and 0 in const_or_none(lid, 1):
                raise SystemExit(f"layer {lid}: Reshape to a zero-sized axis is not supported")
            nodes.append(helper.make_node("Reshape", [x, shape], [out]))
        elif kind == "MaxPool":
            if data.get("auto_pad", "explicit") not in ("explicit", "notset"):
                raise SystemExit(f"layer {lid}: auto_pad {data.get('auto_pad')} is not supported")
            if any(edges_from(lid, p) for p in outs[1:]):
                raise SystemExit(f"layer {lid}: the MaxPool indices output is used; not supported")
            nodes.append(helper.make_node(
                "MaxPool", ins(lid), [out], kernel_shape=ints(data.get("kernel")),
                strides=ints(data.get("strides")), dilations=ints(data.get("dilations", "1,1")),
                pads=ints(data.get("pads_begin")) + ints(data.get("pads_end")),
                ceil_mode=1 if data.get("rounding_type") == "ceil" else 0))
        elif kind == "MVN":
            add_mvn(lid, layer, data, out)
        elif kind == "MatMul":
            a, b = ins(lid)
            for flag, index in (("transpose_a", 0), ("transpose_b", 1)):
                if data.get(flag) == "true":
                    rank = len(port_dims(layer, "input", index))
                    if rank < 2:
                        raise SystemExit(f"layer {lid}: {flag} of a 1-D operand is not supported")
                    perm = list(range(rank - 2)) + [rank - 1, rank - 2]
                    name = f"{out}/{'ab'[index]}_transposed"
                    nodes.append(helper.make_node("Transpose", [[a, b][index]], [name], perm=perm))
                    a, b = (name, b) if index == 0 else (a, name)
            nodes.append(helper.make_node("MatMul", [a, b], [out]))
        elif kind == "ShapeOf":
            if data.get("output_type", "i64") == "i64":
                nodes.append(helper.make_node("Shape", ins(lid), [out]))
            else:
                nodes.append(helper.make_node("Shape", ins(lid), [out + "/i64"]))
                nodes.append(helper.make_node("Cast", [out + "/i64"], [out],
                                              to=ONNX_DTYPES[data.get("output_type")]))
        elif kind == "Gather":
            if int(data.get("batch_dims", "0")) != 0:
                raise SystemExit(f"layer {lid}: Gather with batch_dims is not supported")
            axis = const_value(lid, 2).reshape(-1)
            if axis.size != 1:
                raise SystemExit(f"layer {lid}: Gather needs one axis")
            x, indices = ins(lid)[:2]
            nodes.append(helper.make_node("Gather", [x, indices], [out], axis=int(axis[0])))
        elif kind == "Concat":
            nodes.append(helper.make_node("Concat", ins(lid), [out], axis=int(data.get("axis"))))
        else:
            raise SystemExit(f"layer {lid} ({layer.get('name')}): unsupported IR operator {kind}")

    # constants read at conversion time (axes, Gather's axis) feed no node: leave them out
    used = {name for n in nodes for name in n.input}
    inits = [t for t in inits if t.name in used]
    write_model(helper.make_graph(nodes, "openvino_ir", inputs, outputs, inits), 13, out_path)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    convert(*sys.argv[1:])
