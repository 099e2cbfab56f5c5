#!/usr/bin/env python3
"""Convert an OpenVINO IR (v11 .xml + .bin) into ONNX, for the small operator set the
face re-identification model uses.

Constants keep their stored element type (fp16 for the FP16 IR) and the IR's own Convert
nodes become Cast nodes, which ONNX Runtime folds into fp32 initializers when the session
is created: the file stays the size of the IR while inference runs in fp32, exactly as
OpenVINO's CPU plugin decompresses the same weights. The batch dimension is made symbolic
("batch") so several aligned faces can run in one call.

Operators: Parameter, Result, Const, Convert, Convolution, GroupConvolution, Add, Multiply,
PReLU, Sigmoid, AvgPool, Clamp, ReLU, ReduceMean, Reshape. Anything else is an error.

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
        elif kind in ("Add", "Multiply"):
            if data is not None and data.get("auto_broadcast", "numpy") != "numpy":
                raise SystemExit(f"layer {lid}: only numpy broadcasting is supported")
            nodes.append(helper.make_node({"Add": "Add", "Multiply": "Mul"}[kind], ins(lid), [out]))
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
            x, shape = ins(lid)
            nodes.append(helper.make_node("Reshape", [x, shape], [out]))
        else:
            raise SystemExit(f"layer {lid} ({layer.get('name')}): unsupported IR operator {kind}")

    write_model(helper.make_graph(nodes, "openvino_ir", inputs, outputs, inits), 13, out_path)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    convert(*sys.argv[1:])
